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

/** ARNs the function may invoke, for a stack in a known or unknown region. */
export function modelArns(scope: Stack, target: ModelTarget): { profileArn?: string; foundationModelArns: string[] } {
  const { partition, region, account } = scope;
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
