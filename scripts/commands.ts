/** Every command in scripts/, as declared by its file: the source of `--help`, docs/commands.md and `npm run`'s list. */
import { command as agent } from './agent';
import { command as ask } from './ask';
import type { CommandSpec } from './cli/command';
import { command as compliance } from './compliance';
import { command as config } from './config';
import { command as docs } from './config-reference';
import { command as evaluate } from './evaluate';
import { command as cost } from './cost';
import { command as customize } from './customize';
import { command as ingest } from './ingest';
import { command as preflight } from './preflight';
import { command as redteam } from './redteam';
import { command as teardown } from './teardown';
import { command as verify } from './verify';

export interface CommandEntry {
  readonly spec: CommandSpec;
  /** The file package.json's script runs with tsx. */
  readonly file: string;
}

/** A function, not a constant: config-reference.ts (the docs command) reads this list, and this list reads its declaration. */
export function commands(): readonly CommandEntry[] {
  return [
    { spec: config, file: 'scripts/config.ts' },
    { spec: preflight, file: 'scripts/preflight.ts' },
    { spec: ingest, file: 'scripts/ingest.ts' },
    { spec: ask, file: 'scripts/ask.ts' },
    { spec: agent, file: 'scripts/agent.ts' },
    { spec: verify, file: 'scripts/verify.ts' },
    { spec: redteam, file: 'scripts/redteam.ts' },
    { spec: evaluate, file: 'scripts/evaluate.ts' },
    { spec: customize, file: 'scripts/customize.ts' },
    { spec: teardown, file: 'scripts/teardown.ts' },
    { spec: cost, file: 'scripts/cost.ts' },
    { spec: compliance, file: 'scripts/compliance.ts' },
    { spec: docs, file: 'scripts/config-reference.ts' },
  ];
}

/**
 * The package.json script: the command alone. An earlier form carried the
 * summary in a shell no-op (`: '…';`) so that `npm run` listed it, but
 * npm runs scripts with cmd.exe on Windows, where a line starting with `:` is
 * a label and the command never ran. The summaries are in `--help`,
 * docs/commands.md and the README. Arguments after `--` are appended to the
 * end, so they reach the script.
 */
export function npmScript(entry: CommandEntry): string {
  return `tsx ${entry.file}`;
}
