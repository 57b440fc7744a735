/**
 * What CloudFormation receives, end to end: our handlers behind the Provider
 * framework's own runtime code, with real SDK clients against local stand-ins
 * of Bedrock and Macie, and a local stand-in of the pre-signed response URL.
 * "The total size of the response body can't exceed 4096 bytes"
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html).
 */
import { BedrockClient } from '@aws-sdk/client-bedrock';
import { Macie2Client } from '@aws-sdk/client-macie2';
import { createHandler } from '../../../lambda/invocation-logging/handler';
import { createHandlers } from '../../../lambda/macie-job/handler';
import { boundedClientConfig, jsonLogger } from '../../../lambda/shared/custom-resource';
import { recordingServer, type RecordingServer } from '../../support/bundle-process';
import { jobProperty, TOKEN } from '../macie-job/fixtures';
import { providerFramework } from '../support/provider-framework';

// Only the waiter's start needs it, and the stand-in replaces that call.
jest.mock('@aws-sdk/client-sfn', () => ({ SFN: jest.fn() }), { virtual: true });

const MAX_BODY_BYTES = 4096;
const ACCOUNT = '111111111111';
/** The longest names CloudFormation allows: a 128-character stack name, a 255-character logical id. */
const LONG_STACK = `GuardedGenAi-${'Operations'.repeat(12)}`.slice(0, 128);
const common = (responseUrl: string) => ({
  ServiceToken: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:framework-onEvent`,
  ResponseURL: responseUrl,
  StackId: `arn:aws:cloudformation:eu-west-1:${ACCOUNT}:stack/${LONG_STACK}/7b2e4c10-cd5e-11f0-8b1a-0a1b2c3d4e5f`,
  RequestId: '8e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b',
  LogicalResourceId: `InvocationLogging${'Configuration'.repeat(20)}`.slice(0, 255),
});
const loggingProperties = {
  LogGroupName: 'GuardedGenAi-Operations-ModelInvocations',
  RoleArn: `arn:aws:iam::${ACCOUNT}:role/InvocationLoggingRole`,
  BucketName: 'guardedgenai-data',
  KeyPrefix: 'model-invocations/',
};

/** A stand-in AWS API on 127.0.0.1: `answer` gets the operation (X-Amz-Target or path) and replies. */
function standInApi(answer: (operation: string, res: import('node:http').ServerResponse) => void) {
  return recordingServer((req, res) => answer(req.url ?? '', res));
}
const json = (res: import('node:http').ServerResponse, status: number, body: unknown, errorType?: string) => {
  res.writeHead(status, {
    'content-type': 'application/json',
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  res.end(JSON.stringify(body));
};
const clientOptions = (api: RecordingServer, callTimeoutMs = 5_000) => ({
  ...boundedClientConfig(callTimeoutMs),
  region: 'eu-west-1',
  endpoint: api.base,
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'test-secret' },
});

const servers: { close(): void }[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
  delete process.env.USER_ON_EVENT_FUNCTION_ARN;
  delete process.env.USER_IS_COMPLETE_FUNCTION_ARN;
  delete process.env.WAITER_STATE_MACHINE_ARN;
});
// The framework logs every request at INFO; deployed, its functions log at FATAL only (see the stack tests).
beforeEach(() => jest.spyOn(console, 'log').mockImplementation(() => undefined));
const quiet = { ...jsonLogger(), info: () => undefined, warn: () => undefined, error: () => undefined };

/** The invocation-logging handler behind the framework, against a Bedrock stand-in. */
async function loggingBehindFramework(bedrock: RecordingServer, failingPuts = 0, callTimeoutMs?: number) {
  const onEvent = createHandler({ logger: quiet, bedrock: new BedrockClient(clientOptions(bedrock, callTimeoutMs)) });
  const f = await providerFramework({ 'on-event': onEvent }, { failingPuts, lambdaTimeoutMs: 19_000 });
  servers.push(f, bedrock.server);
  process.env.USER_ON_EVENT_FUNCTION_ARN = 'on-event';
  return f;
}

/** The one response CloudFormation accepted: its body, parsed, and its size in bytes. */
function accepted(puts: { body: string; headers: Record<string, unknown> }[], failed = 0) {
  expect(puts).toHaveLength(failed + 1);
  const body = puts[failed].body;
  return {
    response: JSON.parse(body) as Record<string, unknown>,
    bytes: Buffer.byteLength(body),
    headers: puts[failed].headers,
  };
}

test('a response URL that fails once: the framework PUTs again, and exactly one well-formed answer is accepted', async () => {
  const bedrock = await standInApi((op, res) => json(res, 200, op.includes('logging') ? {} : {}));
  const f = await loggingBehindFramework(bedrock, 1);
  const event = { ...common(f.responseUrl), RequestType: 'Create', ResourceProperties: loggingProperties };
  await f.framework.onEvent(event);
  const { response, bytes, headers } = accepted(f.puts(), 1);
  expect(f.puts()[0].body).toBe(f.puts()[1].body);
  expect(headers['content-type']).toBe('');
  expect(bytes).toBeLessThanOrEqual(MAX_BODY_BYTES);
  expect(response).toMatchObject({
    Status: 'SUCCESS',
    PhysicalResourceId: 'model-invocation-logging',
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  });
});

test.each([
  ["three-byte characters (someone else's S3 prefix)", 'журнал-€/'.repeat(400)],
  ['four-byte characters, surrogate pairs in JavaScript', '🪵🧾'.repeat(700)],
])('a long error of %s: FAILED, within 4,096 bytes, at the longest names', async (_what, prefix) => {
  // Someone else's configuration: the handler refuses it and names where it writes.
  const bedrock = await standInApi((_op, res) =>
    json(res, 200, { loggingConfig: { s3Config: { bucketName: 'org-logs', keyPrefix: prefix } } }),
  );
  const f = await loggingBehindFramework(bedrock);
  await f.framework.onEvent({ ...common(f.responseUrl), RequestType: 'Create', ResourceProperties: loggingProperties });
  const { response, bytes } = accepted(f.puts());
  expect(bytes).toBeLessThanOrEqual(MAX_BODY_BYTES);
  expect(response.Status).toBe('FAILED');
  expect(response.Reason).toMatch(/^Create failed: Model invocation logging .* \[cut\]/);
  // Cut on a whole character: no replacement character, no lone surrogate.
  expect(response.Reason).not.toMatch(/\uFFFD|[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
});

test('a Delete with no PhysicalResourceId: one SUCCESS answer that still carries a physical id', async () => {
  const bedrock = await standInApi((_op, res) => json(res, 200, {}));
  const f = await loggingBehindFramework(bedrock);
  await f.framework.onEvent({ ...common(f.responseUrl), RequestType: 'Delete', ResourceProperties: loggingProperties });
  const { response } = accepted(f.puts());
  expect(response.Status).toBe('SUCCESS');
  expect(response.PhysicalResourceId).toEqual(expect.stringMatching(/.+/));
});

test.each([['Destroy'], [undefined]])('RequestType %p: one FAILED answer, with a physical id', async (type) => {
  const bedrock = await standInApi((_op, res) => json(res, 200, {}));
  const f = await loggingBehindFramework(bedrock);
  await f.framework.onEvent({ ...common(f.responseUrl), RequestType: type, ResourceProperties: loggingProperties });
  const { response } = accepted(f.puts());
  expect(response).toMatchObject({ Status: 'FAILED', Reason: expect.stringContaining('unknown RequestType') });
  expect(response.PhysicalResourceId).toEqual(expect.stringMatching(/.+/));
  expect(bedrock.seen).toHaveLength(0);
});

test('an API that never answers: the call times out, and CloudFormation gets a FAILED answer saying so', async () => {
  // Accepts the connection, reads the request, never replies.
  const bedrock = await recordingServer(() => undefined);
  const f = await loggingBehindFramework(bedrock, 0, 1_500);
  const started = Date.now();
  await f.framework.onEvent({ ...common(f.responseUrl), RequestType: 'Create', ResourceProperties: loggingProperties });
  const { response } = accepted(f.puts());
  expect(response).toMatchObject({ Status: 'FAILED', Reason: expect.stringContaining('TimeoutError') });
  // The handler gives up at its own deadline (the 19 s Lambda timeout less a call of 15 s and a
  // second), well before Lambda's: a hung call cannot hold it.
  expect(Date.now() - started).toBeLessThan(8_000);
}, 25_000);

describe('the Macie job through the framework and its waiter', () => {
  async function macieBehindFramework(macie: RecordingServer) {
    const handlers = createHandlers({ logger: quiet, macie: new Macie2Client(clientOptions(macie)) });
    const f = await providerFramework({ 'on-event': handlers.onEvent, 'is-complete': handlers.isComplete });
    servers.push(f, macie.server);
    process.env.USER_ON_EVENT_FUNCTION_ARN = 'on-event';
    process.env.USER_IS_COMPLETE_FUNCTION_ARN = 'is-complete';
    process.env.WAITER_STATE_MACHINE_ARN = 'arn:aws:states:eu-west-1:111111111111:stateMachine:waiter';
    return f;
  }

  test('create: onEvent starts the waiter without answering; isComplete answers SUCCESS with the token and the job id', async () => {
    const jobId = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
    let creates = 0;
    const macie = await standInApi((_op, res) => {
      creates += 1;
      // The first poll lands before Macie is enabled.
      if (creates === 1) json(res, 403, { message: 'Macie is not enabled.' }, 'AccessDeniedException');
      else json(res, 200, { jobId, jobArn: `arn:aws:macie2:eu-west-1:${ACCOUNT}:classification-job/${jobId}` });
    });
    const f = await macieBehindFramework(macie);
    const event = { ...common(f.responseUrl), RequestType: 'Create', ResourceProperties: { Job: jobProperty(TOKEN) } };
    await f.framework.onEvent(event);
    expect(f.puts()).toHaveLength(0);
    expect(f.executions).toHaveLength(1);
    // The state machine retries the isComplete function while it throws the framework's Retry.
    const waiting = JSON.parse(f.executions[0]) as Record<string, unknown>;
    await expect(f.framework.isComplete(waiting)).rejects.toThrow();
    await f.framework.isComplete(waiting);
    const { response, bytes } = accepted(f.puts());
    expect(bytes).toBeLessThanOrEqual(MAX_BODY_BYTES);
    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: TOKEN, Data: { JobId: jobId } });
  });

  test('a Macie error message of 11,600 characters, some of two and three bytes: FAILED within 4,096 bytes', async () => {
    const macie = await standInApi((_op, res) =>
      json(res, 400, { message: 'Ungültige Zuordnungsliste – '.repeat(400) }, 'ValidationException'),
    );
    const f = await macieBehindFramework(macie);
    await f.framework.onEvent({
      ...common(f.responseUrl),
      RequestType: 'Create',
      ResourceProperties: { Job: jobProperty(TOKEN) },
    });
    await f.framework.isComplete(JSON.parse(f.executions[0]));
    const { response, bytes } = accepted(f.puts());
    expect(bytes).toBeLessThanOrEqual(MAX_BODY_BYTES);
    expect(response).toMatchObject({ Status: 'FAILED', PhysicalResourceId: TOKEN });
    expect(response.Reason).toContain('ValidationException: Ungültige Zuordnungsliste');
  });
});
