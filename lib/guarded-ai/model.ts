import { Stack } from 'aws-cdk-lib';
import { MODEL_ID_PATTERN } from '../config';

import type { ModelFamily } from '../shared/invoke-contract';

/**
 * The configured model, understood: a foundation model in this region, or a
 * cross-region inference profile that routes to the same foundation model in
 * the regions of its geography.
 */
export interface ModelTarget {
  /** What the function passes as modelId. */
  readonly modelId: string;
  /** The foundation model behind it. */
  readonly foundationModelId: string;
  /** `us`, `eu`, `apac` or `global` for an inference profile. */
  readonly profileGeography?: string;
  readonly family: ModelFamily;
  /**
   * A custom model fine-tuned from the foundation model, served on demand
   * through a deployment whose ARN is the modelId (docs/customization.md).
   * @default - the foundation model itself
   */
  readonly custom?: { readonly deploymentArn: string; readonly customModelArn: string };
}

export function modelTarget(modelId: string): ModelTarget {
  const match = MODEL_ID_PATTERN.exec(modelId);
  if (!match) throw new Error(`not a Bedrock model id: ${modelId}`);
  const [, geography, provider, name] = match;
  const foundationModelId = geography ? modelId.slice(geography.length + 1) : modelId;
  const family: ModelFamily =
    provider === 'anthropic' ? 'anthropic' : provider === 'amazon' && name.startsWith('nova') ? 'amazon-nova' : 'other';
  return { modelId, foundationModelId, profileGeography: geography, family };
}

/**
 * A custom model deployment in place of the foundation model it was
 * fine-tuned from: "After you deploy your custom model, you use the
 * deployment's Amazon Resource Name (ARN) as the modelId parameter"
 * (https://docs.aws.amazon.com/bedrock/latest/userguide/deploy-custom-model-on-demand.html).
 */
export function customModelTarget(base: ModelTarget, deploymentArn: string, customModelArn: string): ModelTarget {
  return { ...base, modelId: deploymentArn, profileGeography: undefined, custom: { deploymentArn, customModelArn } };
}

/** ARNs the function may invoke, for a stack in a known or unknown region. */
export function modelArns(
  scope: Stack,
  target: ModelTarget,
): { profileArn?: string; foundationModelArns: string[]; customModelArns?: string[] } {
  const { partition, region, account } = scope;
  if (target.custom) {
    // Which of the two a call through the deployment is authorised on is not
    // documented; allowing both (and no foundation model) works either way.
    return { foundationModelArns: [], customModelArns: [target.custom.deploymentArn, target.custom.customModelArn] };
  }
  if (!target.profileGeography) {
    return {
      foundationModelArns: [`arn:${partition}:bedrock:${region}::foundation-model/${target.foundationModelId}`],
    };
  }
  // An inference profile may route a request to any region of its geography,
  // and that list changes over time; the wildcard region is confined by the
  // bedrock:InferenceProfileArn condition the caller adds.
  return {
    profileArn: `arn:${partition}:bedrock:${region}:${account}:inference-profile/${target.modelId}`,
    foundationModelArns: [`arn:${partition}:bedrock:*::foundation-model/${target.foundationModelId}`],
  };
}
