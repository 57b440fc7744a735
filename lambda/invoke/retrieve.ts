/**
 * Retrieval from the deployment's Bedrock knowledge base, and the grounding
 * source and citations built from what comes back.
 *
 * Only types are imported statically: the Bedrock Agent Runtime client and
 * its command are loaded by the first request that asks for retrieval
 * (agent-runtime.ts, through lazy.ts, here and in index.ts), so a plain
 * request never evaluates them.
 */
import type {
  BedrockAgentRuntimeClient,
  KnowledgeBaseRetrievalResult,
  RetrieveCommandInput,
} from '@aws-sdk/client-bedrock-agent-runtime';
import { loadAgentRuntime } from './lazy';
import { MAX_GROUNDING_CHARS } from './request';

/** Longest passage text returned to the caller in one citation. */
export const MAX_CITATION_PASSAGE_CHARS = 1000;

/** The answer, and its stop reason, when nothing in the knowledge base matched (the model is not called). */
export const NO_PASSAGES_ANSWER =
  'Nothing in the knowledge base matches this question, so there is no grounded answer to give.';
export const NO_PASSAGES_STOP_REASON = 'no_passages';

/** One retrieved passage as the model sees it (numbered [index] in the grounding source). */
export interface Citation {
  readonly index: number;
  /** Where the passage came from: the S3 URI of the document under knowledge/. */
  readonly location: string;
  /** The passage text, shortened to MAX_CITATION_PASSAGE_CHARS for the caller. */
  readonly passage: string;
  /** The relevance score the knowledge base gave it. */
  readonly score?: number;
}

/** What retrieval produced for one request. */
export interface Retrieval {
  /** Passages numbered [1]..[n] with their locations, within MAX_GROUNDING_CHARS; empty when none matched. */
  readonly groundingSource: string;
  /** The passages in the grounding source, in the same order. */
  readonly citations: readonly Citation[];
  /** How long Retrieve took, in milliseconds. */
  readonly latencyMs: number;
}

/**
 * The Retrieve request for a prompt. Exported so a benchmark can send the very
 * same request with the raw SDK client.
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_agent-runtime_Retrieve.html
 */
export function retrieveInput(knowledgeBaseId: string, prompt: string, numberOfResults: number): RetrieveCommandInput {
  return {
    knowledgeBaseId,
    retrievalQuery: { text: prompt },
    retrievalConfiguration: { vectorSearchConfiguration: { numberOfResults } },
  };
}

/** Retrieve passages for the prompt; errors are thrown as the SDK raised them (errors.ts maps them). */
export async function retrieve(
  client: BedrockAgentRuntimeClient,
  input: RetrieveCommandInput,
  abortSignal: AbortSignal,
  now: () => number = Date.now,
): Promise<Retrieval> {
  const { RetrieveCommand } = loadAgentRuntime();
  const started = now();
  const output = await client.send(new RetrieveCommand(input), { abortSignal });
  return { ...groundingFrom(output.retrievalResults ?? []), latencyMs: now() - started };
}

function locationOf(result: KnowledgeBaseRetrievalResult): string {
  const location = result.location;
  return location?.s3Location?.uri ?? location?.webLocation?.url ?? location?.type ?? 'unknown';
}

/**
 * Number the passages that carry text and join them, each under its
 * location, until MAX_GROUNDING_CHARS is reached (the last one that fits in
 * part is cut; later ones are dropped and not cited).
 */
export function groundingFrom(results: readonly KnowledgeBaseRetrievalResult[]): Omit<Retrieval, 'latencyMs'> {
  const parts: string[] = [];
  const citations: Citation[] = [];
  let used = 0;
  for (const result of results) {
    const text = result.content?.text?.trim();
    if (!text) continue;
    const index = citations.length + 1;
    const location = locationOf(result);
    const header = `${parts.length ? '\n\n' : ''}[${index}] ${location}\n`;
    const room = MAX_GROUNDING_CHARS - used - header.length;
    // Less than a sentence of room left: a stub passage would only add noise.
    if (room < 80) break;
    const body = text.length > room ? text.slice(0, room) : text;
    parts.push(header + body);
    used += header.length + body.length;
    citations.push({
      index,
      location,
      passage: text.length > MAX_CITATION_PASSAGE_CHARS ? `${text.slice(0, MAX_CITATION_PASSAGE_CHARS - 1)}…` : text,
      score: result.score,
    });
  }
  return { groundingSource: parts.join(''), citations };
}

/** The distinct documents cited, for the audit record (locations only, never passage text). */
export function citedDocuments(citations: readonly Citation[]): string[] {
  return [...new Set(citations.map((c) => c.location))];
}
