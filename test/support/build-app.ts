import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { createProjectApp, ProjectApp } from '../../lib/project-app';
import { CDK_JSON_CONTEXT } from '../../scripts/generated-block';

/** The account and region every test deploys to, so ARNs are concrete. */
export const TEST_ENV = { account: '111111111111', region: 'eu-west-1' } as const;

export { CDK_JSON_CONTEXT };

/**
 * Build the whole app the way `bin/app.ts` does (same factory, same compliance
 * gate, cdk.json's context with `overrides` on top, as `-c key=value` would be).
 */
export function buildApp(overrides: Record<string, unknown> = {}): ProjectApp {
  return createProjectApp({
    context: { ...CDK_JSON_CONTEXT, ...overrides },
    env: TEST_ENV,
    outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-test-')),
  });
}

/** The compliance report CDK writes next to the templates. */
export interface ValidationReport {
  pluginReports: {
    pluginName: string;
    conclusion: string;
    violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[];
  }[];
}

export function readValidationReport(assembly: CloudAssembly): ValidationReport {
  return JSON.parse(fs.readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'));
}

/** Every unacknowledged finding, as "plugin: rule at construct path". */
export function unacknowledgedFindings(report: ValidationReport): string[] {
  return report.pluginReports.flatMap((p) =>
    p.violations.flatMap((v) =>
      v.violatingConstructs.map((c) => `${p.pluginName}: ${v.ruleName} at ${c.constructPath}`),
    ),
  );
}
