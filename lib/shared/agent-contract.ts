/**
 * The contract of the guarded agent (docs/agent.md), shared by the stack that
 * declares the tools (lib/agent/), the executor that runs them
 * (lambda/agent-tools/) and the trusted caller (`npm run agent`). Plain values,
 * types and node:crypto only, so the executor's bundle takes nothing else
 * from lib/.
 */
import { createHash } from 'node:crypto';
import { RECORDS_PREFIX } from './data-layout';

/** The one action group of the agent. */
export const PLAN_ACTION_GROUP = 'customer-plan';

/** Features a plan can switch on or off: the only values `change_plan_feature` accepts. */
export const PLAN_FEATURES = ['international-roaming', 'extra-data', 'voicemail-to-text', 'spam-call-filter'] as const;
export type PlanFeature = (typeof PLAN_FEATURES)[number];

/** Longest plan note, in characters: a note is a short remark, not a document. */
export const NOTE_MAX_LENGTH = 200;

/** A parameter of a tool, as the function schema declares it and the executor checks it. */
export type ToolParameter =
  | { readonly type: 'string'; readonly description: string; readonly oneOf: readonly string[] }
  | { readonly type: 'string'; readonly description: string; readonly maxLength: number }
  | { readonly type: 'boolean'; readonly description: string };

export interface ToolDefinition {
  readonly description: string;
  /** Changes the store: the agent asks the user first, and the executor demands the confirmation. */
  readonly writes: boolean;
  readonly parameters: Readonly<Record<string, ToolParameter>>;
}

/**
 * The tools. None takes a customer: which record a call acts on comes from
 * the session (SESSION_CUSTOMER), which trusted code sets and the model cannot.
 */
export const PLAN_TOOLS = {
  show_my_plan: {
    description: "Shows the signed-in customer's own plan: its name, the features switched on, and the plan note.",
    writes: false,
    parameters: {},
  },
  change_plan_feature: {
    description: "Switches one feature of the signed-in customer's own plan on or off.",
    writes: true,
    parameters: {
      feature: {
        type: 'string',
        description: `The feature to change: one of ${PLAN_FEATURES.join(', ')}.`,
        oneOf: PLAN_FEATURES,
      },
      enabled: { type: 'boolean', description: 'true to switch the feature on, false to switch it off.' },
    },
  },
  set_plan_note: {
    description: "Replaces the note on the signed-in customer's own plan with the customer's words.",
    writes: true,
    parameters: {
      note: {
        type: 'string',
        description: `The new note, at most ${NOTE_MAX_LENGTH} characters.`,
        maxLength: NOTE_MAX_LENGTH,
      },
    },
  },
} as const satisfies Record<string, ToolDefinition>;
export type ToolName = keyof typeof PLAN_TOOLS;

/** Session attribute naming the customer a session acts for: set by trusted code only. */
export const SESSION_CUSTOMER = 'customerId';
/**
 * Session attribute the trusted caller sets when the person confirms a write:
 * a ConfirmedCall as JSON. The executor refuses a write without one that
 * matches the call, and each confirmation is spent once.
 */
export const SESSION_CONFIRMATION = 'confirmedCall';
/**
 * Prompt-session attribute (one turn) in which the trusted caller names the
 * turn: the executor counts the turn's tool calls under it, in the store.
 */
export const TURN_ID = 'turnId';
/** A turn id: letters, digits and dashes, such as a UUID. */
export const TURN_ID_PATTERN = /^[A-Za-z0-9-]{8,64}$/;
/**
 * The store keeps each turn's count in an item of its own, keyed by the
 * customer and the turn (never a customer id: CUSTOMER_ID_PATTERN refuses
 * it), which DynamoDB deletes once this attribute (epoch seconds) has passed.
 */
export const TURN_EXPIRY_ATTRIBUTE = 'expiresAt';
export const turnItemKey = (customerId: string, turnId: string) => `${customerId}#turn#${turnId}`;
/** Most tool calls one turn may make: a bound on loops, whatever the model plans. */
export const MAX_TOOL_CALLS_PER_TURN = 4;

/** What the person confirmed: this call of this function with these parameters, once. */
export interface ConfirmedCall {
  /** The returnControl invocationId Bedrock gave the confirmation prompt: spent once. */
  readonly invocationId: string;
  readonly function: string;
  /** parametersDigest of the function and parameters the person saw. */
  readonly digest: string;
}

/** A customer id: C- and four digits. */
export const CUSTOMER_ID_PATTERN = /^C-\d{4}$/;

/** A fictional customer of the sandbox's store. */
export interface FictionalCustomer {
  readonly customerId: string;
  readonly planName: string;
  readonly features: readonly PlanFeature[];
  readonly note: string;
}

/**
 * The fictional customers the store is seeded with. Each plan name is unique,
 * so a test or `npm run verify` can tell whose record an answer came from.
 */
export const FICTIONAL_CUSTOMERS: readonly FictionalCustomer[] = [
  { customerId: 'C-1001', planName: 'Kestrel 20', features: ['extra-data'], note: 'Prefers e-mail contact.' },
  { customerId: 'C-1002', planName: 'Heron 50', features: ['spam-call-filter'], note: '' },
  {
    customerId: 'C-1003',
    planName: 'Osprey Unlimited',
    features: ['international-roaming', 'voicemail-to-text'],
    note: 'Travels often.',
  },
  { customerId: 'C-1004', planName: 'Wren Basic', features: [], note: '' },
];

/** The sandbox's callers act for the first two customers; the others exist to be refused. */
export const CALLER_CUSTOMERS = FICTIONAL_CUSTOMERS.slice(0, 2).map((c) => c.customerId);

/**
 * The sandbox's stand-in for an identity provider: the signed-in principal's
 * ARN mapped, always the same way, to one of CALLER_CUSTOMERS. A real
 * front end maps its authenticated user instead.
 */
export function customerForCaller(callerArn: string): string {
  const digest = createHash('sha256').update(callerArn).digest();
  return CALLER_CUSTOMERS[digest[0] % CALLER_CUSTOMERS.length];
}

/**
 * The digest a confirmation is bound to: the function and its parameters,
 * sorted by name, as Bedrock passes them (every value a string).
 */
export function parametersDigest(
  fn: string,
  parameters: readonly { readonly name: string; readonly value: string }[],
): string {
  const sorted = [...parameters].map((p) => [p.name, p.value]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256')
    .update(JSON.stringify([fn, sorted]))
    .digest('hex');
}

/** Where the executor writes one audit record per tool call. */
export const AGENT_AUDIT_PREFIX = `${RECORDS_PREFIX}agent-tool-calls/`;

/** The executor's settings, one environment variable each. */
export interface AgentToolsEnvironment {
  readonly TABLE_NAME: string;
  readonly AUDIT_BUCKET: string;
  readonly AUDIT_PREFIX: string;
  readonly AUDIT_KMS_KEY_ARN: string;
}

/**
 * A fictional customer as the store holds it (DynamoDB attribute values): the
 * seed writes it, the executor reads it. Every feature is present, on or off,
 * so `SET features.#f` always finds the map; `confirmations` (the spent
 * confirmation ids) is absent until the first write.
 */
export function customerItem(c: FictionalCustomer) {
  return {
    customerId: { S: c.customerId },
    planName: { S: c.planName },
    features: { M: Object.fromEntries(PLAN_FEATURES.map((f) => [f, { BOOL: c.features.includes(f) }])) },
    note: { S: c.note },
  };
}
