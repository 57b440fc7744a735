import {
  type CreateClassificationJobCommandInput,
  DescribeClassificationJobCommand,
  type JobStatus,
  ListClassificationJobsCommand,
  type Macie2Client,
  UpdateClassificationJobCommand,
} from '@aws-sdk/client-macie2';
import { InvalidPropertiesError } from '../shared/custom-resource';
import { errorMessage, errorName, isTransientSdkError } from '../shared/sdk-errors';

/**
 * The Macie calls of the job's custom resource, and how their errors are
 * read. Error names are the SDK model's (https://docs.aws.amazon.com/macie/latest/APIReference/jobs.html).
 */

/** Errors of the Macie API that a later attempt can get past. */
// ConflictException is left out: it says the request contradicts the state of
// a resource, which another attempt does not change.
const TRANSIENT = new Set(['ThrottlingException', 'InternalServerException']);

/** Throttling, server-side and network errors (a timed-out call included). */
export function isTransient(error: unknown): boolean {
  return isTransientSdkError(error, TRANSIENT);
}

/**
 * Whether a create may succeed later. Macie answers AccessDeniedException
 * while the account's Macie session is not enabled: AWS Support, quoted in
 * https://github.com/DataBiosphere/azul/issues/5779, "If the account has
 * disabled AWS::Macie::Session, the API raises AccessDeniedException instead
 * of RecordNotFoundException". IAM answers the same while the function's new
 * policy is not yet in effect everywhere. Both settle within the readiness
 * window; after it the create fails with the last error.
 */
export function isNotReadyYet(error: unknown): boolean {
  return errorName(error) === 'AccessDeniedException' || isTransient(error);
}

/**
 * A disabled Macie: the one case where an access error on cancel means the
 * job is gone ("disabling Macie ... permanently deletes ... your classification
 * jobs", https://docs.aws.amazon.com/macie/latest/user/macie-disable.html).
 * The SDK model has no code for it; the wording relied on is Macie's
 * "Macie is not enabled" (the AccessDeniedException of the issue above, and
 * https://github.com/turbot/steampipe-plugin-aws/pull/643). Any other access
 * error fails the delete with its message.
 */
export function isMacieDisabled(error: unknown): boolean {
  return errorName(error) === 'AccessDeniedException' && /Macie is not enabled/i.test(errorMessage(error));
}

/**
 * Statuses a job cannot be cancelled from: "CANCELLED ... is valid only if the
 * job's current status is IDLE, PAUSED, RUNNING, or USER_PAUSED" (SDK model of
 * UpdateClassificationJobRequest.jobStatus).
 */
const FINISHED: ReadonlySet<JobStatus | undefined> = new Set<JobStatus | undefined>(['CANCELLED', 'COMPLETE']);

/** Macie's own job ids: 32 lower-case hex digits (physical ids of jobs created before the Provider framework). */
export const JOB_ID = /^[0-9a-f]{32}$/;

/** The job's definition, as the construct serialized it into the `Job` property. */
export function parseJob(value: unknown): CreateClassificationJobCommandInput {
  if (typeof value !== 'string') throw new InvalidPropertiesError('the Job property must be a JSON string');
  let job: Partial<CreateClassificationJobCommandInput>;
  try {
    job = JSON.parse(value) as Partial<CreateClassificationJobCommandInput>;
  } catch {
    throw new InvalidPropertiesError('the Job property is not valid JSON');
  }
  for (const key of ['name', 'clientToken', 'jobType', 's3JobDefinition'] as const) {
    if (!job?.[key]) throw new InvalidPropertiesError(`the Job property has no ${key}`);
  }
  return job as CreateClassificationJobCommandInput;
}

export interface FoundJob {
  readonly jobId: string;
  readonly jobArn: string;
  readonly jobStatus?: JobStatus;
}

type Send = Pick<Macie2Client, 'send'>['send'];
/** One Macie call with the handler's retries around it. */
export type Call = <T>(send: () => Promise<T>) => Promise<T>;

interface DescribedJob extends FoundJob {
  readonly clientToken?: string;
}

/** The job with this id, or undefined when Macie has none. */
export async function describeJob(send: Send, call: Call, jobId: string): Promise<DescribedJob | undefined> {
  try {
    const job = await call(() => send(new DescribeClassificationJobCommand({ jobId })));
    if (!job.jobId || !job.jobArn) return undefined;
    return { jobId: job.jobId, jobArn: job.jobArn, jobStatus: job.jobStatus, clientToken: job.clientToken };
  } catch (error) {
    if (errorName(lastError(error)) === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

/**
 * The job a physical id stands for: Macie's job id itself (jobs created
 * before the Provider framework), or the client token it was created with,
 * found among the jobs of its name (ListClassificationJobs has no filter on
 * the token; DescribeClassificationJob returns it). Undefined when no such
 * job exists.
 */
export async function findJob(send: Send, call: Call, physicalId: string, name: string): Promise<FoundJob | undefined> {
  if (JOB_ID.test(physicalId)) return describeJob(send, call, physicalId);
  let nextToken: string | undefined;
  do {
    const page = await call(() =>
      send(
        new ListClassificationJobsCommand({
          filterCriteria: { includes: [{ key: 'name', comparator: 'EQ', values: [name] }] },
          nextToken,
        }),
      ),
    );
    for (const summary of page.items ?? []) {
      const job = summary.jobId ? await describeJob(send, call, summary.jobId) : undefined;
      if (job?.clientToken === physicalId) return { jobId: job.jobId, jobArn: job.jobArn, jobStatus: job.jobStatus };
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return undefined;
}

/**
 * Cancels a job unless it is finished already. A cancel that Macie refuses
 * (ConflictException or ValidationException: the status changed since it was
 * read) is checked again: finished by then is success, anything else fails.
 */
export async function cancelJob(send: Send, call: Call, job: FoundJob): Promise<'cancelled' | 'finished' | 'gone'> {
  if (FINISHED.has(job.jobStatus)) return 'finished';
  try {
    await call(() => send(new UpdateClassificationJobCommand({ jobId: job.jobId, jobStatus: 'CANCELLED' })));
    return 'cancelled';
  } catch (error) {
    const name = errorName(lastError(error));
    if (name === 'ResourceNotFoundException' || isMacieDisabled(lastError(error))) return 'gone';
    if (name !== 'ConflictException' && name !== 'ValidationException') throw error;
    const again = await describeJob(send, call, job.jobId);
    if (!again) return 'gone';
    if (FINISHED.has(again.jobStatus)) return 'finished';
    throw error;
  }
}

/** The error of the last attempt, when retries wrapped it. */
export function lastError(error: unknown): unknown {
  return (error as { lastError?: unknown })?.lastError ?? error;
}
