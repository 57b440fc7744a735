/**
 * What `npm run config` does to the settings file, with no command-line
 * concerns: read the layers the CDK app merges, check a key and a value
 * against the same schema the app uses (lib/config), and say which layer a
 * value comes from.
 */
import { ConfigError, parseConfig, type SettingName, SETTINGS } from '../lib/config';
import { show } from '../lib/config/parse';
import { nearest } from '../lib/shared/edit-distance';

/** The layers, lowest first, as bin/app.ts and the CDK CLI merge them. */
export interface Layers {
  readonly settings: Record<string, unknown>;
  readonly cdkContextJson: Record<string, unknown>;
  readonly cdkJson: Record<string, unknown>;
}

export type Source = 'default' | 'settings.json' | 'cdk.context.json' | 'cdk.json';

/** A bad key or value: exit 2, with what was given and what is allowed. */
export class SettingError extends Error {
  override readonly name = 'SettingError';
}

/** The setting `key` names, or a SettingError naming the nearest one and every key allowed. */
export function settingName(key: string): SettingName {
  if (key in SETTINGS) return key as SettingName;
  const known = Object.keys(SETTINGS);
  const caseOnly = known.find((k) => k.toLowerCase() === key.toLowerCase());
  const near = caseOnly ?? nearest(key, known);
  throw new SettingError(
    `unknown setting "${key}"${near ? ` (did you mean ${near}?)` : ''}; allowed: ${known.join(', ')}`,
  );
}

/** `key=value` as typed, checked against the setting's own schema; returns the value as the schema reads it. */
export function parseAssignment(text: string): { key: SettingName; value: unknown } {
  const at = text.indexOf('=');
  if (at <= 0) throw new SettingError(`"${text}" is not key=value (for example removalPolicy=destroy)`);
  const key = settingName(text.slice(0, at).trim());
  const raw = text.slice(at + 1).trim();
  const parsed = SETTINGS[key].schema.safeParse(raw);
  if (!parsed.success) throw new SettingError(`${key}: got ${show(raw)}, allowed: ${SETTINGS[key].allowed}`);
  return { key, value: parsed.data };
}

/** The context the app would get from these layers (no -c). */
export function merged(layers: Layers): Record<string, unknown> {
  return { ...layers.settings, ...layers.cdkContextJson, ...layers.cdkJson };
}

/** Where the value of `key` comes from. */
export function sourceOf(layers: Layers, key: SettingName): Source {
  if (key in layers.cdkJson) return 'cdk.json';
  if (key in layers.cdkContextJson) return 'cdk.context.json';
  if (key in layers.settings) return 'settings.json';
  return 'default';
}

/**
 * The settings file with `changes` applied, after checking the whole
 * configuration they give (rules across settings, such as objectLock only
 * with removalPolicy "retain"). Throws SettingError naming every problem.
 */
export function applyChanges(
  layers: Layers,
  changes: Readonly<Record<string, unknown>>,
  removals: readonly SettingName[] = [],
): Record<string, unknown> {
  const next = Object.fromEntries(
    Object.entries({ ...layers.settings, ...changes }).filter(([key]) => !removals.includes(key as SettingName)),
  );
  try {
    parseConfig(merged({ ...layers, settings: next }));
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new SettingError(
        `not saved, the configuration would be invalid:\n${error.problems.map((p) => `  - ${p}`).join('\n')}`,
      );
    }
    throw error;
  }
  return next;
}

/** Warnings for keys a later layer sets differently, so the saved value would not be used. */
export function shadowWarnings(layers: Layers, keys: readonly SettingName[]): string[] {
  const warnings: string[] = [];
  for (const key of keys) {
    if (key in layers.cdkContextJson) {
      warnings.push(
        `cdk.context.json also sets ${key}=${show(layers.cdkContextJson[key])} and the CDK CLI uses it before settings.json: run npx cdk context --reset ${key}`,
      );
    }
    if (key in layers.cdkJson) {
      warnings.push(
        `cdk.json's context sets ${key}=${show(layers.cdkJson[key])} and wins over settings.json: remove "${key}" from cdk.json`,
      );
    }
  }
  return warnings;
}
