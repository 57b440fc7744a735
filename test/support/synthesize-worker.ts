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
import { readValidationReport } from '../../lib/compliance/report';
import { gateRecordOf } from '../../scripts/compliance';
import { buildProjectApp } from '../../tools/build-app';
import { EXAMPLE_ENV } from '../../tools/configurations';
import { ASSEMBLY_CACHE_DIR, currentSourcesDigest, GATE_RECORD_FILE, publish } from './assemblies';
import { TEST_COMPARISONS_DIR } from './gate-matrix';

type Entry = readonly [string, Readonly<Record<string, unknown>>];

/** Whether the gate stopped synthesis because of findings, each failed plugin naming at least one. */
function stoppedOnFindings(outdir: string): boolean {
  const file = path.join(outdir, 'validation-report.json');
  if (!fs.existsSync(file)) return false;
  const failed = readValidationReport({ directory: outdir }).pluginReports.filter((p) => p.conclusion !== 'success');
  return failed.length > 0 && failed.every((p) => p.violations.length > 0);
}

const [list, digest] = process.argv.slice(2);
const entries = JSON.parse(fs.readFileSync(list, 'utf8')) as Entry[];

/** Stop when a source changed since jest's global setup named the folders: a folder must hold what its name says. */
function assertUnchanged(): void {
  if (currentSourcesDigest() !== digest) {
    throw new Error('a source of the templates changed while the shared syntheses were made: run the tests again');
  }
}

function main(): void {
  // The app's modules are loaded by now: checked here and before each folder is
  // published, so a folder never holds templates of another tree than its name.
  assertUnchanged();
  fs.mkdirSync(ASSEMBLY_CACHE_DIR, { recursive: true });
  for (const [, overrides] of entries) {
    const partial = fs.mkdtempSync(path.join(ASSEMBLY_CACHE_DIR, 'partial-'));
    const project = buildProjectApp(overrides, {
      gate: true,
      countRules: true,
      env: EXAMPLE_ENV,
      outdir: partial,
      comparisonsDir: TEST_COMPARISONS_DIR,
    });
    try {
      project.app.synth();
    } catch (error) {
      // The gate stops synthesis on a finding once its report is written; here
      // a finding is a result, kept in the record for the gate's tests to name.
      // Anything else (no report, or a plugin that failed without naming a
      // finding, as a crashed plugin does) fails the setup.
      if (!stoppedOnFindings(partial)) throw error;
    }
    process.exitCode = 0;
    fs.writeFileSync(
      path.join(partial, GATE_RECORD_FILE),
      JSON.stringify(gateRecordOf({ ...project, assembly: { directory: partial } })),
    );
    try {
      assertUnchanged();
    } catch (error) {
      fs.rmSync(partial, { recursive: true, force: true });
      throw error;
    }
    publish(partial, overrides, digest);
  }
}

try {
  main();
} catch (error) {
  console.error(error);
  process.exit(1);
}
