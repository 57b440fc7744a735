/**
 * Follow an evaluation job until it ends: poll GetEvaluationJob with a
 * growing interval (jobs take tens of minutes; there is no event to wait on
 * from a terminal), report each status change with the time elapsed.
 * Statuses: InProgress | Completed | Failed | Stopping | Stopped | Deleting.
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_GetEvaluationJob.html
 */
import { type BedrockClient, GetEvaluationJobCommand, type GetEvaluationJobResponse } from '@aws-sdk/client-bedrock';

/** A job in one of these statuses changes no more. */
export const FINAL_STATUSES = ['Completed', 'Failed', 'Stopped', 'Deleting'] as const;

export function isFinal(status: string | undefined): boolean {
  return (FINAL_STATUSES as readonly (string | undefined)[]).includes(status);
}

export interface WaitOptions {
  readonly timeoutMs: number;
  /** First interval; each next one is 1.5 times longer, up to maxIntervalMs. */
  readonly intervalMs: number;
  readonly maxIntervalMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
  readonly progress: (message: string) => void;
  /** Say "still <status>" at most this often, so a long wait shows it is alive. */
  readonly heartbeatMs?: number;
}

export function elapsed(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes} min ${seconds % 60} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export interface WaitOutcome {
  readonly job: GetEvaluationJobResponse;
  /** False when the wait ran out before the job ended. */
  readonly finished: boolean;
}

export async function waitForJob(
  bedrock: Pick<BedrockClient, 'send'>,
  jobArn: string,
  options: WaitOptions,
): Promise<WaitOutcome> {
  const start = options.now();
  const heartbeat = options.heartbeatMs ?? 5 * 60_000;
  let interval = options.intervalMs;
  let last: string | undefined;
  let lastReport = start;
  for (;;) {
    const job = await bedrock.send(new GetEvaluationJobCommand({ jobIdentifier: jobArn }));
    const spent = options.now() - start;
    if (job.status !== last) {
      options.progress(`${job.jobName ?? jobArn}: ${job.status} after ${elapsed(spent)}`);
      last = job.status;
      lastReport = options.now();
    } else if (options.now() - lastReport >= heartbeat) {
      options.progress(`${job.jobName ?? jobArn}: still ${job.status} after ${elapsed(spent)}`);
      lastReport = options.now();
    }
    if (isFinal(job.status)) return { job, finished: true };
    if (spent >= options.timeoutMs) return { job, finished: false };
    await options.sleep(Math.min(interval, Math.max(1, options.timeoutMs - spent)));
    interval = Math.min(Math.round(interval * 1.5), options.maxIntervalMs);
  }
}
