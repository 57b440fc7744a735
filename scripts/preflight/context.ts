/** Context files, read the way the CDK CLI reads them, and the configuration the app would get. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseConfig, type ProjectConfig, readSettingsFile, SETTINGS_FILE_NAME } from '../../lib/config';
import { CDK_JSON_CONTEXT } from '../../tools/cdk-json';
import { ROOT } from '../generated-block';

/** The CDK CLI's project context file (its lookup cache), in the project root. */
export const CONTEXT_FILE = path.join(ROOT, 'cdk.context.json');

/** Where `--save` and `npm run config` write: the project settings file (lib/config/settings-file.ts). */
export const SETTINGS_FILE = path.join(ROOT, SETTINGS_FILE_NAME);

export function readContextFile(file: string): Record<string, unknown> {
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
}

/**
 * The context the app receives. The CDK CLI looks a key up in `-c` values
 * first, then cdk.json's "context", then cdk.context.json (a value in cdk.json
 * shadows the same key in cdk.context.json).
 */
export function effectiveContext(
  cdkJson: Record<string, unknown>,
  cdkContextJson: Record<string, unknown>,
  commandLine: Record<string, unknown> = {},
): Record<string, unknown> {
  return { ...cdkContextJson, ...cdkJson, ...commandLine };
}

/**
 * Merge `flags` into the settings file, keeping every other key (earlier
 * choices). Returns warnings for keys cdk.json (or cdk.context.json, when
 * `cdkContextJson` is given) sets differently, whose saved value the CDK CLI
 * would not use.
 */
export function saveContext(
  file: string,
  flags: Record<string, string>,
  cdkJson: Record<string, unknown>,
  cdkContextJson: Record<string, unknown> = {},
): string[] {
  const merged = { ...readContextFile(file), ...flags };
  fs.writeFileSync(file, `${JSON.stringify(merged, null, 2)}\n`);
  const shadows = (source: Record<string, unknown>, name: string, fix: (key: string) => string) =>
    Object.entries(flags)
      .filter(([key, value]) => key in source && String(source[key]) !== value)
      .map(
        ([key, value]) =>
          `${name} sets ${key}=${JSON.stringify(source[key])}, which the CDK CLI uses before ${path.basename(file)}: ${fix(key)} (or pass -c ${key}=${value}).`,
      );
  return [
    ...shadows(cdkJson, "cdk.json's context", (key) => `remove "${key}" from cdk.json`),
    ...shadows(cdkContextJson, 'cdk.context.json', (key) => `run npx cdk context --reset ${key}`),
  ];
}

/**
 * The configuration the CDK app would get: settings.json, cdk.context.json,
 * cdk.json, then `commandLine` (as -c values), as bin/app.ts and the CDK CLI
 * merge them.
 */
export function projectConfig(
  commandLine: Record<string, unknown> = {},
  settingsFile = SETTINGS_FILE,
  contextFile = CONTEXT_FILE,
): ProjectConfig {
  return parseConfig({
    ...readSettingsFile(settingsFile),
    ...effectiveContext(CDK_JSON_CONTEXT, readContextFile(contextFile), commandLine),
  });
}
