/**
 * Reading one InvokeAgent completion stream: the answer's chunks, the trace's
 * tool calls and guardrail verdict, and a returnControl (a confirmation
 * prompt). Exceptions end the stream; they become one AgentError each.
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_agent-runtime_InvokeAgent.html
 */
import type { ResponseStream, ReturnControlPayload, TracePart } from '@aws-sdk/client-bedrock-agent-runtime';
import type { ToolCall } from './session';

/** The exception members of the completion stream, by member name. */
export const STREAM_EXCEPTIONS = [
  'accessDeniedException',
  'badGatewayException',
  'conflictException',
  'dependencyFailedException',
  'internalServerException',
  'modelNotReadyException',
  'resourceNotFoundException',
  'serviceQuotaExceededException',
  'throttlingException',
  'validationException',
] as const;

/**
 * An error from Bedrock, as a stream member or a thrown service exception:
 * its name is the exception's (ThrottlingException), so the command can
 * explain it the same way wherever it came from.
 */
export class AgentError extends Error {
  constructor(
    override readonly name: string,
    readonly detail: string,
  ) {
    super(`${name}: ${detail || 'no message'}`);
  }
}

/** `throttlingException` => `ThrottlingException`. */
function exceptionName(member: string): string {
  return member[0].toUpperCase() + member.slice(1);
}

/** A service exception the SDK throws mid-stream (it throws modelled exception events) => AgentError. */
export function asAgentError(error: unknown): unknown {
  if (error instanceof AgentError || !(error instanceof Error)) return error;
  const modelled = STREAM_EXCEPTIONS.some((member) => exceptionName(member) === error.name);
  return modelled ? new AgentError(error.name, error.message) : error;
}

/** A tool call the trace showed, with the invocation id that ties its input to its output. */
export interface TracedCall extends ToolCall {
  readonly invocationId?: string;
}

export interface Completion {
  readonly text: string;
  readonly returnControl?: ReturnControlPayload;
  readonly guardrailIntervened: boolean;
}

/** Collects tool calls across the rounds of one turn: an output belongs to the latest call without one. */
export class ToolCallLog {
  private readonly calls: { -readonly [K in keyof TracedCall]: TracedCall[K] }[] = [];

  /** Add what one trace event says; returns the call it started or completed, for --trace. */
  record(part: TracePart): { readonly call: TracedCall; readonly completed: boolean } | undefined {
    const orchestration = part.trace?.orchestrationTrace;
    const input = orchestration?.invocationInput?.actionGroupInvocationInput;
    if (input) {
      // The same call can be traced again in the round after its confirmation.
      const known = input.invocationId && this.calls.find((c) => c.invocationId === input.invocationId);
      if (known) return undefined;
      const call = {
        function: input.function ?? input.apiPath ?? 'unknown',
        parameters: Object.fromEntries((input.parameters ?? []).map((p) => [p.name ?? '', p.value ?? ''])),
        ...(input.invocationId ? { invocationId: input.invocationId } : {}),
      };
      this.calls.push(call);
      return { call, completed: false };
    }
    const output = orchestration?.observation?.actionGroupInvocationOutput;
    if (output) {
      const call = [...this.calls].reverse().find((c) => c.result === undefined);
      if (!call) return undefined;
      call.result = output.text ?? '';
      return { call, completed: true };
    }
    return undefined;
  }

  /** The calls, without the invocation ids (internal bookkeeping). */
  list(): ToolCall[] {
    return this.calls.map(({ invocationId: _id, ...call }) => call);
  }
}

export interface ReadOptions {
  readonly onText?: (chunk: string) => void;
  readonly onTrace?: (part: TracePart) => void;
}

/** Read a completion stream to its end. Throws AgentError on an exception member. */
export async function readCompletion(
  completion: AsyncIterable<ResponseStream> | undefined,
  { onText, onTrace }: ReadOptions = {},
): Promise<Completion> {
  if (!completion) throw new AgentError('EmptyResponse', 'InvokeAgent returned no completion stream');
  // One decoder per stream: a character's bytes can be split across chunks.
  const decoder = new TextDecoder();
  let text = '';
  let returnControl: ReturnControlPayload | undefined;
  let guardrailIntervened = false;
  try {
    for await (const event of completion) {
      for (const member of STREAM_EXCEPTIONS) {
        const exception = event[member];
        if (exception) throw new AgentError(exceptionName(member), exception.message);
      }
      if (event.chunk?.bytes) {
        const piece = decoder.decode(event.chunk.bytes, { stream: true });
        text += piece;
        if (piece) onText?.(piece);
      }
      if (event.trace) {
        if (event.trace.trace?.guardrailTrace?.action === 'INTERVENED') guardrailIntervened = true;
        onTrace?.(event.trace);
      }
      if (event.returnControl) returnControl = event.returnControl;
    }
  } catch (error) {
    throw asAgentError(error);
  }
  const rest = decoder.decode();
  text += rest;
  if (rest) onText?.(rest);
  return { text, guardrailIntervened, ...(returnControl ? { returnControl } : {}) };
}
