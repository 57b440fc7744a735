import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { HttpError } from './errors';
import { TEMPLATE_NAMES, type TemplateName } from './templates';
import type { ModelFamily } from '../../lib/shared/invoke-contract';

/** Largest accepted request body, after base64 decoding. */
export const MAX_BODY_BYTES = 64 * 1024;
/** Longest accepted prompt, in characters. */
export const MAX_PROMPT_CHARS = 8000;
/** Longest accepted grounding source, in characters. */
export const MAX_GROUNDING_CHARS = 20000;
export const MAX_STOP_SEQUENCES = 4;
export const MAX_STOP_SEQUENCE_CHARS = 100;
/** Passages retrieved when a knowledge-base request does not say how many (lowered to the configured cap). */
export const DEFAULT_NUMBER_OF_RESULTS = 5;

/** Model families differ in the inference parameters they accept. */
export type { ModelFamily };

/** Inference parameters from the notes, each within its validated range. */
export interface InferenceParameters {
  /** Randomness: 0 = most likely token every time, 1 = most varied. */
  readonly temperature?: number;
  /** Nucleus sampling: only tokens within this cumulative probability. */
  readonly topP?: number;
  /** Only the K most likely tokens (model families that support it). */
  readonly topK?: number;
  /** Longest answer, in tokens (capped by configuration). */
  readonly maxTokens?: number;
  /** Stop generating when one of these strings appears. */
  readonly stopSequences?: readonly string[];
}

export interface InvokeRequest {
  readonly prompt: string;
  readonly template: TemplateName;
  readonly parameters: InferenceParameters;
  readonly groundingSource?: string;
  readonly stream: boolean;
  /** Ground the answer in passages retrieved from the deployment's knowledge base. */
  readonly knowledgeBase: boolean;
  /** How many passages to retrieve: set exactly when knowledgeBase is true. */
  readonly numberOfResults?: number;
}

export interface RequestLimits {
  readonly maxTokensCap: number;
  readonly modelFamily: ModelFamily;
  /** Present when the deployment has a knowledge base; resultsCap bounds numberOfResults. */
  readonly knowledgeBase?: { readonly resultsCap: number };
}

const FIELDS = [
  'prompt',
  'template',
  'parameters',
  'groundingSource',
  'stream',
  'knowledgeBase',
  'numberOfResults',
] as const;
const PARAMETERS = ['temperature', 'topP', 'topK', 'maxTokens', 'stopSequences'] as const;

function bad(code: string, message: string): HttpError {
  return new HttpError(400, code, message);
}

function header(event: LambdaFunctionURLEvent, name: string): string | undefined {
  const entry = Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === name);
  return entry?.[1];
}

/**
 * Read a Function URL event (payload format 2.0, exactly as Lambda delivers it)
 * into a validated request, or throw the 4xx HttpError that names the problem.
 * Nothing reaches Bedrock unless this returns.
 */
export function parseRequest(event: LambdaFunctionURLEvent, limits: RequestLimits): InvokeRequest {
  const method = event.requestContext?.http?.method;
  if (method !== 'POST') {
    throw new HttpError(405, 'method_not_allowed', `Use POST, not ${method ?? 'an unknown method'}.`, {
      allow: 'POST',
    });
  }
  const contentType = header(event, 'content-type');
  if (!contentType || !/^application\/json\s*(;.*)?$/i.test(contentType.trim())) {
    throw new HttpError(415, 'unsupported_media_type', 'Send the request as JSON with content-type application/json.');
  }
  if (event.body === undefined || event.body === null || event.body === '') {
    throw bad('empty_body', 'The request body is empty; send a JSON object with a "prompt".');
  }
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  if (raw.byteLength > MAX_BODY_BYTES) {
    throw new HttpError(413, 'body_too_large', `The request body is larger than ${MAX_BODY_BYTES} bytes.`);
  }
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw bad('invalid_json', 'The request body is not valid JSON.');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw bad('invalid_request', 'The request body must be a JSON object.');
  }
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((k) => !(FIELDS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw bad('unknown_field', `Unknown field(s): ${unknown.join(', ')}. Allowed: ${FIELDS.join(', ')}.`);
  }

  const request = {
    prompt: text(fields.prompt, 'prompt', MAX_PROMPT_CHARS, true) as string,
    template: template(fields.template),
    parameters: parameters(fields.parameters, limits),
    groundingSource: text(fields.groundingSource, 'groundingSource', MAX_GROUNDING_CHARS, false),
    stream: flag(fields.stream, 'stream', true),
    knowledgeBase: flag(fields.knowledgeBase, 'knowledgeBase', false),
  };
  return request.knowledgeBase
    ? { ...request, numberOfResults: retrieval(request.groundingSource, fields.numberOfResults, limits) }
    : withoutRetrieval(request, fields.numberOfResults);
}

function withoutRetrieval<T>(request: T, numberOfResults: unknown): T {
  if (numberOfResults !== undefined) {
    throw bad('invalid_value', '"numberOfResults" is only allowed with "knowledgeBase": true.');
  }
  return request;
}

/** The checks of a knowledge-base request; returns how many passages to retrieve. */
function retrieval(groundingSource: string | undefined, numberOfResults: unknown, limits: RequestLimits): number {
  if (groundingSource !== undefined) {
    // One source of grounding per answer: mixing the caller's text with
    // retrieved passages would make the citations incomplete.
    throw bad(
      'conflicting_fields',
      '"knowledgeBase" and "groundingSource" cannot be used together: choose one source of grounding.',
    );
  }
  if (!limits.knowledgeBase) {
    throw bad('knowledge_base_off', 'This deployment has no knowledge base; send the request without "knowledgeBase".');
  }
  const cap = limits.knowledgeBase.resultsCap;
  return number(numberOfResults, 'numberOfResults', 1, cap, true) ?? Math.min(DEFAULT_NUMBER_OF_RESULTS, cap);
}

function text(value: unknown, name: string, max: number, required: boolean): string | undefined {
  if (value === undefined) {
    if (required) throw bad('missing_field', `"${name}" is required.`);
    return undefined;
  }
  if (typeof value !== 'string') throw bad('invalid_type', `"${name}" must be a string.`);
  if (value.trim() === '') throw bad('invalid_value', `"${name}" must not be empty.`);
  if (value.length > max) throw bad('too_long', `"${name}" is longer than ${max} characters.`);
  return value;
}

function template(value: unknown): TemplateName {
  if (value === undefined) return 'zero-shot';
  if (typeof value !== 'string' || !(TEMPLATE_NAMES as readonly string[]).includes(value)) {
    throw bad('invalid_value', `"template" must be one of: ${TEMPLATE_NAMES.join(', ')}.`);
  }
  return value as TemplateName;
}

function flag(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw bad('invalid_type', `"${name}" must be true or false.`);
  return value;
}

function number(value: unknown, name: string, min: number, max: number, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw bad('invalid_type', `"${name}" must be a number.`);
  if (integer && !Number.isInteger(value)) throw bad('invalid_value', `"${name}" must be a whole number.`);
  if (value < min || value > max) throw bad('out_of_range', `"${name}" must be between ${min} and ${max}.`);
  return value;
}

function parameters(value: unknown, limits: RequestLimits): InferenceParameters {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw bad('invalid_type', '"parameters" must be an object.');
  }
  const p = value as Record<string, unknown>;
  const unknown = Object.keys(p).filter((k) => !(PARAMETERS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw bad('unknown_field', `Unknown parameter(s): ${unknown.join(', ')}. Allowed: ${PARAMETERS.join(', ')}.`);
  }
  if (p.topK !== undefined && limits.modelFamily === 'other') {
    throw bad('unsupported_parameter', '"parameters.topK" is not supported by the configured model.');
  }
  return {
    temperature: number(p.temperature, 'parameters.temperature', 0, 1, false),
    topP: number(p.topP, 'parameters.topP', 0, 1, false),
    topK: number(p.topK, 'parameters.topK', 1, 500, true),
    maxTokens: number(p.maxTokens, 'parameters.maxTokens', 1, limits.maxTokensCap, true),
    stopSequences: stopSequences(p.stopSequences),
  };
}

function stopSequences(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const name = 'parameters.stopSequences';
  if (!Array.isArray(value)) throw bad('invalid_type', `"${name}" must be an array of strings.`);
  if (value.length > MAX_STOP_SEQUENCES)
    throw bad('too_long', `"${name}" has more than ${MAX_STOP_SEQUENCES} entries.`);
  for (const s of value) {
    if (typeof s !== 'string') throw bad('invalid_type', `"${name}" must contain only strings.`);
    if (s.trim() === '' || s.length > MAX_STOP_SEQUENCE_CHARS) {
      throw bad('invalid_value', `Each of "${name}" must be 1 to ${MAX_STOP_SEQUENCE_CHARS} characters and not blank.`);
    }
  }
  return value as string[];
}
