/**
 * The names `npm run customize` gives what it creates, and the patterns
 * Bedrock checks them against. Every name starts with the app's name in
 * lowercase, so that this app's jobs, custom models and deployments are found
 * again by ListModelCustomizationJobs, ListCustomModels and
 * ListCustomModelDeployments (`nameContains`) without a database of our own.
 */
import { BATCH_PATTERN } from '../../lib/shared/customization-contract';

/**
 * JobName: "max":63, "min":1, "pattern":"[a-zA-Z0-9](-*[a-zA-Z0-9\\+\\-\\.])*" (Bedrock's
 * service model, botocore/data/bedrock/2023-04-20/service-2.json; the API reference
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_CreateModelCustomizationJob.html).
 */
export const JOB_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9+\-.])*$/;
/** CustomModelName: "max":63, "min":1, "pattern":"([0-9a-zA-Z][_-]?){1,63}" (same model): no dots. */
export const CUSTOM_MODEL_NAME_PATTERN = /^([0-9a-zA-Z][_-]?){1,63}$/;
/**
 * modelDeploymentName: "min: 1 · max: 63 · pattern: ([0-9a-zA-Z][_-]?){1,63}"
 * (https://docs.aws.amazon.com/cli/latest/reference/bedrock/create-custom-model-deployment.html).
 */
export const DEPLOYMENT_NAME_PATTERN = CUSTOM_MODEL_NAME_PATTERN;
/** IdempotencyToken of CreateModelCustomizationJob: "max":256, "pattern":"[a-zA-Z0-9](-*[a-zA-Z0-9])*". */
export const JOB_TOKEN_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/;
/** clientRequestToken of CreateCustomModelDeployment: "[a-zA-Z0-9]([-a-zA-Z0-9]{0,254}[a-zA-Z0-9])?". */
export const DEPLOYMENT_TOKEN_PATTERN = /^[a-zA-Z0-9]([-a-zA-Z0-9]{0,254}[a-zA-Z0-9])?$/;
export const NAME_MAX_LENGTH = 63;

/**
 * CustomModelArn (service model): `arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:custom-model/`
 * then the base model id (with its context suffix, e.g. amazon.nova-micro-v1:0:128k) and a 12-character id.
 */
export const CUSTOM_MODEL_ARN_PATTERN =
  /^arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:custom-model\/[a-z0-9-]{1,63}[.][a-z0-9-]{1,63}(:[a-z0-9-]{1,63}){0,2}\/(?<id>[a-z0-9]{12})$/;
/** The app's name as it starts every name here: appName is PascalCase letters and digits, so lowercasing is enough. */
export function appSlug(appName: string): string {
  return appName.toLowerCase().replace(/[^a-z0-9]+/g, '');
}

/** What every job and custom model of this app is named with first: `<app>-ft-`. */
export function jobNamePrefix(appName: string): string {
  return `${appSlug(appName)}-ft-`;
}

/** UTC `yyyymmddhhmmss`. */
export function stamp(at: Date): string {
  return at
    .toISOString()
    .replace(/\.\d{3}Z$/, '')
    .replace(/[-:T]/g, '');
}

/** The batch `prepare` uses when none is named: `batch-YYYYMMDD-HHMMSS` (UTC), which BATCH_PATTERN accepts. */
export function defaultBatch(at: Date): string {
  const s = stamp(at);
  return `batch-${s.slice(0, 8)}-${s.slice(8)}`;
}

/** A usage problem with a batch name, or undefined when it is one. */
export function batchProblem(batch: string): string | undefined {
  return BATCH_PATTERN.test(batch)
    ? undefined
    : `batch "${batch}" is not 1 to 40 lowercase letters and digits with single hyphens between them`;
}

/**
 * `<app>-ft-<batch>-<yyyymmddhhmmss>`, the job's name and its custom model's:
 * the batch is cut short (never to a trailing hyphen) so that the whole fits
 * 63 characters; the time keeps two runs of one batch apart. Letters, digits
 * and single hyphens only, so it satisfies both JobName and CustomModelName,
 * and the job's idempotency token too.
 */
export function jobName(appName: string, batch: string, at: Date): string {
  const prefix = jobNamePrefix(appName);
  const suffix = `-${stamp(at)}`;
  const room = NAME_MAX_LENGTH - prefix.length - suffix.length;
  const part = batch.slice(0, Math.max(0, room)).replace(/-+$/, '');
  const name = `${prefix}${part}${suffix}`;
  if (!JOB_NAME_PATTERN.test(name) || !CUSTOM_MODEL_NAME_PATTERN.test(name) || name.length > NAME_MAX_LENGTH) {
    throw new Error(`internal: job name ${name} does not satisfy Bedrock's JobName and CustomModelName patterns`);
  }
  return name;
}

/** The 12-character id at the end of a custom model's ARN, or undefined for anything else. */
export function modelIdSuffix(modelArn: string): string | undefined {
  return CUSTOM_MODEL_ARN_PATTERN.exec(modelArn)?.groups?.id;
}

/** `<app>-<model id>`: one deployment name per custom model, so a second deploy of it finds the first. */
export function deploymentName(appName: string, modelArn: string): string {
  const suffix = modelIdSuffix(modelArn);
  if (!suffix) throw new Error(`not a custom model ARN: ${modelArn}`);
  const name = `${appSlug(appName)}-${suffix}`;
  if (!DEPLOYMENT_NAME_PATTERN.test(name)) throw new Error(`internal: deployment name ${name} is not valid`);
  return name;
}
