import {
  ApplyGuardrailCommand,
  type ApplyGuardrailResponse,
  type BedrockRuntimeClient,
  type GuardrailAssessment,
} from '@aws-sdk/client-bedrock-runtime';
import { type Logger, RetryLater } from './errors';

/**
 * The text check: the project guardrail's sensitive-information policy on the
 * document's text, with source OUTPUT, because indexed text comes back to
 * users in answers and citations, where the output side of the guardrail is
 * the one that applies.
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ApplyGuardrail.html
 */

/**
 * Largest text file checked, in bytes. At the guardrail's default rate of 25
 * text units (of 1,000 characters) per second, 1 MiB (with the pieces'
 * overlap, about 1,150 units) takes about 46 s of ApplyGuardrail quota;
 * larger files are refused rather than left half-checked.
 */
export const MAX_TEXT_BYTES = 1024 * 1024;

/**
 * Characters sent in one ApplyGuardrail request: 25 text units of 1,000
 * characters, the per-request size AWS uses for long inputs
 * (https://aws.amazon.com/blogs/machine-learning/use-the-applyguardrail-api-with-long-context-inputs-and-streaming-outputs-in-amazon-bedrock/).
 */
export const CHUNK_CHARS = 25_000;

/**
 * Characters each piece repeats of the one before. An entity of up to this
 * many characters lies whole in at least one piece, wherever the cuts fall:
 * a piece ending at c is followed by one starting at c - OVERLAP_CHARS or
 * earlier, so an entity that ends after c and is no longer than that starts
 * inside the next piece. E-mail addresses are at most 254 characters (RFC
 * 5321 with its erratum), and every other entity type the policy detects is
 * shorter, but a URL can be longer: one over 2,000 characters that straddles
 * a cut may be seen only in part. The repeat costs about 9 % more text units.
 */
export const OVERLAP_CHARS = 2_000;

export type TextVerdict =
  /** Nothing the policy acts on: promote the original version. */
  | { readonly kind: 'clean' }
  /** Only masked entities: promote the text with each of them masked, which is what an answer would show. */
  | { readonly kind: 'masked'; readonly text: string; readonly entityTypes: string[]; readonly regexNames: string[] }
  /** An entity or pattern the policy blocks: refuse. Types and names only, never the matched text. */
  | { readonly kind: 'blocked'; readonly entityTypes: string[]; readonly regexNames: string[] }
  /** The guardrail evaluated fewer characters than a piece held: part of the text was not screened. */
  | { readonly kind: 'incomplete' };

/** A piece of the text: [start, end) in UTF-16 code units. */
export interface Piece {
  readonly start: number;
  readonly end: number;
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;

/**
 * Cut text into pieces of at most `max` characters, each repeating the last
 * `overlap` (or one more) characters of the one before, never cutting a
 * surrogate pair (one character outside the Basic Multilingual Plane) in two.
 * Every position of the text lies in some piece; no piece is empty.
 */
export function splitText(text: string, max = CHUNK_CHARS, overlap = OVERLAP_CHARS): Piece[] {
  // Each piece moves the start on by at least max - overlap - 2 (one code
  // unit lost at each end to a surrogate pair), which must be positive.
  if (overlap > max - 3) throw new Error(`overlap ${overlap} must be at most the piece size ${max} minus 3`);
  const pieces: Piece[] = [];
  let start = 0;
  for (;;) {
    let end = Math.min(text.length, start + max);
    if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end -= 1;
    pieces.push({ start, end });
    if (end === text.length) return pieces;
    start = end - overlap;
    if (isHighSurrogate(text.charCodeAt(start - 1))) start -= 1;
  }
}

/** Whether a policy other than sensitive information blocked (it does not decide here; logged only). */
function otherPolicyBlocked(assessment: GuardrailAssessment): boolean {
  const actions = [
    ...(assessment.contentPolicy?.filters ?? []),
    ...(assessment.topicPolicy?.topics ?? []),
    ...(assessment.wordPolicy?.customWords ?? []),
    ...(assessment.wordPolicy?.managedWordLists ?? []),
  ].map((entry) => entry.action);
  return actions.includes('BLOCKED');
}

interface Findings {
  readonly blockedTypes: Set<string>;
  readonly blockedRegexes: Set<string>;
  readonly maskedTypes: Set<string>;
  readonly maskedRegexes: Set<string>;
  /** Each masked text and what replaces it ({EMAIL}, {regex-name}). */
  readonly masks: Map<string, string>;
  /** Masked entities the response named without their text: they cannot be masked here. */
  unlocated: number;
  otherBlocked: boolean;
}

/**
 * Whether the guardrail says it evaluated every character it was sent
 * (`guardrailCoverage.textCharacters`: "guarded", "The text characters that
 * were guarded by the guardrail coverage", and "total"; https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_GuardrailTextCharactersCoverage.html).
 * No per-request size limit is documented, so a response that counts fewer
 * guarded characters than it was given is taken at its word. A response
 * without the counts is not evidence of a gap.
 */
function fullyGuarded(response: ApplyGuardrailResponse): boolean {
  const counts = response.guardrailCoverage?.textCharacters;
  return counts?.guarded === undefined || counts.total === undefined || counts.guarded >= counts.total;
}

/**
 * Record what one response found. A masked entity is replaced, in the whole
 * document, by its type (or regex name) in braces, the identifier tag the
 * guardrail's own masked output uses (AWS's sensitive-information filter page
 * gives "{NAME}" and "{EMAIL}" as examples; for a regex it shows none, so the
 * name in braces is our choice,
 * https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-sensitive-filters.html);
 * the response's output text is never
 * used, since the pieces overlap and their outputs could not be joined
 * without repeating or losing text.
 */
function record(response: ApplyGuardrailResponse, into: Findings): void {
  const note = (
    action: string | undefined,
    label: string,
    match: string | undefined,
    blocked: Set<string>,
    masked: Set<string>,
  ) => {
    if (action === 'BLOCKED') blocked.add(label);
    if (action !== 'ANONYMIZED') return;
    masked.add(label);
    if (match) into.masks.set(match, `{${label}}`);
    else into.unlocated += 1;
  };
  for (const assessment of response.assessments ?? []) {
    const policy = assessment.sensitiveInformationPolicy;
    for (const entity of policy?.piiEntities ?? []) {
      note(entity.action, entity.type ?? 'UNKNOWN', entity.match, into.blockedTypes, into.maskedTypes);
    }
    for (const regex of policy?.regexes ?? []) {
      note(regex.action, regex.name ?? 'unnamed', regex.match, into.blockedRegexes, into.maskedRegexes);
    }
    into.otherBlocked ||= otherPolicyBlocked(assessment);
  }
}

const WORD = /[\p{L}\p{N}_]/u;
const isWord = (char: string | undefined) => char !== undefined && WORD.test(char);

/**
 * Where `match` occurs in `text`: as a whole token where it does (where its
 * first or last character is a letter or digit, the one before or after it
 * is not), so that a masked name "Ann" masks "Ann" but not "Annual";
 * otherwise wherever it occurs, since a piece cut inside a word can make the
 * guardrail report part of it, and that part must not stay. Overlapping
 * occurrences count.
 */
function occurrences(text: string, match: string): [number, number][] {
  const all: [number, number][] = [];
  for (let at = text.indexOf(match); at !== -1; at = text.indexOf(match, at + 1)) all.push([at, at + match.length]);
  const whole = all.filter(
    ([start, end]) =>
      (!isWord(match[0]) || !isWord(text[start - 1])) && (!isWord(match[match.length - 1]) || !isWord(text[end])),
  );
  return whole.length > 0 ? whole : all;
}

/**
 * The text with every occurrence of every masked match replaced by its tag,
 * or undefined when a match does not occur in it at all: what the
 * guardrail saw cannot then be located, and the document must not be
 * promoted unmasked. Occurrences that overlap are merged into one span: one
 * inside another takes the outer one's tag, and two that share only a part
 * (a name that ends where an address begins) give the span both tags, so
 * that no part of either is left. Every occurrence is masked, not
 * only the one the guardrail saw: the same address elsewhere in the document
 * is the same personal data.
 */
export function applyMasks(text: string, masks: ReadonlyMap<string, string>): string | undefined {
  const spans: { start: number; end: number; tag: string }[] = [];
  for (const [match, tag] of masks) {
    const found = occurrences(text, match);
    if (found.length === 0) return undefined;
    for (const [start, end] of found) spans.push({ start, end, tag });
  }
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  let out = '';
  let at = 0;
  for (let i = 0; i < spans.length;) {
    const { start } = spans[i];
    let end = spans[i].end;
    const tags = [spans[i].tag];
    for (i += 1; i < spans.length && spans[i].start < end; i++) {
      // One inside the span already is covered by its tag; one reaching past it adds its own.
      if (spans[i].end <= end) continue;
      end = spans[i].end;
      if (!tags.includes(spans[i].tag)) tags.push(spans[i].tag);
    }
    out += text.slice(at, start) + tags.join('');
    at = end;
  }
  return out + text.slice(at);
}

export interface GuardrailSettings {
  readonly guardrailArn: string;
  readonly guardrailVersion: string;
  /** Whether the function must stop calling the guardrail to finish in time (the record is then retried). */
  readonly outOfTime?: () => boolean;
}

/** Check the text piece by piece; stops at the first piece the policy blocks. */
export async function checkText(
  bedrock: Pick<BedrockRuntimeClient, 'send'>,
  settings: GuardrailSettings,
  text: string,
  logger: Logger,
): Promise<TextVerdict> {
  const found: Findings = {
    blockedTypes: new Set(),
    blockedRegexes: new Set(),
    maskedTypes: new Set(),
    maskedRegexes: new Set(),
    masks: new Map(),
    unlocated: 0,
    otherBlocked: false,
  };
  const sorted = (set: Set<string>) => [...set].sort();
  const blocked = (extra: { types?: Set<string>; regexes?: Set<string> } = {}): TextVerdict => ({
    kind: 'blocked',
    entityTypes: sorted(new Set([...found.blockedTypes, ...(extra.types ?? [])])),
    regexNames: sorted(new Set([...found.blockedRegexes, ...(extra.regexes ?? [])])),
  });
  const pieces = text.length === 0 ? [] : splitText(text);
  for (const piece of pieces) {
    if (settings.outOfTime?.()) {
      throw new RetryLater('the time left in this invocation ran out before the text check ended');
    }
    const response = await bedrock.send(
      new ApplyGuardrailCommand({
        guardrailIdentifier: settings.guardrailArn,
        guardrailVersion: settings.guardrailVersion,
        source: 'OUTPUT',
        content: [{ text: { text: text.slice(piece.start, piece.end) } }],
      }),
    );
    record(response, found);
    if (found.blockedTypes.size > 0 || found.blockedRegexes.size > 0) return blocked();
    if (!fullyGuarded(response)) {
      logger.warn('The guardrail evaluated only part of a piece; refusing the document', {
        characters: piece.end - piece.start,
        coverage: response.guardrailCoverage?.textCharacters,
      });
      return { kind: 'incomplete' };
    }
  }
  const summary = {
    pieces: pieces.length,
    characters: text.length,
    maskedEntityTypes: sorted(found.maskedTypes),
    maskedRegexNames: sorted(found.maskedRegexes),
    otherPolicyBlocked: found.otherBlocked,
  };
  if (found.masks.size === 0 && found.unlocated === 0) {
    logger.info('Guardrail check done', summary);
    return { kind: 'clean' };
  }
  const masked = found.unlocated === 0 ? applyMasks(text, found.masks) : undefined;
  if (masked === undefined) {
    // Refuse rather than index personal data that could not be masked.
    logger.warn('A masked entity could not be located in the text; refusing the document', summary);
    return blocked({ types: found.maskedTypes, regexes: found.maskedRegexes });
  }
  logger.info('Guardrail check done', summary);
  return { kind: 'masked', text: masked, entityTypes: summary.maskedEntityTypes, regexNames: summary.maskedRegexNames };
}
