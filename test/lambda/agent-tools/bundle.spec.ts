/**
 * The deployed artifact: the executor bundled by esbuild with the project's
 * bundling options (lib/esm-bundling.ts), loaded by a plain Node process as
 * Lambda loads it, with the real DynamoDB and S3 clients talking to a local
 * stand-in. It catches what the unit tests cannot: module-format and bundling
 * mistakes (zod, Powertools, the contract from lib/shared), the requests the
 * real SDK puts on the wire, and that a failed condition's old item
 * (ReturnValuesOnConditionCheckFailure) reaches the handler from the wire.
 */
import { AGENT_AUDIT_PREFIX } from '../../../lib/shared/agent-contract';
import { esmBundle, recordingServer, type RecordingServer, runBundle } from '../../support/bundle-process';
import { BUCKET, confirmedEvent, enabled, feature, INVOCATION_ID, KEY_ARN, TABLE } from './fixtures';

/** A turn-count update of the executor (lambda/agent-tools/turn.ts), by the attribute it names. */
const isTurnCount = (body: string) => body.includes('"#calls":"turnCalls"');

/**
 * DynamoDB (JSON over POST) and S3 (path style: the endpoint is an IP address)
 * on one local port. Every turn count is allowed; the write succeeds once.
 */
async function standIn(): Promise<RecordingServer> {
  let updates = 0;
  let stand: RecordingServer | undefined = undefined;
  stand = await recordingServer((req, res) => {
    const body = stand?.seen.at(-1)?.body ?? '';
    if (req.method === 'POST' && req.headers['x-amz-target'] === 'DynamoDB_20120810.UpdateItem' && isTurnCount(body)) {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end('{}');
    } else if (req.method === 'POST' && req.headers['x-amz-target'] === 'DynamoDB_20120810.UpdateItem') {
      updates += 1;
      res.writeHead(updates === 1 ? 200 : 400, { 'content-type': 'application/x-amz-json-1.0' });
      // The second time, the confirmation is spent: the condition fails, with the item as it was.
      res.end(
        updates === 1
          ? '{}'
          : JSON.stringify({
              __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException',
              message: 'The conditional request failed',
              Item: { customerId: { S: 'C-1001' }, confirmations: { SS: [INVOCATION_ID] } },
            }),
      );
    } else if (req.method === 'PUT' && req.url?.startsWith(`/${BUCKET}/${AGENT_AUDIT_PREFIX}`)) {
      res.writeHead(200, { etag: '"6ee985bd6f65dc90bb7896a94fe9adb0"' }).end();
    } else {
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"message":"unexpected request"}');
    }
  });
  return stand;
}

/** The same event twice, as a retry would send it. */
const RUNNER = `
const { handler } = await import(process.env.BUNDLE);
const event = JSON.parse(process.env.EVENT);
const first = await handler(event, { awsRequestId: 'request-1' });
const second = await handler(event, { awsRequestId: 'request-2' });
process.stdout.write(JSON.stringify([first, second]));
`;

test('the ESM bundle applies a confirmed change once, refuses its replay, and audits both with the project key', async () => {
  const { bundle, remove } = await esmBundle('agent-tools');
  const { server, seen, base } = await standIn();
  const parameters = [feature('extra-data'), enabled('true')];
  let stdout: string;
  try {
    const run = await runBundle(RUNNER, bundle, confirmedEvent('change_plan_feature', parameters), {
      TABLE_NAME: TABLE,
      AUDIT_BUCKET: BUCKET,
      AUDIT_PREFIX: AGENT_AUDIT_PREFIX,
      AUDIT_KMS_KEY_ARN: KEY_ARN,
      AWS_ENDPOINT_URL_DYNAMODB: base,
      AWS_ENDPOINT_URL_S3: base,
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    });
    stdout = run.stdout;
    expect({ code: run.code, stderr: run.code === 0 ? '' : run.stderr }).toEqual({ code: 0, stderr: '' });
  } finally {
    server.close();
    remove();
  }
  const [first, second] = JSON.parse(stdout);
  expect(first.response.functionResponse).toEqual({
    responseBody: { TEXT: { body: JSON.stringify({ done: true, feature: 'extra-data', enabled: true }) } },
  });
  expect(second.response.functionResponse).toEqual({
    responseState: 'REPROMPT',
    responseBody: {
      TEXT: { body: JSON.stringify({ error: 'This confirmed change was already applied. Nothing more was changed.' }) },
    },
  });
  const updates = seen.filter((s) => s.headers['x-amz-target'] === 'DynamoDB_20120810.UpdateItem');
  // Each call is counted against the turn before the write is tried.
  expect(updates.map((s) => (isTurnCount(s.body) ? 'count' : 'write'))).toEqual(['count', 'write', 'count', 'write']);
  const update = updates.find((s) => !isTurnCount(s.body));
  expect(JSON.parse(update?.body ?? '{}')).toMatchObject({
    TableName: TABLE,
    Key: { customerId: { S: 'C-1001' } },
    ConditionExpression: 'attribute_exists(#customerId) AND NOT contains(#confirmations, :id)',
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  });
  const audits = seen.filter((s) => s.method === 'PUT');
  expect(audits.map((s) => s.url)).toEqual([
    expect.stringMatching(new RegExp(`^/${BUCKET}/${AGENT_AUDIT_PREFIX}\\d{4}/\\d{2}/\\d{2}/request-1\\.json`)),
    expect.stringMatching(new RegExp(`^/${BUCKET}/${AGENT_AUDIT_PREFIX}\\d{4}/\\d{2}/\\d{2}/request-2\\.json`)),
  ]);
  expect(audits[0].headers).toMatchObject({
    'x-amz-server-side-encryption': 'aws:kms',
    'x-amz-server-side-encryption-aws-kms-key-id': KEY_ARN,
    'x-amz-server-side-encryption-bucket-key-enabled': 'true',
  });
  expect(audits.map((s) => JSON.parse(s.body).reason)).toEqual(['done', 'replayed']);
});
