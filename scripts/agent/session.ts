/**
 * One turn with the deployed agent, as trusted code runs it (docs/agent.md):
 * the session acts for the customer the caller's identity maps to, every
 * confirmation prompt is put to a person (or a policy, in the red team and
 * verify), and a confirmed write carries the confirmation the executor checks.
 *
 * Used by `npm run agent`, `npm run redteam -- --agent` and `npm run verify`
 * (agent check). https://docs.aws.amazon.com/bedrock/latest/userguide/agents-userconfirmation.html
 */
import {
  type BedrockAgentRuntimeClient,
  type InvocationResultMember,
  InvokeAgentCommand,
  type InvokeAgentCommandInput,
  type ReturnControlPayload,
} from '@aws-sdk/client-bedrock-agent-runtime';
import { randomUUID } from 'node:crypto';
import {
  type ConfirmedCall,
  MAX_TOOL_CALLS_PER_TURN,
  parametersDigest,
  SESSION_CONFIRMATION,
  SESSION_CUSTOMER,
  TURN_ID,
} from '../../lib/shared/agent-contract';
import { AgentError, asAgentError, readCompletion, ToolCallLog } from './events';

export interface AgentTarget {
  readonly agentId: string;
  readonly agentAliasId: string;
}

/** A write the agent wants to make, as Bedrock's returnControl event describes it. */
export interface ConfirmationRequest {
  readonly invocationId: string;
  readonly actionGroup: string;
  readonly function: string;
  readonly parameters: readonly { readonly name: string; readonly type: string; readonly value: string }[];
}

export interface TurnOptions {
  readonly client: BedrockAgentRuntimeClient;
  readonly target: AgentTarget;
  readonly sessionId: string;
  /** The customer the session acts for (customerForCaller of the caller's ARN). */
  readonly customerId: string;
  readonly inputText: string;
  /** Decides each confirmation prompt: true confirms, false denies. */
  readonly confirm: (request: ConfirmationRequest) => Promise<boolean>;
  /** Each chunk of the final answer as it streams. */
  readonly onText?: (chunk: string) => void;
  /** Ask Bedrock for the trace, to see every tool call and its result. @default false */
  readonly enableTrace?: boolean;
  /** Each tool call the trace shows, when it starts and again with its result (needs enableTrace). */
  readonly onToolCall?: (call: ToolCall, completed: boolean) => void;
}

export interface ToolCall {
  readonly function: string;
  readonly parameters: Readonly<Record<string, string>>;
  /** What the executor answered, from the trace's observation. */
  readonly result?: string;
}

export interface Confirmation {
  readonly request: ConfirmationRequest;
  readonly confirmed: boolean;
  /** Why it was denied without asking, when it was. */
  readonly reason?: string;
}

export interface TurnResult {
  readonly text: string;
  readonly confirmations: readonly Confirmation[];
  /** Tool calls the trace shows (empty unless enableTrace). */
  readonly toolCalls: readonly ToolCall[];
  /** Whether the agent's guardrail intervened during the turn (from the trace). */
  readonly guardrailIntervened: boolean;
  /**
   * Set when Bedrock ended the turn with a DependencyFailedException, its
   * message: what the executor answers FAILURE to (more tool calls than a
   * turn may make, a call naming no turn, a store fault) ends the turn so,
   * as does the executor itself failing. What the turn did until then is
   * still reported.
   */
  readonly endedByDependency?: string;
}

/**
 * Most InvokeAgent calls in one turn: the prompt, then one answer per
 * confirmation round. A turn makes at most MAX_TOOL_CALLS_PER_TURN tool calls,
 * so more rounds than that mean something loops.
 */
export const MAX_ROUNDS = MAX_TOOL_CALLS_PER_TURN + 1;

/** A new session id: Bedrock takes 2 to 100 of [0-9a-zA-Z._:-]. */
export function newSessionId(): string {
  return randomUUID();
}

export const SESSION_ID_PATTERN = /^[0-9a-zA-Z._:-]{2,100}$/;

const ONE_WRITE_PER_ROUND =
  'another write in the same round was confirmed first; one confirmation is carried per round, so this one was denied (ask again)';

/**
 * Why a prompt cannot be answered by confirming: our tools run in the
 * executor, so only USER_CONFIRMATION is a question for the person. AWS lists
 * RESULT and USER_CONFIRMATION_AND_RESULT without saying when Bedrock sends
 * them (they ask the caller to run the tool), so they are denied, not run.
 */
const NOT_A_CONFIRMATION =
  "Bedrock asked this caller to run the tool itself (not to confirm it); the agent's tools run in its executor, so it was denied";

/** The prompts of a returnControl: each function call, flagged when it is not a confirmation prompt. */
function confirmationRequests(payload: ReturnControlPayload): (ConfirmationRequest & { deny?: string })[] {
  const invocationId = payload.invocationId;
  if (!invocationId) throw new Error('Bedrock returned control without an invocationId; cannot answer it');
  return (payload.invocationInputs ?? []).map((input) => {
    const fn = input.functionInvocationInput;
    if (!fn) {
      throw new Error(
        "Bedrock returned control for an API operation: this agent's action group is defined by functions, so there is nothing to answer",
      );
    }
    return {
      invocationId,
      actionGroup: fn.actionGroup ?? '',
      function: fn.function ?? '',
      parameters: (fn.parameters ?? []).map((p) => ({ name: p.name ?? '', type: p.type ?? '', value: p.value ?? '' })),
      ...(fn.actionInvocationType === 'USER_CONFIRMATION'
        ? {}
        : { deny: `${NOT_A_CONFIRMATION} (${fn.actionInvocationType ?? 'no type'})` }),
    };
  });
}

/**
 * Put each prompt of a round to the person, in order. The session carries one
 * ConfirmedCall, so once a write is confirmed the others of the round are
 * denied without asking.
 */
async function decide(
  requests: readonly (ConfirmationRequest & { deny?: string })[],
  confirm: TurnOptions['confirm'],
): Promise<{ confirmations: Confirmation[]; confirmedCall?: ConfirmedCall }> {
  const confirmations: Confirmation[] = [];
  let confirmedCall: ConfirmedCall | undefined;
  for (const { deny, ...request } of requests) {
    if (deny !== undefined) {
      confirmations.push({ request, confirmed: false, reason: deny });
      continue;
    }
    if (confirmedCall) {
      confirmations.push({ request, confirmed: false, reason: ONE_WRITE_PER_ROUND });
      continue;
    }
    const confirmed = (await confirm(request)) === true;
    confirmations.push({ request, confirmed });
    if (confirmed) {
      // The digest of exactly the request shown: the executor recomputes it from the call it runs.
      confirmedCall = {
        invocationId: request.invocationId,
        function: request.function,
        digest: parametersDigest(request.function, request.parameters),
      };
    }
  }
  return { confirmations, ...(confirmedCall ? { confirmedCall } : {}) };
}

/** The session state answering a round: CONFIRM or DENY per prompt, the customer, and the confirmation when there is one. */
function answer(
  customerId: string,
  turnId: string,
  confirmations: readonly Confirmation[],
  confirmedCall: ConfirmedCall | undefined,
): InvokeAgentCommandInput['sessionState'] {
  const results: InvocationResultMember[] = confirmations.map(({ request, confirmed }) => ({
    functionResult: {
      actionGroup: request.actionGroup,
      function: request.function,
      confirmationState: confirmed ? 'CONFIRM' : 'DENY',
    },
  }));
  return {
    invocationId: confirmations[0].request.invocationId,
    returnControlInvocationResults: results,
    sessionAttributes: {
      [SESSION_CUSTOMER]: customerId,
      ...(confirmedCall ? { [SESSION_CONFIRMATION]: JSON.stringify(confirmedCall) } : {}),
    },
    promptSessionAttributes: { [TURN_ID]: turnId },
  };
}

/**
 * Stream the final answer, checked by the agent's guardrail every 1,000
 * characters rather than Bedrock's default 50: each check is billed in text
 * units of up to 1,000 characters, so the default would bill a 600-character
 * answer twelve units instead of one (docs/agent.md, cost). Answers shorter
 * than that arrive in one piece.
 * https://docs.aws.amazon.com/bedrock/latest/userguide/agents-invoke-agent.html
 */
export const STREAMING = { streamFinalResponse: true, applyGuardrailInterval: 1000 } as const;

/** One turn: the prompt, then each confirmation round, until the agent answers. */
export async function runTurn(options: TurnOptions): Promise<TurnResult> {
  const { client, target, sessionId, customerId } = options;
  const log = new ToolCallLog();
  const confirmations: Confirmation[] = [];
  let text = '';
  let guardrailIntervened = false;
  // Every call of the turn, its confirmation rounds included, names the same
  // turn: the executor counts the turn's tool calls under it.
  const turnId = randomUUID();
  // The first call carries the prompt; the answers to confirmation prompts carry none (Bedrock ignores it then).
  let request: Pick<InvokeAgentCommandInput, 'inputText' | 'sessionState'> = {
    inputText: options.inputText,
    sessionState: {
      sessionAttributes: { [SESSION_CUSTOMER]: customerId },
      promptSessionAttributes: { [TURN_ID]: turnId },
    },
  };
  for (let round = 0; round < MAX_ROUNDS; round++) {
    let completion;
    try {
      const response = await client.send(
        new InvokeAgentCommand({
          agentId: target.agentId,
          agentAliasId: target.agentAliasId,
          sessionId,
          enableTrace: options.enableTrace ?? false,
          streamingConfigurations: STREAMING,
          ...request,
        }),
      );
      completion = await readCompletion(response.completion, {
        onText: options.onText,
        onTrace: (part) => {
          const traced = log.record(part);
          if (traced) options.onToolCall?.(traced.call, traced.completed);
        },
      });
    } catch (error) {
      const failed = asAgentError(error);
      if (failed instanceof AgentError && failed.name === 'DependencyFailedException') {
        return { text, confirmations, toolCalls: log.list(), guardrailIntervened, endedByDependency: failed.message };
      }
      throw failed;
    }
    text += completion.text;
    guardrailIntervened ||= completion.guardrailIntervened;
    if (!completion.returnControl) {
      return { text, confirmations, toolCalls: log.list(), guardrailIntervened };
    }
    const decided = await decide(confirmationRequests(completion.returnControl), options.confirm);
    if (decided.confirmations.length === 0) throw new Error('Bedrock returned control with nothing to confirm');
    confirmations.push(...decided.confirmations);
    request = { sessionState: answer(customerId, turnId, decided.confirmations, decided.confirmedCall) };
  }
  throw new Error(
    `after ${MAX_ROUNDS} rounds the agent was still asking for confirmation instead of answering; stopped (a turn makes at most ${MAX_TOOL_CALLS_PER_TURN} tool calls)`,
  );
}
