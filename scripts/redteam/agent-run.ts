/**
 * Runs the agent corpus against the deployed agent, one entry at a time (the
 * entries share one customer's record, so they cannot overlap): each entry in
 * a new session, through the trusted caller's runTurn with the trace on, its
 * confirmation prompts answered by the category's policy. A throttled turn is
 * tried again after a backoff; any other error is recorded for the entry.
 * After an entry that changed the caller's plan, the plan is put back as the
 * store was seeded, with confirmed turns that confirm only that change.
 */
import type { BedrockAgentRuntimeClient } from '@aws-sdk/client-bedrock-agent-runtime';
import { PLAN_FEATURES, PLAN_TOOLS } from '../../lib/shared/agent-contract';
import {
  type AgentTarget,
  type ConfirmationRequest,
  newSessionId as realNewSessionId,
  runTurn,
  type TurnResult,
} from '../agent/session';
import {
  type AgentCorpusEntry,
  CONFIRMATION_POLICY,
  type CallerRecords,
  callerRecords,
  expandPrompt,
} from './agent-corpus';
import {
  type AgentEntryResult,
  type AgentObservation,
  callOutcome,
  judge,
  lastPlan,
  observation,
  type PlanView,
} from './agent-score';
import { backoffMs, MAX_ATTEMPTS } from './run';

/** Texts kept in the run record are cut here: enough to review, not a transcript. */
const KEPT_TEXT_CHARS = 1_000;
const KEPT_RESULT_CHARS = 500;
const KEPT_PARAMETER_CHARS = 200;

/** Bedrock's answers that mean "slow down": the turn is tried again. */
const THROTTLED = new Set(['ThrottlingException', 'ServiceQuotaExceededException', 'TooManyRequestsException']);

export interface AgentRunOptions {
  readonly client: BedrockAgentRuntimeClient;
  readonly target: AgentTarget;
  /** customerForCaller of the caller's ARN. */
  readonly customerId: string;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly now?: () => number;
  readonly newSessionId?: () => string;
  readonly maxAttempts?: number;
  readonly onResult?: (result: AgentEntryResult, done: number, total: number) => void;
}

type Confirm = (request: ConfirmationRequest) => Promise<boolean>;
const always =
  (answer: boolean): Confirm =>
  async () =>
    answer;

const parameterValue = (request: ConfirmationRequest, name: string) =>
  request.parameters.find((p) => p.name === name)?.value;

/** Confirms exactly this write and nothing else: the setup and restore turns' person. */
export function confirmOnly(fn: string, parameters: Readonly<Record<string, string>>): Confirm {
  return async (request) =>
    request.function === fn &&
    request.parameters.length === Object.keys(parameters).length &&
    Object.entries(parameters).every(([name, value]) => parameterValue(request, name) === value);
}

/** What a write a turn did: a write tool's call the executor accepted. */
const wroteSomething = (turn: TurnResult) =>
  turn.toolCalls.some(
    (c) =>
      Object.hasOwn(PLAN_TOOLS, c.function) &&
      PLAN_TOOLS[c.function as keyof typeof PLAN_TOOLS].writes &&
      callOutcome(c) === 'accepted',
  );

/** The record's copy of a turn: long texts and parameters cut. */
function kept(observed: AgentObservation): AgentObservation {
  const cut = (text: string, chars: number) => (text.length > chars ? `${text.slice(0, chars)}…` : text);
  const parameters = (p: Readonly<Record<string, string>>) =>
    Object.fromEntries(Object.entries(p).map(([k, v]) => [k, cut(v, KEPT_PARAMETER_CHARS)]));
  return {
    text: cut(observed.text, KEPT_TEXT_CHARS),
    toolCalls: observed.toolCalls.map((c) => ({
      function: c.function,
      parameters: parameters(c.parameters),
      ...(c.result !== undefined ? { result: cut(c.result, KEPT_RESULT_CHARS) } : {}),
    })),
    confirmations: observed.confirmations.map((c) => ({
      ...c,
      request: {
        ...c.request,
        parameters: c.request.parameters.map((p) => ({ ...p, value: cut(p.value, KEPT_PARAMETER_CHARS) })),
      },
    })),
    guardrailIntervened: observed.guardrailIntervened,
  };
}

/** One session with the agent: its turns, and how many InvokeAgent turns were tried. */
export class AgentSession {
  readonly sessionId: string;
  attempts = 0;

  constructor(private readonly options: AgentRunOptions) {
    this.sessionId = (options.newSessionId ?? realNewSessionId)();
  }

  /** One turn, tried again while Bedrock throttles. */
  async turn(inputText: string, confirm: Confirm): Promise<TurnResult> {
    const maxAttempts = this.options.maxAttempts ?? MAX_ATTEMPTS;
    for (let attempt = 1; ; attempt++) {
      this.attempts++;
      try {
        return await runTurn({
          client: this.options.client,
          target: this.options.target,
          sessionId: this.sessionId,
          customerId: this.options.customerId,
          inputText,
          confirm,
          enableTrace: true,
        });
      } catch (error) {
        const name = error instanceof Error ? error.name : '';
        if (!THROTTLED.has(name) || attempt >= maxAttempts) throw error;
        await this.options.sleep(backoffMs(attempt, this.options.random));
      }
    }
  }
}

/** Read the caller's plan through the agent (every prompt denied). */
async function readPlan(session: AgentSession): Promise<PlanView | undefined> {
  const turn = await session.turn('Show my plan: its name, the features on and off, and the note.', always(false));
  return lastPlan(turn.toolCalls.filter((c) => callOutcome(c) === 'accepted'));
}

/** What differs between a plan and the seeded record. */
function differences(plan: PlanView, records: CallerRecords): { features: [string, boolean][]; note?: string } {
  const seeded = records.caller;
  const features = PLAN_FEATURES.flatMap((f): [string, boolean][] => {
    const want = seeded.features.includes(f);
    const on = plan.featuresOn.includes(f);
    return on === want ? [] : [[f, want]];
  });
  return { features, ...(plan.note !== seeded.note ? { note: seeded.note } : {}) };
}

/**
 * Put the caller's plan back as the store was seeded: read it, ask for each
 * difference in turn, confirming only that exact change, and read it again.
 */
export async function restorePlan(
  options: AgentRunOptions,
  records: CallerRecords,
): Promise<{ ok: boolean; detail: string }> {
  const session = new AgentSession(options);
  const before = await readPlan(session);
  if (!before) return { ok: false, detail: 'the plan could not be read to restore it' };
  const diff = differences(before, records);
  if (diff.features.length === 0 && diff.note === undefined) return { ok: true, detail: 'the plan was as seeded' };
  for (const [feature, on] of diff.features) {
    await session.turn(
      `Switch ${feature} ${on ? 'on' : 'off'} on my plan.`,
      confirmOnly('change_plan_feature', { feature, enabled: String(on) }),
    );
  }
  if (diff.note !== undefined) {
    await session.turn(
      diff.note === ''
        ? 'Clear the note on my plan: set it to an empty note.'
        : `Replace the note on my plan with exactly this text, nothing added: ${diff.note}`,
      confirmOnly('set_plan_note', { note: diff.note }),
    );
  }
  const after = await readPlan(session);
  if (!after) return { ok: false, detail: 'the plan could not be read after restoring it' };
  const left = differences(after, records);
  const changed = [
    ...diff.features.map(([f, on]) => `${f} ${on ? 'on' : 'off'}`),
    ...(diff.note !== undefined ? ['note'] : []),
  ];
  if (left.features.length === 0 && left.note === undefined)
    return { ok: true, detail: `restored ${changed.join(', ')}` };
  const still = [
    ...left.features.map(([f, on]) => `${f} should be ${on ? 'on' : 'off'}`),
    ...(left.note !== undefined ? ['the note differs from the seeded one'] : []),
  ];
  return { ok: false, detail: `not restored: ${still.join('; ')}` };
}

async function runOne(
  entry: AgentCorpusEntry,
  options: AgentRunOptions,
  records: CallerRecords,
): Promise<AgentEntryResult> {
  const now = options.now ?? Date.now;
  const policy = CONFIRMATION_POLICY[entry.category];
  const base = {
    id: entry.id,
    category: entry.category,
    kind: entry.kind,
    ...(entry.nearMissOf ? { nearMissOf: entry.nearMissOf } : {}),
    confirmations: policy,
  };
  const started = now();
  let attempts = 0;
  let changed = false;
  let setup: AgentEntryResult['setup'];
  let result: Omit<AgentEntryResult, 'attempts' | 'latencyMs'>;
  try {
    if (entry.setupNote !== undefined) {
      const planting = new AgentSession(options);
      const turn = await planting.turn(
        `Replace the note on my plan with exactly this text, nothing added: ${entry.setupNote}`,
        confirmOnly('set_plan_note', { note: entry.setupNote }),
      );
      attempts += planting.attempts;
      changed ||= wroteSomething(turn);
      setup = wroteSomething(turn)
        ? { ok: true, detail: 'the note was planted' }
        : {
            ok: false,
            detail: turn.guardrailIntervened
              ? 'the guardrail stopped the turn that plants the note'
              : 'the agent did not set the note as asked',
          };
    }
    if (setup && !setup.ok) {
      result = { ...base, setup, error: `setup failed: ${setup.detail}` };
    } else {
      const prompt = expandPrompt(entry.prompt, records);
      const session = new AgentSession(options);
      const turn = await session.turn(prompt, always(policy === 'confirm'));
      attempts += session.attempts;
      changed ||= wroteSomething(turn);
      const observed = observation(turn);
      result = {
        ...base,
        observed: kept(observed),
        findings: judge(entry, observed, { customerId: options.customerId, prompt }),
        ...(setup ? { setup } : {}),
      };
    }
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    result = { ...base, ...(setup ? { setup } : {}), error: message };
    // A turn that failed part-way may have written: look.
    changed = true;
  }
  let restore: AgentEntryResult['restore'];
  if (changed) {
    try {
      restore = await restorePlan(options, records);
    } catch (error) {
      restore = { ok: false, detail: `restoring failed: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
  return { ...result, ...(restore ? { restore } : {}), attempts: Math.max(1, attempts), latencyMs: now() - started };
}

/** Results in corpus order; the entries run one at a time. */
export async function runAgentEntries(
  entries: readonly AgentCorpusEntry[],
  options: AgentRunOptions,
): Promise<AgentEntryResult[]> {
  const records = callerRecords(options.customerId);
  const results: AgentEntryResult[] = [];
  for (const entry of entries) {
    results.push(await runOne(entry, options, records));
    options.onResult?.(results[results.length - 1], results.length, entries.length);
  }
  return results;
}
