/**
 * jest's global setup: make every shared synthesis the tests read
 * (test/support/assemblies.ts) that is not on disk yet, before any test file
 * runs, in one process per core, so that no test file waits for a synthesis
 * another file needs too.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ASSEMBLY_CACHE_DIR, assemblyDir, currentSourcesDigest, missing } from './assemblies';
import { SHARED_CONFIGURATIONS } from './gate-matrix';

/** A folder of an older tree (or an interrupted run) is removed once nothing can still be writing it. */
const STALE_AFTER_MS = 10 * 60 * 1000;

function prune(wanted: ReadonlySet<string>): void {
  if (!fs.existsSync(ASSEMBLY_CACHE_DIR)) return;
  for (const name of fs.readdirSync(ASSEMBLY_CACHE_DIR)) {
    const dir = path.join(ASSEMBLY_CACHE_DIR, name);
    try {
      // A folder read recently (readShared touches it) may belong to a run of another tree.
      if (wanted.has(dir) || Date.now() - fs.statSync(dir).mtimeMs < STALE_AFTER_MS) continue;
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // Another run removed it first.
    }
  }
}

/** The environment of a synthesis process: none of the variables through which the CDK CLI would change the app. */
function workerEnvironment(): NodeJS.ProcessEnv {
  const cdkSettings = new Set(['CDK_CONTEXT_JSON', 'CDK_OUTDIR', 'CDK_VALIDATION']);
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !cdkSettings.has(name)));
}

function run(entries: readonly (readonly [string, unknown])[], digest: string): Promise<string | undefined> {
  const list = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'shared-synth-')), 'configurations.json');
  fs.writeFileSync(list, JSON.stringify(entries));
  const worker = path.join(__dirname, 'synthesize-worker.ts');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', worker, list, digest], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: workerEnvironment(),
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => {
      fs.rmSync(path.dirname(list), { recursive: true, force: true });
      resolve(code === 0 ? undefined : `a synthesis process exited with ${code}:\n${stderr.slice(-4000)}`);
    });
  });
}

export default async function globalSetup(): Promise<void> {
  // Read afresh on every run: jest's watch mode keeps this module between runs.
  const digest = currentSourcesDigest();
  prune(new Set(SHARED_CONFIGURATIONS.map(([, overrides]) => assemblyDir(overrides, digest))));
  const todo = missing(SHARED_CONFIGURATIONS, digest);
  if (todo.length === 0) return;
  const processes = Math.max(1, Math.min(os.availableParallelism(), todo.length));
  const started = Date.now();
  const shards = Array.from({ length: processes }, (_, i) => todo.filter((_, j) => j % processes === i));
  const failures = (await Promise.all(shards.map((shard) => run(shard, digest)))).filter(
    (f): f is string => f !== undefined,
  );
  const left = missing(SHARED_CONFIGURATIONS, digest);
  if (failures.length > 0 || left.length > 0) {
    throw new Error(
      [`shared syntheses failed; missing: ${left.map(([name]) => name).join(', ') || 'none'}`, ...failures].join('\n'),
    );
  }
  process.stdout.write(
    `\nShared syntheses: ${todo.length} configurations behind the gate in ${((Date.now() - started) / 1000).toFixed(1)} s (${processes} processes), kept in ${path.relative(process.cwd(), ASSEMBLY_CACHE_DIR)}\n`,
  );
}
