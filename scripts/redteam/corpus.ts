/**
 * The red-team corpus (evaluations/corpus/redteam.json): its types, and the
 * checks a file must pass before a run spends a single request on it.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../generated-block';
import { POLICY_CATEGORIES, type PolicyCategory } from '../../lib/shared/guardrail-policies';

export const CORPUS_FILE = path.join(ROOT, 'evaluations', 'corpus', 'redteam.json');

/** What the attacks try; each has its own row in the report. */
export const ATTACK_CATEGORIES = [
  'direct-injection',
  'jailbreak-roleplay',
  'prompt-leaking',
  'indirect-injection',
  'denied-topic-investment-advice',
  'denied-topic-automated-decisions',
  'harmful-hate',
  'harmful-insults',
  'harmful-sexual',
  'harmful-violence',
  'harmful-misconduct',
  'blocked-words',
  'pii-in-prompt',
  'secrets-in-prompt',
  'repeat-pii',
] as const;
export type AttackCategory = (typeof ATTACK_CATEGORIES)[number];

/** Benign entries share one category; `nearMissOf` says which attack each resembles. */
export const BENIGN_CATEGORY = 'benign';

export const OUTCOMES = ['blocked', 'masked', 'answered'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** The guardrail policies an entry may expect to act (automated reasoning is not configured). */
export type ExpectedPolicy = Exclude<PolicyCategory, 'automated-reasoning'>;
export const EXPECTED_POLICIES: readonly ExpectedPolicy[] = POLICY_CATEGORIES.filter(
  (category): category is ExpectedPolicy => category !== 'automated-reasoning',
);

/** The invoke function's prompt limit (MAX_PROMPT_CHARS in lambda/invoke/request.ts). */
const MAX_PROMPT_CHARS = 8000;

export interface CorpusEntry {
  readonly id: string;
  readonly category: AttackCategory | typeof BENIGN_CATEGORY;
  readonly kind: 'attack' | 'benign';
  /** Benign only: the attack category this prompt resembles. */
  readonly nearMissOf?: AttackCategory;
  readonly prompt: string;
  /** A passage the answer must be grounded in (indirect injection plants instructions here). */
  readonly groundingSource?: string;
  /** Indirect injection: a string only a hijacked answer contains. */
  readonly canary?: string;
  /** The answer the model would give, screened as OUTPUT in --guardrail-only mode. */
  readonly screenAsOutput?: string;
  /** The desired outcome, not a prediction: the run measures the gap. */
  readonly expected: { readonly outcome: Outcome; readonly policy?: ExpectedPolicy };
}

export interface Corpus {
  readonly version: 1;
  readonly description: string;
  readonly entries: readonly CorpusEntry[];
}

/** Case and whitespace do not make two prompts different. */
export function normalisePrompt(prompt: string): string {
  return prompt.toLowerCase().replace(/\s+/g, ' ').trim();
}

const isString = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';
const has = <T extends string>(list: readonly T[], v: unknown): v is T => list.includes(v as T);

/** Problems with one entry, each naming the entry. */
function entryProblems(raw: unknown, index: number): string[] {
  if (!raw || typeof raw !== 'object') return [`entries[${index}] is not an object`];
  const e = raw as Record<string, unknown>;
  const name = isString(e.id) ? e.id : `entries[${index}]`;
  const problems: string[] = [];
  const bad = (text: string) => problems.push(`${name}: ${text}`);
  const known = ['id', 'category', 'kind', 'nearMissOf', 'prompt', 'groundingSource', 'canary', 'screenAsOutput'];
  for (const key of Object.keys(e)) if (![...known, 'expected'].includes(key)) bad(`unknown field ${key}`);
  if (!isString(e.id)) bad('id must be a non-empty string');
  if (!isString(e.prompt)) bad('prompt must be a non-empty string');
  else if (e.prompt.length > MAX_PROMPT_CHARS) bad(`prompt is over ${MAX_PROMPT_CHARS} characters`);
  for (const key of ['groundingSource', 'canary', 'screenAsOutput'] as const) {
    if (e[key] !== undefined && !isString(e[key])) bad(`${key} must be a non-empty string when present`);
  }
  const expected = e.expected as Record<string, unknown> | undefined;
  if (!expected || typeof expected !== 'object') return [...problems, `${name}: expected is missing`];
  if (!has(OUTCOMES, expected.outcome)) bad(`expected.outcome must be one of ${OUTCOMES.join(', ')}`);
  if (expected.policy !== undefined && !has(EXPECTED_POLICIES, expected.policy)) {
    bad(`expected.policy must be one of ${EXPECTED_POLICIES.join(', ')}`);
  }
  for (const key of Object.keys(expected))
    if (key !== 'outcome' && key !== 'policy') bad(`unknown field expected.${key}`);

  if (e.kind === 'attack') {
    if (!has(ATTACK_CATEGORIES, e.category)) bad(`category must be one of ${ATTACK_CATEGORIES.join(', ')}`);
    if (e.nearMissOf !== undefined) bad('nearMissOf is for benign entries only');
    if (expected.outcome === 'answered') bad('an attack cannot expect to be answered');
    if (expected.policy === undefined) bad('an attack names the policy expected to act');
  } else if (e.kind === 'benign') {
    if (e.category !== BENIGN_CATEGORY) bad(`a benign entry's category is "${BENIGN_CATEGORY}"`);
    if (!has(ATTACK_CATEGORIES, e.nearMissOf)) bad('nearMissOf must name an attack category');
    if (expected.outcome !== 'answered' || expected.policy !== undefined)
      bad('a benign entry expects answered, no policy');
  } else bad('kind must be attack or benign');
  if (isString(e.id) && isString(e.category) && !e.id.startsWith(`${e.category}-`)) {
    bad(`id must start with its category ("${e.category}-")`);
  }

  // Grounding belongs to indirect injection (and its near misses); the canary is what a hijacked answer leaks.
  const grounded = e.category === 'indirect-injection' || e.nearMissOf === 'indirect-injection';
  if (e.groundingSource !== undefined && !grounded) bad('groundingSource is only for indirect injection');
  if (e.category === 'indirect-injection') {
    if (!isString(e.groundingSource) || !isString(e.canary) || !isString(e.screenAsOutput)) {
      bad('indirect injection needs groundingSource, canary and screenAsOutput');
    } else {
      if (!e.groundingSource.includes(e.canary)) bad('the canary must be planted in the groundingSource');
      if (!e.screenAsOutput.includes(e.canary)) bad('screenAsOutput (the hijacked answer) must contain the canary');
      if (isString(e.prompt) && e.prompt.includes(e.canary)) bad('the question itself must not contain the canary');
    }
  } else if (e.canary !== undefined) bad('canary is only for indirect injection');
  if (e.category === 'repeat-pii') {
    if (!isString(e.screenAsOutput)) bad('repeat-pii needs screenAsOutput (the echo to screen)');
    if (expected.outcome !== 'masked') bad('repeat-pii expects masked: the guardrail anonymizes these on output');
  }
  return problems;
}

/**
 * Every problem with a parsed corpus file of either kind; empty when it is
 * usable. `entryProblems` checks one entry; `promptKey` is what two entries
 * may not share (a prompt, normalised).
 */
export function corpusFileProblems<E extends { readonly id?: unknown; readonly prompt?: unknown }>(
  value: unknown,
  entryProblems: (entry: unknown, index: number) => string[],
  promptKey: (entry: E & { readonly prompt: string }) => string,
): string[] {
  if (!value || typeof value !== 'object') return ['the corpus is not a JSON object'];
  const c = value as Record<string, unknown>;
  const problems: string[] = [];
  if (c.version !== 1) problems.push('version must be 1');
  if (!isString(c.description)) problems.push('description must say what the corpus measures');
  if (!Array.isArray(c.entries) || c.entries.length === 0) return [...problems, 'entries must be a non-empty list'];
  c.entries.forEach((entry, i) => problems.push(...entryProblems(entry, i)));
  const ids = new Map<string, number>();
  const prompts = new Map<string, string>();
  for (const entry of c.entries as E[]) {
    if (typeof entry?.id === 'string') ids.set(entry.id, (ids.get(entry.id) ?? 0) + 1);
    if (typeof entry?.prompt === 'string') {
      const key = promptKey(entry as E & { readonly prompt: string });
      const first = prompts.get(key);
      if (first !== undefined) problems.push(`${String(entry.id)}: same prompt as ${first}`);
      else prompts.set(key, String(entry.id));
    }
  }
  for (const [id, n] of ids) if (n > 1) problems.push(`${id}: id used ${n} times`);
  return problems;
}

/** Every problem with a parsed corpus file; empty when it is usable. */
export function corpusProblems(value: unknown): string[] {
  return corpusFileProblems<Partial<CorpusEntry>>(value, entryProblems, (entry) => normalisePrompt(entry.prompt));
}

export class CorpusError extends Error {
  override readonly name = 'CorpusError';
}

export interface LoadedCorpus {
  readonly corpus: Corpus;
  /** Of the file's bytes: a run names exactly which corpus it measured. */
  readonly sha256: string;
}

/**
 * Read a corpus file and check it with `problemsOf`; CorpusError says what is
 * wrong. Shared by the model corpus and the agent corpus (`what` names it).
 */
export function readCorpusFile<T>(
  file: string,
  read: (f: string) => Buffer,
  problemsOf: (value: unknown) => string[],
  what: string,
): { corpus: T; sha256: string } {
  let bytes: Buffer;
  let value: unknown;
  try {
    bytes = read(file);
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new CorpusError(`cannot read ${what} ${file}: ${(error as Error).message}`);
  }
  const problems = problemsOf(value);
  if (problems.length > 0) {
    const shown = problems.slice(0, 10).join('; ');
    throw new CorpusError(`${what} ${file} is not valid (${problems.length} problems): ${shown}`);
  }
  return { corpus: value as T, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Read and check the corpus; CorpusError lists what is wrong. */
export function loadCorpus(file: string = CORPUS_FILE, read = (f: string) => fs.readFileSync(f)): LoadedCorpus {
  return readCorpusFile<Corpus>(file, read, corpusProblems, 'the corpus');
}

/** The row an entry is reported under: its attack category, or for a benign one the attack it resembles. */
export function rowOf<C extends string = AttackCategory>(entry: {
  readonly kind: string;
  readonly category: string;
  readonly nearMissOf?: string;
}): C {
  return (entry.kind === 'benign' ? entry.nearMissOf : entry.category) as C;
}

/**
 * Entries for --category: an attack category selects its attacks and their
 * near misses; "benign" selects every benign entry. Unknown names are returned
 * so the command can say which. `known` is the corpus's categories.
 */
export function selectEntries<
  E extends { readonly kind: string; readonly category: string; readonly nearMissOf?: string },
>(
  entries: readonly E[],
  categories: readonly string[],
  known: readonly string[] = [...ATTACK_CATEGORIES, BENIGN_CATEGORY],
): { entries: E[]; unknown: string[] } {
  if (categories.length === 0) return { entries: [...entries], unknown: [] };
  const wanted = new Set(categories);
  return {
    entries: entries.filter((e) => wanted.has(e.category) || wanted.has(rowOf<string>(e))),
    unknown: categories.filter((c) => !known.includes(c)),
  };
}
