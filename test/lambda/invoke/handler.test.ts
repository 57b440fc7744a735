import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { S3Client } from '@aws-sdk/client-s3';
import { createHandler, settingsFromEnvironment } from '../../../lambda/invoke/handler';
import { functionUrlEvent, installLambdaRuntime, invoke } from '../../../tools/local-aws/lambda-runtime';

const quiet = {
  logger: { info: () => undefined, error: () => undefined, appendKeys: () => undefined },
  metrics: { addMetric: () => undefined, publishStoredMetrics: () => undefined },
};
const clients = {
  bedrock: new BedrockRuntimeClient({ region: 'eu-west-1' }),
  s3: async () => new S3Client({ region: 'eu-west-1' }),
  agentRuntime: () => Promise.reject(new Error('not used here')),
};

beforeAll(installLambdaRuntime);

describe('settingsFromEnvironment', () => {
  const complete = {
    MODEL_ID: 'amazon.nova-micro-v1:0',
    MODEL_FAMILY: 'amazon-nova',
    GUARDRAIL_ARN: 'g',
    GUARDRAIL_VERSION: '1',
    MAX_TOKENS_CAP: '100',
    INVOKE_TIMEOUT_MS: '1000',
  };

  test('complete environment => settings; audit only with bucket and key together', () => {
    expect(settingsFromEnvironment(complete)).toMatchObject({ maxTokensCap: 100, timeoutMs: 1000, audit: undefined });
    expect(settingsFromEnvironment({ ...complete, AUDIT_BUCKET: 'b', AUDIT_KMS_KEY_ARN: 'k' })).toMatchObject({
      audit: { bucket: 'b', prefix: 'records/', kmsKeyArn: 'k' },
    });
    expect(settingsFromEnvironment({ ...complete, AUDIT_BUCKET: 'b' })).toBeInstanceOf(Error);
  });

  test('a knowledge base => its ID and the results cap; the cap is required with it and checked', () => {
    const withKb = { ...complete, KNOWLEDGE_BASE_ID: 'KB12345678', RETRIEVAL_RESULTS_CAP: '8' };
    expect(settingsFromEnvironment(withKb)).toMatchObject({
      knowledgeBase: { knowledgeBaseId: 'KB12345678', resultsCap: 8 },
    });
    expect(settingsFromEnvironment(complete)).toMatchObject({ knowledgeBase: undefined });
    expect(String(settingsFromEnvironment({ ...withKb, RETRIEVAL_RESULTS_CAP: undefined }))).toContain(
      'KNOWLEDGE_BASE_ID without RETRIEVAL_RESULTS_CAP',
    );
    for (const bad of ['0', '101', '2.5', 'five', '', '-3']) {
      expect(String(settingsFromEnvironment({ ...withKb, RETRIEVAL_RESULTS_CAP: bad }))).toContain(
        `bad RETRIEVAL_RESULTS_CAP ${bad}`,
      );
    }
    // Retrieve's path parameter: up to 10 letters and digits.
    expect(String(settingsFromEnvironment({ ...withKb, KNOWLEDGE_BASE_ID: 'kb/../x' }))).toContain(
      'bad KNOWLEDGE_BASE_ID',
    );
  });

  test('missing or bad values => an error naming them', () => {
    expect(String(settingsFromEnvironment({ ...complete, GUARDRAIL_ARN: '' }))).toContain('GUARDRAIL_ARN');
    expect(String(settingsFromEnvironment({ ...complete, MODEL_FAMILY: 'gpt' }))).toContain('bad MODEL_FAMILY gpt');
  });
});

describe('handler failure paths', () => {
  test('misconfigured function => 503 JSON for the caller, details only in the log', async () => {
    const errors: Record<string, unknown>[] = [];
    const handler = createHandler({
      ...clients,
      ...quiet,
      logger: { ...quiet.logger, error: (_m: string, ...extra: Record<string, unknown>[]) => errors.push(...extra) },
      settings: new Error('missing environment: MODEL_ID'),
    });
    const res = await invoke(handler, functionUrlEvent({ prompt: 'hi' }));
    expect(res.statusCode).toBe(503);
    expect(JSON.parse(res.body).error.code).toBe('not_configured');
    expect(res.body).not.toContain('MODEL_ID');
    expect(String(errors[0]?.error)).toContain('MODEL_ID');
  });
});

describe('an unexpected failure inside the handler', () => {
  test('=> a 500 JSON answer with the request id, and the stream is ended', async () => {
    let failures = 0;
    const handler = createHandler({
      ...clients,
      bedrock: { send: () => Promise.reject(new Error('boom')) } as unknown as BedrockRuntimeClient,
      ...quiet,
      // The first error log (inside the Bedrock error path) itself fails.
      logger: {
        ...quiet.logger,
        error: () => {
          if (failures++ === 0) throw new TypeError('log sink broken');
        },
      },
      settings: {
        modelId: 'm.x-1',
        modelFamily: 'other',
        guardrailIdentifier: 'g',
        guardrailVersion: '1',
        maxTokensCap: 10,
        timeoutMs: 1000,
      },
    });
    const res = await invoke(handler, functionUrlEvent({ prompt: 'hi', stream: false }));
    expect(res.statusCode).toBe(500);
    expect(JSON.parse(res.body)).toEqual({
      error: { code: 'internal', message: expect.stringContaining('report the request id'), requestId: 'req-1' },
    });
  });
});
