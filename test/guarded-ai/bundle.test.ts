/**
 * The deployed artifact itself: the ESM bundle esbuild produced during synth,
 * loaded by a plain Node process (as Lambda loads it) and answering one
 * streamed request, with its audit record, against the local protocol servers.
 * This catches what unit tests of the TypeScript sources cannot: bundling and
 * module-format mistakes.
 */
import { spawn } from 'node:child_process';
import { functionBundle } from '../../tools/function-bundle';
import { synthesize } from '../support/build-app';
import { BedrockServer, streamAnswer } from '../../tools/local-aws/bedrock-server';
import { functionUrlEvent } from '../../tools/local-aws/lambda-runtime';
import { S3Stub } from '../../tools/local-aws/s3-stub';

const bedrock = new BedrockServer();
const s3 = new S3Stub();
let bundle: string;

beforeAll(async () => {
  const { assembly, stacks } = synthesize({}, { bundle: true });
  bundle = functionBundle(assembly, stacks.guardedInvoke, stacks.guardedInvoke.invoke.function);
});

afterAll(async () => {
  await bedrock.stop();
  await s3.stop();
});

/** Runs in the child process: the Lambda streaming contract, minimal, then one invocation. */
const RUNNER = `
const { Writable } = await import('node:stream');
const chunks = [];
globalThis.awslambda = {
  streamifyResponse: (h) => h,
  HttpResponseStream: { from: (s, meta) => { s.write(JSON.stringify(meta) + '\\u0000'.repeat(8)); return s; } },
};
const { handler } = await import(process.env.BUNDLE);
const stream = new Writable({ write(c, _e, cb) { chunks.push(Buffer.from(c)); cb(); } });
await handler(JSON.parse(process.env.EVENT), stream, { awsRequestId: 'bundle-1' });
process.stdout.write(Buffer.concat(chunks).toString('utf8'));
`;

test('the synthesized bundle answers a streamed request and writes its audit record', async () => {
  expect(bundle).toMatch(/index\.mjs$/);
  bedrock.reply(streamAnswer(['From ', 'the bundle.']));
  const env = {
    PATH: process.env.PATH,
    BUNDLE: bundle,
    EVENT: JSON.stringify(functionUrlEvent({ prompt: 'hi' })),
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'test-secret',
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: await bedrock.start(),
    AWS_ENDPOINT_URL_S3: await s3.start(),
    MODEL_ID: 'amazon.nova-micro-v1:0',
    MODEL_FAMILY: 'amazon-nova',
    GUARDRAIL_ARN: 'arn:aws:bedrock:eu-west-1:111111111111:guardrail/g1',
    GUARDRAIL_VERSION: '1',
    MAX_TOKENS_CAP: '100',
    INVOKE_TIMEOUT_MS: '5000',
    AUDIT_BUCKET: 'data-bucket',
    AUDIT_PREFIX: 'records/',
    AUDIT_KMS_KEY_ARN: 'arn:aws:kms:eu-west-1:111111111111:key/k',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
  };
  const child = spawn(process.execPath, ['--input-type=module', '-e', RUNNER], { env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect({ code, stderr: stderr.replace(/\(node:\d+\) Warning: NodeVersionSupportWarning[\s\S]*$/, '') }).toEqual({
    code: 0,
    stderr: '',
  });

  const [prelude, body] = stdout.split('\u0000'.repeat(8));
  expect(JSON.parse(prelude)).toMatchObject({ statusCode: 200, headers: { 'content-type': 'text/event-stream' } });
  expect(body).toContain('data: {"text":"From "}');
  expect(body).toContain('event: metadata');
  expect(s3.objects).toHaveLength(1);
  expect(s3.objects[0].path).toMatch(/^\/data-bucket\/records\/invocations\/.*\/bundle-1\.json(\?.*)?$/);
});
