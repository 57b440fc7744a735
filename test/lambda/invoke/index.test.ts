/**
 * The deployed entry point: module-level clients and Powertools, wrapped with
 * awslambda.streamifyResponse, configured only through the environment the
 * stack sets. Bedrock and Bedrock Agent Runtime are the local protocol
 * servers; auditing is off.
 */
import { AgentRuntimeServer, retrieveAnswer, SAMPLE_PASSAGES } from '../../../tools/local-aws/agent-runtime-server';
import { BedrockServer, converseAnswer, streamAnswer } from '../../../tools/local-aws/bedrock-server';
import { functionUrlEvent, installLambdaRuntime, invoke, parseSse } from '../../../tools/local-aws/lambda-runtime';
import { startXRayDaemon } from '../../support/xray-daemon';

const bedrock = new BedrockServer();
const agentRuntime = new AgentRuntimeServer();
const saved = { ...process.env };

// Records when the Bedrock Agent Runtime package is first loaded: plain
// requests must never load it (cold start), retrieval requests must.
let agentRuntimeLoaded = false;
jest.doMock('@aws-sdk/client-bedrock-agent-runtime', () => {
  agentRuntimeLoaded = true;
  return jest.requireActual('@aws-sdk/client-bedrock-agent-runtime');
});

// The same for the OpenTelemetry SDK: loaded only with in-code spans on (IN_CODE_SPANS).
let tracingLoaded = false;
jest.doMock('@opentelemetry/sdk-trace-base', () => {
  tracingLoaded = true;
  return jest.requireActual('@opentelemetry/sdk-trace-base');
});

const load = () =>
  // Imported only now: the module reads its environment when it loads.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('../../../lambda/invoke/index') as typeof import('../../../lambda/invoke/index')).handler;

beforeAll(async () => {
  installLambdaRuntime();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: await bedrock.start(),
    AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME: await agentRuntime.start(),
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'test-secret',
    MODEL_ID: 'amazon.nova-micro-v1:0',
    MODEL_FAMILY: 'amazon-nova',
    GUARDRAIL_ARN: 'arn:aws:bedrock:eu-west-1:111111111111:guardrail/gr123abc',
    GUARDRAIL_VERSION: '1',
    MAX_TOKENS_CAP: '256',
    INVOKE_TIMEOUT_MS: '5000',
    KNOWLEDGE_BASE_ID: 'KB12345678',
    RETRIEVAL_RESULTS_CAP: '4',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_TRACE_ENABLED: 'false',
  });
});

afterAll(async () => {
  await bedrock.stop();
  await agentRuntime.stop();
  process.env = saved;
});

test('index exports a streaming handler that answers a Function URL request end to end', async () => {
  bedrock.reply(streamAnswer(['Hello', ' world']));
  const res = await invoke(load(), functionUrlEvent({ prompt: 'Say hello' }));
  expect(res.streaming).toBe(true);
  expect(res.statusCode).toBe(200);
  expect(parseSse(res.body).map((e) => e.event)).toEqual(['text', 'text', 'metadata']);
  expect(bedrock.calls[0].body).toMatchObject({
    inferenceConfig: { maxTokens: 256 },
    guardrailConfig: { guardrailVersion: '1' },
  });
});

test('the agent runtime client is loaded by the first retrieval request, not by loading the module or plain requests', async () => {
  const handler = load();
  bedrock.reply(streamAnswer(['Plain']));
  await invoke(handler, functionUrlEvent({ prompt: 'Say hello' }));
  expect(agentRuntimeLoaded).toBe(false);

  agentRuntime.reply(retrieveAnswer(SAMPLE_PASSAGES));
  bedrock.reply(converseAnswer('Grounded [1].'));
  const res = await invoke(
    handler,
    functionUrlEvent({ prompt: 'How is grounding checked?', knowledgeBase: true, stream: false }),
  );
  expect(agentRuntimeLoaded).toBe(true);
  expect(res.statusCode).toBe(200);
  expect(JSON.parse(res.body).citations).toHaveLength(2);
  // The cap from RETRIEVAL_RESULTS_CAP lowers the default number of results.
  expect(agentRuntime.calls[0]).toMatchObject({
    path: '/knowledgebases/KB12345678/retrieve',
    body: { retrievalConfiguration: { vectorSearchConfiguration: { numberOfResults: 4 } } },
  });
});

test('in-code spans off (the default): the OpenTelemetry SDK is never loaded', async () => {
  bedrock.reply(streamAnswer(['Plain']));
  await invoke(load(), functionUrlEvent({ prompt: 'Say hello' }));
  expect(tracingLoaded).toBe(false);
});

test("in-code spans on: a sampled request's Bedrock call reaches the daemon address as a span of its trace", async () => {
  const daemon = await startXRayDaemon();
  Object.assign(process.env, {
    IN_CODE_SPANS: 'true',
    AWS_LAMBDA_FUNCTION_NAME: 'GuardedGenAi-GuardedInvoke-InvokeFunction',
    AWS_XRAY_DAEMON_ADDRESS: daemon.address,
    _X_AMZN_TRACE_ID: 'Root=1-6790a1b2-5f0c1e2d3a4b5c6d7e8f9a0b;Parent=53995c3f42cd8ad8;Sampled=1',
  });
  try {
    let handler: ReturnType<typeof load> | undefined;
    // A fresh module: index.ts reads IN_CODE_SPANS when it loads.
    jest.isolateModules(() => {
      handler = load();
    });
    expect(tracingLoaded).toBe(true);
    bedrock.reply(streamAnswer(['Hello']));
    const res = await invoke(handler as ReturnType<typeof load>, functionUrlEvent({ prompt: 'Say hello' }));
    expect(res.statusCode).toBe(200);
    const received = await daemon.received(1);
    expect(received).toHaveLength(1);
    const [{ protocol, otlp }] = received;
    expect(protocol).toEqual({ format: 'json', version: 1 });
    expect(otlp).toContain('BedrockRuntime.ConverseStream');
    expect(otlp).toContain(Buffer.from('6790a1b25f0c1e2d3a4b5c6d7e8f9a0b', 'hex').toString('latin1'));
  } finally {
    delete process.env.IN_CODE_SPANS;
    delete process.env.AWS_LAMBDA_FUNCTION_NAME;
    delete process.env.AWS_XRAY_DAEMON_ADDRESS;
    delete process.env._X_AMZN_TRACE_ID;
    await daemon.close();
  }
});

test('in-code spans on but the tracing module cannot start: the function still answers, untraced', async () => {
  process.env.IN_CODE_SPANS = 'true';
  try {
    let handler: ReturnType<typeof load> | undefined;
    jest.isolateModules(() => {
      jest.doMock('../../../lambda/invoke/tracing', () => ({
        startTracing: () => {
          throw new Error('the X-Ray UDP exporter has no socket');
        },
        traceAwsCalls: () => {
          throw new Error('never called');
        },
      }));
      handler = load();
    });
    bedrock.reply(streamAnswer(['Still here']));
    const res = await invoke(handler as ReturnType<typeof load>, functionUrlEvent({ prompt: 'Say hello' }));
    expect(res.statusCode).toBe(200);
    expect(parseSse(res.body).map((e) => e.event)).toEqual(['text', 'metadata']);
  } finally {
    delete process.env.IN_CODE_SPANS;
    jest.dontMock('../../../lambda/invoke/tracing');
  }
});
