/**
 * For the tests that run a function's ESM bundle in a plain Node process, as
 * Lambda loads it: the bundle itself, a local HTTP/1.1 stand-in that records
 * every request, and the child process, given only the environment the test
 * names.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import { ESM_BUNDLING } from '../../lib/esm-bundling';

const ROOT = path.join(__dirname, '..', '..');

export interface EsmBundle {
  /** The bundle's path, for runBundle. */
  readonly bundle: string;
  /** Deletes the bundle's temporary directory. */
  remove(): void;
}

/**
 * Bundles lambda/<name>/index.ts with the project's bundling options
 * (lib/esm-bundling.ts) into a temporary directory: the entry point directly
 * rather than through the CDK construct, so the test does not depend on a stack.
 */
export async function esmBundle(name: string): Promise<EsmBundle> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${name}-bundle-`));
  const bundle = path.join(dir, 'index.mjs');
  await build({
    entryPoints: [path.join(ROOT, 'lambda', name, 'index.ts')],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: ESM_BUNDLING.target,
    minify: ESM_BUNDLING.minify,
    mainFields: ESM_BUNDLING.mainFields,
    banner: { js: ESM_BUNDLING.banner ?? '' },
    logLevel: 'error',
  });
  return { bundle, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export type Seen = { method?: string; url?: string; headers: http.IncomingHttpHeaders; body: string };

export interface RecordingServer {
  readonly server: http.Server;
  /** The requests received so far, in order, each with its whole body. */
  readonly seen: Seen[];
  /** http://127.0.0.1:port, for the AWS_ENDPOINT_URL_* settings. */
  readonly base: string;
}

/** Listens on a free local port; `answer` replies once a request's body is read and recorded. */
export async function recordingServer(
  answer: (req: http.IncomingMessage, res: http.ServerResponse) => void,
): Promise<RecordingServer> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      answer(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, seen, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export interface BundleRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `runner` (an ES module snippet that imports process.env.BUNDLE) with the
 * bundle path, the event as JSON, a region and fake credentials, plus `env`.
 */
export async function runBundle(
  runner: string,
  bundle: string,
  event: unknown,
  env: Record<string, string>,
): Promise<BundleRun> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', runner], {
    env: {
      PATH: process.env.PATH,
      BUNDLE: bundle,
      EVENT: JSON.stringify(event),
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'test-secret',
      ...env,
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stdout, stderr };
}
