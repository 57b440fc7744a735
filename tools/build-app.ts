import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Environment } from 'aws-cdk-lib';
import { createProjectApp, type ProjectApp } from '../lib/project-app';
import { CDK_JSON_CONTEXT } from './cdk-json';
import { counting } from './counting-packs';

export { CDK_JSON_CONTEXT };

export interface BuildOptions {
  /**
   * Put the app behind the compliance gate, as `cdk synth` does.
   * @default false
   */
  readonly gate?: boolean;
  /**
   * With the gate, have each cdk-nag pack count the rules it applied
   * (`npm run compliance`).
   * @default false
   */
  readonly countRules?: boolean;
  /**
   * Bundle the Lambda code with esbuild. Without it CDK's
   * `aws:cdk:bundling-stacks` context names no stack, and the templates
   * differ only in asset hashes.
   * @default false
   */
  readonly bundle?: boolean;
  /**
   * The account and region to pin the stacks to.
   * @default - environment-agnostic stacks
   */
  readonly env?: Environment;
  /**
   * Where the cloud assembly is written.
   * @default - a new temporary folder
   */
  readonly outdir?: string;
  /**
   * Where the comparisons that customModelApproval names are read.
   * @default - customization/comparisons/ of the repository
   */
  readonly comparisonsDir?: string;
}

/**
 * The app as `cdk synth` builds it (cdk.json's context with `overrides` on
 * top, as `-c key=value` would be), in a fresh output folder, not yet
 * synthesized. The one place the tests, the scripts and the bench build it.
 */
export function buildProjectApp(
  overrides: Readonly<Record<string, unknown>> = {},
  options: BuildOptions = {},
): ProjectApp {
  return createProjectApp({
    context: {
      ...CDK_JSON_CONTEXT,
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...overrides,
    },
    env: options.env,
    outdir: options.outdir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-app-')),
    complianceGate: options.gate ? (options.countRules ? { wrapPack: counting } : true) : false,
    comparisonsDir: options.comparisonsDir,
  });
}
