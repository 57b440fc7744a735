/**
 * A local stand-in for the Bedrock Runtime service, speaking the real wire
 * protocol: cleartext HTTP/2 (BedrockRuntimeClient's default transport), the
 * restJson1 Converse API, and the AWS event-stream framing for ConverseStream
 * (encoded with the SDK's own EventStreamCodec, not by hand).
 *
 * Tests point the real SDK client at it with AWS_ENDPOINT_URL_BEDROCK_RUNTIME
 * and script what each call returns.
 */
import * as http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { EventStreamCodec } from '@smithy/core/event-streams';

const codec = new EventStreamCodec(
  (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8'),
  (text: string) => new Uint8Array(Buffer.from(text, 'utf8')),
);

export interface ReceivedCall {
  readonly path: string;
  readonly body: Record<string, unknown>;
}

/** What one call gets back. */
export type Reply =
  | { readonly kind: 'json'; readonly body: unknown; readonly delayMs?: number }
  | { readonly kind: 'error'; readonly status: number; readonly type: string; readonly message: string }
  | { readonly kind: 'stream'; readonly events: readonly StreamPart[]; readonly gapMs?: number }
  /** Accept the request and never answer. */
  | { readonly kind: 'hang' };

export type StreamPart =
  { readonly event: string; readonly data: unknown } | { readonly exception: string; readonly message: string };

function frame(part: StreamPart): Uint8Array {
  const string = (value: string) => ({ type: 'string' as const, value });
  if ('exception' in part) {
    return codec.encode({
      headers: {
        ':message-type': string('exception'),
        ':exception-type': string(part.exception),
        ':content-type': string('application/json'),
      },
      body: new Uint8Array(Buffer.from(JSON.stringify({ message: part.message }))),
    });
  }
  return codec.encode({
    headers: {
      ':message-type': string('event'),
      ':event-type': string(part.event),
      ':content-type': string('application/json'),
    },
    body: new Uint8Array(Buffer.from(JSON.stringify(part.data))),
  });
}

export class BedrockServer {
  public readonly calls: ReceivedCall[] = [];
  /** Called with performance.now() just before the first text delta of a stream is written (for benchmarks). */
  public onFirstToken?: (at: number) => void;
  private readonly replies: Reply[] = [];
  private readonly server = http2.createServer();
  private readonly sessions = new Set<http2.ServerHttp2Session>();

  /** Forget recorded calls and unused replies. */
  public reset(): void {
    this.calls.length = 0;
    this.replies.length = 0;
  }

  /** Queue the replies for the next calls, in order. */
  public reply(...replies: Reply[]): void {
    this.replies.push(...replies);
  }

  public async start(): Promise<string> {
    this.server.on('session', (session) => {
      this.sessions.add(session);
      session.on('close', () => this.sessions.delete(session));
    });
    this.server.on('stream', (stream, headers) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
        this.calls.push({ path: decodeURIComponent(String(headers[':path'])), body });
        void this.answer(
          stream,
          this.replies.shift() ?? {
            kind: 'error',
            status: 500,
            type: 'InternalServerException',
            message: 'no reply scripted',
          },
        );
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  public async stop(): Promise<void> {
    for (const session of this.sessions) session.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async answer(stream: http2.ServerHttp2Stream, reply: Reply): Promise<void> {
    if (stream.destroyed) return;
    switch (reply.kind) {
      case 'hang':
        return;
      case 'json':
        if (reply.delayMs) await sleep(reply.delayMs);
        if (stream.destroyed) return;
        stream.respond({ ':status': 200, 'content-type': 'application/json' });
        stream.end(JSON.stringify(reply.body));
        return;
      case 'error':
        stream.respond({ ':status': reply.status, 'content-type': 'application/json', 'x-amzn-errortype': reply.type });
        stream.end(JSON.stringify({ message: reply.message }));
        return;
      case 'stream': {
        stream.respond({ ':status': 200, 'content-type': 'application/vnd.amazon.eventstream' });
        let first = true;
        for (const part of reply.events) {
          if (stream.destroyed) return;
          const encoded = frame(part);
          if (first && 'event' in part && part.event === 'contentBlockDelta') {
            first = false;
            this.onFirstToken?.(performance.now());
          }
          stream.write(encoded);
          if (reply.gapMs) await sleep(reply.gapMs);
        }
        stream.end();
        return;
      }
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A normal Converse answer. */
export function converseAnswer(text: string, extra: Record<string, unknown> = {}): Extract<Reply, { kind: 'json' }> {
  return {
    kind: 'json',
    body: {
      output: { message: { role: 'assistant', content: [{ text }] } },
      stopReason: 'end_turn',
      usage: { inputTokens: 12, outputTokens: 7, totalTokens: 19 },
      metrics: { latencyMs: 5 },
      ...extra,
    },
  };
}

/** A normal ConverseStream answer, one delta per piece. */
export function streamAnswer(
  pieces: readonly string[],
  stopReason = 'end_turn',
  trace?: unknown,
): Extract<Reply, { kind: 'stream' }> {
  return {
    kind: 'stream',
    events: [
      { event: 'messageStart', data: { role: 'assistant' } },
      ...pieces.map((text) => ({ event: 'contentBlockDelta', data: { contentBlockIndex: 0, delta: { text } } })),
      { event: 'contentBlockStop', data: { contentBlockIndex: 0 } },
      { event: 'messageStop', data: { stopReason } },
      {
        event: 'metadata',
        data: {
          usage: { inputTokens: 10, outputTokens: pieces.length, totalTokens: 10 + pieces.length },
          metrics: { latencyMs: 3 },
          ...(trace ? { trace } : {}),
        },
      },
    ],
  };
}

/** A guardrail trace in which the input was refused by the prompt-attack filter. */
export const PROMPT_ATTACK_TRACE = {
  guardrail: {
    inputAssessment: {
      abc123: {
        contentPolicy: {
          filters: [
            { type: 'PROMPT_ATTACK', confidence: 'HIGH', filterStrength: 'HIGH', action: 'BLOCKED', detected: true },
          ],
        },
      },
    },
  },
};
