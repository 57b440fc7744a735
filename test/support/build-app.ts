import { App, type AppProps } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { ProjectApp } from '../../lib/project-app';
import { buildProjectApp, type BuildOptions as ToolBuildOptions, CDK_JSON_CONTEXT } from '../../tools/build-app';
import { EXAMPLE_ENV } from '../../tools/configurations';
import { assemblyDir, readShared, type SharedSynthesis } from './assemblies';
import { configurationKey, isProvenByTheGate, isRefusedByTheGate, TEST_COMPARISONS_DIR } from './gate-matrix';

/** The account and region every test deploys to, so ARNs are concrete. */
export const TEST_ENV = EXAMPLE_ENV;

export { CDK_JSON_CONTEXT };

/** What a test may ask of the app: the gate (gate tests only) and bundling (bundle tests only). */
export type BuildOptions = Pick<ToolBuildOptions, 'gate' | 'bundle' | 'comparisonsDir'>;

/** The whole app for a test, pinned to TEST_ENV, not yet synthesized. */
export function buildApp(overrides: Record<string, unknown> = {}, options: BuildOptions = {}): ProjectApp {
  // Gated builds count the rules each pack applied (cheap), so the compliance
  // report can be made from the same syntheses as the gate proof.
  return buildProjectApp(overrides, {
    comparisonsDir: TEST_COMPARISONS_DIR,
    ...options,
    countRules: options.gate,
    env: TEST_ENV,
  });
}

export type Synthesized = ProjectApp & { readonly assembly: CloudAssembly };

const synthesized = new Map<string, Synthesized>();

/**
 * The shared synthesis behind the gate of a configuration of the gate matrix
 * (test/support/assemblies.ts): its templates and the gate's record, made
 * once per source tree by jest's global setup.
 */
export function sharedSynthesis(overrides: Record<string, unknown> = {}): SharedSynthesis {
  if (!isProvenByTheGate(overrides) && !isRefusedByTheGate(overrides)) {
    throw new Error(
      `configuration ${configurationKey(overrides)} is not in the gate matrix: add it to test/support/gate-matrix.ts so the compliance gate proves it`,
    );
  }
  const shared = readShared(overrides);
  if (!shared) {
    throw new Error(
      `no shared synthesis of ${configurationKey(overrides)} in ${assemblyDir(overrides)}: run the tests with jest, whose global setup (test/support/global-setup.ts) makes it`,
    );
  }
  return shared;
}

/**
 * A configuration of the gate matrix for a test: its construct tree, built in
 * this process (for the stacks and constructs a test names), and the templates
 * of its shared synthesis, which jest's global setup made once for every file.
 * The gate adds checks, never resources, so those are the templates an
 * ungated synthesis gives (test/compliance/configurations.test.ts proves it).
 *
 * With `bundle`, the app is synthesized here, bundling the Lambda code (the
 * bundle tests only).
 *
 * Only configurations the gate matrix proves are served, so that a test never
 * reads a configuration the gate does not prove: a new set of overrides must
 * be added to test/support/gate-matrix.ts.
 */
export function synthesize(
  overrides: Record<string, unknown> = {},
  options: Pick<BuildOptions, 'bundle'> = {},
): Synthesized {
  if (isRefusedByTheGate(overrides)) {
    throw new Error(
      `configuration ${configurationKey(overrides)} is one the gate refuses: read its findings with sharedSynthesis()`,
    );
  }
  const shared = sharedSynthesis(overrides);
  const key = JSON.stringify([configurationKey(overrides), options.bundle ?? false]);
  let result = synthesized.get(key);
  if (!result) {
    const project = buildApp(overrides, { bundle: options.bundle });
    result = { ...project, assembly: options.bundle ? project.app.synth() : shared.assembly };
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
