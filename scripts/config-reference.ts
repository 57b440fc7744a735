/**
 * npm run docs: regenerate the configuration table in README.md from the
 * settings schema (lib/config.ts), so the reference cannot drift from the code.
 * test/scripts/config-reference.test.ts fails when they disagree.
 */
import * as fs from 'node:fs';
import { parseConfig, SETTINGS } from '../lib/config';
import { README, replaceBlock } from './generated-block';
import { runCli } from './run-cli';

export { README };

const cell = (text: string) => text.replace(/\|/g, '\\|');

/** The Markdown table: every setting, its default, what it allows and what it changes. */
export function configTable(): string {
  const defaults = parseConfig({});
  const rows = Object.entries(SETTINGS).map(
    ([key, setting]) =>
      `| \`${key}\` | \`${JSON.stringify(defaults[key as keyof typeof defaults])}\` | ${cell(setting.allowed)} | ${cell(setting.description)} |`,
  );
  return ['| key | default | allowed | what it changes |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/** README text with the generated block replaced. */
export function withConfigTable(readme: string): string {
  return replaceBlock(readme, 'config-reference', configTable());
}

async function main(): Promise<number> {
  fs.writeFileSync(README, withConfigTable(fs.readFileSync(README, 'utf8')));
  console.log('README.md configuration table regenerated.');
  return 0;
}

runCli(module, main);
