/**
 * The OpenTelemetry spans of the invoke function's SDK calls
 * (lambda/invoke/tracing.ts): the real BedrockRuntimeClient talking to the
 * local Bedrock stand-in with the middleware in place, spans collected in
 * memory, and finally AWS's X-Ray UDP exporter sending to a real UDP socket
 * standing in for the X-Ray daemon Lambda runs.
 */
import { BedrockRuntimeClient, ConverseCommand, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { AwsXrayUdpSpanExporter } from '@aws/aws-distro-opentelemetry-exporter-xray-udp';
import { invocationContext, quietSends, startTracing, traceAwsCalls } from '../../../lambda/invoke/tracing';
import { BedrockServer, converseAnswer, streamAnswer } from '../../../tools/local-aws/bedrock-server';
import { startXRayDaemon, type XRayDaemon } from '../../support/xray-daemon';

// Lambda's header for a sampled invocation: the trace, the function segment as parent.
const ROOT = '1-6790a1b2-5f0c1e2d3a4b5c6d7e8f9a0b';
/** The same trace id as OpenTelemetry writes it: the X-Ray id without its version and dashes. */
const TRACE_ID = '6790a1b25f0c1e2d3a4b5c6d7e8f9a0b';
const FUNCTION_SEGMENT = '53995c3f42cd8ad8';
const SAMPLED = `Root=${ROOT};Parent=${FUNCTION_SEGMENT};Sampled=1`;
const NOT_SAMPLED = `Root=${ROOT};Parent=${FUNCTION_SEGMENT};Sampled=0`;
const ID = /^[0-9a-f]{16}$/;

const bedrock = new BedrockServer();
const saved = { ...process.env };

beforeAll(async () => {
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: await bedrock.start(),
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'test-secret',
  });
});
afterEach(() => bedrock.reset());
afterAll(async () => {
  await bedrock.stop();
  process.env = saved;
});

const converse = new ConverseCommand({
  modelId: 'amazon.nova-micro-v1:0',
  messages: [{ role: 'user', content: [{ text: 'Say hello' }] }],
});

/** A client whose spans land in memory, for the given tracing header; the outgoing headers in `headers`. */
function tracedClient(header: string | undefined, clientOptions: { maxAttempts?: number } = {}) {
  const exporter = new InMemorySpanExporter();
  const headers: Record<string, string>[] = [];
  const client = traceAwsCalls(new BedrockRuntimeClient(clientOptions), startTracing({}, exporter), () => header);
  // What each attempt really sends, after signing.
  client.middlewareStack.add(
    (next) => async (args) => {
      headers.push({ ...(args.request as { headers: Record<string, string> }).headers });
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'captureHeaders' },
  );
  const spans = (): ReadableSpan[] => exporter.getFinishedSpans();
  return { client, headers, spans };
}

const seconds = ([s, ns]: [number, number]) => s + ns / 1e9;

describe('the invocation context', () => {
  test("Lambda's header becomes the remote parent: its trace, the function segment's id, sampled or not", () => {
    for (const [header, sampled] of [
      [SAMPLED, 1],
      [NOT_SAMPLED, 0],
    ] as const) {
      const context = invocationContext(`${header};Lineage=a87bd80c:1`);
      expect(context).toBeDefined();
      expect(context && trace.getSpanContext(context)).toMatchObject({
        traceId: TRACE_ID,
        spanId: FUNCTION_SEGMENT,
        traceFlags: sampled,
        isRemote: true,
      });
    }
  });

  test('without a header, or one without Root or Parent, there is nothing to hang a span under', () => {
    expect(invocationContext(undefined)).toBeUndefined();
    expect(invocationContext('')).toBeUndefined();
    expect(invocationContext(`Root=${ROOT};Sampled=1`)).toBeUndefined();
    expect(invocationContext(`Parent=${FUNCTION_SEGMENT};Sampled=1`)).toBeUndefined();
  });
});

describe('traceAwsCalls on a real BedrockRuntimeClient against the local stand-in', () => {
  test('a sampled invocation: one CLIENT span per call under the function segment, named as the AWS SDK conventions say, and the call carries it as parent downstream', async () => {
    const { client, headers, spans } = tracedClient(`${SAMPLED};Lineage=a87bd80c:1`);
    bedrock.reply(converseAnswer('hello'), converseAnswer('again'));
    const before = Date.now() / 1000;
    await client.send(converse);
    await client.send(converse);
    const after = Date.now() / 1000;

    const [first, second] = spans();
    expect(spans()).toHaveLength(2);
    expect(first.name).toBe('BedrockRuntime.Converse');
    expect(first.kind).toBe(SpanKind.CLIENT);
    expect(first.spanContext().traceId).toBe(TRACE_ID);
    expect(first.parentSpanId).toBe(FUNCTION_SEGMENT);
    expect(first.attributes).toMatchObject({
      'rpc.system': 'aws-api',
      'rpc.service': 'BedrockRuntime',
      'rpc.method': 'Converse',
      'cloud.region': 'eu-west-1',
      'http.response.status_code': 200,
      'http.status_code': 200,
      'aws.sdk.attempts': 1,
    });
    expect(first.status.code).toBe(SpanStatusCode.UNSET);
    expect(first.resource.attributes['service.name']).toBe('guarded-invoke');
    expect(first.spanContext().spanId).toMatch(ID);
    expect(second.spanContext().spanId).not.toBe(first.spanContext().spanId);
    expect(seconds(first.startTime)).toBeGreaterThanOrEqual(before - 0.001);
    expect(seconds(second.endTime)).toBeLessThanOrEqual(after + 0.001);
    // The header on the wire names our span, not the function segment, and keeps Lambda's Lineage.
    expect(headers[0]['x-amzn-trace-id']).toBe(
      `Root=${ROOT};Parent=${first.spanContext().spanId};Sampled=1;Lineage=a87bd80c:1`,
    );
    expect(Object.keys(headers[0]).filter((name) => name.toLowerCase() === 'x-amzn-trace-id')).toHaveLength(1);
  });

  test('not sampled, or no tracing header (tracing off, or not in Lambda): no span is exported, the header is left alone', async () => {
    for (const header of [NOT_SAMPLED, undefined]) {
      const { client, spans, headers } = tracedClient(header);
      bedrock.reply(converseAnswer('hello'));
      await client.send(converse);
      expect(spans()).toEqual([]);
      // Outside Lambda (no AWS_LAMBDA_FUNCTION_NAME) the SDK adds none either.
      expect(headers[0]['x-amzn-trace-id']).toBeUndefined();
    }
  });

  test('a refused call is an error span with the status and the error type, never the message', async () => {
    const { client, spans } = tracedClient(SAMPLED);
    bedrock.reply({ kind: 'error', status: 400, type: 'ValidationException', message: 'prompt quoted here' });
    await expect(client.send(converse)).rejects.toThrow('prompt quoted here');
    const [span] = spans();
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'ValidationException' });
    expect(span.attributes).toMatchObject({ 'http.response.status_code': 400, 'error.type': 'ValidationException' });
    expect(span.events).toEqual([]);
    expect(JSON.stringify({ attributes: span.attributes, status: span.status })).not.toContain('prompt quoted here');
  });

  test('a server error retried by the SDK is one span, with its attempts', async () => {
    const { client, spans } = tracedClient(SAMPLED, { maxAttempts: 2 });
    const unavailable = { kind: 'error', status: 503, type: 'ServiceUnavailableException', message: 'busy' } as const;
    bedrock.reply(unavailable, unavailable);
    await expect(client.send(converse)).rejects.toThrow('busy');
    expect(bedrock.calls).toHaveLength(2);
    expect(spans()).toHaveLength(1);
    expect(spans()[0].attributes).toMatchObject({
      'http.response.status_code': 503,
      'aws.sdk.attempts': 2,
      'error.type': 'ServiceUnavailableException',
    });
  });

  test('a streamed answer is one span that ends when its stream ends, covering the whole generation', async () => {
    const { client, spans } = tracedClient(SAMPLED);
    bedrock.reply({ ...streamAnswer(['Hel', 'lo', ' there']), gapMs: 30 });
    const out = await client.send(new ConverseStreamCommand({ modelId: 'amazon.nova-micro-v1:0', messages: [] }));
    // The answer's headers are in, its events are not: the span is still open.
    expect(spans()).toEqual([]);
    const texts: string[] = [];
    for await (const event of out.stream ?? [])
      if (event.contentBlockDelta?.delta?.text) texts.push(event.contentBlockDelta.delta.text);
    expect(texts).toEqual(['Hel', 'lo', ' there']);
    const [span] = spans();
    expect(span.name).toBe('BedrockRuntime.ConverseStream');
    // Six events 30 ms apart: the span covers them, not just the first response bytes.
    expect(seconds(span.duration)).toBeGreaterThanOrEqual(0.15);
  });

  test('an exception inside a 200 stream fails the span with its type', async () => {
    const { client, spans } = tracedClient(SAMPLED);
    bedrock.reply({
      kind: 'stream',
      events: [
        { event: 'messageStart', data: { role: 'assistant' } },
        { exception: 'internalServerException', message: 'model crashed' },
      ],
    });
    const out = await client.send(new ConverseStreamCommand({ modelId: 'amazon.nova-micro-v1:0', messages: [] }));
    await expect(
      (async () => {
        for await (const _event of out.stream ?? []) void _event;
      })(),
    ).rejects.toThrow('model crashed');
    expect(spans()).toHaveLength(1);
    expect(spans()[0].status).toEqual({ code: SpanStatusCode.ERROR, message: 'InternalServerException' });
    expect(spans()[0].attributes['http.response.status_code']).toBe(200);
  });

  test('the request id the service returned is recorded', async () => {
    // The stand-in sends no x-amzn-requestid; this sets what the SDK reads from it, once deserialized.
    const { client, spans } = tracedClient(SAMPLED);
    client.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        (result.output as { $metadata: { requestId?: string } }).$metadata.requestId =
          'b7f1e0a4-9c3d-4e2b-8a51-6d0f2c9e7a13';
        return result;
      },
      { step: 'deserialize', priority: 'high', name: 'requestId' },
    );
    bedrock.reply(converseAnswer('hello'));
    await client.send(converse);
    expect(spans()[0].attributes['aws.request_id']).toBe('b7f1e0a4-9c3d-4e2b-8a51-6d0f2c9e7a13');
  });
});

describe("to the X-Ray daemon over UDP, with AWS's exporter", () => {
  let daemon: XRayDaemon;

  beforeAll(async () => {
    daemon = await startXRayDaemon();
  });
  afterAll(() => daemon.close());

  test("with Lambda's environment, each sampled call reaches AWS_XRAY_DAEMON_ADDRESS as one OTLP datagram", async () => {
    const env = {
      AWS_LAMBDA_FUNCTION_NAME: 'GuardedGenAi-GuardedInvoke-InvokeFunction',
      AWS_XRAY_DAEMON_ADDRESS: daemon.address,
    };
    Object.assign(process.env, env);
    // As index.ts does: the exporter finds the daemon in the environment.
    const tracer = startTracing(env);
    let header = SAMPLED;
    const client = traceAwsCalls(new BedrockRuntimeClient({}), tracer, () => header);
    bedrock.reply(converseAnswer('hello'));
    await client.send(converse);

    const [{ protocol, payload, rest, otlp }] = await daemon.received(1);
    expect(rest).toEqual([]);
    expect(protocol).toEqual({ format: 'json', version: 1 });
    // "T1S": OTLP traces, binary, sampled, then the protobuf in base64.
    expect(payload.slice(0, 3)).toBe('T1S');
    expect(otlp).toContain('BedrockRuntime.Converse');
    expect(otlp).toContain(env.AWS_LAMBDA_FUNCTION_NAME);
    expect(otlp).toContain(Buffer.from(TRACE_ID, 'hex').toString('latin1'));

    // The next invocation is not sampled: nothing more arrives.
    header = NOT_SAMPLED;
    bedrock.reply(converseAnswer('hello'));
    await client.send(converse);
    await new Promise((r) => setTimeout(r, 100));
    expect(daemon.datagrams).toHaveLength(1);
  });

  test('a send that fails (here a datagram over the 64 KB UDP limit) is dropped, never thrown where nothing can catch it', async () => {
    const exporter = quietSends(new AwsXrayUdpSpanExporter(daemon.address));
    const tracer = startTracing({}, exporter);
    const crashes: unknown[] = [];
    const onCrash = (error: unknown) => crashes.push(error);
    process.on('uncaughtException', onCrash);
    try {
      const before = daemon.datagrams.length;
      const span = tracer.startSpan('big', {}, invocationContext(SAMPLED));
      span.setAttribute('padding', 'x'.repeat(70_000));
      span.end();
      // A small span afterwards still goes out: the socket survived.
      tracer.startSpan('small', {}, invocationContext(SAMPLED)).end();
      await daemon.received(before + 1);
      await new Promise((r) => setTimeout(r, 100));
      expect(crashes).toEqual([]);
      expect(daemon.datagrams.length).toBe(before + 1);
    } finally {
      process.off('uncaughtException', onCrash);
    }
  });
});
