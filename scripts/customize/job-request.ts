/**
 * What a fine-tuning job rests on: the approved batch's manifest (read, never
 * rebuilt: the approval function is its only writer) and the
 * CreateModelCustomizationJob request made from it and the stacks' outputs.
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_CreateModelCustomizationJob.html
 */
import type { CreateModelCustomizationJobRequest } from '@aws-sdk/client-bedrock';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import {
  approvedKey,
  MANIFEST_SHA256_TAG,
  manifestKey,
  type TrainingManifest,
} from '../../lib/shared/customization-contract';
import { CUSTOMIZATION_OUTPUT_PREFIX } from '../../lib/shared/data-layout';
import type { CustomizeClients, Deployed } from './context';

/**
 * Nova Micro, Lite and Pro's hyperparameters (name, type, minimum, maximum,
 * default): "Epochs | epochCount | integer | 1 | 5 | 2", "Learning rate |
 * learningRate | float | 1.00E-6 | 1.00E-4 | 1.00E-5", "Learning rate warmup
 * steps | learningRateWarmupSteps | integer | 0 | 100 | 10"
 * (https://docs.aws.amazon.com/bedrock/latest/userguide/cm-hp-nova-mm.html).
 * An older Nova page gives warmup steps a maximum of 20
 * (https://docs.aws.amazon.com/nova/latest/userguide/customize-fine-tune-hyperparameters.html):
 * the smaller bound is the one both pages allow.
 */
export const HYPERPARAMETERS = {
  epochs: { min: 1, max: 5, default: 2 },
  learningRate: { min: 1e-6, max: 1e-4, default: 1e-5 },
  warmupSteps: { min: 0, max: 20, default: 10 },
} as const;

export interface HyperParameters {
  readonly epochs: number;
  readonly learningRate: number;
  readonly warmupSteps: number;
}

/**
 * Bedrock's hyperParameters are a string-to-string map ("epochCount": "2").
 * String(1e-5) is "0.00001": JavaScript writes decimals down to 1e-6 in full.
 */
export function hyperParameterStrings(h: HyperParameters): Record<string, string> {
  return {
    epochCount: String(h.epochs),
    learningRate: String(h.learningRate),
    learningRateWarmupSteps: String(h.warmupSteps),
  };
}

export interface ApprovedBatch {
  readonly manifest: TrainingManifest;
  /** SHA-256 of the manifest's bytes as stored: what the job's tags and a later comparison name. */
  readonly sha256: string;
}

/** The batch's manifest, or undefined when there is none (the batch was never approved). */
export async function readApprovedBatch(
  s3: CustomizeClients['s3'],
  bucket: string,
  batch: string,
): Promise<ApprovedBatch | undefined> {
  let bytes: Uint8Array;
  try {
    const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: manifestKey(batch) }));
    bytes = (await Body?.transformToByteArray()) ?? new Uint8Array();
  } catch (error) {
    // S3 answers a missing key with 403, not 404, to a caller who may list
    // the bucket only under a prefix (the operator policy's s3:prefix
    // condition): both mean no manifest this caller can read.
    if (error instanceof Error && /^(NoSuchKey|NotFound|AccessDenied)$/.test(error.name)) return undefined;
    throw error;
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  let manifest: TrainingManifest;
  try {
    manifest = JSON.parse(Buffer.from(bytes).toString('utf8')) as TrainingManifest;
  } catch {
    throw new Error(`s3://${bucket}/${manifestKey(batch)} is not JSON`);
  }
  return { manifest, sha256 };
}

/** Why this manifest cannot start a job for `batch` on the stack's base model, or undefined. */
export function manifestProblem(manifest: TrainingManifest, batch: string, baseModel: string): string | undefined {
  if (manifest?.schema !== 'training-manifest/1')
    return `its schema is ${String(manifest?.schema)}, not training-manifest/1`;
  if (manifest.batch !== batch) return `it is the manifest of batch ${manifest.batch}, not ${batch}`;
  if (manifest.file?.key !== approvedKey(batch)) return `it names ${manifest.file?.key}, not ${approvedKey(batch)}`;
  if (manifest.baseModel !== baseModel) {
    return `it was approved for ${manifest.baseModel}, but the Customization stack customizes ${baseModel} (output BaseModelIdentifier): prepare the data again`;
  }
  return undefined;
}

export interface JobInput {
  readonly appName: string;
  readonly jobName: string;
  readonly batch: string;
  readonly deployed: Deployed;
  readonly approved: ApprovedBatch;
  readonly hyperParameters: HyperParameters;
}

export function customizationJobRequest(input: JobInput): CreateModelCustomizationJobRequest {
  const { deployed } = input;
  const tags = [
    { key: 'project', value: input.appName },
    { key: MANIFEST_SHA256_TAG, value: input.approved.sha256 },
  ];
  return {
    jobName: input.jobName,
    customModelName: input.jobName,
    roleArn: deployed.jobRoleArn,
    // Derived from the job name, which carries the time: the SDK's retry of
    // this request is then the same job, never a second one.
    clientRequestToken: input.jobName,
    baseModelIdentifier: input.approved.manifest.baseModel,
    customizationType: 'FINE_TUNING',
    // The custom model is encrypted with the project key, like the data it was made from.
    customModelKmsKeyId: deployed.keyArn,
    jobTags: tags,
    customModelTags: tags,
    // The approved copy only: the approval function is the sole writer of training/approved/.
    trainingDataConfig: { s3Uri: `s3://${deployed.bucket}/${approvedKey(input.batch)}` },
    outputDataConfig: { s3Uri: `s3://${deployed.bucket}/${CUSTOMIZATION_OUTPUT_PREFIX}` },
    hyperParameters: hyperParameterStrings(input.hyperParameters),
    ...(deployed.subnetIds && deployed.securityGroupId
      ? { vpcConfig: { subnetIds: [...deployed.subnetIds], securityGroupIds: [deployed.securityGroupId] } }
      : {}),
  };
}

/** What the request asks for, one line each (shown when Bedrock refuses it). */
export function describeJobRequest(request: CreateModelCustomizationJobRequest): string[] {
  return [
    `job ${request.jobName}, custom model ${request.customModelName}, ${request.customizationType} of ${request.baseModelIdentifier}`,
    `role ${request.roleArn}`,
    `training data ${request.trainingDataConfig?.s3Uri}, output ${request.outputDataConfig?.s3Uri}`,
    `custom model key ${request.customModelKmsKeyId}`,
    `hyperparameters ${Object.entries(request.hyperParameters ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}`,
    request.vpcConfig
      ? `VPC subnets ${request.vpcConfig.subnetIds?.join(', ')}, security group ${request.vpcConfig.securityGroupIds?.join(', ')}`
      : 'no VPC',
  ];
}
