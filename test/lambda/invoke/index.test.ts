/**
 * The deployed entry point: module-level clients and Powertools, wrapped with
 * awslambda.streamifyResponse, configured only through the environment the
 * stack sets. Bedrock is the local protocol server; auditing is off.
 */
import { BedrockServer, streamAnswer } from '../../../tools/local-aws/bedrock-server';
import { functionUrlEvent, installLambdaRuntime, invoke, parseSse } from '../../../tools/local-aws/lambda-runtime';

const bedrock = new BedrockServer();
const saved = { ...process.env };

beforeAll(async () => {
  installLambdaRuntime();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: await bedrock.start(),
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'test-secret',
    MODEL_ID: 'amazon.nova-micro-v1:0',
    MODEL_FAMILY: 'amazon-nova',
    GUARDRAIL_ARN: 'arn:aws:bedrock:eu-west-1:111111111111:guardrail/gr123abc',
    GUARDRAIL_VERSION: '1',
    MAX_TOKENS_CAP: '256',
    INVOKE_TIMEOUT_MS: '5000',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_TRACE_ENABLED: 'false',
  });
});

afterAll(async () => {
  await bedrock.stop();
  process.env = saved;
});

test('index exports a streaming handler that answers a Function URL request end to end', async () => {
  bedrock.reply(streamAnswer(['Hello', ' world']));
  // Imported only now: the module reads its environment when it loads.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { handler } = require('../../../lambda/invoke/index') as typeof import('../../../lambda/invoke/index');
  const res = await invoke(handler, functionUrlEvent({ prompt: 'Say hello' }));
  expect(res.streaming).toBe(true);
  expect(res.statusCode).toBe(200);
  expect(parseSse(res.body).map((e) => e.event)).toEqual(['text', 'text', 'metadata']);
  expect(bedrock.calls[0].body).toMatchObject({
    inferenceConfig: { maxTokens: 256 },
    guardrailConfig: { guardrailVersion: '1' },
  });
});
