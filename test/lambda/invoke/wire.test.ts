/**
 * Wire-level tests: the real BedrockRuntimeClient and S3Client inside the
 * handler, talking to local servers that speak the real protocols, with the
 * handler driven through the Lambda response-streaming contract by Function URL
 * events. Nothing is mocked between the handler and the sockets.
 */
import { WITHHELD } from '../../../lambda/invoke/audit';
import { converseAnswer, PROMPT_ATTACK_TRACE, streamAnswer } from '../../../tools/local-aws/bedrock-server';
import { functionUrlEvent, invoke, parseSse } from '../../../tools/local-aws/lambda-runtime';
import { type Handler, useWireHarness, WIRE_SETTINGS as SETTINGS } from './support/wire-harness';

const wire = useWireHarness();
const { bedrock, s3, logs, makeHandler, lastAudit } = wire;
const PROMPT = 'Explain what top-p sampling does, in two sentences. Secret marker 7c1e.';

let handler: Handler;

beforeAll(() => {
  handler = makeHandler(SETTINGS);
});

const ask = (body: Record<string, unknown>) => invoke(handler, functionUrlEvent({ prompt: PROMPT, ...body }));

describe('wire: the real SDK clients against local protocol servers', () => {
  test('a normal answer (stream off) => 200 JSON with text, stop reason, guardrail outcome, usage, latency', async () => {
    bedrock.reply(converseAnswer('Top-p keeps the smallest set of likely tokens.'));
    const res = await ask({ stream: false, template: 'negative', parameters: { temperature: 0.2, topK: 40 } });

    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(JSON.parse(res.body)).toEqual({
      text: 'Top-p keeps the smallest set of likely tokens.',
      stopReason: 'end_turn',
      guardrail: { intervened: false, inputRefused: false, policies: [] },
      usage: { inputTokens: 12, outputTokens: 7, totalTokens: 19 },
      latencyMs: expect.any(Number),
      requestId: 'req-1',
    });
    // What went over the wire: our template as system prompt, the user's text
    // only inside guardContent, the guardrail with tracing, topK in the Nova field.
    const [call] = bedrock.calls;
    expect(call.path).toBe('/model/amazon.nova-micro-v1:0/converse');
    expect(call.body).toMatchObject({
      system: [{ text: expect.stringContaining('Do not speculate') }],
      messages: [{ role: 'user', content: [{ guardContent: { text: { text: PROMPT } } }] }],
      inferenceConfig: { maxTokens: 512, temperature: 0.2 },
      additionalModelRequestFields: { inferenceConfig: { topK: 40 } },
      guardrailConfig: { guardrailIdentifier: SETTINGS.guardrailIdentifier, guardrailVersion: '3', trace: 'enabled' },
    });
  });

  test('a streamed answer => server-sent events as the model emits them, then one metadata event', async () => {
    bedrock.reply({ ...streamAnswer(['Top-p ', 'keeps ', 'likely ', 'tokens.']), gapMs: 40 });
    const res = await ask({});

    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream');
    const events = parseSse(res.body);
    expect(events.map((e) => e.event)).toEqual(['text', 'text', 'text', 'text', 'metadata']);
    expect(
      events
        .slice(0, 4)
        .map((e) => e.data.text)
        .join(''),
    ).toBe('Top-p keeps likely tokens.');
    expect(events[4].data).toMatchObject({
      stopReason: 'end_turn',
      guardrail: { intervened: false },
      requestId: 'req-1',
    });
    // Not buffered: the first text reached the client well before the last one.
    expect(res.chunks.length).toBeGreaterThanOrEqual(5);
    expect((res.chunks.at(-1)?.at ?? 0) - res.chunks[0].at).toBeGreaterThan(80);
    // Synchronous guardrail processing, so masking applies before any chunk is sent.
    expect(bedrock.calls[0].path).toBe('/model/amazon.nova-micro-v1:0/converse-stream');
    expect(bedrock.calls[0].body).toMatchObject({
      guardrailConfig: { streamProcessingMode: 'sync', trace: 'enabled' },
    });
  });

  test('a guardrail intervention => 200 with the blocked message, the policy category, and the prompt withheld from the audit record', async () => {
    bedrock.reply(
      converseAnswer("Your request was blocked by this service's safety policy.", {
        stopReason: 'guardrail_intervened',
        usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
        trace: PROMPT_ATTACK_TRACE,
      }),
    );
    const res = await ask({ stream: false });
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({
      stopReason: 'guardrail_intervened',
      guardrail: { intervened: true, inputRefused: true, policies: ['prompt-attack'] },
    });
    expect(lastAudit()).toMatchObject({ prompt: WITHHELD, guardrail: { policies: ['prompt-attack'] } });
    expect(wire.metrics.GuardrailInterventions).toBe(1);
  });

  test('throttling, then success => the SDK retries and the caller gets the answer', async () => {
    bedrock.reply(
      { kind: 'error', status: 429, type: 'ThrottlingException', message: 'slow down' },
      converseAnswer('ok'),
    );
    const res = await ask({ stream: false });
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body).text).toBe('ok');
    expect(bedrock.calls).toHaveLength(2);
  });

  test('throttling until the retries run out => 429 with a retry hint', async () => {
    const throttled = { kind: 'error', status: 429, type: 'ThrottlingException', message: 'slow down' } as const;
    bedrock.reply(throttled, throttled, throttled);
    const res = await ask({});
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBe('5');
    expect(JSON.parse(res.body)).toEqual({
      error: { code: 'throttled', message: 'The model is busy. Retry in 5 seconds.', requestId: 'req-1' },
    });
    expect(bedrock.calls).toHaveLength(3);
    // Counted as a throttle of our own (the operations stack alarms on it), and as a client error.
    expect(wire.metrics).toMatchObject({ Throttled: 1, ClientErrors: 1 });
  });

  test('a 5xx from the model service => 503 after retries, with no upstream detail', async () => {
    const down = {
      kind: 'error',
      status: 503,
      type: 'ServiceUnavailableException',
      message: 'internal host ip-10-0-0-1 unavailable',
    } as const;
    bedrock.reply(down, down, down);
    const res = await ask({ stream: false });
    expect(res.statusCode).toBe(503);
    expect(JSON.parse(res.body).error.code).toBe('unavailable');
    expect(res.body).not.toContain('ip-10-0-0-1');
  });

  test('access denied => a 5xx that tells the operator what to check, without ARNs', async () => {
    bedrock.reply({
      kind: 'error',
      status: 403,
      type: 'AccessDeniedException',
      message: 'User: arn:aws:sts::111111111111:assumed-role/x is not authorized to perform bedrock:InvokeModel',
    });
    const res = await ask({ stream: false });
    expect(res.statusCode).toBe(503);
    expect(JSON.parse(res.body).error.message).toMatch(/model access.*function role.*SCP/);
    expect(res.body).not.toContain('arn:');
  });

  test('no answer in time => 504', async () => {
    bedrock.reply({ kind: 'hang' });
    const impatient = makeHandler({ ...SETTINGS, timeoutMs: 300 });
    const res = await invoke(impatient, functionUrlEvent({ prompt: PROMPT, stream: false }));
    expect(res.statusCode).toBe(504);
    expect(JSON.parse(res.body).error.code).toBe('timeout');
  });

  test('a stream that breaks midway => the text so far, then an error event, and the stream is ended', async () => {
    bedrock.reply({
      kind: 'stream',
      events: [
        { event: 'messageStart', data: { role: 'assistant' } },
        { event: 'contentBlockDelta', data: { contentBlockIndex: 0, delta: { text: 'Top-p ' } } },
        { exception: 'modelStreamErrorException', message: 'model crashed on host 10.1.2.3' },
      ],
    });
    const res = await ask({});
    expect(res.statusCode).toBe(200);
    const events = parseSse(res.body);
    expect(events.map((e) => e.event)).toEqual(['text', 'error']);
    expect(events[1].data).toEqual({
      error: { code: 'upstream_error', message: 'The model failed while answering.', requestId: 'req-1' },
    });
    expect(res.body).not.toContain('10.1.2.3');
    expect(lastAudit()).toMatchObject({ status: 502, error: 'upstream_error' });
  });

  test('every invocation leaves an SSE-KMS audit record under the records prefix', async () => {
    bedrock.reply(converseAnswer('fine'));
    await ask({ stream: false, template: 'few-shot' });
    const [object] = s3.objects;
    expect(object.path).toMatch(/^\/data-bucket\/records\/invocations\/\d{4}\/\d{2}\/\d{2}\/req-1\.json/);
    expect(object.headers['x-amz-server-side-encryption']).toBe('aws:kms');
    expect(object.headers['x-amz-server-side-encryption-aws-kms-key-id']).toBe(SETTINGS.audit?.kmsKeyArn);
    expect(JSON.parse(object.body)).toMatchObject({
      requestId: 'req-1',
      modelId: 'amazon.nova-micro-v1:0',
      template: 'few-shot',
      status: 200,
      prompt: PROMPT,
      response: 'fine',
      usage: { totalTokens: 19 },
    });
  });

  test('a failed audit write is logged and counted, and the caller still gets the answer', async () => {
    s3.failWith = 403;
    bedrock.reply(converseAnswer('still here'));
    const res = await ask({ stream: false });
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body).text).toBe('still here');
    expect(wire.metrics.AuditWriteFailures).toBe(1);
    expect(logs.some((l) => l.level === 'ERROR' && l.message === 'audit record not written')).toBe(true);
  });

  test('INFO logs never contain the prompt or the answer', () => {
    const info = JSON.stringify(logs.filter((l) => l.level === 'INFO'));
    expect(info.length).toBeGreaterThan(100);
    expect(info).not.toContain('Secret marker 7c1e');
    expect(info).not.toContain('Top-p keeps');
  });

  test('an invalid request never reaches Bedrock', async () => {
    const res = await invoke(handler, functionUrlEvent({ prompt: '' }));
    expect(res.statusCode).toBe(400);
    expect(bedrock.calls).toHaveLength(0);
  });
});
