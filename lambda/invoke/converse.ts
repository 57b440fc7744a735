import type {
  BedrockRuntimeClient,
  ContentBlock,
  ConverseCommandInput,
  ConverseStreamCommandInput,
  GuardrailTraceAssessment,
  Message,
} from '@aws-sdk/client-bedrock-runtime';
import { ConverseCommand, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import { firedIn } from '../../lib/shared/guardrail-policies';
import type { InvokeRequest, ModelFamily } from './request';
import { TEMPLATES } from './templates';

export interface ModelSettings {
  readonly modelId: string;
  readonly modelFamily: ModelFamily;
  readonly guardrailIdentifier: string;
  readonly guardrailVersion: string;
  readonly maxTokensCap: number;
}

/** Answer length when the request does not ask for one. */
export const DEFAULT_MAX_TOKENS = 512;

/** What the guardrail did, by policy category only: never which rule, topic or word. */
export interface GuardrailOutcome {
  readonly intervened: boolean;
  /** Whether the guardrail refused the input itself (the model was not called). */
  readonly inputRefused: boolean;
  readonly policies: readonly string[];
}

export interface Usage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly totalTokens: number;
}

export interface Answer {
  readonly text: string;
  readonly stopReason: string;
  readonly guardrail: GuardrailOutcome;
  readonly usage: Usage;
}

/** Everything the model receives, built only from our template and validated fields. */
export function buildConverseInput(request: InvokeRequest, settings: ModelSettings): ConverseCommandInput {
  const template = TEMPLATES[request.template];
  const examples: Message[] = template.examples.flatMap((e) => [
    { role: 'user', content: [{ text: e.user }] },
    { role: 'assistant', content: [{ text: e.assistant }] },
  ]);
  // Only the user's own content is marked for guardrail evaluation
  // (guardContent): our system prompt and examples are trusted, and screening
  // them would waste guardrail capacity and could block every request.
  const userContent: ContentBlock[] = request.groundingSource
    ? [
        { guardContent: { text: { text: request.groundingSource, qualifiers: ['grounding_source'] } } },
        { guardContent: { text: { text: request.prompt, qualifiers: ['query', 'guard_content'] } } },
      ]
    : [{ guardContent: { text: { text: request.prompt } } }];

  const { temperature, topP, topK, maxTokens, stopSequences } = request.parameters;
  return {
    modelId: settings.modelId,
    system: [{ text: template.system }],
    messages: [...examples, { role: 'user', content: userContent }],
    inferenceConfig: {
      maxTokens: maxTokens ?? Math.min(DEFAULT_MAX_TOKENS, settings.maxTokensCap),
      temperature,
      topP,
      stopSequences: stopSequences ? [...stopSequences] : undefined,
    },
    additionalModelRequestFields: topK === undefined ? undefined : topKField(settings.modelFamily, topK),
    guardrailConfig: {
      guardrailIdentifier: settings.guardrailIdentifier,
      guardrailVersion: settings.guardrailVersion,
      trace: 'enabled',
    },
  };
}

/** topK is not part of the Converse API; each family takes it in its own field. */
function topKField(family: ModelFamily, topK: number): ConverseCommandInput['additionalModelRequestFields'] {
  return family === 'anthropic' ? { top_k: topK } : { inferenceConfig: { topK } };
}

/** The streaming variant: synchronous guardrail processing, so masking applies to every chunk before it is sent. */
export function buildConverseStreamInput(request: InvokeRequest, settings: ModelSettings): ConverseStreamCommandInput {
  const input = buildConverseInput(request, settings);
  return {
    ...input,
    guardrailConfig: {
      guardrailIdentifier: settings.guardrailIdentifier,
      guardrailVersion: settings.guardrailVersion,
      trace: 'enabled',
      streamProcessingMode: 'sync',
    },
  };
}

/** Summarise a guardrail trace for the client and the audit record. */
export function guardrailOutcome(
  stopReason: string | undefined,
  trace: GuardrailTraceAssessment | undefined,
): GuardrailOutcome {
  const input = Object.values(trace?.inputAssessment ?? {}).flatMap(firedIn);
  const output = Object.values(trace?.outputAssessments ?? {})
    .flat()
    .flatMap(firedIn);
  const policies = [...new Set([...input, ...output])].sort();
  const intervened = stopReason === 'guardrail_intervened' || policies.length > 0;
  return { intervened, inputRefused: stopReason === 'guardrail_intervened' && input.length > 0, policies };
}

function usageOf(usage: { inputTokens?: number; outputTokens?: number; totalTokens?: number } | undefined): Usage {
  return {
    inputTokens: usage?.inputTokens ?? 0,
    outputTokens: usage?.outputTokens ?? 0,
    totalTokens: usage?.totalTokens ?? 0,
  };
}

/** One non-streaming call. */
export async function converse(
  client: BedrockRuntimeClient,
  input: ConverseCommandInput,
  abortSignal: AbortSignal,
): Promise<Answer> {
  const output = await client.send(new ConverseCommand(input), { abortSignal });
  const text = (output.output?.message?.content ?? []).map((c) => c.text ?? '').join('');
  const stopReason = output.stopReason ?? 'unknown';
  return {
    text,
    stopReason,
    guardrail: guardrailOutcome(stopReason, output.trace?.guardrail),
    usage: usageOf(output.usage),
  };
}

export type StreamEvent =
  { readonly type: 'text'; readonly text: string } | ({ readonly type: 'end' } & Omit<Answer, 'text'>);

/**
 * One streaming call: yields text as it arrives, then one end event. Errors
 * (before or during the stream) are thrown to the caller.
 */
export async function* converseStream(
  client: BedrockRuntimeClient,
  input: ConverseStreamCommandInput,
  abortSignal: AbortSignal,
): AsyncGenerator<StreamEvent> {
  const output = await client.send(new ConverseStreamCommand(input), { abortSignal });
  let stopReason = 'unknown';
  let trace: GuardrailTraceAssessment | undefined;
  let usage: Usage = usageOf(undefined);
  for await (const event of output.stream ?? []) {
    if (event.contentBlockDelta?.delta?.text) {
      yield { type: 'text', text: event.contentBlockDelta.delta.text };
    } else if (event.messageStop) {
      stopReason = event.messageStop.stopReason ?? stopReason;
    } else if (event.metadata) {
      usage = usageOf(event.metadata.usage);
      trace = event.metadata.trace?.guardrail ?? trace;
    }
  }
  yield { type: 'end', stopReason, guardrail: guardrailOutcome(stopReason, trace), usage };
}
