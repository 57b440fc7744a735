import {
  ApplyGuardrailCommand,
  type ApplyGuardrailResponse,
  type BedrockRuntimeClient,
  type GuardrailAssessment,
} from '@aws-sdk/client-bedrock-runtime';
import type { Logger } from './errors';

/**
 * The text check: the project guardrail's sensitive-information policy on the
 * document's text, with source OUTPUT, because indexed text comes back to
 * users in answers and citations, where the output side of the guardrail is
 * the one that applies.
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ApplyGuardrail.html
 */

/**
 * Largest text file checked, in bytes. At the guardrail's default rate of 25
 * text units (of 1,000 characters) per second, 1 MiB takes about 45 s of
 * ApplyGuardrail quota; larger files are refused rather than left half-checked.
 */
export const MAX_TEXT_BYTES = 1024 * 1024;

/**
 * Characters sent in one ApplyGuardrail request: 25 text units of 1,000
 * characters, the per-request size AWS uses for long inputs
 * (https://aws.amazon.com/blogs/machine-learning/use-the-applyguardrail-api-with-long-context-inputs-and-streaming-outputs-in-amazon-bedrock/).
 */
export const CHUNK_CHARS = 25_000;

export type TextVerdict =
  /** Nothing the policy acts on: promote the original version. */
  | { readonly kind: 'clean' }
  /** Only masked entities: promote the guardrail's masked text, which is what an answer would show. */
  | { readonly kind: 'masked'; readonly text: string; readonly entityTypes: string[]; readonly regexNames: string[] }
  /** An entity or pattern the policy blocks: refuse. Types and names only, never the matched text. */
  | { readonly kind: 'blocked'; readonly entityTypes: string[]; readonly regexNames: string[] };

/**
 * Split text into pieces of at most `max` characters, cutting after a line
 * break (or else a space) in the last fifth of each piece, so that an entity
 * such as a phone number or an address is rarely cut in two. The pieces
 * joined give the text back exactly.
 */
export function splitText(text: string, max = CHUNK_CHARS): string[] {
  const pieces: string[] = [];
  const floor = Math.floor(max * 0.8);
  let start = 0;
  while (text.length - start > max) {
    let cut = text.lastIndexOf('\n', start + max - 1) + 1 - start;
    if (cut <= floor) {
      cut = 0;
      for (let i = max - 1; i > floor; i--) {
        if (/\s/.test(text[start + i])) {
          cut = i + 1;
          break;
        }
      }
    }
    if (cut <= floor) {
      cut = max;
      // Never split a surrogate pair (one character outside the BMP).
      const code = text.charCodeAt(start + cut - 1);
      if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
    }
    pieces.push(text.slice(start, start + cut));
    start += cut;
  }
  pieces.push(text.slice(start));
  return pieces;
}

/** Whether a policy other than sensitive information blocked: the output is then the blocked message, not masked text. */
function otherPolicyBlocked(assessment: GuardrailAssessment): boolean {
  const actions = [
    ...(assessment.contentPolicy?.filters ?? []),
    ...(assessment.topicPolicy?.topics ?? []),
    ...(assessment.wordPolicy?.customWords ?? []),
    ...(assessment.wordPolicy?.managedWordLists ?? []),
  ].map((entry) => entry.action);
  return actions.includes('BLOCKED');
}

interface PieceFindings {
  blockedTypes: Set<string>;
  blockedRegexes: Set<string>;
  maskedTypes: Set<string>;
  maskedRegexes: Set<string>;
}

function findings(response: ApplyGuardrailResponse, into: PieceFindings): { masked: boolean; otherBlocked: boolean } {
  let masked = false;
  let otherBlocked = false;
  for (const assessment of response.assessments ?? []) {
    const policy = assessment.sensitiveInformationPolicy;
    for (const entity of policy?.piiEntities ?? []) {
      const type = entity.type ?? 'UNKNOWN';
      if (entity.action === 'BLOCKED') into.blockedTypes.add(type);
      if (entity.action === 'ANONYMIZED') {
        into.maskedTypes.add(type);
        masked = true;
      }
    }
    for (const regex of policy?.regexes ?? []) {
      const name = regex.name ?? 'unnamed';
      if (regex.action === 'BLOCKED') into.blockedRegexes.add(name);
      if (regex.action === 'ANONYMIZED') {
        into.maskedRegexes.add(name);
        masked = true;
      }
    }
    otherBlocked ||= otherPolicyBlocked(assessment);
  }
  return { masked, otherBlocked };
}

export interface GuardrailSettings {
  readonly guardrailArn: string;
  readonly guardrailVersion: string;
}

/** Check the text piece by piece; stops at the first piece the policy blocks. */
export async function checkText(
  bedrock: Pick<BedrockRuntimeClient, 'send'>,
  settings: GuardrailSettings,
  text: string,
  logger: Logger,
): Promise<TextVerdict> {
  const found: PieceFindings = {
    blockedTypes: new Set(),
    blockedRegexes: new Set(),
    maskedTypes: new Set(),
    maskedRegexes: new Set(),
  };
  const blocked = () => ({
    kind: 'blocked' as const,
    entityTypes: [...found.blockedTypes].sort(),
    regexNames: [...found.blockedRegexes].sort(),
  });
  const out: string[] = [];
  let anyMasked = false;
  const pieces = text.length === 0 ? [] : splitText(text);
  for (const [index, piece] of pieces.entries()) {
    const response = await bedrock.send(
      new ApplyGuardrailCommand({
        guardrailIdentifier: settings.guardrailArn,
        guardrailVersion: settings.guardrailVersion,
        source: 'OUTPUT',
        content: [{ text: { text: piece } }],
      }),
    );
    const { masked, otherBlocked } = findings(response, found);
    if (found.blockedTypes.size > 0 || found.blockedRegexes.size > 0) return blocked();
    const maskedText = response.outputs?.map((output) => output.text ?? '').join('');
    if (masked && (otherBlocked || !maskedText)) {
      // Another policy replaced the piece with its blocked message, so the
      // masked text is not available; indexing the original would hold what
      // an answer must mask. Refuse instead.
      logger.warn('Masked text unavailable for a piece; refusing the document', {
        piece: index,
        otherPolicyBlocked: otherBlocked,
      });
      for (const type of found.maskedTypes) found.blockedTypes.add(type);
      for (const name of found.maskedRegexes) found.blockedRegexes.add(name);
      return blocked();
    }
    anyMasked ||= masked;
    out.push(masked && maskedText ? maskedText : piece);
  }
  logger.info('Guardrail check done', {
    pieces: pieces.length,
    characters: text.length,
    maskedEntityTypes: [...found.maskedTypes].sort(),
    maskedRegexNames: [...found.maskedRegexes].sort(),
  });
  if (!anyMasked) return { kind: 'clean' };
  return {
    kind: 'masked',
    text: out.join(''),
    entityTypes: [...found.maskedTypes].sort(),
    regexNames: [...found.maskedRegexes].sort(),
  };
}
