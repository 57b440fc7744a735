/**
 * What the local HTTP/2 stand-ins (Bedrock Runtime, Bedrock Agent Runtime)
 * share: a cleartext HTTP/2 server on a free local port (the default transport
 * of both SDK clients), the calls it received, the scripted replies it gives in
 * order, and the restJson1 answers common to both services (JSON, errors named
 * by the x-amzn-errortype header, no answer at all).
 */
import * as http2 from 'node:http2';
import type { AddressInfo } from 'node:net';

export interface ReceivedCall {
  readonly path: string;
  readonly body: Record<string, unknown>;
}

export type JsonReply = { readonly kind: 'json'; readonly body: unknown; readonly delayMs?: number };
export type ErrorReply = {
  readonly kind: 'error';
  readonly status: number;
  readonly type: string;
  readonly message: string;
};
/** Accept the request and never answer. */
export type HangReply = { readonly kind: 'hang' };
export type BasicReply = JsonReply | ErrorReply | HangReply;

/** What a call gets when the test scripted nothing for it. */
const UNSCRIPTED: ErrorReply = {
  kind: 'error',
  status: 500,
  type: 'InternalServerException',
  message: 'no reply scripted',
};

export abstract class Http2StandIn<R extends { readonly kind: string }> {
  public readonly calls: ReceivedCall[] = [];
  private readonly replies: R[] = [];
  private readonly server = http2.createServer();
  private readonly sessions = new Set<http2.ServerHttp2Session>();

  /** Forget recorded calls and unused replies. */
  public reset(): void {
    this.calls.length = 0;
    this.replies.length = 0;
  }

  /** Queue the replies for the next calls, in order. */
  public reply(...replies: R[]): void {
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
        const call = { path: decodeURIComponent(String(headers[':path'])), body };
        this.calls.push(call);
        void this.answer(stream, this.replyTo(call));
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  public async stop(): Promise<void> {
    for (const session of this.sessions) session.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The reply to a call: by default the next scripted one (or the unscripted error). */
  protected replyTo(_call: ReceivedCall): R | ErrorReply {
    return this.replies.shift() ?? UNSCRIPTED;
  }

  /** Answer one call with its reply. */
  protected abstract answer(stream: http2.ServerHttp2Stream, reply: R | ErrorReply): Promise<void>;
}

/** Answer with JSON, an error, or nothing. */
export async function answerBasic(stream: http2.ServerHttp2Stream, reply: BasicReply): Promise<void> {
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
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
