/**
 * `npm run redteam -- --model`: each entry sent straight to one model with
 * Converse and the project guardrail, as the invoke function would send it,
 * so that a custom model can be measured beside its base model before the
 * function is pointed at it (docs/customization.md).
 */
import { type BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { buildConverseInput, guardrailOutcome } from '../../lambda/invoke/converse';
import { DEPLOYMENT_ARN_PATTERN } from '../../lib/customization/approved-model';
import { UsageError } from '../cli/command';
import type { EntryResult } from './run';
import { classifyFunctionAnswer, RED_TEAM_MAX_TOKENS, type Target, Throttled } from './targets';

/** `--model base`: the model the GuardedInvoke stack is configured with (its ModelId output). */
export const BASE_MODEL = 'base';

/** A model ID, inference profile ID or Bedrock ARN: letters, digits and `.:/_-`, nothing that could be a second option. */
const MODEL_ID_PATTERN =
  /^(arn:aws[a-z-]*:bedrock:[a-z0-9-]*:[0-9]*:[a-z-]+\/[A-Za-z0-9.:/_-]+|[A-Za-z0-9][A-Za-z0-9.:_-]{0,199})$/;
/** A custom model's own ARN, which is not what inference takes. */
const CUSTOM_MODEL_ARN = /^arn:aws[a-z-]*:bedrock:[a-z0-9-]+:[0-9]{12}:custom-model\//;

/** The --model value's mistakes that need no AWS call to see. */
export function checkModelOption(value: string): void {
  if (CUSTOM_MODEL_ARN.test(value)) {
    // "After you deploy your custom model, you use the deployment's Amazon Resource Name (ARN) as the modelId
    // parameter when you submit prompts" (https://docs.aws.amazon.com/bedrock/latest/userguide/deploy-custom-model-on-demand.html).
    throw new UsageError(
      `--model ${value} is a custom model, which is invoked through a deployment: pass the custom model deployment's ARN (npm run customize -- deploy prints it)`,
    );
  }
  if (value !== BASE_MODEL && !MODEL_ID_PATTERN.test(value)) {
    throw new UsageError(`--model needs ${BASE_MODEL}, a custom model deployment ARN or a model ID, got "${value}"`);
  }
}

/**
 * The model ID to call. `base` is the model the app is configured with: the
 * stack's ModelId output, unless the function already serves an approved
 * custom model (the output is then its deployment), in which case the
 * modelId setting, which synth and `customize -- compare` hold the base to.
 * A deployment answers only in its own Region, and the guardrail is the
 * stack's, so a deployment elsewhere is a usage error.
 */
export function modelIdFor(
  value: string,
  deployed: { readonly outputModelId: string; readonly settingModelId: () => string },
  region: string,
): string {
  if (value === BASE_MODEL) {
    return DEPLOYMENT_ARN_PATTERN.test(deployed.outputModelId) ? deployed.settingModelId() : deployed.outputModelId;
  }
  const deployment = DEPLOYMENT_ARN_PATTERN.exec(value);
  if (deployment && deployment[2] !== region) {
    throw new UsageError(
      `the deployment ${value} is in ${deployment[2]}, but the stack's guardrail is in ${region}: pass --region ${deployment[2]} if the app is deployed there`,
    );
  }
  return value;
}

/**
 * An entry the model could not be asked with the guardrail on: Bedrock
 * refused the guardrailConfig itself. AWS says which models support
 * guardrails ("Most models in the Amazon Bedrock catalog support
 * guardrails", https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-supported.html)
 * but not whether a custom model deployment is among them, so the refusal is
 * kept as the entry's error rather than worked around: an answer without the
 * guardrail is not the outcome being measured.
 */
export class GuardrailNotApplied extends Error {
  override readonly name = 'GuardrailNotApplied';
}

/** The names of Bedrock's "slow down" answers; the invoke function turns both into 429 (lambda/invoke/errors.ts). */
const THROTTLED = new Set(['ThrottlingException', 'ServiceQuotaExceededException']);

/**
 * Converse on `modelId` with the guardrail and trace enabled. The request is
 * the invoke function's own (buildConverseInput: its zero-shot template, the
 * prompt as guarded content, a grounding source qualified as such), with what
 * the function-URL target asks for: no template, unstreamed, 256 tokens. The
 * answer is summarised as the function summarises it (guardrailOutcome) and
 * classified as the function-URL target classifies the function's answer, so
 * the runs of both can be read side by side.
 * https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-use-converse-api.html
 */
export function modelTarget(options: {
  readonly client: Pick<BedrockRuntimeClient, 'send'>;
  readonly modelId: string;
  readonly guardrailId: string;
  readonly guardrailVersion: string;
}): Target {
  const settings = {
    modelId: options.modelId,
    // Only topK depends on the family, and the red team never sends one.
    modelFamily: 'other' as const,
    guardrailIdentifier: options.guardrailId,
    guardrailVersion: options.guardrailVersion,
    maxTokensCap: RED_TEAM_MAX_TOKENS,
  };
  return async (entry) => {
    const input = buildConverseInput(
      {
        prompt: entry.prompt,
        ...(entry.groundingSource ? { groundingSource: entry.groundingSource } : {}),
        template: 'zero-shot',
        parameters: { maxTokens: RED_TEAM_MAX_TOKENS },
        stream: false,
        knowledgeBase: false,
      },
      settings,
    );
    let output;
    try {
      output = await options.client.send(new ConverseCommand(input));
    } catch (error) {
      const { name, message } = error as Error;
      if (THROTTLED.has(name)) throw new Throttled(`${name}: ${message}`);
      if (name === 'ValidationException' && /guardrail/i.test(message)) {
        throw new GuardrailNotApplied(
          `Bedrock refused guardrail ${options.guardrailId} version ${options.guardrailVersion} on ${options.modelId}: ${message}`,
        );
      }
      throw error;
    }
    const text = (output.output?.message?.content ?? []).map((c) => c.text ?? '').join('');
    const stopReason = output.stopReason ?? 'unknown';
    const { intervened, inputRefused, policies } = guardrailOutcome(stopReason, output.trace?.guardrail);
    return classifyFunctionAnswer({
      text,
      stopReason,
      guardrail: { intervened, inputRefused, policies: [...policies] },
    });
  };
}

/** Entries whose error is a refused guardrail. */
export function guardrailRefusals(results: readonly Pick<EntryResult, 'error'>[]): number {
  return results.filter((r) => r.error?.startsWith('GuardrailNotApplied:')).length;
}

/** The plain statement a run with refused guardrails must carry, or undefined when there were none. */
export function guardrailNotice(results: readonly Pick<EntryResult, 'error'>[], modelId: string): string | undefined {
  const refused = guardrailRefusals(results);
  if (refused === 0) return undefined;
  return `The guardrail could not be applied to ${modelId}: Bedrock refused it on ${refused} of ${results.length} entries (ValidationException; the first: ${results.find((r) => r.error?.startsWith('GuardrailNotApplied:'))?.error}). Those entries are errors, not outcomes, so this run does not measure the model behind the guardrail and no comparison (npm run customize -- compare) can be built from it.`;
}
