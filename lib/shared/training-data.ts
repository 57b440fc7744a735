/**
 * The check of a fine-tuning file for the Amazon Nova understanding models
 * (Micro, Lite, Pro), shared by `npm run customize -- prepare` (before the
 * upload) and the approval function (lambda/training-approval/, which trusts
 * nothing the command did). Pure: text in, problems out.
 *
 * The format is AWS's, from "Preparing data for fine-tuning Understanding
 * models" (https://docs.aws.amazon.com/nova/latest/userguide/fine-tune-prepare-data-understanding.html,
 * "the page" below). Where the page is silent, AWS's sample validator
 * (aws-samples/amazon-nova-samples,
 * customization/bedrock-finetuning/understanding/dataset_validation/nova_ft_dataset_validator.py,
 * linked from https://docs.aws.amazon.com/nova/latest/nova2-userguide/nova-data-preparation.html)
 * is followed, and said to be.
 */
import { CUSTOMIZABLE_MODELS } from './customization-contract';

/** The customization base models this project fine-tunes (the values of CUSTOMIZABLE_MODELS). */
export const BASE_MODELS: readonly string[] = Object.values(CUSTOMIZABLE_MODELS);

export function isBaseModel(baseModel: string): boolean {
  return BASE_MODELS.includes(baseModel);
}

/**
 * Records a file may hold: the "Dataset constraints" table of AWS's guide to
 * preparing data for Nova understanding models gives Micro, Lite and Pro a
 * minimum of 8 samples and a maximum of 20k, and AWS's sample validator has
 * the same bounds (`MODEL_TO_NUM_SAMPLES_MAP`, (8, 20000) each)
 * (https://docs.aws.amazon.com/nova/latest/userguide/fine-tune-prepare-data-understanding.html).
 * The page recommends "at least 100 samples for each task you want the model to learn".
 */
export const MIN_RECORDS = 8;
export const MAX_RECORDS = 20_000;

/**
 * Largest training file, in bytes: the project's cap, not AWS's (no file
 * size limit for Nova was found). The approval function screens every
 * character with ApplyGuardrail while the caller waits for the answer, and
 * the caller's HTTP client gives up after 300 seconds without one (Node's
 * fetch: undici's default headersTimeout). At about 25 text units of 1,000
 * characters a second, the default rate lambda/promote/check.ts's
 * MAX_TEXT_BYTES reckons with, 4 MiB (about 4,600 text units with the
 * pieces' overlap) takes about 3 minutes, which leaves room for throttling
 * back-off and the reads and writes around it. Larger sets: several batches.
 */
export const MAX_TRAINING_BYTES = 4 * 1024 * 1024;

/**
 * The page: "The terms `User:`, `Bot:`, `Assistant:`, `System:`, `<image>`,
 * `<video>`, and `[EOS]` are reserved keywords. If a user prompt or system
 * prompt starts with any of these keywords, or have these keywords anywhere
 * in their prompts, your training job will fail due to data issues." They
 * are looked for in every text, assistant turns too, and in any letter case,
 * as the sample validator does (`validate_invalid_tokens` compares in lower
 * case, on every text block): in a conversation of several turns an
 * assistant turn is part of the next turn's prompt.
 */
export const RESERVED_KEYWORDS = [
  'User:',
  'Bot:',
  'Assistant:',
  'System:',
  '<image>',
  '<video>',
  '[EOS]',
  // Not in the page's list, but AWS's sample validator refuses it too.
  '<unk>',
] as const;

/** Problems listed one by one; the rest are counted. */
export const MAX_LISTED_PROBLEMS = 20;

/**
 * The context length of fine-tuning, in tokens: the same table gives Micro,
 * Lite and Pro a "context length" of 32k for fine-tuning, far below the
 * 128k or 300k context their identifiers name for inference.
 */
export const FINE_TUNING_CONTEXT_TOKENS = 32_000;

/** The fine-tuning context of a base model this project fine-tunes, in tokens; undefined for any other. */
export function contextTokens(baseModel: string): number | undefined {
  return isBaseModel(baseModel) ? FINE_TUNING_CONTEXT_TOKENS : undefined;
}

/**
 * Most characters of text one record may hold: a rough guard against a
 * record longer than the fine-tuning context, not a token count. It allows one
 * character per token: English averages about four characters a token, so a
 * record at the cap is far inside the context, while text that tokenizes at
 * about a character a token (some scripts, long numbers) still fits. An
 * estimate, deliberately on the safe side: a job that fails on its data has
 * already been paid for in time.
 */
export function maxRecordCharacters(baseModel: string): number | undefined {
  return contextTokens(baseModel);
}

export interface TrainingDataReport {
  /** Lines that hold a record (every line but the file's final newline). */
  readonly records: number;
  /** Characters of text (UTF-16 code units) in the valid records: system prompts and turns. */
  readonly characters: number;
  /** Bytes of the file in UTF-8. */
  readonly bytes: number;
  /** What is wrong, with line numbers (1-based), at most MAX_LISTED_PROBLEMS and then a count; empty when the file is fit. */
  readonly problems: string[];
}

/** One record's text, all of its system prompt and turns, for the sensitive-information screen. */
export interface RecordText {
  /** The record's line (1-based). */
  readonly line: number;
  readonly text: string;
}

const TOP_LEVEL = ['schemaVersion', 'system', 'messages'];
const MEDIA = ['image', 'video', 'document'];

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A name from the data, shown short and quoted (names only: never a text's content). */
const shown = (name: string) => JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}…` : name);

/**
 * The file's lines: split at "\n" (a "\r" before it is JSON whitespace), the
 * empty string after a final newline not counted as a line.
 */
function lines(text: string): string[] {
  const all = text.split('\n');
  if (all.length > 0 && all[all.length - 1] === '') all.pop();
  return all;
}

/** The problem with a list of text blocks (`where` names it), or the characters of its text. */
function textBlocks(value: unknown, where: string): string | number {
  if (!Array.isArray(value) || value.length === 0)
    return `${where} must be a non-empty array of {"text": "..."} blocks`;
  let characters = 0;
  for (const [index, block] of value.entries()) {
    const at = `${where}[${index}]`;
    if (!isObject(block)) return `${at} must be an object {"text": "..."}`;
    const media = Object.keys(block).find((key) => MEDIA.includes(key));
    if (media !== undefined) {
      // Media must sit in the same bucket as the dataset (the page: "The
      // images or videos must be in the same Amazon S3 bucket as your
      // dataset"), so each would need its own malware scan and screen.
      return `${at} is ${media === 'image' ? 'an' : 'a'} ${media} block: this project trains on text only (media would need a malware scan and a sensitive-information screen of their own)`;
    }
    const other = Object.keys(block).filter((key) => key !== 'text');
    if (other.length > 0) return `${at} has ${other.map(shown).join(', ')}: only "text" is accepted`;
    if (typeof block.text !== 'string' || block.text.trim() === '') {
      return `${at}.text must be a string with some non-blank text`;
    }
    const lower = block.text.toLowerCase();
    const reserved = RESERVED_KEYWORDS.filter((keyword) => lower.includes(keyword.toLowerCase()));
    if (reserved.length > 0) {
      return `${at}.text contains the reserved keyword${reserved.length > 1 ? 's' : ''} ${reserved.map((k) => JSON.stringify(k)).join(', ')} (any letter case), which fails the training job`;
    }
    characters += block.text.length;
  }
  return characters;
}

/** The first problem of one record, or the characters of its text. */
function recordProblem(record: unknown, maxCharacters: number | undefined): string | number {
  if (!isObject(record)) return 'must be a JSON object';
  const unknown = Object.keys(record).filter((key) => !TOP_LEVEL.includes(key));
  if (unknown.length > 0) {
    return `has ${unknown.map(shown).join(', ')}: only "schemaVersion", "system" and "messages" are accepted`;
  }
  // The page: "`schemaVersion` can be any string value"; the example's is "bedrock-conversation-2024".
  if (typeof record.schemaVersion !== 'string') {
    return '"schemaVersion" must be a string (for example "bedrock-conversation-2024")';
  }
  let characters = 0;
  // The page: "The (*optional*) `system` turn can be a customer-provided custom system prompt."
  if (record.system !== undefined) {
    const system = textBlocks(record.system, 'system');
    if (typeof system === 'string') return system;
    characters += system;
  }
  const { messages } = record;
  if (!Array.isArray(messages) || messages.length < 2) {
    return '"messages" must be an array of at least two turns, a "user" turn and then an "assistant" turn';
  }
  for (const [index, message] of messages.entries()) {
    const at = `messages[${index}]`;
    if (!isObject(message)) return `${at} must be an object {"role": ..., "content": [...]}`;
    const other = Object.keys(message).filter((key) => key !== 'role' && key !== 'content');
    if (other.length > 0) return `${at} has ${other.map(shown).join(', ')}: only "role" and "content" are accepted`;
    // The page: "Supported roles are `user` and `assistant`" and "The first
    // turn in `messages` should always start with "role": "user". The last
    // turn is the bot's response". AWS's sample validator (check_roles_order)
    // also requires them to alternate, user at even places, assistant at odd.
    const expected = index % 2 === 0 ? 'user' : 'assistant';
    if (message.role !== expected) {
      const role = typeof message.role === 'string' ? shown(message.role) : 'no role';
      return `${at} has ${role} where "${expected}" is expected: turns alternate, starting with "user"`;
    }
    const content = textBlocks(message.content, `${at}.content`);
    if (typeof content === 'string') return content;
    characters += content;
  }
  if (messages.length % 2 !== 0) return 'the last turn must be an "assistant" turn (the response the model learns)';
  if (maxCharacters !== undefined && characters > maxCharacters) {
    return `holds ${characters} characters of text, over ${maxCharacters} (a rough guard for the base model's context, at one character per token)`;
  }
  return characters;
}

/**
 * What is wrong with a training file for `baseModel` (a CUSTOMIZABLE_MODELS
 * value), and its size: records, characters, bytes. The text is the file
 * decoded from UTF-8 (the approval function decodes strictly, so that a
 * byte that is not UTF-8 is refused before this), one JSON object a line.
 * Nothing of a record's text is quoted in a problem.
 */
export function trainingDataProblems(text: string, baseModel: string): TrainingDataReport {
  const bytes = Buffer.byteLength(text, 'utf8');
  const fileProblems: string[] = [];
  const lineProblems: string[] = [];
  if (!isBaseModel(baseModel)) {
    fileProblems.push(`${shown(baseModel)} is not a base model this project fine-tunes (${BASE_MODELS.join(', ')})`);
  }
  if (bytes > MAX_TRAINING_BYTES) {
    fileProblems.push(
      `the file is ${bytes} bytes, over the project's ${MAX_TRAINING_BYTES} (what the approval function can screen in one run)`,
    );
  }
  // The page: "Training and validation datasets must be JSONL files, where
  // each line is a JSON object corresponding to a record".
  if (text.startsWith('\ufeff')) {
    fileProblems.push('the file starts with a byte-order mark: save it as UTF-8 without one');
  }
  const maxCharacters = maxRecordCharacters(baseModel);
  const all = lines(text);
  let characters = 0;
  for (const [index, line] of all.entries()) {
    const number = index + 1;
    if (line.trim() === '') {
      // The sample validator parses every line as JSON: a blank one fails it.
      lineProblems.push(`line ${number}: empty line (every line must hold one record)`);
      continue;
    }
    let record: unknown;
    try {
      record = JSON.parse(index === 0 ? line.replace(/^\ufeff/, '') : line);
    } catch {
      lineProblems.push(`line ${number}: not valid JSON`);
      continue;
    }
    const checked = recordProblem(record, maxCharacters);
    if (typeof checked === 'string') lineProblems.push(`line ${number}: ${checked}`);
    else characters += checked;
  }
  if (all.length < MIN_RECORDS || all.length > MAX_RECORDS) {
    fileProblems.push(
      `the file has ${all.length} record${all.length === 1 ? '' : 's'}; AWS's sample validator accepts ${MIN_RECORDS} to ${MAX_RECORDS.toLocaleString('en-US')}`,
    );
  }
  const problems = [...fileProblems, ...lineProblems];
  const listed = problems.slice(0, MAX_LISTED_PROBLEMS);
  if (problems.length > listed.length) listed.push(`and ${problems.length - listed.length} more`);
  return { records: all.length, characters, bytes, problems: listed };
}

/**
 * Each valid record's text: its system prompt and turns in order, joined by
 * a blank line so that the end of one turn and the start of the next never
 * read as one word. Lines that are not valid records are left out: call it on
 * a file trainingDataProblems found fit.
 */
export function recordTexts(text: string): RecordText[] {
  const texts: RecordText[] = [];
  for (const [index, line] of lines(text).entries()) {
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      continue;
    }
    if (!isObject(record) || typeof recordProblem(record, undefined) === 'string') continue;
    const blocks = [
      ...((record.system as Json[] | undefined) ?? []),
      ...(record.messages as Json[]).flatMap((m) => m.content as Json[]),
    ];
    texts.push({ line: index + 1, text: blocks.map((block) => block.text as string).join('\n\n') });
  }
  return texts;
}
