import { createHash } from 'node:crypto';
import {
  type BedrockAgentClient,
  type IngestionJobStatus,
  type IngestionJobSummary,
  ListIngestionJobsCommand,
  StartIngestionJobCommand,
} from '@aws-sdk/client-bedrock-agent';
import { errorName, RetryLater } from './errors';
import type { Promoted } from './promote';

/**
 * Make sure an ingestion job of the data source picks the promoted object up,
 * and learn how it went. A data source runs one ingestion job at a time
 * (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_agent_StartIngestionJob.html
 * answers ConflictException otherwise), and a job that started before the
 * object was written may not see it. So: a job that started after the write
 * covers it; while none has finished, the record comes back later (it stays
 * in the queue until the outcome is known); a job still running from before
 * means "come back later"; otherwise start one. A covering job that finished
 * with failed documents, or failed or was stopped, is an outcome too: the
 * caller reports it, since nothing else would notice that a promoted document
 * never reached the index.
 */

/** Newest jobs looked at: enough to pass a few failed or stopped ones. */
export const JOBS_LOOKED_AT = 10;

const RUNNING: readonly IngestionJobStatus[] = ['STARTING', 'IN_PROGRESS', 'STOPPING'];
const ENDED_BADLY: readonly IngestionJobStatus[] = ['FAILED', 'STOPPED'];
/** StartIngestionJob errors that a later attempt gets past (another job running, throttled, at the job quota). */
const START_LATER = new Set(['ConflictException', 'ThrottlingException', 'ServiceQuotaExceededException']);

/**
 * Whether a job started after the object was written. S3's Last-Modified has
 * whole seconds (HeadObject), so a job counts only from the next whole second:
 * a job started in the same second may have started before the write.
 */
export function startedAfter(job: IngestionJobSummary, lastModified: Date): boolean {
  if (!job.startedAt) return false;
  const nextSecond = Math.floor(lastModified.getTime() / 1000) * 1000 + 1000;
  return job.startedAt.getTime() >= nextSecond;
}

/**
 * Idempotency token of the start: the object and the newest job seen. A
 * retried invocation that saw the same jobs starts no second job; once a new
 * job has come and failed, the token changes, so a new start is not mistaken
 * for the failed one.
 */
export function startToken(promoted: Promoted, newestJobId: string | undefined): string {
  const object = `${promoted.key}\n${promoted.versionId ?? promoted.lastModified.toISOString()}`;
  return createHash('sha256')
    .update(`${object}\n${newestJobId ?? 'no-job'}`)
    .digest('hex');
}

export interface IngestionSettings {
  readonly knowledgeBaseId: string;
  readonly dataSourceId: string;
}

export type IngestionOutcome =
  /** A job that started after the write completed with no failed document. */
  | { readonly kind: 'indexed'; readonly jobId?: string }
  /** It completed, but some documents failed (the statistics do not say which). */
  | { readonly kind: 'failed-documents'; readonly jobId?: string; readonly failed: number }
  /** It failed or was stopped. */
  | { readonly kind: 'job-failed'; readonly jobId?: string; readonly status: IngestionJobStatus };

/** The outcome for the object; throws RetryLater while no covering job has finished, or while one must be started. */
export async function ensureIngestion(
  agent: Pick<BedrockAgentClient, 'send'>,
  settings: IngestionSettings,
  promoted: Promoted,
): Promise<IngestionOutcome> {
  const { knowledgeBaseId, dataSourceId } = settings;
  const listed = await agent.send(
    new ListIngestionJobsCommand({
      knowledgeBaseId,
      dataSourceId,
      sortBy: { attribute: 'STARTED_AT', order: 'DESCENDING' },
      maxResults: JOBS_LOOKED_AT,
    }),
  );
  const jobs = listed.ingestionJobSummaries ?? [];
  const after = jobs.filter((job) => startedAfter(job, promoted.lastModified));
  // Any completed job that started after the write has seen the object.
  const completed = after.find((job) => job.status === 'COMPLETE');
  if (completed) {
    const failed = completed.statistics?.numberOfDocumentsFailed ?? 0;
    return failed > 0
      ? { kind: 'failed-documents', jobId: completed.ingestionJobId, failed }
      : { kind: 'indexed', jobId: completed.ingestionJobId };
  }
  const covering = after.find((job) => job.status && RUNNING.includes(job.status));
  if (covering) {
    throw new RetryLater(`waiting for ingestion job ${covering.ingestionJobId} (${covering.status}) to finish`);
  }
  const ended = after.find((job) => job.status && ENDED_BADLY.includes(job.status));
  if (ended?.status) return { kind: 'job-failed', jobId: ended.ingestionJobId, status: ended.status };
  const running = jobs.find((job) => job.status && RUNNING.includes(job.status));
  if (running) {
    throw new RetryLater(`ingestion job ${running.ingestionJobId} (${running.status}) started before the promotion`);
  }
  let started: string | undefined;
  try {
    const response = await agent.send(
      new StartIngestionJobCommand({
        knowledgeBaseId,
        dataSourceId,
        clientToken: startToken(promoted, jobs[0]?.ingestionJobId),
        description: 'Started by the knowledge promotion function',
      }),
    );
    started = response.ingestionJob?.ingestionJobId;
  } catch (error) {
    if (START_LATER.has(errorName(error))) throw new RetryLater(`StartIngestionJob: ${errorName(error)}`);
    throw error;
  }
  // Kept in the queue until the job's outcome is known.
  throw new RetryLater(`started ingestion job ${started}; waiting for it to finish`);
}
