/**
 * The deployed artifact: the ESM bundle esbuild produces for the job provider,
 * loaded by a plain Node process (as Lambda loads it), against a local stand-in
 * for the Macie API and for CloudFormation's pre-signed response URL. This
 * catches what the handler's unit tests cannot: bundling and module-format
 * mistakes, and the requests the real SDK puts on the wire.
 */
import { functionBundle } from '../../../tools/function-bundle';
import { recordingServer, type RecordingServer, runBundle } from '../../support/bundle-process';
import { macieStack } from '../../threat-detection/sensitive-data-discovery-fixture';

const JOB_ID = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';

/** Macie's REST API (POST /jobs) and the response URL, on one local port. */
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
      res.end(
        JSON.stringify({
          jobId: JOB_ID,
          jobArn: `arn:aws:macie2:eu-west-1:111111111111:classification-job/${JOB_ID}`,
        }),
      );
      return;
    }
    res.writeHead(200);
    res.end();
  });
}

/** Synthesize the construct alone, bundling included, and return the bundle's path. */
function bundlePath(): string {
  const { app, stack, construct: macie } = macieStack({}, { bundle: true });
  return functionBundle(app.synth(), stack, macie.jobProvider);
}

const RUNNER = `
const { handler } = await import(process.env.BUNDLE);
await handler(JSON.parse(process.env.EVENT), { getRemainingTimeInMillis: () => 60000 });
`;

test('the bundle retries a create that lands before Macie is enabled, then PUTs SUCCESS to the response URL', async () => {
  const bundle = bundlePath();
  const { server, seen, base } = await standIn();
  const job = { jobType: 'ONE_TIME', name: 'n', clientToken: 'd214d43ecca5a343-6f3a2c10', initialRun: true };
  const event = {
    RequestType: 'Create',
    ServiceToken: 'arn:aws:lambda:eu-west-1:111111111111:function:provider',
    ResponseURL: `${base}/response?X-Amz-Signature=abc`,
    StackId: 'arn:aws:cloudformation:eu-west-1:111111111111:stack/GuardedGenAi-ThreatDetection/6f3a2c10',
    RequestId: 'r1',
    LogicalResourceId: 'MacieJob7F920554',
    ResourceType: 'Custom::MacieClassificationJob',
    ResourceProperties: {
      ServiceToken: 'x',
      Job: JSON.stringify({
        ...job,
        s3JobDefinition: { bucketDefinitions: [{ accountId: '111111111111', buckets: ['b'] }] },
      }),
    },
  };
  try {
    const { code, stderr } = await runBundle(RUNNER, bundle, event, { AWS_ENDPOINT_URL_MACIE2: base });
    // stderr only matters when the process failed (the SDK warns about old Node versions).
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
  } finally {
    server.close();
  }
  const jobs = seen.filter((s) => s.url === '/jobs');
  expect(jobs).toHaveLength(2);
  expect(JSON.parse(jobs[1].body)).toMatchObject({ ...job, s3JobDefinition: expect.any(Object) });
  const [put] = seen.filter((s) => s.method === 'PUT');
  expect(put.url).toBe('/response?X-Amz-Signature=abc');
  // Signed without a content type: none may be sent.
  expect(put.headers['content-type']).toBe('');
  expect(JSON.parse(put.body)).toMatchObject({
    Status: 'SUCCESS',
    PhysicalResourceId: JOB_ID,
    Data: { JobId: JOB_ID },
  });
});
