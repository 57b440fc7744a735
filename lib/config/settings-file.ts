/**
 * The project settings file: where a user's choices live between commands.
 *
 * `-c key=value` lasts one command, so a later `cdk deploy` without the flag
 * silently goes back to the default (removalPolicy back to "retain", no alert
 * e-mail). cdk.context.json is not the place either: the CDK treats it as its
 * cache of lookups, and `cdk context --clear` empties it ("--clear: Clear all
 * context", https://docs.aws.amazon.com/cdk/v2/guide/ref-cli-cmd-context.html).
 * So the settings live in a file of their own, which bin/app.ts reads on every
 * command and the CDK CLI never writes: settings.json in the project root,
 * gitignored (it holds one person's sandbox choices, such as an e-mail).
 *
 * Precedence, lowest first: the defaults in settings.ts, settings.json,
 * cdk.context.json, cdk.json's "context", then `-c`. The file is handed to the
 * App as its `context` property, which the App applies before the CLI's
 * context (aws-cdk-lib App.loadContext: constructor context first, then
 * CDK_CONTEXT_JSON from the CLI), so `-c` still wins for one command.
 */
import * as fs from 'node:fs';
import { ConfigError } from './parse';

/** The file's name, in the project root. */
export const SETTINGS_FILE_NAME = 'settings.json';

/** The settings in `file`, or none when it does not exist. A file that is not a JSON object is a ConfigError. */
export function readSettingsFile(file: string): Record<string, unknown> {
  if (!fs.existsSync(file)) return {};
  const text = fs.readFileSync(file, 'utf8');
  let value: unknown;
  try {
    value = text.trim() === '' ? {} : JSON.parse(text);
  } catch (error) {
    throw new ConfigError([
      `${file}: not valid JSON (${error instanceof Error ? error.message : String(error)}), allowed: one JSON object of settings, such as {"removalPolicy": "destroy"} (fix or delete the file, or use npm run config -- set key=value)`,
    ]);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError([
      `${file}: got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}, allowed: one JSON object of settings, such as {"removalPolicy": "destroy"}`,
    ]);
  }
  return value as Record<string, unknown>;
}

/** Write `settings` to `file`, keys sorted, so a diff of two versions reads well. */
export function writeSettingsFile(file: string, settings: Record<string, unknown>): void {
  const sorted = Object.fromEntries(Object.entries(settings).sort(([a], [b]) => a.localeCompare(b)));
  fs.writeFileSync(file, `${JSON.stringify(sorted, null, 2)}\n`);
}
