/**
 * The generated part of docs/commands.md: per command, what it does, its
 * usage, every option (from the same declaration as --help) and examples.
 */
import * as path from 'node:path';
import { commands } from '../commands';
import { replaceBlock, ROOT, tableCell } from '../generated-block';
import { type CommandSpec, optionRows, usageLine } from './command';

export const COMMANDS_DOC = path.join(ROOT, 'docs', 'commands.md');

/** One command's section. */
export function commandSection(spec: CommandSpec): string {
  const lines = [
    `### npm run ${spec.name}`,
    '',
    spec.summary,
    '',
    spec.description,
    '',
    '```sh',
    usageLine(spec),
    '```',
    '',
  ];
  if (spec.positional) lines.push(`\`<${spec.positional.name}>\`: ${spec.positional.description}`, '');
  lines.push('| option | what it does |', '| --- | --- |');
  lines.push(...optionRows(spec).map(([flag, text]) => `| \`${tableCell(flag)}\` | ${tableCell(text)} |`), '');
  lines.push('Examples:', '', '```sh', ...spec.examples, '```');
  return lines.join('\n');
}

/** The overview table and every command's section. */
export function commandReference(): string {
  const overview = [
    '| command | what it does |',
    '| --- | --- |',
    ...commands().map(
      ({ spec }) => `| [\`npm run ${spec.name}\`](#npm-run-${spec.name}) | ${tableCell(spec.summary)} |`,
    ),
  ];
  // The table's rows one per line: a blank line between rows ends a Markdown table.
  return [overview.join('\n'), ...commands().map(({ spec }) => commandSection(spec))]
    .join('\n\n')
    .replace(/\n{3,}/g, '\n\n');
}

/** README's short table: command, one example, what it is for; the reference is linked. */
export function commandTable(): string {
  const rows = commands().map(
    ({ spec }) =>
      `| [\`${spec.name}\`](docs/commands.md#npm-run-${spec.name}) | \`${tableCell(spec.examples[0])}\` | ${tableCell(spec.summary)} |`,
  );
  return [
    '| command | example | what it is for |',
    '| --- | --- | --- |',
    ...rows,
    '',
    'Every command takes `--help`, `--profile` and `--region` where it calls AWS, and `--json` where it reports; exit status 0 ok, 1 failed, 2 bad command line. All options: [docs/commands.md](docs/commands.md).',
  ].join('\n');
}

export function withCommandTable(readme: string): string {
  return replaceBlock(readme, 'commands', commandTable());
}

export function withCommandReference(text: string): string {
  return replaceBlock(text, 'commands', commandReference());
}
