/**
 * npm run config: keep settings in settings.json, the file every cdk command
 * reads (lib/config/settings-file.ts), instead of `-c` flags that last one
 * command. Keys and values are checked with the schema the app itself uses.
 */
import { parseConfig, readSettingsFile, type SettingName, SETTINGS, writeSettingsFile } from '../lib/config';
import { show } from '../lib/config/parse';
import { CDK_JSON_CONTEXT } from '../tools/cdk-json';
import { type CommandSpec, type Parsed, UsageError } from './cli/command';
import { formatTable, type Io } from './cli/output';
import {
  applyChanges,
  type Layers,
  merged,
  parseAssignment,
  SettingError,
  settingName,
  shadowWarnings,
  sourceOf,
} from './config-settings';
import { CONTEXT_FILE, readContextFile, SETTINGS_FILE } from './preflight/context';
import { runCommand } from './run-cli';

const ACTIONS = ['list', 'get', 'set', 'unset'] as const;

export const command = {
  name: 'config',
  summary: 'Keep settings in settings.json, which every cdk command reads: set, get, list or unset them.',
  description:
    'Settings given with -c last one command; a later deploy without them silently goes back to the defaults. This command writes settings.json in the project root (gitignored), which bin/app.ts reads on every cdk command, below cdk.context.json, cdk.json and -c. Keys and values are checked with the schema the app uses (docs/configuration.md); a bad one is refused with what is allowed, and nothing is written. No AWS call.',
  positional: {
    name: 'action',
    description:
      'list (every setting, its value and where it comes from), get <key>, set <key=value> [...], unset <key> [...].',
    optional: true,
    variadic: true,
  },
  options: {},
  examples: [
    'npm run config -- set removalPolicy=destroy alertEmail=you@example.com',
    'npm run config -- list',
    'npm run config -- get removalPolicy',
    'npm run config -- unset alertEmail',
  ],
} as const satisfies CommandSpec;

export interface ConfigDeps {
  readonly settingsFile: string;
  readonly cdkContextFile: string;
  readonly cdkJson: Record<string, unknown>;
}

const realDeps: ConfigDeps = {
  settingsFile: SETTINGS_FILE,
  cdkContextFile: CONTEXT_FILE,
  cdkJson: { ...CDK_JSON_CONTEXT },
};

function layersOf(deps: ConfigDeps): Layers {
  return {
    settings: readSettingsFile(deps.settingsFile),
    cdkContextJson: readContextFile(deps.cdkContextFile),
    cdkJson: deps.cdkJson,
  };
}

function text(value: unknown): string {
  return Array.isArray(value) ? value.join(',') : String(value);
}

export async function config(parsed: Parsed<typeof command.options>, io: Io, deps = realDeps): Promise<number> {
  const action = parsed.positional ?? 'list';
  const args = parsed.rest ?? [];
  if (!(ACTIONS as readonly string[]).includes(action)) {
    throw new UsageError(`unknown action "${action}", allowed: ${ACTIONS.join(', ')}`);
  }
  if (action === 'list' && args.length > 0) throw new UsageError(`list takes no argument; got "${args[0]}"`);
  if (action !== 'list' && args.length === 0) {
    throw new UsageError(`${action} needs ${action === 'set' ? 'key=value' : 'a key'} (see --help)`);
  }
  try {
    const layers = layersOf(deps);
    if (action === 'list' || action === 'get') {
      const effective = parseConfig(merged(layers));
      const keys = action === 'list' ? (Object.keys(SETTINGS) as SettingName[]) : args.map(settingName);
      if (action === 'get' && keys.length === 1) {
        io.out(text(effective[keys[0]]));
        return 0;
      }
      io.out(
        formatTable(
          ['setting', 'value', 'from'],
          keys.map((k) => [k, text(effective[k]), sourceOf(layers, k)]),
        ),
      );
      return 0;
    }
    if (action === 'set') {
      const changes = Object.fromEntries(args.map(parseAssignment).map(({ key, value }) => [key, value]));
      writeSettingsFile(deps.settingsFile, applyChanges(layers, changes));
      for (const [key, value] of Object.entries(changes)) io.out(`${key} = ${show(value)} (saved in settings.json)`);
      for (const warning of shadowWarnings(layers, Object.keys(changes) as SettingName[])) {
        io.out(`${io.colour.warn('WARNING')}: ${warning}`);
      }
      return 0;
    }
    const keys = args.map(settingName);
    writeSettingsFile(deps.settingsFile, applyChanges(layers, {}, keys));
    for (const key of keys) {
      io.out(key in layers.settings ? `${key} removed from settings.json` : `${key} was not set in settings.json`);
    }
    for (const warning of shadowWarnings(layers, keys)) io.out(`${io.colour.warn('WARNING')}: ${warning}`);
    return 0;
  } catch (error) {
    if (error instanceof SettingError) throw new UsageError(error.message);
    throw error;
  }
}

runCommand(module, command, (parsed, io) => config(parsed, io));
