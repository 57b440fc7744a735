import {
  CreateClassificationJobCommand,
  type CreateClassificationJobCommandInput,
  type Macie2Client,
} from '@aws-sdk/client-macie2';
import {
  type CustomResourceDependencies,
  type CustomResourceEvent,
  CustomResourceFailure,
  customResource,
  type OnEventResult,
} from '../shared/custom-resource';
import { describeError } from '../shared/retry';
import {
  cancelJob,
  findJob,
  type FoundJob,
  isMacieDisabled,
  isNotReadyYet,
  isTransient,
  lastError,
  parseJob,
} from './jobs';

/**
 * CloudFormation custom resource for one Amazon Macie classification job
 * (CloudFormation has no resource type for jobs), behind aws-cdk-lib's
 * Provider framework: `onEvent` answers each request, `isComplete` is polled
 * until the job exists.
 *
 * - Create: the physical id is the job's client token (the job id is Macie's
 *   to assign, and Macie may not be ready yet). `isComplete` then calls
 *   CreateClassificationJob with that token, so a repeated call returns the
 *   same job, until it succeeds or the readiness window ends.
 * - Update: jobs cannot be edited. A changed definition has a new token: a new
 *   physical id, so a replacement, and CloudFormation then sends a Delete for
 *   the old job. An unchanged one keeps its physical id and its job.
 * - Delete: cancel the job unless it is finished or gone.
 */

/** PhysicalResourceId of a failed create before the Provider framework: nothing to cancel. */
export const NO_JOB = 'macie-job-not-created';

/** Longest one Macie call may take: the client's connection plus request timeouts (index.ts). */
export const CALL_TIMEOUT_MS = 10_000;

/**
 * How long a create may keep meeting a Macie or IAM that is not ready yet.
 * A new session and policy usually take effect within seconds; minutes cover
 * the slow cases without holding a failing deployment for long. The
 * framework's totalTimeout (lib/threat-detection/classification-job-provider.ts)
 * is longer, so the create fails with its last error rather than the
 * framework's "Operation timed out".
 */
export const READINESS_WINDOW_MS = 5 * 60_000;

export interface HandlerDependencies extends CustomResourceDependencies {
  readonly macie: Pick<Macie2Client, 'send'>;
}

/** What isComplete receives: the request plus onEvent's result. */
export interface IsCompleteEvent extends CustomResourceEvent {
  readonly Data?: Record<string, string>;
  /** Epoch milliseconds: the end of the readiness window, set by onEvent. */
  readonly ReadyBy?: number;
}

const dataOf = (job: FoundJob) => ({ JobId: job.jobId, JobArn: job.jobArn });

export function createHandlers(deps: HandlerDependencies) {
  const { now, retrying, handler } = customResource(deps);
  const { macie, logger } = deps;
  const send = macie.send.bind(macie) as Pick<Macie2Client, 'send'>['send'];
  const callUntil =
    (deadline: number) =>
    <T>(call: () => Promise<T>) =>
      retrying(deadline, isTransient, call);

  /** The job an unchanged Update keeps: found again, for its attributes. */
  async function keep(event: CustomResourceEvent, job: CreateClassificationJobCommandInput, deadline: number) {
    const physicalId = event.PhysicalResourceId ?? '';
    const found = await findJob(send, callUntil(deadline), physicalId, job.name ?? '');
    if (!found) {
      throw new CustomResourceFailure(
        `classification job ${physicalId} no longer exists (cancelled or deleted outside CloudFormation); ` +
          'change the job definition (for example the prefix) to create a new one.',
      );
    }
    return { PhysicalResourceId: physicalId, Data: dataOf(found) };
  }

  async function remove(event: CustomResourceEvent, deadline: number): Promise<OnEventResult> {
    const physicalId = event.PhysicalResourceId;
    // Without an id (CloudFormation always sends one) or after a failed create, there is nothing to cancel.
    if (!physicalId || physicalId === NO_JOB) {
      logger.warn('Delete without a job to cancel', { physicalResourceId: physicalId ?? '(none)' });
      return {};
    }
    let name = '';
    try {
      name = parseJob(event.ResourceProperties?.Job).name ?? '';
    } catch {
      // A job created under this token has the properties' name; without them, only a job id can be found.
    }
    const call = callUntil(deadline);
    try {
      const job = await findJob(send, call, physicalId, name);
      const outcome = job ? await cancelJob(send, call, job) : 'gone';
      logger.info('Classification job deleted', { physicalResourceId: physicalId, outcome });
    } catch (error) {
      if (!isMacieDisabled(lastError(error))) throw error;
      logger.info('Macie is disabled, which deleted its jobs', { error: describeError(lastError(error)) });
    }
    return {};
  }

  const onEvent = handler(CALL_TIMEOUT_MS, async (event: CustomResourceEvent, type, deadline) => {
    if (type === 'Delete') return remove(event, deadline);
    const job = parseJob(event.ResourceProperties?.Job);
    if (type === 'Update') {
      // The token names the definition: the same token is the same job, whatever the old properties say.
      const previous = event.OldResourceProperties?.Job;
      const unchanged = job.clientToken === event.PhysicalResourceId || safeToken(previous) === job.clientToken;
      if (unchanged) return keep(event, job, deadline);
    }
    return { PhysicalResourceId: job.clientToken, ReadyBy: now() + READINESS_WINDOW_MS } satisfies OnEventResult;
  });

  const isComplete = handler(CALL_TIMEOUT_MS, async (event: IsCompleteEvent, type) => {
    // Deletes and unchanged updates were done by onEvent.
    if (type === 'Delete' || event.Data?.JobId) return { IsComplete: true };
    const job = parseJob(event.ResourceProperties?.Job);
    try {
      const created = await macie.send(new CreateClassificationJobCommand(job));
      if (!created.jobId || !created.jobArn) throw new Error('CreateClassificationJob returned no job id');
      logger.info('Classification job created (or found by its client token)', { jobId: created.jobId });
      return { IsComplete: true, Data: dataOf({ jobId: created.jobId, jobArn: created.jobArn }) };
    } catch (error) {
      const readyBy = typeof event.ReadyBy === 'number' ? event.ReadyBy : 0;
      if (isNotReadyYet(error) && now() < readyBy) {
        logger.warn('Macie is not ready for the job yet', { error: describeError(error) });
        return { IsComplete: false };
      }
      const late = isNotReadyYet(error) ? ' (still failing when the readiness window ended)' : '';
      throw new CustomResourceFailure(`CreateClassificationJob: ${describeError(error)}${late}`, { cause: error });
    }
  });

  return { onEvent, isComplete };
}

/** The client token of a serialized definition, or undefined when it cannot be read. */
function safeToken(serialized: unknown): string | undefined {
  try {
    return parseJob(serialized).clientToken;
  } catch {
    return undefined;
  }
}
