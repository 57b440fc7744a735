/** Context files, read the way the CDK CLI reads them, and the configuration the app would get. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseConfig, type ProjectConfig } from '../../lib/config';
import { CDK_JSON_CONTEXT } from '../../tools/cdk-json';
import { ROOT } from '../generated-block';

/** Where `--save` writes: the CDK CLI's project context file, in the project root. */
export const CONTEXT_FILE = path.join(ROOT, 'cdk.context.json');

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
 * Merge `flags` into the context file, keeping every other key (cached lookups
 * and earlier choices). Returns warnings for keys cdk.json sets differently,
 * whose saved value the CLI would not use.
 */
export function saveContext(file: string, flags: Record<string, string>, cdkJson: Record<string, unknown>): string[] {
  const merged = { ...readContextFile(file), ...flags };
  fs.writeFileSync(file, `${JSON.stringify(merged, null, 2)}\n`);
  return Object.entries(flags)
    .filter(([key, value]) => key in cdkJson && String(cdkJson[key]) !== value)
    .map(
      ([key, value]) =>
        `cdk.json's context sets ${key}=${JSON.stringify(cdkJson[key])}, which the CDK CLI uses before cdk.context.json: remove "${key}" from cdk.json (or pass -c ${key}=${value}).`,
    );
}

/** The configuration the CDK app would get: cdk.json, cdk.context.json, then `commandLine` (as -c values). */
export function projectConfig(commandLine: Record<string, unknown> = {}, file = CONTEXT_FILE): ProjectConfig {
  return parseConfig(effectiveContext(CDK_JSON_CONTEXT, readContextFile(file), commandLine));
}
