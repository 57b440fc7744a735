/**
 * One process of the shared syntheses (test/support/assemblies.ts): given a
 * file listing configurations, synthesize each behind the gate into its
 * folder, with the gate's record beside the templates.
 *
 * Run by test/support/global-setup.ts as `node --import tsx`, outside jest, so
 * aws-cdk-lib is loaded once for all the configurations of this process
 * rather than once per test file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gateRecordOf } from '../../scripts/compliance';
import { buildProjectApp } from '../../tools/build-app';
import { EXAMPLE_ENV } from '../../tools/configurations';
import { ASSEMBLY_CACHE_DIR, GATE_RECORD_FILE, publish } from './assemblies';

type Entry = readonly [string, Readonly<Record<string, unknown>>];

const entries = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')) as Entry[];
fs.mkdirSync(ASSEMBLY_CACHE_DIR, { recursive: true });

for (const [, overrides] of entries) {
  const partial = fs.mkdtempSync(path.join(ASSEMBLY_CACHE_DIR, 'partial-'));
  const project = buildProjectApp(overrides, { gate: true, countRules: true, env: EXAMPLE_ENV, outdir: partial });
  try {
    project.app.synth();
  } catch (error) {
    // The gate stops synthesis on a finding once its report is written; here
    // a finding is a result, kept in the record for the gate's tests to name.
    if (!fs.existsSync(path.join(partial, 'validation-report.json'))) throw error;
  }
  process.exitCode = 0;
  fs.writeFileSync(
    path.join(partial, GATE_RECORD_FILE),
    JSON.stringify(gateRecordOf({ ...project, assembly: { directory: partial } })),
  );
  publish(partial, overrides);
}
