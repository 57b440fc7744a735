import {
  CreateClassificationJobCommand,
  type CreateClassificationJobCommandInput,
  type Macie2Client,
  UpdateClassificationJobCommand,
} from '@aws-sdk/client-macie2';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import {
  type CustomResourceDependencies,
  customResource,
  InvalidPropertiesError,
  type Outcome,
  responseMargin,
} from '../shared/custom-resource';
import { describeError, RetriesExhausted } from '../shared/retry';
import { errorMessage, errorName, isTransientSdkError } from '../shared/sdk-errors';

/**
 * CloudFormation custom resource for one Amazon Macie classification job
 * (CloudFormation has no resource type for jobs).
 *
 * - Create: CreateClassificationJob with the client token of the definition,
 *   so a repeated create returns the same job instead of a second one.
 * - Update: jobs cannot be edited, so a changed definition (a new token) is a
 *   new job; CloudFormation then sends a Delete for the old one.
 * - Delete: cancel the job; a job that is already cancelled, finished or gone
 *   is not an error.
 *
 * The job is created seconds after the stack enables Macie and attaches this
 * function's policy; both take a moment to take effect (AccessDeniedException,
 * "Macie is not enabled"), so those errors, throttling and server errors are
 * retried with backoff until shortly before the function times out.
 *
 * The function answers CloudFormation itself, on the pre-signed URL of the
 * event (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html).
 */

/** PhysicalResourceId of a job that was never created: Delete has nothing to cancel. */
export const NO_JOB = 'macie-job-not-created';

/** Longest one Macie call may take: the client's connection plus request timeouts (index.ts). */
export const CALL_TIMEOUT_MS = 25_000;

/** Time kept back from the Lambda timeout for a call under way and the response (see responseMargin). */
export const RESPONSE_MARGIN_MS = responseMargin(CALL_TIMEOUT_MS);

/** Errors of the Macie API that a later attempt can get past (https://docs.aws.amazon.com/macie/latest/APIReference/jobs.html). */
// ConflictException is left out: it says the request contradicts the state of
// a resource, which another attempt does not change.
const TRANSIENT = new Set(['ThrottlingException', 'InternalServerException']);
/** Macie answers this way while the account's Macie session is not (yet) enabled. */
const NOT_ENABLED = /not enabled/i;

export interface HandlerDependencies extends CustomResourceDependencies {
  readonly macie: Pick<Macie2Client, 'send'>;
}

/**
 * On create, also AccessDeniedException (IAM is eventually consistent: the
 * policy attached a moment ago may not apply yet, and Macie answers it while
 * the new session is being enabled) and a validation error saying Macie is
 * not enabled.
 */
export function isTransientOnCreate(error: unknown): boolean {
  const name = errorName(error);
  if (name === 'AccessDeniedException') return true;
  if (name === 'ValidationException' && NOT_ENABLED.test(errorMessage(error))) return true;
  return isTransientSdkError(error, TRANSIENT);
}

/** On delete, only throttling and server errors: the role's policy has been in place since the create. */
export function isTransientOnDelete(error: unknown): boolean {
  return isTransientSdkError(error, TRANSIENT);
}

/**
 * Errors of a cancel that mean the job needs no cancelling: it is gone, it is
 * already cancelled or complete (Macie rejects the status change), or Macie
 * was disabled, which deletes every job.
 */
export function jobAlreadyGone(error: unknown): boolean {
  const name = errorName(error);
  return (
    name === 'ResourceNotFoundException' ||
    name === 'ValidationException' ||
    (name === 'AccessDeniedException' && NOT_ENABLED.test(errorMessage(error)))
  );
}

/** The job's definition, as the construct serialized it into the `Job` property. */
export function parseJob(value: unknown): CreateClassificationJobCommandInput {
  if (typeof value !== 'string') throw new InvalidPropertiesError('the Job property must be a JSON string');
  const job = JSON.parse(value) as Partial<CreateClassificationJobCommandInput>;
  for (const key of ['name', 'clientToken', 'jobType', 's3JobDefinition'] as const) {
    if (!job[key]) throw new InvalidPropertiesError(`the Job property has no ${key}`);
  }
  return job as CreateClassificationJobCommandInput;
}

export function createHandler(deps: HandlerDependencies) {
  const { retrying, handler } = customResource(deps);
  const { macie, logger } = deps;

  async function createJob(event: CloudFormationCustomResourceEvent, deadline: number): Promise<Outcome> {
    const job = parseJob(event.ResourceProperties.Job);
    const created = await retrying(deadline, isTransientOnCreate, () =>
      macie.send(new CreateClassificationJobCommand(job)),
    );
    if (!created.jobId || !created.jobArn) throw new Error('CreateClassificationJob returned no job id');
    logger.info('Classification job created (or found by its client token)', { jobId: created.jobId });
    return { physicalResourceId: created.jobId, data: { JobId: created.jobId, JobArn: created.jobArn } };
  }

  async function cancelJob(jobId: string, deadline: number): Promise<Outcome> {
    if (jobId === NO_JOB) return { physicalResourceId: jobId };
    try {
      await retrying(deadline, isTransientOnDelete, () =>
        macie.send(new UpdateClassificationJobCommand({ jobId, jobStatus: 'CANCELLED' })),
      );
      logger.info('Classification job cancelled', { jobId });
    } catch (error) {
      const last = error instanceof RetriesExhausted ? error.lastError : error;
      if (!jobAlreadyGone(last)) throw error;
      logger.info('Classification job needs no cancelling', { jobId, error: describeError(last) });
    }
    return { physicalResourceId: jobId };
  }

  return handler({
    callTimeoutMs: CALL_TIMEOUT_MS,
    handle: (event, deadline) =>
      event.RequestType === 'Delete' ? cancelJob(event.PhysicalResourceId, deadline) : createJob(event, deadline),
    // Unchanged on a failed update or delete; a marker on a failed create,
    // so that the rollback's Delete knows there is nothing to cancel.
    failedPhysicalId: (event) => (event.RequestType === 'Create' ? NO_JOB : event.PhysicalResourceId),
    describeFailure: describeError,
  });
}
