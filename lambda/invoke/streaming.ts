import type { Writable } from 'node:stream';
import type { Context } from 'aws-lambda';

/**
 * The response-streaming contract of the Lambda Node.js runtime: the runtime
 * provides `awslambda` as a global (typed by @types/aws-lambda); tests install
 * a stand-in with the same behaviour (tools/local-aws/lambda-runtime.ts).
 */
export type ResponseStream = awslambda.HttpResponseStream;
export type StreamingHandler<E> = (
  event: E,
  responseStream: ResponseStream,
  context: Pick<Context, 'awsRequestId'>,
) => Promise<void>;

/** Write one chunk and wait until the runtime has taken it (back-pressure). */
export function write(stream: Writable, chunk: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(chunk, (error) => (error ? reject(error) : resolve()));
  });
}

/** End the stream and wait for it to finish. */
export function end(stream: Writable): Promise<void> {
  return new Promise((resolve) => stream.end(resolve));
}

/** One server-sent event: `event: <name>` and one line of JSON data. */
export function sse(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
