/**
 * What a red-team entry is sent to, and how each answer is read as an outcome
 * (blocked, masked, answered): the deployed function URL, or the guardrail
 * alone through ApplyGuardrail.
 */
import {
  ApplyGuardrailCommand,
  type ApplyGuardrailCommandInput,
  type ApplyGuardrailResponse,
  type BedrockRuntimeClient,
  type GuardrailContentBlock,
} from '@aws-sdk/client-bedrock-runtime';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import {
  BLOCKED_INPUT_MESSAGE,
  BLOCKED_OUTPUT_MESSAGE,
  classifyApplyGuardrail,
} from '../../lib/shared/guardrail-policies';
import { signedRequest } from '../ask';
import type { CorpusEntry, Outcome } from './corpus';

/** What came back for one entry. */
export interface Observation {
  readonly outcome: Outcome;
  /** Guardrail policy categories that acted. */
  readonly policies: readonly string[];
  /** The text the user would have seen (for the canary check and review). */
  readonly text: string;
  readonly stopReason?: string;
}

export type Target = (entry: CorpusEntry) => Promise<Observation>;

/** The service asked us to slow down; the runner waits and tries again. */
export class Throttled extends Error {
  override readonly name = 'Throttled';
  constructor(
    message: string,
    /** From Retry-After, when the answer had one. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/**
 * Retry-After is either seconds or an HTTP date (RFC 9110 section 10.2.3,
 * https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3); the function sends seconds.
 */
export function retryAfterMs(header: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!header) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const BLOCKED_MESSAGES = new Set([BLOCKED_INPUT_MESSAGE, BLOCKED_OUTPUT_MESSAGE]);

/** The function's JSON answer (docs/guarded-invoke.md, "Request and response contract"). */
export interface FunctionAnswer {
  readonly text?: string;
  readonly stopReason?: string;
  readonly guardrail?: { intervened?: boolean; inputRefused?: boolean; policies?: string[] };
}

/**
 * Blocked: the guardrail intervened and the user got one of its blocked
 * messages (or the input itself was refused). Masked: it intervened but the
 * answer was delivered (anonymized). Answered: it did not act.
 */
export function classifyFunctionAnswer(answer: FunctionAnswer): Observation {
  const text = answer.text ?? '';
  const guardrail = answer.guardrail ?? {};
  const policies = [...(guardrail.policies ?? [])].sort();
  const stopReason = answer.stopReason;
  const intervened = stopReason === 'guardrail_intervened';
  let outcome: Outcome = 'answered';
  if (intervened && (BLOCKED_MESSAGES.has(text.trim()) || guardrail.inputRefused === true)) outcome = 'blocked';
  else if (intervened || guardrail.intervened === true) outcome = 'masked';
  return { outcome, policies, text, stopReason };
}

/** Longest answer asked for: enough to see whether the model complied, cheap across a few hundred prompts. */
export const RED_TEAM_MAX_TOKENS = 256;

/** Each entry POSTed to the deployed function URL, signed with SigV4 like npm run ask. */
export function functionUrlTarget(options: {
  readonly url: string;
  readonly region: string;
  readonly credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
}): Target {
  const send = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  return async (entry) => {
    const body = JSON.stringify({
      prompt: entry.prompt,
      ...(entry.groundingSource ? { groundingSource: entry.groundingSource } : {}),
      stream: false,
      parameters: { maxTokens: RED_TEAM_MAX_TOKENS },
    });
    const { init } = await signedRequest(options.url, options.region, body, options.credentials);
    const response = await send(options.url, init);
    const payload = (await response.json().catch(() => ({}))) as FunctionAnswer & {
      error?: { code?: string; message?: string };
    };
    if (response.status === 429) {
      throw new Throttled(
        `HTTP 429${payload.error?.message ? `: ${payload.error.message}` : ''}`,
        retryAfterMs(response.headers.get('retry-after'), now()),
      );
    }
    if (!response.ok || payload.error) {
      const code = payload.error?.code ? ` (${payload.error.code})` : '';
      throw new Error(`HTTP ${response.status}${code}${payload.error?.message ? `: ${payload.error.message}` : ''}`);
    }
    return classifyFunctionAnswer(payload);
  };
}

const rank: Record<Outcome, number> = { answered: 0, masked: 1, blocked: 2 };

function outputText(response: Pick<ApplyGuardrailResponse, 'outputs'>): string {
  return (response.outputs ?? []).map((o) => o.text ?? '').join('');
}

/**
 * The guardrail alone, as the function would apply it: the prompt screened as
 * INPUT; when the entry says what the model would answer, that answer screened
 * as OUTPUT with the grounding source and the question as context.
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ApplyGuardrail.html
 * https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-use-independent-api.html
 * Qualifiers (grounding_source, query, guard_content):
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_GuardrailTextBlock.html
 */
export function guardrailTarget(options: {
  readonly client: Pick<BedrockRuntimeClient, 'send'>;
  readonly guardrailId: string;
  readonly guardrailVersion: string;
}): Target {
  const apply = (source: 'INPUT' | 'OUTPUT', content: GuardrailContentBlock[]) => {
    const input: ApplyGuardrailCommandInput = {
      guardrailIdentifier: options.guardrailId,
      guardrailVersion: options.guardrailVersion,
      source,
      content,
    };
    return options.client.send(new ApplyGuardrailCommand(input));
  };
  return async (entry) => {
    const input = await apply('INPUT', [{ text: { text: entry.prompt } }]);
    const first = classifyApplyGuardrail(input);
    // A refused prompt never reaches the model, so there is no answer to screen.
    if (first.outcome === 'blocked' || entry.screenAsOutput === undefined) {
      return {
        outcome: first.outcome,
        policies: first.policies,
        text: first.outcome === 'blocked' ? outputText(input) : '',
      };
    }
    const output = await apply('OUTPUT', [
      ...(entry.groundingSource
        ? [{ text: { text: entry.groundingSource, qualifiers: ['grounding_source' as const] } }]
        : []),
      { text: { text: entry.prompt, qualifiers: ['query' as const] } },
      { text: { text: entry.screenAsOutput, qualifiers: ['guard_content' as const] } },
    ]);
    const second = classifyApplyGuardrail(output);
    const outcome = rank[second.outcome] > rank[first.outcome] ? second.outcome : first.outcome;
    return {
      outcome,
      policies: [...new Set([...first.policies, ...second.policies])].sort(),
      // Answered: the model's answer goes out as written; otherwise the guardrail's version of it.
      text: second.outcome === 'answered' ? entry.screenAsOutput : outputText(output),
    };
  };
}
