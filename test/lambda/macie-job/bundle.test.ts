/**
 * The deployed artifact: the ESM bundle esbuild produces for the job's two
 * handlers, loaded by a plain Node process (as Lambda loads it), against a
 * local stand-in for the Macie API. This catches what the handlers' unit
 * tests cannot: bundling and module-format mistakes, and the requests the
 * real SDK puts on the wire.
 */
import { functionBundle } from '../../../tools/function-bundle';
import { recordingServer, type RecordingServer, runBundle } from '../../support/bundle-process';
import { macieStack } from '../../threat-detection/sensitive-data-discovery-fixture';
import { common, jobArn, jobProperty, TOKEN } from './fixtures';

const JOB_ID = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';

/** Macie's REST API (POST /jobs), on a local port. */
function standIn(): Promise<RecordingServer> {
  let jobCalls = 0;
  return recordingServer((req, res) => {
    if (req.method === 'POST' && req.url === '/jobs') {
      jobCalls += 1;
      // The first call lands before the new Macie session is enabled.
      if (jobCalls === 1) {
        res.writeHead(403, { 'content-type': 'application/json', 'x-amzn-errortype': 'AccessDeniedException' });
        res.end(JSON.stringify({ message: 'Macie is not enabled.' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ jobId: JOB_ID, jobArn: jobArn(JOB_ID) }));
      return;
    }
    res.writeHead(404);
    res.end();
  });
}

/** Synthesize the construct alone, bundling included, and return the bundle's path (one for both handlers). */
function bundlePaths(): string[] {
  const { app, stack, construct: macie } = macieStack({}, { bundle: true });
  const assembly = app.synth();
  return [macie.jobOnEvent, macie.jobIsComplete].map((fn) => functionBundle(assembly, stack, fn));
}

/** onEvent, then isComplete twice, as the framework and its waiter call them; one result per line. */
const RUNNER = `
const { onEvent, isComplete } = await import(process.env.BUNDLE);
const context = { getRemainingTimeInMillis: () => 120000 };
const event = JSON.parse(process.env.EVENT);
const first = await onEvent(event, context);
console.log('RESULT ' + JSON.stringify(first));
for (let poll = 0; poll < 2; poll++) {
  console.log('RESULT ' + JSON.stringify(await isComplete({ ...event, ...first }, context)));
}
`;

test('the bundle: onEvent names the token, isComplete waits out a Macie that is not enabled, then has the job', async () => {
  const [bundle, sameBundle] = bundlePaths();
  expect(sameBundle).toBe(bundle);
  const { server, seen, base } = await standIn();
  const event = {
    ...common,
    RequestType: 'Create',
    ResponseURL: `${base}/response`,
    ResourceProperties: { Job: jobProperty(TOKEN) },
  };
  let stdout: string;
  try {
    const run = await runBundle(RUNNER, bundle, event, { AWS_ENDPOINT_URL_MACIE2: base });
    // stderr only matters when the process failed (the SDK warns about old Node versions).
    expect({ code: run.code, stderr: run.code === 0 ? '' : run.stderr }).toEqual({ code: 0, stderr: '' });
    stdout = run.stdout;
  } finally {
    server.close();
  }
  const results = stdout
    .split('\n')
    .filter((line) => line.startsWith('RESULT '))
    .map((line) => JSON.parse(line.slice('RESULT '.length)));
  expect(results).toEqual([
    { PhysicalResourceId: TOKEN, ReadyBy: expect.any(Number) },
    { IsComplete: false },
    { IsComplete: true, Data: { JobId: JOB_ID, JobArn: jobArn(JOB_ID) } },
  ]);
  const jobs = seen.filter((s) => s.url === '/jobs');
  expect(jobs).toHaveLength(2);
  // The wire format: the definition as the construct wrote it, client token included.
  expect(JSON.parse(jobs[1].body)).toEqual(JSON.parse(jobProperty(TOKEN)));
  // The handlers never answer CloudFormation themselves.
  expect(seen.filter((s) => s.url?.startsWith('/response'))).toEqual([]);
});
