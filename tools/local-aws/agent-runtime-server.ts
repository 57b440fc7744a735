/**
 * A local stand-in for the Bedrock Agent Runtime service (knowledge-base
 * Retrieve), speaking the real wire protocol: cleartext HTTP/2, which is
 * BedrockAgentRuntimeClient's default transport (NodeHttp2Handler in the
 * client's runtimeConfig), and restJson1 (POST /knowledgebases/{id}/retrieve,
 * errors named by the x-amzn-errortype header).
 *
 * Tests point the real SDK client at it with
 * AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME and script what each call returns.
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_agent-runtime_Retrieve.html
 */
import * as http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { ReceivedCall } from './bedrock-server';

export type { ReceivedCall };

/** What one call gets back. */
export type RetrieveReply =
  | { readonly kind: 'json'; readonly body: unknown; readonly delayMs?: number }
  | { readonly kind: 'error'; readonly status: number; readonly type: string; readonly message: string }
  /** Accept the request and never answer. */
  | { readonly kind: 'hang' };

/** One passage as a test describes it. */
export interface ScriptedPassage {
  readonly text: string;
  /** The document's key under the data bucket, e.g. knowledge/guardrails.md. */
  readonly key: string;
  readonly score?: number;
}

export class AgentRuntimeServer {
  public readonly calls: ReceivedCall[] = [];
  private readonly replies: RetrieveReply[] = [];
  private readonly server = http2.createServer();
  private readonly sessions = new Set<http2.ServerHttp2Session>();

  /** Forget recorded calls and unused replies. */
  public reset(): void {
    this.calls.length = 0;
    this.replies.length = 0;
  }

  /** Queue the replies for the next calls, in order. */
  public reply(...replies: RetrieveReply[]): void {
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

  private async answer(stream: http2.ServerHttp2Stream, reply: RetrieveReply): Promise<void> {
    if (stream.destroyed) return;
    switch (reply.kind) {
      case 'hang':
        return;
      case 'json':
        if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
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
}

/**
 * A Retrieve answer with these passages, shaped as a knowledge base with an S3
 * data source returns them (text content, S3 location, score, Bedrock's own
 * metadata keys).
 */
export function retrieveAnswer(
  passages: readonly ScriptedPassage[],
  bucket = 'data-bucket',
): Extract<RetrieveReply, { kind: 'json' }> {
  return {
    kind: 'json',
    body: {
      retrievalResults: passages.map((p, i) => ({
        content: { type: 'TEXT', text: p.text },
        location: { type: 'S3', s3Location: { uri: `s3://${bucket}/${p.key}` } },
        score: p.score ?? 0.8 - i * 0.05,
        metadata: {
          'x-amz-bedrock-kb-source-uri': `s3://${bucket}/${p.key}`,
          'x-amz-bedrock-kb-chunk-id': `chunk-${i + 1}`,
          'x-amz-bedrock-kb-data-source-id': 'DS12345678',
        },
      })),
    },
  };
}

/** Two short passages from the project's own docs (the sample corpus's kind of text). */
export const SAMPLE_PASSAGES: readonly ScriptedPassage[] = [
  {
    key: 'knowledge/docs/guardrails.md',
    text: 'The contextual grounding check compares the answer with the grounding source and blocks answers whose grounding score is below the threshold.',
    score: 0.71,
  },
  {
    key: 'knowledge/docs/ingestion.md',
    text: 'Documents land under incoming/ and are copied to knowledge/ only after a clean malware scan and a guardrail check.',
    score: 0.64,
  },
];
