/**
 * The deployed artifact itself: the ESM bundle esbuild produced during synth,
 * loaded by a plain Node process (as Lambda loads it) and answering one
 * streamed request, with its audit record, against the local protocol servers.
 * This catches what unit tests of the TypeScript sources cannot: bundling and
 * module-format mistakes.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { functionBundle } from '../../tools/function-bundle';
import { synthesize } from '../support/build-app';
import { BedrockServer, streamAnswer } from '../../tools/local-aws/bedrock-server';
import { functionUrlEvent } from '../../tools/local-aws/lambda-runtime';
import { S3Stub } from '../../tools/local-aws/s3-stub';
import { startXRayDaemon } from '../support/xray-daemon';

const bedrock = new BedrockServer();
const s3 = new S3Stub();
let bundle: string;
/** The inCodeSpans=true variant, the only one with the OpenTelemetry SDK in it. */
let spansBundle: string;
let endpoints: { bedrock: string; s3: string };

const invokeBundle = (overrides: Record<string, unknown>) => {
  const { assembly, stacks } = synthesize(overrides, { bundle: true });
  return functionBundle(assembly, stacks.guardedInvoke, stacks.guardedInvoke.invoke.function);
};

beforeAll(async () => {
  bundle = invokeBundle({});
  spansBundle = invokeBundle({ inCodeSpans: true });
  endpoints = { bedrock: await bedrock.start(), s3: await s3.start() };
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

/** Runs the bundle once in a child process with the stack's environment plus `extra`. */
async function runBundle(extra: Record<string, string> = {}, file = bundle) {
  const env = {
    PATH: process.env.PATH,
    BUNDLE: file,
    EVENT: JSON.stringify(functionUrlEvent({ prompt: 'hi' })),
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'test-secret',
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: endpoints.bedrock,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
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
    ...extra,
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
  return { prelude: JSON.parse(prelude) as Record<string, unknown>, body };
}

test('the synthesized bundle answers a streamed request and writes its audit record', async () => {
  expect(bundle).toMatch(/index\.mjs$/);
  bedrock.reply(streamAnswer(['From ', 'the bundle.']));
  const { prelude, body } = await runBundle();
  expect(prelude).toMatchObject({ statusCode: 200, headers: { 'content-type': 'text/event-stream' } });
  expect(body).toContain('data: {"text":"From "}');
  expect(body).toContain('event: metadata');
  expect(s3.objects).toHaveLength(1);
  expect(s3.objects[0].path).toMatch(/^\/data-bucket\/records\/invocations\/.*\/bundle-1\.json(\?.*)?$/);
});

test('with in-code spans on, both calls reach the daemon as spans of the trace, the last one before the process ends', async () => {
  const daemon = await startXRayDaemon();
  try {
    bedrock.reply(streamAnswer(['Traced.']));
    const before = s3.objects.length;
    const { prelude } = await runBundle(
      {
        IN_CODE_SPANS: 'true',
        AWS_LAMBDA_FUNCTION_NAME: 'GuardedGenAi-GuardedInvoke-InvokeFunction',
        AWS_XRAY_DAEMON_ADDRESS: daemon.address,
        _X_AMZN_TRACE_ID: 'Root=1-6790a1b2-5f0c1e2d3a4b5c6d7e8f9a0b;Parent=53995c3f42cd8ad8;Sampled=1',
      },
      spansBundle,
    );
    expect(prelude).toMatchObject({ statusCode: 200 });
    expect(s3.objects).toHaveLength(before + 1);
    const spans = (await daemon.received(2)).map((d) => d.otlp);
    expect(spans).toHaveLength(2);
    expect(spans.some((otlp) => otlp.includes('BedrockRuntime.ConverseStream'))).toBe(true);
    // The audit write comes last, after the answer: the process exits right after it.
    expect(spans.some((otlp) => otlp.includes('S3.PutObject'))).toBe(true);
  } finally {
    await daemon.close();
  }
});

test('the OpenTelemetry SDK is in the inCodeSpans bundle only; the default bundle ignores IN_CODE_SPANS', async () => {
  const text = (file: string) => fs.readFileSync(file, 'utf8');
  // The exporter's wire prefix and the OpenTelemetry API's global key: present only where spans can be made.
  for (const marker of ['T1S', 'opentelemetry.js.api']) {
    expect([marker, text(spansBundle).includes(marker)]).toEqual([marker, true]);
    expect([marker, text(bundle).includes(marker)]).toEqual([marker, false]);
  }
  expect(text(bundle).length).toBeLessThan(text(spansBundle).length * 0.8);
  expect(spansBundle).not.toBe(bundle);
  // Turning IN_CODE_SPANS on in the environment of the default bundle changes nothing.
  bedrock.reply(streamAnswer(['Untraced.']));
  const { prelude } = await runBundle({ IN_CODE_SPANS: 'true' });
  expect(prelude).toMatchObject({ statusCode: 200 });
});
