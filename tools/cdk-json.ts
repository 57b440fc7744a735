import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The context block of cdk.json (CDK feature flags), as `cdk synth` sees it.
 * Its own module, with no CDK import, so the commands can read it without
 * loading the app.
 */
export const CDK_JSON_CONTEXT: Readonly<Record<string, unknown>> = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', 'cdk.json'), 'utf8'),
).context;
