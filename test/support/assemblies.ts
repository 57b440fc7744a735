/**
 * The shared syntheses of the test suite: every configuration of the gate
 * matrix synthesized ONCE behind the gate, kept on disk, and read by every
 * test file and jest worker that needs its templates or the gate's findings
 * (docs/testing.md, "One synthesis per configuration").
 *
 * A configuration's folder is named by a digest of everything its templates
 * are made of: the files under lib/, lambda/ and tools/, cdk.json,
 * tsconfig.json, the lockfile and npm's record of what it installed, the code
 * that writes the folder and its gate record, and the configuration itself. An unchanged tree reuses the folders of the last run;
 * any change to one of those files makes every folder new (a change to lib/
 * can touch any template, and telling which would be a proof of its own).
 *
 * Folders are written whole under a temporary name and renamed, so a reader
 * sees a finished synthesis or none; jest's global setup
 * (test/support/global-setup.ts) makes the missing ones before any test runs.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { GateRecord } from '../../scripts/compliance';
import { configurationKey } from './gate-matrix';

const ROOT = path.join(__dirname, '..', '..');

/** npm's convention for tool caches, beside the Control Tower results. */
export const ASSEMBLY_CACHE_DIR = path.join(ROOT, 'node_modules', '.cache', 'genai-guarded-cdk', 'assemblies');

/** Change it whenever what a folder holds, or how it is made, changes. */
const FORMAT = 'gated-assembly/1';

/** What a template can be made of, relative to the repository. */
export const SOURCES = [
  'lib',
  'lambda',
  'tools',
  'cdk.json',
  'tsconfig.json',
  'package-lock.json',
  'node_modules/.package-lock.json',
  // Read by lib/ when the app is built (the Operations dashboard's token prices).
  'docs/prices.json',
  // Read when customModelApproval names one (the approved configuration of the matrix).
  'test/customization/fixtures/comparisons',
  // How a folder is made and what its record holds.
  'scripts/compliance.ts',
  'test/support/synthesize-worker.ts',
  'test/support/assemblies.ts',
];

/** The digest of the sources of a template under `root` (the repository, or a copy in a test). */
export function digestOfSources(root: string): string {
  const filesOf = (entry: string): string[] => {
    const full = path.join(root, entry);
    if (!fs.existsSync(full)) return [];
    if (!fs.statSync(full).isDirectory()) return [entry];
    return fs
      .readdirSync(full, { withFileTypes: true })
      .filter((e) => e.name !== 'node_modules')
      .flatMap((e) => filesOf(path.join(entry, e.name)));
  };
  const hash = createHash('sha256').update(FORMAT);
  for (const file of SOURCES.flatMap(filesOf).sort()) {
    hash
      .update(file.split(path.sep).join('/'))
      .update('\0')
      .update(fs.readFileSync(path.join(root, file)));
  }
  return hash.digest('hex');
}

/** The digest of the sources as they are now (jest's global setup and the workers read it afresh). */
export function currentSourcesDigest(): string {
  return digestOfSources(ROOT);
}

let treeDigest: string | undefined;

/** The digest of every source a template is made of (computed once per test process). */
export function sourcesDigest(): string {
  treeDigest ??= currentSourcesDigest();
  return treeDigest;
}

type Overrides = Readonly<Record<string, unknown>>;

/** Where the synthesis of a configuration lives (whether or not it exists yet). */
export function assemblyDir(overrides: Overrides, digest: string = sourcesDigest()): string {
  const key = createHash('sha256').update(digest).update(configurationKey(overrides)).digest('hex');
  return path.join(ASSEMBLY_CACHE_DIR, key.slice(0, 32));
}

/** The name of the file beside the templates that holds the gate's record. */
export const GATE_RECORD_FILE = 'gate-record.json';

export interface SharedSynthesis {
  readonly assembly: CloudAssembly;
  readonly record: GateRecord;
}

const loaded = new Map<string, SharedSynthesis>();

/** The shared synthesis of a configuration, or undefined when none is on disk. */
export function readShared(overrides: Overrides): SharedSynthesis | undefined {
  const dir = assemblyDir(overrides);
  let found = loaded.get(dir);
  if (!found && fs.existsSync(path.join(dir, GATE_RECORD_FILE))) {
    // Read now: a run of another tree prunes only folders nobody read for a while.
    const now = new Date();
    fs.utimesSync(dir, now, now);
    found = {
      assembly: new CloudAssembly(dir),
      record: JSON.parse(fs.readFileSync(path.join(dir, GATE_RECORD_FILE), 'utf8')) as GateRecord,
    };
    loaded.set(dir, found);
  }
  return found;
}

/** The configurations of `entries` that have no shared synthesis yet. */
export function missing<T extends readonly [string, Overrides]>(entries: readonly T[], digest?: string): T[] {
  return entries.filter(([, overrides]) => !fs.existsSync(path.join(assemblyDir(overrides, digest), GATE_RECORD_FILE)));
}

/**
 * Move a finished synthesis into place. A folder another process finished
 * first is kept (both are the same synthesis); the partial one is removed.
 */
export function publish(partialDir: string, overrides: Overrides, digest?: string): void {
  const dir = assemblyDir(overrides, digest);
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  try {
    fs.renameSync(partialDir, dir);
  } catch (error) {
    if (!fs.existsSync(path.join(dir, GATE_RECORD_FILE))) throw error;
    fs.rmSync(partialDir, { recursive: true, force: true });
  }
}
