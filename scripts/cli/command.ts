/**
 * One way to define a command: its options are declared once (type, default,
 * description), and both the parser and `--help` are built from that
 * declaration, so the help cannot drift from what is accepted.
 *
 * Parsing is Node's own `util.parseArgs` (stable since Node.js 20, maintained
 * with Node, no dependency to keep current): strict mode rejects unknown
 * options and missing values; this module adds numbers, choices, lists,
 * defaults, help text and one message per mistake.
 * https://nodejs.org/docs/latest-v20.x/api/util.html#utilparseargsconfig
 */
import { parseArgs } from 'node:util';
import { editDistance } from '../../lib/shared/edit-distance';

interface Common {
  readonly description: string;
  /** The value's name in help: `--model <id>`. */
  readonly placeholder?: string;
  readonly short?: string;
}
export interface BooleanOption extends Common {
  readonly type: 'boolean';
}
export interface StringOption extends Common {
  readonly type: 'string';
  readonly default?: string;
  readonly choices?: readonly string[];
}
export interface NumberOption extends Common {
  readonly type: 'number';
  readonly default?: number;
  readonly integer?: boolean;
  readonly min?: number;
  readonly max?: number;
}
/** Repeatable, and each value may be a comma-separated list. */
export interface ListOption extends Common {
  readonly type: 'list';
}
export type OptionSpec = BooleanOption | StringOption | NumberOption | ListOption;
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

export interface CommandSpec<O extends OptionSpecs = OptionSpecs> {
  /** The npm script: `npm run <name>`. */
  readonly name: string;
  /** One line, shown by `npm run` and in docs/commands.md. */
  readonly summary: string;
  /** A paragraph for --help: what it does, what it needs. */
  readonly description: string;
  /**
   * The positional argument; required unless `optional` (the command then
   * checks it against its options). `variadic`: more values may follow it
   * (`npm run config -- set a=1 b=2`), read from `Parsed.rest`.
   */
  readonly positional?: {
    readonly name: string;
    readonly description: string;
    readonly optional?: boolean;
    readonly variadic?: boolean;
  };
  readonly options: O;
  readonly examples: readonly string[];
}

type ValueOf<S extends OptionSpec> = S extends BooleanOption
  ? boolean
  : S extends ListOption
    ? string[]
    : S extends { default: infer D }
      ? D extends number
        ? number
        : string
      : S extends NumberOption
        ? number | undefined
        : string | undefined;

export type Values<O extends OptionSpecs> = { -readonly [K in keyof O]: ValueOf<O[K]> };

export interface Parsed<O extends OptionSpecs> {
  readonly values: Values<O>;
  /** The positional argument, when the command takes one. */
  readonly positional?: string;
  /** The values after it, for a `variadic` positional (else empty). */
  readonly rest?: readonly string[];
  readonly help: boolean;
}

/** A bad command line: exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Every command has --help; it is declared here so it is listed like any other option. */
export const HELP_OPTION = { type: 'boolean', short: 'h', description: 'Show this help and exit.' } as const;

function flag(name: string, spec: OptionSpec): string {
  const value = spec.type === 'boolean' ? '' : ` <${spec.placeholder ?? (spec.type === 'number' ? 'n' : 'value')}>`;
  return `${spec.short ? `-${spec.short}, ` : ''}--${name}${value}`;
}

/** Closest known option to a mistyped one, when it is close enough to be a typo. */
function suggestion(typed: string, known: readonly string[]): string | undefined {
  const name = typed.replace(/^-+/, '').split('=')[0];
  const best = known
    .map((k) => ({ k, d: editDistance(name, k) }))
    .filter(({ k, d }) => d <= Math.max(1, Math.floor(k.length / 3)))
    .sort((a, b) => a.d - b.d)[0];
  return best && `--${best.k}`;
}

/** Node's parseArgs messages, said once and plainly. */
function usageMessage(error: Error & { code?: string }, options: OptionSpecs): string {
  const quoted = /'([^']+)'/.exec(error.message)?.[1] ?? '';
  const option = quoted.split(' ')[0];
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const near = suggestion(option, Object.keys(options));
      return `unknown option ${option}${near ? ` (did you mean ${near}?)` : ''}`;
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/does not take an argument/.test(error.message)) return `${option} takes no value`;
      return `${option} needs a value${/ambiguous/.test(error.message) ? ` (to pass one that starts with "-", write ${option}=VALUE)` : ''}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument "${quoted}"`;
    default:
      return error.message;
  }
}

function toNumber(name: string, spec: NumberOption, text: string): number {
  const n = Number(text);
  const range =
    spec.min !== undefined && spec.max !== undefined
      ? ` from ${spec.min} to ${spec.max}`
      : spec.min !== undefined
        ? ` of at least ${spec.min}`
        : '';
  const kind = spec.integer ? 'a whole number' : 'a number';
  if (text.trim() === '' || !Number.isFinite(n) || (spec.integer && !Number.isInteger(n))) {
    throw new UsageError(`--${name} needs ${kind}${range}, got "${text}"`);
  }
  if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
    throw new UsageError(`--${name} needs ${kind}${range}, got ${text}`);
  }
  return n;
}

/** Read `argv` against the declaration. Throws UsageError for a bad command line. */
export function parseCommand<O extends OptionSpecs>(spec: CommandSpec<O>, argv: readonly string[]): Parsed<O> {
  const all: OptionSpecs = { ...spec.options, help: HELP_OPTION };
  const config = Object.fromEntries(
    Object.entries(all).map(([name, o]) => [
      name,
      {
        type: o.type === 'boolean' ? ('boolean' as const) : ('string' as const),
        ...(o.type === 'list' ? { multiple: true } : {}),
        ...(o.short ? { short: o.short } : {}),
      },
    ]),
  );
  let parsed: { values: Record<string, string | boolean | (string | boolean)[] | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options: config, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError(usageMessage(error as Error & { code?: string }, all));
  }
  const help = parsed.values.help === true;
  const values: Record<string, unknown> = {};
  for (const [name, o] of Object.entries(spec.options)) {
    const raw = parsed.values[name];
    if (o.type === 'boolean') values[name] = raw === true;
    else if (o.type === 'list') {
      values[name] = ((raw as string[] | undefined) ?? [])
        .flatMap((v) => v.split(','))
        .map((v) => v.trim())
        .filter(Boolean);
    } else if (raw === undefined) values[name] = o.default;
    else if (o.type === 'number') values[name] = toNumber(name, o, raw as string);
    else {
      if (o.choices && !o.choices.includes(raw as string)) {
        throw new UsageError(`--${name} must be one of ${o.choices.join(', ')}; got "${String(raw)}"`);
      }
      values[name] = raw;
    }
  }
  if (help) return { values: values as Values<O>, help };
  if (!spec.positional?.variadic && parsed.positionals.length > (spec.positional ? 1 : 0)) {
    const extra = parsed.positionals[spec.positional ? 1 : 0];
    throw new UsageError(
      spec.positional
        ? `give ${spec.positional.name} as one argument (quote it); unexpected "${extra}"`
        : `unexpected argument "${extra}"`,
    );
  }
  const positional = parsed.positionals[0];
  if (spec.positional && !spec.positional.optional && positional === undefined) {
    throw new UsageError(`missing ${spec.positional.name}`);
  }
  return { values: values as Values<O>, positional, rest: parsed.positionals.slice(1), help };
}

/** `npm run <name> -- <positional> [options]` */
export function usageLine(spec: CommandSpec): string {
  const name = spec.positional && `<${spec.positional.name}>${spec.positional.variadic ? ' [...]' : ''}`;
  const args = [spec.positional?.optional ? `[${name}]` : (name ?? ''), '[options]'].filter(Boolean).join(' ');
  return `npm run ${spec.name} -- ${args}`;
}

function defaultText(o: OptionSpec): string {
  const parts: string[] = [];
  if (o.type === 'string' && o.choices) parts.push(`one of: ${o.choices.join(', ')}`);
  if ((o.type === 'string' || o.type === 'number') && o.default !== undefined) parts.push(`default: ${o.default}`);
  return parts.length > 0 ? ` (${parts.join('; ')})` : '';
}

/** The option rows: flag and description (with choices and default). */
export function optionRows(spec: CommandSpec): [string, string][] {
  const all: OptionSpecs = { ...spec.options, help: HELP_OPTION };
  return Object.entries(all).map(([name, o]) => [flag(name, o), `${o.description}${defaultText(o)}`]);
}

/** --help, generated from the declaration. */
export function helpText(spec: CommandSpec): string {
  const rows = optionRows(spec);
  const width = Math.max(...rows.map(([f]) => f.length));
  const lines = [`Usage: ${usageLine(spec)}`, '', spec.summary, '', spec.description, ''];
  if (spec.positional) lines.push('Arguments:', `  <${spec.positional.name}>  ${spec.positional.description}`, '');
  lines.push('Options:', ...rows.map(([f, d]) => `  ${f.padEnd(width)}  ${d}`), '');
  lines.push('Examples:', ...spec.examples.map((e) => `  ${e}`), '');
  lines.push('Exit status: 0 success, 1 a check or AWS call failed, 2 bad command line.');
  return lines.join('\n');
}
