/**
 * The deployed entry point: module-level clients and Powertools, wrapped with
 * awslambda.streamifyResponse, configured only through the environment the
 * stack sets. Bedrock and Bedrock Agent Runtime are the local protocol
 * servers; auditing is off.
 */
import { AgentRuntimeServer, retrieveAnswer, SAMPLE_PASSAGES } from '../../../tools/local-aws/agent-runtime-server';
import { BedrockServer, converseAnswer, streamAnswer } from '../../../tools/local-aws/bedrock-server';
import { functionUrlEvent, installLambdaRuntime, invoke, parseSse } from '../../../tools/local-aws/lambda-runtime';

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
