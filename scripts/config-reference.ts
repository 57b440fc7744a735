/**
 * npm run docs: regenerate the reference parts of the documentation from the
 * code, so they cannot drift: the configuration table in docs/configuration.md
 * from the settings schema (lib/config/settings.ts), and docs/commands.md and
 * the README command table from the command declarations.
 * test/scripts/config-reference.test.ts and test/scripts/cli.test.ts fail when
 * they disagree.
 */
import * as fs from 'node:fs';
import { parseConfig, SETTINGS } from '../lib/config';
import type { CommandSpec } from './cli/command';
import { COMMANDS_DOC, withCommandReference, withCommandTable } from './cli/commands-doc';
import * as path from 'node:path';
import { GENERATOR_OPTIONS, README, replaceBlock, ROOT, writeOrCheck, tableCell } from './generated-block';
import { runCommand } from './run-cli';

/** Where the configuration table lives (between config-reference markers). */
export const CONFIG_DOC = path.join(ROOT, 'docs', 'configuration.md');

export const command = {
  name: 'docs',
  summary: 'Regenerate the configuration table, docs/commands.md and the README command table from the code.',
  description:
    'Writes the configuration table in docs/configuration.md from the settings schema (lib/config/), and the command reference in docs/commands.md and the command table in README.md from each command declaration, formatted with Prettier. Needs no AWS account.',
  options: GENERATOR_OPTIONS,
  examples: ['npm run docs', 'npm run docs -- --check'],
} as const satisfies CommandSpec;

/** The Markdown table: every setting, its default, what it allows and what it changes. */
export function configTable(): string {
  const defaults = parseConfig({});
  const rows = Object.entries(SETTINGS).map(
    ([key, setting]) =>
      `| \`${key}\` | \`${JSON.stringify(defaults[key as keyof typeof defaults])}\` | ${tableCell(setting.allowed)} | ${tableCell(setting.description)} |`,
  );
  return ['| key | default | allowed | what it changes |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/** docs/configuration.md with the generated block replaced. */
export function withConfigTable(readme: string): string {
  return replaceBlock(readme, 'config-reference', configTable());
}

runCommand(module, command, async ({ values }, io) => {
  const files = [
    { file: CONFIG_DOC, text: withConfigTable(fs.readFileSync(CONFIG_DOC, 'utf8')) },
    { file: COMMANDS_DOC, text: withCommandReference(fs.readFileSync(COMMANDS_DOC, 'utf8')) },
    { file: README, text: withCommandTable(fs.readFileSync(README, 'utf8')) },
  ];
  return writeOrCheck(files, values.check, io, command.name);
});
