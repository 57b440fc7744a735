import { App, type AppProps } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { ProjectApp } from '../../lib/project-app';
import { buildProjectApp, type BuildOptions as ToolBuildOptions, CDK_JSON_CONTEXT } from '../../tools/build-app';
import { EXAMPLE_ENV } from '../../tools/configurations';
import { configurationKey, isProvenByTheGate } from './gate-matrix';

/** The account and region every test deploys to, so ARNs are concrete. */
export const TEST_ENV = EXAMPLE_ENV;

export { CDK_JSON_CONTEXT };

/** What a test may ask of the app: the gate (gate tests only) and bundling (bundle tests only). */
export type BuildOptions = Pick<ToolBuildOptions, 'gate' | 'bundle'>;

/** The whole app for a test, pinned to TEST_ENV, not yet synthesized. */
export function buildApp(overrides: Record<string, unknown> = {}, options: BuildOptions = {}): ProjectApp {
  // Gated builds count the rules each pack applied (cheap), so the compliance
  // report can be made from the same syntheses as the gate proof.
  return buildProjectApp(overrides, { ...options, countRules: options.gate, env: TEST_ENV });
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

/**
 * An App for a test that builds a stack of its own: CDK's built-in schema
 * check is left out, as in every ungated build (lib/project-app.ts says why);
 * the gate's own tests turn it on.
 */
export function testApp(props: AppProps = {}): App {
  return new App({ builtinCloudFormationValidation: false, ...props });
}
