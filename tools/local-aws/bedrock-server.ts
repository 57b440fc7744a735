/**
 * A local stand-in for the Bedrock Runtime service, speaking the real wire
 * protocol: cleartext HTTP/2 (BedrockRuntimeClient's default transport), the
 * restJson1 Converse API, and the AWS event-stream framing for ConverseStream
 * (encoded with the SDK's own EventStreamCodec, not by hand).
 *
 * Tests point the real SDK client at it with AWS_ENDPOINT_URL_BEDROCK_RUNTIME
 * and script what each call returns.
 */
import type * as http2 from 'node:http2';
import { EventStreamCodec } from '@smithy/core/event-streams';
import { answerBasic, type BasicReply, Http2StandIn, type ReceivedCall, sleep } from './http2-stand-in';

export type { ReceivedCall };

const codec = new EventStreamCodec(
  (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8'),
  (text: string) => new Uint8Array(Buffer.from(text, 'utf8')),
);

/** What one call gets back. */
export type Reply =
  BasicReply | { readonly kind: 'stream'; readonly events: readonly StreamPart[]; readonly gapMs?: number };

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

export class BedrockServer extends Http2StandIn<Reply> {
  /** Called with performance.now() just before the first text delta of a stream is written (for benchmarks). */
  public onFirstToken?: (at: number) => void;

  protected async answer(stream: http2.ServerHttp2Stream, reply: Reply): Promise<void> {
    if (reply.kind !== 'stream') return answerBasic(stream, reply);
    if (stream.destroyed) return;
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
  }
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
