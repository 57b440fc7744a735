/**
 * For the tests that run a function's ESM bundle in a plain Node process, as
 * Lambda loads it: a local HTTP/1.1 stand-in that records every request, and
 * the child process itself, given only the environment the test names.
 */
import { spawn } from 'node:child_process';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

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
