import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { EXAMPLE_ENV } from '../../lib/compliance/configurations';
import { createProjectApp, ProjectApp } from '../../lib/project-app';
import { CDK_JSON_CONTEXT } from '../../scripts/generated-block';
import { configurationKey, isProvenByTheGate } from './gate-matrix';

/** The account and region every test deploys to, so ARNs are concrete. */
export const TEST_ENV = EXAMPLE_ENV;

export { CDK_JSON_CONTEXT };

export interface BuildOptions {
  /**
   * Put the app behind the compliance gate, as `cdk synth` does. Only the gate
   * tests need it: every configuration a test synthesizes without it is proven
   * behind it by test/compliance/gate-matrix-*.test.ts (see `synthesize`).
   * @default false
   */
  readonly gate?: boolean;
  /**
   * Bundle the Lambda code with esbuild. Only the tests of the bundle itself
   * need it: CDK's `aws:cdk:bundling-stacks` context with no stack skips
   * bundling, and the templates differ only in asset hashes, which snapshots mask.
   * @default false
   */
  readonly bundle?: boolean;
}

/**
 * Build the whole app the way `bin/app.ts` does (same factory, cdk.json's
 * context with `overrides` on top, as `-c key=value` would be), not yet synthesized.
 */
export function buildApp(overrides: Record<string, unknown> = {}, options: BuildOptions = {}): ProjectApp {
  return createProjectApp({
    context: {
      ...CDK_JSON_CONTEXT,
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...overrides,
    },
    env: TEST_ENV,
    outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-test-')),
    complianceGate: options.gate ?? false,
  });
}

export type Synthesized = ProjectApp & { readonly assembly: CloudAssembly };

const synthesized = new Map<string, Synthesized>();

/**
 * The synthesized app for a configuration: built once per test file and
 * reused (synthesis is the slow part of most tests).
 *
 * Ungated synthesis is allowed only for configurations the gate matrix
 * proves, so that skipping the gate here never means a configuration escapes
 * it: a new set of overrides must be added to test/support/gate-matrix.ts.
 */
export function synthesize(overrides: Record<string, unknown> = {}, options: BuildOptions = {}): Synthesized {
  if (!options.gate && !isProvenByTheGate(overrides)) {
    throw new Error(
      `configuration ${configurationKey(overrides)} is not in the gate matrix: add it to test/support/gate-matrix.ts so the compliance gate proves it`,
    );
  }
  const key = JSON.stringify([configurationKey(overrides), options.gate ?? false, options.bundle ?? false]);
  let result = synthesized.get(key);
  if (!result) {
    const project = buildApp(overrides, options);
    result = { ...project, assembly: project.app.synth() };
    synthesized.set(key, result);
  }
  return result;
}

export { readValidationReport, unacknowledgedFindings } from '../../lib/compliance/report';
