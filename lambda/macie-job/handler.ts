import {
  CreateClassificationJobCommand,
  type CreateClassificationJobCommandInput,
  type Macie2Client,
  UpdateClassificationJobCommand,
} from '@aws-sdk/client-macie2';
import type { CloudFormationCustomResourceEvent, CloudFormationCustomResourceResponse, Context } from 'aws-lambda';
import { describeError, RetriesExhausted, withRetry } from './retry';

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

/** Longest one response PUT may take before it is abandoned and tried again. */
export const RESPONSE_TIMEOUT_MS = 5_000;

/**
 * Time kept back from the Lambda timeout: a Macie call started just before
 * the retry deadline may still run its full timeout, and the response then
 * needs up to three PUTs with their waits. Without the answer CloudFormation
 * would wait for the custom resource's service timeout instead.
 */
export const RESPONSE_MARGIN_MS = CALL_TIMEOUT_MS + 3 * RESPONSE_TIMEOUT_MS + 3_000 + 2_000;

/** The CloudFormation response body is limited to 4 KiB; the reason is the only long part. */
const MAX_REASON_LENGTH = 2000;

/** Errors of the Macie API that a later attempt can get past (https://docs.aws.amazon.com/macie/latest/APIReference/jobs.html). */
// ConflictException is left out: it says the request contradicts the state of
// a resource, which another attempt does not change.
const TRANSIENT = new Set(['ThrottlingException', 'InternalServerException']);
/** Errors of the network or the SDK itself rather than of the request. */
const NETWORK = new Set(['TimeoutError', 'RequestTimeout', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']);
/** Macie answers this way while the account's Macie session is not (yet) enabled. */
const NOT_ENABLED = /not enabled/i;

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface HandlerDependencies {
  readonly macie: Pick<Macie2Client, 'send'>;
  /** PUTs the response; `fetch` in Lambda. */
  readonly fetch: (
    url: string,
    init: { method: 'PUT'; headers: Record<string, string>; body: string },
  ) => Promise<{
    ok: boolean;
    status: number;
  }>;
  readonly logger: Logger;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

type Outcome = { physicalResourceId: string; data?: Record<string, string> };
type Response = CloudFormationCustomResourceResponse;

function errorName(error: unknown): string {
  if (typeof error !== 'object' || error === null) return '';
  const { name, code } = error as { name?: unknown; code?: unknown };
  return typeof code === 'string' && NETWORK.has(code) ? code : typeof name === 'string' ? name : '';
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : '';
}

/** Throttling, server-side and network errors: worth another attempt for any call. */
function isServerSideTransient(error: unknown): boolean {
  const name = errorName(error);
  if (TRANSIENT.has(name) || NETWORK.has(name)) return true;
  const meta = error as { $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  const status = meta?.$metadata?.httpStatusCode ?? 0;
  return meta?.$retryable !== undefined || status === 429 || status >= 500;
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
  return isServerSideTransient(error);
}

/** On delete, only throttling and server errors: the role's policy has been in place since the create. */
export function isTransientOnDelete(error: unknown): boolean {
  return isServerSideTransient(error);
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

class InvalidPropertiesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidPropertiesError';
  }
}

export function createHandler(deps: HandlerDependencies) {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = deps.random ?? Math.random;
  const { macie, logger } = deps;

  const retrying = <T>(deadline: number, isTransient: (error: unknown) => boolean, call: () => Promise<T>) =>
    withRetry(call, {
      deadline,
      isTransient,
      now,
      sleep,
      random,
      onRetry: (error, attempt, delayMs) =>
        logger.warn('Retrying after a transient error', { error: describeError(error), attempt, delayMs }),
    });

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

  async function respond(event: CloudFormationCustomResourceEvent, response: Response): Promise<void> {
    const body = JSON.stringify(response);
    // The pre-signed URL is signed without a content type: send none.
    for (let attempt = 1; ; attempt++) {
      try {
        const init = {
          method: 'PUT' as const,
          headers: { 'content-type': '' },
          body,
          signal: AbortSignal.timeout(RESPONSE_TIMEOUT_MS),
        };
        const result = await deps.fetch(event.ResponseURL, init);
        if (result.ok) return;
        throw new Error(`HTTP ${result.status}`);
      } catch (error) {
        if (attempt >= 3) throw error;
        logger.warn('Retrying the response to CloudFormation', { error: describeError(error), attempt });
        await sleep(1000 * attempt);
      }
    }
  }

  return async (event: CloudFormationCustomResourceEvent, context: Pick<Context, 'getRemainingTimeInMillis'>) => {
    const deadline = now() + context.getRemainingTimeInMillis() - RESPONSE_MARGIN_MS;
    // The pre-signed URL lets anyone who holds it answer for this function.
    logger.info('Custom resource request', { event: { ...event, ResponseURL: '(not logged)' } });
    const previousId = event.RequestType === 'Create' ? NO_JOB : event.PhysicalResourceId;
    let response: Response;
    try {
      const outcome =
        event.RequestType === 'Delete' ? await cancelJob(previousId, deadline) : await createJob(event, deadline);
      response = {
        Status: 'SUCCESS',
        PhysicalResourceId: outcome.physicalResourceId,
        StackId: event.StackId,
        RequestId: event.RequestId,
        LogicalResourceId: event.LogicalResourceId,
        Data: outcome.data,
      };
    } catch (error) {
      const reason = `${event.RequestType} failed: ${describeError(error)}`.slice(0, MAX_REASON_LENGTH);
      logger.error('Custom resource request failed', { reason });
      response = {
        Status: 'FAILED',
        Reason: reason,
        // Unchanged on a failed update or delete; a marker on a failed create,
        // so that the rollback's Delete knows there is nothing to cancel.
        PhysicalResourceId: previousId,
        StackId: event.StackId,
        RequestId: event.RequestId,
        LogicalResourceId: event.LogicalResourceId,
      };
    }
    await respond(event, response);
  };
}
