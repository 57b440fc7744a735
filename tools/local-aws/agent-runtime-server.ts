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
import type * as http2 from 'node:http2';
import { answerBasic, type BasicReply, Http2StandIn, type ReceivedCall } from './http2-stand-in';

export type { ReceivedCall };

/** What one call gets back: JSON, an error, or no answer. */
export type RetrieveReply = BasicReply;

/** One passage as a test describes it. */
export interface ScriptedPassage {
  readonly text: string;
  /** The document's key under the data bucket, e.g. knowledge/guardrails.md. */
  readonly key: string;
  readonly score?: number;
}

export class AgentRuntimeServer extends Http2StandIn<RetrieveReply> {
  protected answer(stream: http2.ServerHttp2Stream, reply: RetrieveReply): Promise<void> {
    return answerBasic(stream, reply);
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
