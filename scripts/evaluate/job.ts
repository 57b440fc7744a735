/**
 * The CreateEvaluationJob request for one automatic model evaluation: one
 * model, one task type, the project's datasets plus built-in ones, results
 * under evaluations/results/ of the data bucket.
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_CreateEvaluationJob.html
 */
import type { CreateEvaluationJobRequest, EvaluationDatasetMetricConfig } from '@aws-sdk/client-bedrock';
import { modelTarget } from '../../lib/guarded-ai/model';
import { EVALUATION_RESULTS_PREFIX } from '../../lib/shared/data-layout';
import {
  BUILTIN_DATASETS,
  builtinsFor,
  DATASET_NAME_PATTERN,
  MAX_DATASETS_PER_JOB,
  type Metric,
  TASK_METRICS,
  type TaskType,
  toxicityUnsupported,
} from './tasks';

/** jobName: 1-63 characters, lowercase letters, digits and hyphens, starting and ending with a letter or digit. */
export const JOB_NAME_PATTERN = /^[a-z0-9](-*[a-z0-9]){0,62}$/;
export const JOB_NAME_MAX_LENGTH = 63;
/** clientRequestToken: 1-256 characters. */
export const REQUEST_TOKEN_PATTERN = /^[a-zA-Z0-9]([-a-zA-Z0-9]{0,254}[a-zA-Z0-9])?$/;
/** roleArn and outputDataConfig.s3Uri patterns (API_CreateEvaluationJob, API_EvaluationOutputDataConfig). */
export const ROLE_ARN_PATTERN = /^arn:aws(-[^:]+)?:iam::([0-9]{12})?:role\/.+$/;
export const OUTPUT_URI_PATTERN = /^s3:\/\/[a-z0-9][.\-a-z0-9]{1,61}[a-z0-9](\/.*)?$/;

/** The part of every job name of this app that comes before the timestamp; ListEvaluationJobs finds them by it. */
export function jobNamePrefix(appName: string): string {
  const app = appName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `${app.slice(0, JOB_NAME_MAX_LENGTH - '-eval-yyyymmdd-hhmmss'.length)}-eval-`;
}

/** `<app>-eval-<yyyymmdd-hhmmss>` (UTC): unique per account and region as long as two runs are a second apart. */
export function jobName(appName: string, at: Date): string {
  const stamp = at
    .toISOString()
    .replace(/\.\d{3}Z$/, '')
    .replace(/[-:]/g, '')
    .replace('T', '-');
  return `${jobNamePrefix(appName)}${stamp}`;
}

export interface CustomDatasetInput {
  readonly name: string;
  readonly s3Uri: string;
}

export interface JobInput {
  readonly appName: string;
  readonly jobName: string;
  readonly task: TaskType;
  readonly modelId: string;
  /** The job's region: an inference profile's ARN names it. */
  readonly region: string;
  readonly roleArn: string;
  readonly bucket: string;
  readonly builtins: readonly string[];
  readonly custom: readonly CustomDatasetInput[];
  readonly maxTokens: number;
}

/** A request this command refuses to send: the reason is known before Bedrock says it. */
export class JobRequestError extends Error {
  override readonly name = 'JobRequestError';
}

/** The job's results prefix: Bedrock writes `<jobName>/<job id>/models/...` below it. */
export function resultsUri(bucket: string): string {
  return `s3://${bucket}/${EVALUATION_RESULTS_PREFIX}`;
}

/**
 * Bedrock's model parameters as a JSON string, as in AWS's examples
 * (https://docs.aws.amazon.com/bedrock/latest/userguide/model-evaluation-jobs-management-create.html).
 * A small maxTokens: reference answers are one sentence, and every token is billed.
 */
export function inferenceParams(maxTokens: number): string {
  return JSON.stringify({ inferenceConfig: { maxTokens } });
}

/**
 * The bare ids API_EvaluationBedrockModel's modelIdentifier pattern accepts:
 * a foundation model id, `([a-z0-9-]{1,63}[.]{1}[a-z0-9-]{1,63}([.:]?[a-z0-9-]{1,63}))`,
 * and an inference profile id only with a geography of 2 to 4 letters,
 * `(([a-z]{2,4}[.]{1})(...))`: `us.`, `eu.`, `apac.`, not `global.`. A profile
 * id the bare form does not accept takes the ARN form,
 * `[0-9]{12}:inference-profile/(([a-z-]{2,8}.)...)`, which accepts `global.`;
 * the user guide: "you can also include an inference profile in the job by
 * specifying its ARN in the modelIdentifier field".
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_EvaluationBedrockModel.html
 * https://docs.aws.amazon.com/bedrock/latest/userguide/model-evaluation-jobs-management-create.html
 */
const MODEL_PART = '[a-z0-9-]{1,63}[.][a-z0-9-]{1,63}([.:]?[a-z0-9-]{1,63})';
export const BARE_MODEL_IDENTIFIER = new RegExp(`^(([a-z]{2,4}[.])?${MODEL_PART})$`);
export const PROFILE_ARN_IDENTIFIER = new RegExp(
  `^arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:inference-profile/([a-z-]{2,8}[.])${MODEL_PART}$`,
);

/** What the job names the model by: the configured id where the API takes it bare, else the profile's ARN. */
export function modelIdentifier(modelId: string, region: string, roleArn: string): string {
  if (BARE_MODEL_IDENTIFIER.test(modelId)) return modelId;
  let target;
  try {
    target = modelTarget(modelId);
  } catch {
    throw new JobRequestError(`model id "${modelId}" is neither a foundation model nor an inference profile id`);
  }
  // The role is the account's own: its ARN gives the partition and the account.
  const role = /^arn:(aws(?:-[^:]+)?):iam::([0-9]{12}):role\//.exec(roleArn);
  if (!target.profileGeography || !role) {
    throw new JobRequestError(
      `model id "${modelId}" does not match the modelIdentifier pattern of CreateEvaluationJob, and no inference-profile ARN can be made for it (role ${roleArn})`,
    );
  }
  const arn = `arn:${role[1]}:bedrock:${region}:${role[2]}:inference-profile/${modelId}`;
  if (!PROFILE_ARN_IDENTIFIER.test(arn)) {
    throw new JobRequestError(`inference profile ARN ${arn} does not match the modelIdentifier pattern`);
  }
  return arn;
}

function datasetConfigs(input: JobInput): EvaluationDatasetMetricConfig[] {
  const dropToxicity = toxicityUnsupported(input.modelId, input.task);
  const usable = (metrics: readonly Metric[]) => metrics.filter((m) => !(dropToxicity && m === 'Builtin.Toxicity'));
  const builtins = input.builtins.map((name): EvaluationDatasetMetricConfig => {
    const known = BUILTIN_DATASETS[name];
    if (!known || known.task !== input.task) {
      throw new JobRequestError(
        `${name} is not a built-in dataset of ${input.task}; use one of ${builtinsFor(input.task).join(', ')}`,
      );
    }
    return { taskType: input.task, dataset: { name }, metricNames: usable(known.metrics) };
  });
  const custom = input.custom.map((d): EvaluationDatasetMetricConfig => {
    if (!DATASET_NAME_PATTERN.test(d.name) || d.name.startsWith('Builtin.')) {
      throw new JobRequestError(`"${d.name}" is not a valid custom dataset name (1-63 of [0-9a-zA-Z-_.])`);
    }
    // Every metric of the task: the project's datasets carry referenceResponse,
    // which accuracy and robustness need.
    return {
      taskType: input.task,
      dataset: { name: d.name, datasetLocation: { s3Uri: d.s3Uri } },
      metricNames: usable(TASK_METRICS[input.task]),
    };
  });
  return [...custom, ...builtins].filter((c) => (c.metricNames ?? []).length > 0);
}

export function createJobRequest(input: JobInput): CreateEvaluationJobRequest {
  if (!JOB_NAME_PATTERN.test(input.jobName) || input.jobName.length > JOB_NAME_MAX_LENGTH) {
    throw new JobRequestError(`job name "${input.jobName}" is not 1-63 lowercase letters, digits and hyphens`);
  }
  if (!ROLE_ARN_PATTERN.test(input.roleArn)) throw new JobRequestError(`not an IAM role ARN: ${input.roleArn}`);
  const configs = datasetConfigs(input);
  if (configs.length === 0) throw new JobRequestError(`no datasets to evaluate for ${input.task}`);
  if (configs.length > MAX_DATASETS_PER_JOB) {
    throw new JobRequestError(
      `${configs.length} datasets; a job takes at most ${MAX_DATASETS_PER_JOB} (drop some --builtin)`,
    );
  }
  const model = modelIdentifier(input.modelId, input.region, input.roleArn);
  const outputUri = resultsUri(input.bucket);
  if (!OUTPUT_URI_PATTERN.test(outputUri)) throw new JobRequestError(`not a valid output location: ${outputUri}`);
  return {
    jobName: input.jobName,
    jobDescription: `${input.appName}: ${input.task} evaluation of ${input.modelId}`.slice(0, 200),
    // Derived from the unique job name: a retry of this same request is then
    // ignored by Bedrock instead of starting a second job.
    clientRequestToken: input.jobName,
    roleArn: input.roleArn,
    applicationType: 'ModelEvaluation',
    evaluationConfig: { automated: { datasetMetricConfigs: configs } },
    inferenceConfig: {
      models: [{ bedrockModel: { modelIdentifier: model, inferenceParams: inferenceParams(input.maxTokens) } }],
    },
    // No jobTags: tagging on create is authorized separately, and the job name
    // already says which app it belongs to.
    outputDataConfig: { s3Uri: outputUri },
  };
}

/** One line per dataset: what the request asks for (shown when Bedrock refuses it). */
export function describeRequest(request: CreateEvaluationJobRequest): string[] {
  const configs = request.evaluationConfig?.automated?.datasetMetricConfigs ?? [];
  const model = request.inferenceConfig?.models?.[0]?.bedrockModel?.modelIdentifier ?? '?';
  return [
    `model ${model}, role ${request.roleArn}, output ${request.outputDataConfig?.s3Uri}`,
    ...configs.map(
      (c) =>
        `${c.taskType} ${c.dataset?.name}${c.dataset?.datasetLocation?.s3Uri ? ` (${c.dataset.datasetLocation.s3Uri})` : ''}: ${(c.metricNames ?? []).join(', ')}`,
    ),
  ];
}
