import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createProjectApp, ProjectApp } from '../../lib/project-app';
import { CDK_JSON_CONTEXT } from '../../scripts/generated-block';

/** The account and region every test deploys to, so ARNs are concrete. */
export const TEST_ENV = { account: '111111111111', region: 'eu-west-1' } as const;

export { CDK_JSON_CONTEXT };

/**
 * Build the whole app the way `bin/app.ts` does (same factory, same compliance
 * gate, cdk.json's context with `overrides` on top, as `-c key=value` would be).
 *
 * Lambda code is bundled only when `bundle` is set (the tests of the bundle
 * itself): CDK's `aws:cdk:bundling-stacks` context with no stack skips
 * esbuild, and the templates differ only in asset hashes, which snapshots mask.
 */
export function buildApp(overrides: Record<string, unknown> = {}, options: { bundle?: boolean } = {}): ProjectApp {
  return createProjectApp({
    context: {
      ...CDK_JSON_CONTEXT,
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...overrides,
    },
    env: TEST_ENV,
    outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-test-')),
  });
}

export { readValidationReport, unacknowledgedFindings } from '../../lib/compliance/report';
