/**
 * The X-Ray subsegments of the invoke function's SDK calls (lambda/invoke/xray.ts):
 * the segment document itself, then the real BedrockRuntimeClient talking to
 * the local Bedrock stand-in with the middleware in place, and finally a real
 * UDP socket standing in for the X-Ray daemon Lambda runs.
 */
import * as dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { BedrockRuntimeClient, ConverseCommand, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import {
  type AwsCall,
  type TraceContext,
  DAEMON_HEADER,
  daemonAddress,
  parseTraceHeader,
  subsegmentDocument,
  traceAwsCalls,
} from '../../../lambda/invoke/xray';
import { BedrockServer, converseAnswer, streamAnswer } from '../../../tools/local-aws/bedrock-server';

// Lambda's header for a sampled invocation: the trace, the function segment as parent.
const ROOT = '1-6790a1b2-5f0c1e2d3a4b5c6d7e8f9a0b';
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

/** A client whose subsegments land in `sent`, for the given tracing header; the outgoing headers in `headers`. */
function tracedClient(header: string | undefined, clientOptions: { maxAttempts?: number } = {}) {
  const sent: string[] = [];
  const headers: Record<string, string>[] = [];
  const client = traceAwsCalls(new BedrockRuntimeClient(clientOptions), {
    emit: (message) => void sent.push(message),
    traceHeader: () => header,
  });
  // What each attempt really sends, after signing.
  client.middlewareStack.add(
    (next) => async (args) => {
      headers.push({ ...(args.request as { headers: Record<string, string> }).headers });
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'captureHeaders' },
  );
  const documents = () =>
    sent.map((message) => {
      expect(message.startsWith(DAEMON_HEADER)).toBe(true);
      return JSON.parse(message.slice(DAEMON_HEADER.length)) as Record<string, unknown>;
    });
  return { client, sent, headers, documents };
}

describe('the tracing header', () => {
  test('parses Root, Parent, Sampled and keeps other fields to pass on', () => {
    expect(parseTraceHeader(`${SAMPLED};Lineage=a87bd80c:1`)).toEqual({
      root: ROOT,
      parent: FUNCTION_SEGMENT,
      sampled: true,
      extra: ['Lineage=a87bd80c:1'],
    });
    expect(parseTraceHeader(NOT_SAMPLED)?.sampled).toBe(false);
  });

  test('without Root or Parent there is nothing to attach a subsegment to', () => {
    expect(parseTraceHeader(undefined)).toBeUndefined();
    expect(parseTraceHeader('')).toBeUndefined();
    expect(parseTraceHeader(`Root=${ROOT};Sampled=1`)).toBeUndefined();
    expect(parseTraceHeader(`Parent=${FUNCTION_SEGMENT};Sampled=1`)).toBeUndefined();
  });

  test('the daemon address is host:port, or the udp: part of a udp/tcp pair', () => {
    expect(daemonAddress('169.254.79.129:2000')).toEqual({ host: '169.254.79.129', port: 2000 });
    expect(daemonAddress('tcp:127.0.0.1:2000 udp:127.0.0.2:2001')).toEqual({ host: '127.0.0.2', port: 2001 });
    expect(daemonAddress(undefined)).toBeUndefined();
    expect(daemonAddress('localhost')).toBeUndefined();
    expect(daemonAddress('127.0.0.1:99999')).toBeUndefined();
  });
});

describe('the subsegment document', () => {
  const trace = parseTraceHeader(SAMPLED) as TraceContext;
  const call: AwsCall = {
    service: 'BedrockRuntime',
    operation: 'Converse',
    region: 'eu-west-1',
    start: 1_737_000_000_123,
    end: 1_737_000_000_987,
    status: 200,
    requestId: '3f1c9a52-0d4e-4c8b-9d61-2a7e5b0c8f11',
    attempts: 1,
  };

  test('a successful call: a separately sent subsegment under the function segment, in epoch seconds', () => {
    expect(subsegmentDocument(trace, 'aaaaaaaaaaaaaaaa', call)).toEqual({
      type: 'subsegment',
      name: 'BedrockRuntime',
      id: 'aaaaaaaaaaaaaaaa',
      trace_id: ROOT,
      parent_id: FUNCTION_SEGMENT,
      start_time: 1_737_000_000.123,
      end_time: 1_737_000_000.987,
      namespace: 'aws',
      aws: {
        operation: 'Converse',
        region: 'eu-west-1',
        request_id: '3f1c9a52-0d4e-4c8b-9d61-2a7e5b0c8f11',
        retries: 0,
      },
      http: { response: { status: 200 } },
    });
  });

  test.each([
    ['a 400 is the caller’s error', { status: 400, error: 'ValidationException' }, { error: true }],
    [
      'a 429 is an error and a throttle',
      { status: 429, error: 'ThrottlingException' },
      { error: true, throttle: true },
    ],
    ['a 500 is a fault', { status: 500, error: 'InternalServerException', serverFault: true }, { fault: true }],
    ['no answer at all is a fault', { status: undefined, error: 'TimeoutError' }, { fault: true }],
    [
      'a server error inside a 200 stream is a fault',
      { error: 'InternalServerException', serverFault: true },
      { fault: true },
    ],
  ])('%s', (_name, failure, flags) => {
    const document = subsegmentDocument(trace, 'aaaaaaaaaaaaaaaa', { ...call, ...failure });
    for (const flag of ['error', 'throttle', 'fault']) {
      expect([flag, document[flag]]).toEqual([flag, (flags as Record<string, boolean>)[flag]]);
    }
    // The exception's type only: an AWS error message can quote the prompt.
    expect(document.cause).toEqual({
      exceptions: [{ id: expect.stringMatching(ID), type: failure.error, remote: true }],
    });
  });
});

describe('traceAwsCalls on a real BedrockRuntimeClient against the local stand-in', () => {
  test('a sampled invocation: one subsegment per call, and the call carries it as parent downstream', async () => {
    const { client, headers, documents } = tracedClient(`${SAMPLED};Lineage=a87bd80c:1`);
    bedrock.reply(converseAnswer('hello'), converseAnswer('again'));
    const before = Date.now() / 1000;
    await client.send(converse);
    await client.send(converse);
    const after = Date.now() / 1000;

    const [first, second] = documents();
    expect(documents()).toHaveLength(2);
    expect(first).toMatchObject({
      type: 'subsegment',
      name: 'BedrockRuntime',
      trace_id: ROOT,
      parent_id: FUNCTION_SEGMENT,
      namespace: 'aws',
      aws: { operation: 'Converse', region: 'eu-west-1', retries: 0 },
      http: { response: { status: 200 } },
    });
    expect(first.id).toMatch(ID);
    expect(second.id).not.toBe(first.id);
    expect(first.start_time).toBeGreaterThanOrEqual(before);
    expect(first.end_time).toBeGreaterThanOrEqual(first.start_time as number);
    expect(second.end_time).toBeLessThanOrEqual(after);
    expect(first).not.toHaveProperty('error');
    expect(first).not.toHaveProperty('fault');
    // The header on the wire names our subsegment, not the function segment.
    expect(headers[0]['X-Amzn-Trace-Id']).toBe(`Root=${ROOT};Parent=${first.id};Sampled=1;Lineage=a87bd80c:1`);
  });

  test('not sampled, or no tracing header (tracing off, or not in Lambda): nothing is sent, the header is left alone', async () => {
    for (const header of [NOT_SAMPLED, undefined]) {
      const { client, sent, headers } = tracedClient(header);
      bedrock.reply(converseAnswer('hello'));
      await client.send(converse);
      expect(sent).toEqual([]);
      // Outside Lambda (no AWS_LAMBDA_FUNCTION_NAME) the SDK adds none either.
      expect(headers[0]['X-Amzn-Trace-Id']).toBeUndefined();
    }
  });

  test('a refused call is flagged as an error, with the status and the exception type', async () => {
    const { client, documents } = tracedClient(SAMPLED);
    bedrock.reply({ kind: 'error', status: 400, type: 'ValidationException', message: 'prompt quoted here' });
    await expect(client.send(converse)).rejects.toThrow('prompt quoted here');
    const [document] = documents();
    expect(document).toMatchObject({ error: true, http: { response: { status: 400 } }, aws: { retries: 0 } });
    expect(document).not.toHaveProperty('fault');
    expect(JSON.stringify(document)).not.toContain('prompt quoted here');
  });

  test('a server error retried by the SDK is one subsegment, a fault, with its retries', async () => {
    const { client, documents } = tracedClient(SAMPLED, { maxAttempts: 2 });
    const unavailable = { kind: 'error', status: 503, type: 'ServiceUnavailableException', message: 'busy' } as const;
    bedrock.reply(unavailable, unavailable);
    await expect(client.send(converse)).rejects.toThrow('busy');
    expect(bedrock.calls).toHaveLength(2);
    expect(documents()).toHaveLength(1);
    expect(documents()[0]).toMatchObject({
      fault: true,
      http: { response: { status: 503 } },
      aws: { retries: 1 },
      cause: { exceptions: [{ type: 'ServiceUnavailableException', remote: true }] },
    });
  });

  test('a streamed answer is recorded when its stream ends, covering the whole generation', async () => {
    const { client, sent, documents } = tracedClient(SAMPLED);
    bedrock.reply({ ...streamAnswer(['Hel', 'lo', ' there']), gapMs: 30 });
    const out = await client.send(new ConverseStreamCommand({ modelId: 'amazon.nova-micro-v1:0', messages: [] }));
    // The answer's headers are in, its events are not: nothing recorded yet.
    expect(sent).toEqual([]);
    const texts: string[] = [];
    for await (const event of out.stream ?? [])
      if (event.contentBlockDelta?.delta?.text) texts.push(event.contentBlockDelta.delta.text);
    const end = Date.now() / 1000;
    expect(texts).toEqual(['Hel', 'lo', ' there']);
    const [document] = documents();
    expect(document).toMatchObject({ aws: { operation: 'ConverseStream' }, http: { response: { status: 200 } } });
    // Six events 30 ms apart: the subsegment spans them, not just the first response bytes.
    expect((document.end_time as number) - (document.start_time as number)).toBeGreaterThanOrEqual(0.15);
    expect(document.end_time as number).toBeLessThanOrEqual(end);
  });

  // The SDK's own classification: Bedrock models ModelStreamErrorException as the client's, InternalServerException as the server's.
  test.each([
    ['internalServerException', 'InternalServerException', 'fault'],
    ['modelStreamErrorException', 'ModelStreamErrorException', 'error'],
  ])('an %s inside a 200 stream flags the subsegment (%s => %s)', async (exception, type, flag) => {
    const { client, documents } = tracedClient(SAMPLED);
    bedrock.reply({
      kind: 'stream',
      events: [
        { event: 'messageStart', data: { role: 'assistant' } },
        { exception, message: 'model crashed' },
      ],
    });
    const out = await client.send(new ConverseStreamCommand({ modelId: 'amazon.nova-micro-v1:0', messages: [] }));
    await expect(
      (async () => {
        for await (const _event of out.stream ?? []) void _event;
      })(),
    ).rejects.toThrow('model crashed');
    const [document] = documents();
    expect(documents()).toHaveLength(1);
    expect(document).toMatchObject({
      [flag]: true,
      http: { response: { status: 200 } },
      cause: { exceptions: [expect.objectContaining({ type })] },
    });
    expect(document).not.toHaveProperty(flag === 'fault' ? 'error' : 'fault');
  });

  test('the request id the service returned is recorded', async () => {
    // The stand-in sends no x-amzn-requestid; this sets what the SDK reads from it, once deserialized.
    const { client, documents } = tracedClient(SAMPLED);
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
    expect(documents()[0]).toMatchObject({ aws: { request_id: 'b7f1e0a4-9c3d-4e2b-8a51-6d0f2c9e7a13' } });
  });
});

describe('to the X-Ray daemon over UDP', () => {
  let daemon: dgram.Socket;
  const datagrams: Buffer[] = [];

  beforeAll(async () => {
    daemon = dgram.createSocket('udp4');
    daemon.on('message', (message) => datagrams.push(message));
    await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => daemon.close(() => resolve())));

  const received = async (count: number) => {
    for (let i = 0; i < 100 && datagrams.length < count; i++) await new Promise((r) => setTimeout(r, 10));
    return datagrams.map((d) => d.toString('utf8'));
  };

  test('with Lambda’s environment, each sampled call is one datagram: the daemon header, then the subsegment', async () => {
    process.env.AWS_XRAY_DAEMON_ADDRESS = `127.0.0.1:${(daemon.address() as AddressInfo).port}`;
    process.env._X_AMZN_TRACE_ID = SAMPLED;
    // As index.ts does: the default daemon sender and the header from the environment.
    const client = traceAwsCalls(new BedrockRuntimeClient({}));
    bedrock.reply(converseAnswer('hello'));
    await client.send(converse);

    const [message] = await received(1);
    const [header, body, ...rest] = message.split('\n');
    expect(`${header}\n`).toBe(DAEMON_HEADER);
    expect(rest).toEqual([]);
    expect(JSON.parse(header)).toEqual({ format: 'json', version: 1 });
    expect(JSON.parse(body)).toMatchObject({
      type: 'subsegment',
      name: 'BedrockRuntime',
      trace_id: ROOT,
      parent_id: FUNCTION_SEGMENT,
      aws: { operation: 'Converse' },
    });

    // The next invocation is not sampled: nothing more arrives.
    process.env._X_AMZN_TRACE_ID = NOT_SAMPLED;
    bedrock.reply(converseAnswer('hello'));
    await client.send(converse);
    await new Promise((r) => setTimeout(r, 100));
    expect(datagrams).toHaveLength(1);
  });
});
