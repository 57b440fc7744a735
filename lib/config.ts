import { z } from 'zod';

/**
 * Every setting a user may change, in one place.
 *
 * Values come from the `context` block of `cdk.json` or from `cdk synth -c key=value`.
 * The CLI hands `-c` values over as strings, so numbers and booleans accept their
 * string spelling too. Each entry carries the sentence that explains what it
 * changes and what it allows: the error message and the README read from here.
 */
interface Setting<S extends z.ZodType> {
  readonly schema: S;
  /** What a user may give, in words, for error messages. */
  readonly allowed: string;
  /** What the setting changes. */
  readonly description: string;
}

function setting<S extends z.ZodType>(schema: S, allowed: string, description: string): Setting<S> {
  return { schema, allowed, description };
}

/** Whole days within a range; `-c` strings such as "30" are read as numbers. */
function days(min: number, max: number, fallback: number) {
  return z.preprocess(
    (value) => (typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value),
    z.number().int().min(min).max(max).default(fallback),
  );
}

/** A boolean; `-c` strings "true" and "false" are read as booleans. */
function flag(fallback: boolean) {
  return z.preprocess(
    (value) => (value === 'true' ? true : value === 'false' ? false : value),
    z.boolean().default(fallback),
  );
}

export const SETTINGS = {
  appName: setting(
    z
      .string()
      .regex(/^[A-Z][A-Za-z0-9]{2,24}$/)
      .default('GuardedGenAi'),
    'a PascalCase name of 3 to 25 letters and digits, starting with a capital letter',
    'Prefix of every stack name and of the KMS alias, so that a second copy with another name can live in the same account and region.',
  ),
  removalPolicy: setting(
    z.enum(['retain', 'destroy']).default('retain'),
    '"retain" or "destroy"',
    'What happens to the KMS key and the buckets (with their objects) when a stack is deleted. "destroy" is for a throwaway sandbox only: it empties the buckets and schedules the key for deletion.',
  ),
  recordsRetentionDays: setting(
    days(1, 3650, 90),
    'a whole number of days from 1 to 3650',
    'How long objects under the data bucket\'s "records/" prefix (audit records of model invocations) are kept before they expire.',
  ),
  noncurrentVersionRetentionDays: setting(
    days(1, 3650, 30),
    'a whole number of days from 1 to 3650',
    'How long an overwritten or deleted object version stays recoverable in the data and log buckets.',
  ),
  accessLogRetentionDays: setting(
    days(1, 3650, 365),
    'a whole number of days from 1 to 3650',
    'How long S3 server access logs of the data bucket are kept.',
  ),
  objectLock: setting(
    flag(false),
    'true or false',
    'Turn on S3 Object Lock (governance mode) for the data bucket, so that no object version can be deleted or overwritten before its retention ends. Decide before the first deployment; it cannot be combined with removalPolicy "destroy".',
  ),
  objectLockRetentionDays: setting(
    days(1, 3650, 30),
    'a whole number of days from 1 to 3650',
    'Default retention of every new object version when objectLock is on.',
  ),
} as const;

type Settings = typeof SETTINGS;
export type SettingName = keyof Settings;

/** The validated configuration every stack receives. */
export type ProjectConfig = {
  readonly [K in SettingName]: z.output<Settings[K]['schema']>;
};

/** Thrown when configuration is invalid; its message names every problem. */
export class ConfigError extends Error {
  public readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(
      [
        `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):`,
        ...problems.map((p) => `  - ${p}`),
        'Set values in the "context" block of cdk.json or with `cdk synth -c key=value`.',
      ].join('\n'),
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * Context keys that belong to the CDK itself (feature flags such as
 * `@aws-cdk/aws-s3:...`, CLI keys such as `aws:cdk:version-reporting`, and cached
 * lookups such as `availability-zones:account=...`). They all contain a colon;
 * none of ours does, so every other key must be one of ours.
 */
function isCdkContextKey(key: string): boolean {
  return key.includes(':') || key.startsWith('@');
}

const SCHEMA = z.object(Object.fromEntries(Object.entries(SETTINGS).map(([k, s]) => [k, s.schema])));

function show(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

/**
 * Validate raw context into a typed configuration.
 *
 * Fails fast with one message naming every unknown key and every bad value (the
 * value given and what is allowed), rather than stopping at the first.
 */
export function parseConfig(context: Record<string, unknown>): ProjectConfig {
  const ours = Object.fromEntries(Object.entries(context).filter(([k]) => !isCdkContextKey(k)));
  const problems: string[] = [];

  for (const key of Object.keys(ours)
    .filter((k) => !(k in SETTINGS))
    .sort()) {
    problems.push(`unknown key "${key}" (value ${show(ours[key])}); known keys: ${Object.keys(SETTINGS).join(', ')}`);
  }

  const known = Object.fromEntries(Object.entries(ours).filter(([k]) => k in SETTINGS));
  const parsed = SCHEMA.safeParse(known);
  if (!parsed.success) {
    const badKeys = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0])))];
    for (const key of badKeys) {
      problems.push(`${key}: got ${show(known[key])}, allowed: ${SETTINGS[key as SettingName].allowed}`);
    }
  }
  if (problems.length > 0 || !parsed.success) {
    throw new ConfigError(problems);
  }

  const config = parsed.data as ProjectConfig;
  // Rules that span settings: checked only once each value is valid on its own.
  if (config.objectLock && config.removalPolicy === 'destroy') {
    throw new ConfigError([
      'objectLock: got true with removalPolicy "destroy", allowed: objectLock true only with removalPolicy "retain" (locked object versions cannot be deleted, so the bucket could never be destroyed cleanly)',
    ]);
  }
  return config;
}
