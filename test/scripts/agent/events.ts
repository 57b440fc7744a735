/**
 * InvokeAgent completion streams shaped like the real API's: an async
 * iterable of ResponseStream members (chunk, trace, returnControl, or an
 * exception member).
 */
import type { ResponseStream } from '@aws-sdk/client-bedrock-agent-runtime';

export const AGENT = { agentId: 'AGENT12345', agentAliasId: 'ALIAS12345' } as const;

export function stream(...events: ResponseStream[]): AsyncIterable<ResponseStream> {
  return (async function* () {
    for (const event of events) yield event;
  })();
}

/** A stream that yields `events`, then fails the way the SDK does on an exception event: it throws. */
export function failing(error: Error, ...events: ResponseStream[]): AsyncIterable<ResponseStream> {
  return (async function* () {
    for (const event of events) yield event;
    throw error;
  })();
}

export const chunk = (text: string | Uint8Array): ResponseStream => ({
  chunk: { bytes: typeof text === 'string' ? new TextEncoder().encode(text) : text },
});

export const toolInput = (fn: string, parameters: Record<string, string>, invocationId?: string): ResponseStream => ({
  trace: {
    trace: {
      orchestrationTrace: {
        invocationInput: {
          invocationType: 'ACTION_GROUP',
          actionGroupInvocationInput: {
            actionGroupName: 'customer-plan',
            function: fn,
            parameters: Object.entries(parameters).map(([name, value]) => ({ name, type: 'string', value })),
            ...(invocationId ? { invocationId } : {}),
          },
        },
      },
    },
  },
});

export const toolOutput = (text: string): ResponseStream => ({
  trace: {
    trace: { orchestrationTrace: { observation: { type: 'ACTION_GROUP', actionGroupInvocationOutput: { text } } } },
  },
});

export const guardrail = (action: 'INTERVENED' | 'NONE'): ResponseStream => ({
  trace: { trace: { guardrailTrace: { action } } },
});

export interface Write {
  readonly function: string;
  readonly parameters: readonly { name: string; type: string; value: string }[];
  readonly type?: 'USER_CONFIRMATION' | 'RESULT' | 'USER_CONFIRMATION_AND_RESULT';
}

/** A returnControl event asking the caller to confirm `writes`. */
export const returnControl = (invocationId: string, ...writes: Write[]): ResponseStream => ({
  returnControl: {
    invocationId,
    invocationInputs: writes.map((w) => ({
      functionInvocationInput: {
        actionGroup: 'customer-plan',
        function: w.function,
        parameters: [...w.parameters],
        actionInvocationType: w.type ?? 'USER_CONFIRMATION',
      },
    })),
  },
});

export const ROAMING_ON: Write = {
  function: 'change_plan_feature',
  // Bedrock's order, not sorted: the digest sorts them.
  parameters: [
    { name: 'feature', type: 'string', value: 'international-roaming' },
    { name: 'enabled', type: 'boolean', value: 'true' },
  ],
};

export const NOTE: Write = {
  function: 'set_plan_note',
  parameters: [{ name: 'note', type: 'string', value: 'Call me after 6pm.' }],
};

/** A service exception as the SDK builds it (name, message, $fault). */
export function serviceException(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: {} });
}
