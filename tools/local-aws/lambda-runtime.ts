/**
 * A stand-in for the response-streaming contract of the Lambda Node.js runtime.
 *
 * In Lambda, `awslambda.streamifyResponse(handler)` marks a handler as
 * streaming and `awslambda.HttpResponseStream.from(stream, metadata)` writes
 * the HTTP status and headers as a JSON prelude followed by eight NUL bytes,
 * then the body. The Function URL turns that into an HTTP response. This shim
 * does the same, and `invoke` splits the prelude from the body again, keeping
 * each written chunk with the time it arrived.
 */
import { Writable } from 'node:stream';
import type { Context, LambdaFunctionURLEvent } from 'aws-lambda';
import type { ResponseStream } from '../../lambda/invoke/streaming';

const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const DELIMITER = Buffer.alloc(8);

class CollectingStream extends Writable {
  public readonly chunks: { at: number; data: Buffer }[] = [];
  public contentType?: string;

  public setContentType(contentType: string): void {
    this.contentType = contentType;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.chunks.push({ at: performance.now(), data: Buffer.from(chunk) });
    callback();
  }
}

export function installLambdaRuntime(): void {
  (globalThis as unknown as { awslambda: unknown }).awslambda = {
    streamifyResponse: <T extends object>(handler: T) => Object.assign(handler, { [STREAMING]: 'response' }),
    HttpResponseStream: {
      from(stream: CollectingStream, metadata: { statusCode: number; headers?: Record<string, string> }) {
        stream.setContentType('application/vnd.awslambda.http-integration-response');
        stream.write(Buffer.from(JSON.stringify(metadata)));
        stream.write(DELIMITER);
        return stream;
      },
    },
  };
}

export interface StreamedResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** Body chunks as the handler wrote them, with arrival times (ms). */
  readonly chunks: readonly { at: number; text: string }[];
  readonly streaming: boolean;
}

type Handler = (event: LambdaFunctionURLEvent, stream: ResponseStream, context: Context) => unknown;

/** Invoke a streamified handler the way the Function URL does, and read the HTTP response back. */
export async function invoke(
  handler: Handler,
  event: LambdaFunctionURLEvent,
  requestId = 'req-1',
): Promise<StreamedResponse> {
  const stream = new CollectingStream();
  await handler(event, stream as unknown as ResponseStream, { awsRequestId: requestId } as Context);
  if (!stream.writableEnded) throw new Error('the handler did not end the response stream');
  const all = Buffer.concat(stream.chunks.map((c) => c.data));
  const split = all.indexOf(DELIMITER);
  if (split < 0) throw new Error('no HTTP prelude was written');
  const prelude = JSON.parse(all.subarray(0, split).toString('utf8'));
  let seen = 0;
  const chunks: { at: number; text: string }[] = [];
  for (const c of stream.chunks) {
    seen += c.data.length;
    if (seen > split + DELIMITER.length) chunks.push({ at: c.at, text: c.data.toString('utf8') });
  }
  return {
    statusCode: prelude.statusCode,
    headers: prelude.headers ?? {},
    body: all.subarray(split + DELIMITER.length).toString('utf8'),
    chunks,
    streaming: (handler as unknown as Record<symbol, unknown>)[STREAMING] === 'response',
  };
}

/** A Function URL event (payload format 2.0) as Lambda delivers it. */
export function functionUrlEvent(
  body: unknown,
  overrides: Partial<LambdaFunctionURLEvent> = {},
): LambdaFunctionURLEvent {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/',
    rawQueryString: '',
    headers: { 'content-type': 'application/json', host: 'abc.lambda-url.eu-west-1.on.aws' },
    requestContext: {
      accountId: '111111111111',
      apiId: 'abc',
      domainName: 'abc.lambda-url.eu-west-1.on.aws',
      domainPrefix: 'abc',
      http: { method: 'POST', path: '/', protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'test' },
      requestId: 'req-1',
      routeKey: '$default',
      stage: '$default',
      time: '29/Nov/2026:16:00:00 +0000',
      timeEpoch: 1795968000000,
    },
    body: Buffer.from(text).toString('base64'),
    isBase64Encoded: true,
    ...overrides,
  } as LambdaFunctionURLEvent;
}

/** Split a server-sent-events body into its events. */
export function parseSse(body: string): { event: string; data: Record<string, unknown> }[] {
  return body
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? '';
      const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null');
      return { event, data };
    });
}
