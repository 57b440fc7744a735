import { z } from 'zod';
import { PLAN_ACTION_GROUP } from '../../lib/shared/agent-contract';

/**
 * The event Bedrock Agents sends an action group defined with function
 * details (messageVersion 1.0), checked whole before anything reads it.
 * https://docs.aws.amazon.com/bedrock/latest/userguide/agents-lambda.html
 */

/**
 * Bytes the parameters may take together, as JSON: far more than the tools
 * need (a note of 200 characters is at most 800 bytes), and small enough that
 * nothing after the check does real work on hostile input.
 */
export const MAX_PARAMETER_BYTES = 2_048;
/** AWS allows five parameters per function; a few more are still refused by name, not by count. */
export const MAX_PARAMETERS = 10;

/** Names of functions and action groups as Bedrock allows them (bounded, so one can be echoed safely). */
const NAME = /^[0-9a-zA-Z_-]{1,100}$/;
const short = z.string().min(1).max(100);
/** String attributes of the session or of the turn; their values are read only where the executor needs them. */
const attributes = z.record(z.string(), z.string());

const PARAMETER = z.object({ name: z.string().max(100), type: z.string().max(20), value: z.string() });

/**
 * Unknown top-level fields are dropped rather than refused: AWS may add some,
 * and the executor reads none of them. `parameters` and the attribute maps
 * may be absent (a function without parameters, a session without
 * attributes): absent means none.
 */
const EVENT = z.object({
  messageVersion: z.literal('1.0'),
  agent: z.object({ name: short, id: short, alias: short, version: short }),
  // Never read or stored: the user's words are not the executor's business.
  inputText: z.string().optional(),
  // InvokeAgent's own bounds for a session id.
  sessionId: z.string().regex(/^[0-9a-zA-Z._:-]{2,100}$/),
  actionGroup: z.string().regex(NAME),
  function: z.string().regex(NAME),
  parameters: z.array(PARAMETER).max(MAX_PARAMETERS).default([]),
  sessionAttributes: attributes.default({}),
  promptSessionAttributes: attributes.default({}),
});

export type AgentEvent = z.infer<typeof EVENT>;
export type EventParameter = z.infer<typeof PARAMETER>;
export type Attributes = Record<string, string>;

/** Names a response must carry: the event's own when they are plain names, placeholders otherwise. */
export interface CallNames {
  readonly actionGroup: string;
  readonly function: string;
}

export type ParsedEvent =
  | { readonly ok: true; readonly event: AgentEvent; readonly oversized: boolean }
  | {
      readonly ok: false;
      readonly names: CallNames;
      /** The attributes, when they at least were well formed: returned, so the session keeps them. */
      readonly sessionAttributes?: Attributes;
      readonly promptSessionAttributes?: Attributes;
      /** Where the event went wrong (paths and zod codes only, never a value), for the log. */
      readonly problems: readonly string[];
    };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Bytes of the parameters as JSON, measured before any other work on them.
 * Anything that is not an array is left to the schema to refuse.
 */
function parameterBytes(parameters: unknown): number {
  if (!Array.isArray(parameters)) return 0;
  try {
    return Buffer.byteLength(JSON.stringify(parameters), 'utf8');
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/**
 * The event, or what a response to it can still carry. Oversized parameters
 * are not parsed at all: the rest of the event is, with the parameters left
 * out, so that the call can be counted, audited and answered like any other.
 */
export function parseEvent(raw: unknown): ParsedEvent {
  const record = isObject(raw) ? raw : {};
  const oversized = parameterBytes(record.parameters) > MAX_PARAMETER_BYTES;
  const parsed = EVENT.safeParse(oversized ? { ...record, parameters: [] } : record);
  if (parsed.success) return { ok: true, event: parsed.data, oversized };
  const session = attributes.default({}).safeParse(record.sessionAttributes);
  const prompt = attributes.default({}).safeParse(record.promptSessionAttributes);
  return {
    ok: false,
    names: {
      actionGroup: nameOr(record.actionGroup, PLAN_ACTION_GROUP),
      function: nameOr(record.function, 'unknown'),
    },
    ...(session.success ? { sessionAttributes: session.data } : {}),
    ...(prompt.success ? { promptSessionAttributes: prompt.data } : {}),
    problems: parsed.error.issues
      .slice(0, 10)
      .map((issue) => `${issue.path.map(segment).join('.') || '(event)'}: ${issue.code}`),
  };
}

/** A segment of a path into the event: a key may come from the caller, so only a plain name is shown. */
function segment(key: PropertyKey): string {
  return typeof key === 'number' ? String(key) : typeof key === 'string' && NAME.test(key) ? key : '?';
}

function nameOr(value: unknown, fallback: string): string {
  return typeof value === 'string' && NAME.test(value) ? value : fallback;
}
