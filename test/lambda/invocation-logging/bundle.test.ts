/**
 * The deployed artifact: the handler bundled by esbuild with the project's
 * bundling options (lib/esm-bundling.ts), loaded by a plain Node process as
 * Lambda loads it, with the real Bedrock client talking to a local stand-in
 * for the Bedrock control-plane API. It catches what the unit tests cannot: module-format and
 * bundling mistakes, and the requests the real SDK puts on the wire.
 *
 * It bundles the entry point directly rather than through the CDK construct,
 * so it does not depend on the stack; the options are the same ones.
 */
import { esmBundle, recordingServer, type RecordingServer, runBundle } from '../../support/bundle-process';
import { ACCOUNT, BUCKET, LOG_GROUP, OURS, ROLE_ARN } from './fixtures';

/**
 * Bedrock's REST API (GET and PUT /logging/modelinvocations), on a local port. Logging is off; the first put lands before the new
 * role can be used, as Bedrock answers then.
 */
function standIn(): Promise<RecordingServer> {
  let puts = 0;
  return recordingServer((req, res) => {
    if (req.url === '/logging/modelinvocations' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
      return;
    }
    if (req.url === '/logging/modelinvocations' && req.method === 'PUT') {
      puts += 1;
      if (puts === 1) {
        res.writeHead(400, { 'content-type': 'application/json', 'x-amzn-errortype': 'ValidationException' });
        res.end(
          JSON.stringify({
            message: `Failed to validate permissions for log group: ${LOG_GROUP}, with role: ${ROLE_ARN}. Verify the IAM role permissions are correct.`,
          }),
        );
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
      return;
    }
    // Anything else (a response PUT would be a mistake: the framework answers).
    res.writeHead(200);
    res.end();
  });
}

const RUNNER = `
const { handler } = await import(process.env.BUNDLE);
const result = await handler(JSON.parse(process.env.EVENT), { getRemainingTimeInMillis: () => 120000 });
console.log(JSON.stringify(result));
`;

test('the bundle retries a put that lands before the role is usable, then returns the physical id to the framework', async () => {
  const { bundle, remove } = await esmBundle('invocation-logging');
  const { server, seen, base } = await standIn();
  const event = {
    RequestType: 'Create',
    ServiceToken: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:GuardedGenAi-Operations-InvocationLoggingProvider`,
    ResponseURL: `${base}/response?X-Amz-Signature=abc`,
    StackId: `arn:aws:cloudformation:eu-west-1:${ACCOUNT}:stack/GuardedGenAi-Operations/7b2e4c10`,
    RequestId: 'r1',
    LogicalResourceId: 'ModelInvocationLogging3F2A1B0C',
    ResourceType: 'Custom::ModelInvocationLogging',
    ResourceProperties: {
      ServiceToken: 'x',
      LogGroupName: LOG_GROUP,
      RoleArn: ROLE_ARN,
      BucketName: BUCKET,
      KeyPrefix: 'model-invocations/',
    },
  };
  let stdout: string;
  try {
    const run = await runBundle(RUNNER, bundle, event, { AWS_ENDPOINT_URL_BEDROCK: base });
    // stderr only matters when the process failed (the SDK warns about old Node versions).
    expect({ code: run.code, stderr: run.code === 0 ? '' : run.stderr }).toEqual({ code: 0, stderr: '' });
    stdout = run.stdout;
  } finally {
    server.close();
    remove();
  }
  const calls = seen.filter((s) => s.url === '/logging/modelinvocations');
  expect(calls.map((s) => s.method)).toEqual(['GET', 'PUT', 'PUT']);
  // The wire format of the request body: the field names Bedrock's API documents.
  expect(JSON.parse(calls[2].body)).toEqual({ loggingConfig: OURS });
  // The handler returns; the Provider framework answers CloudFormation.
  expect(seen.filter((s) => s.url?.startsWith('/response'))).toEqual([]);
  // The last line: the handler's result (the log lines come before it).
  expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '')).toEqual({
    PhysicalResourceId: 'model-invocation-logging',
  });
});
