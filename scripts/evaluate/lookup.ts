/**
 * Find this app's evaluation jobs. GetEvaluationJob takes the job's ARN (or
 * its 12-character id), not its name, so a name is looked up with
 * ListEvaluationJobs, which filters by a part of the name and sorts by
 * creation time.
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_ListEvaluationJobs.html
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_GetEvaluationJob.html
 */
import { type BedrockClient, type EvaluationSummary, ListEvaluationJobsCommand } from '@aws-sdk/client-bedrock';

/** An evaluation job ARN or its id (API_CreateEvaluationJob: jobArn pattern). */
export const JOB_ARN_PATTERN = /^(arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:evaluation-job\/)?[a-z0-9]{12}$/;

/** The most recent jobs whose names start with `prefix`, newest first. */
export async function recentJobs(
  bedrock: Pick<BedrockClient, 'send'>,
  prefix: string,
  limit = 20,
): Promise<EvaluationSummary[]> {
  const jobs: EvaluationSummary[] = [];
  let token: string | undefined;
  do {
    const page = await bedrock.send(
      new ListEvaluationJobsCommand({
        nameContains: prefix,
        sortBy: 'CreationTime',
        sortOrder: 'Descending',
        maxResults: 100,
        nextToken: token,
      }),
    );
    // nameContains matches anywhere in the name; keep the ones that are ours.
    jobs.push(...(page.jobSummaries ?? []).filter((j) => j.jobName?.startsWith(prefix)));
    token = page.nextToken;
  } while (token && jobs.length < limit);
  return jobs.slice(0, limit);
}

/**
 * The ARN of the job `reference` names (an ARN, an id or a job name), or of
 * the newest job of the app when it is undefined. Undefined: no such job.
 */
export async function findJobArn(
  bedrock: Pick<BedrockClient, 'send'>,
  reference: string | undefined,
  prefix: string,
): Promise<string | undefined> {
  if (reference !== undefined && JOB_ARN_PATTERN.test(reference)) return reference;
  if (reference === undefined) return (await recentJobs(bedrock, prefix, 1))[0]?.jobArn;
  let token: string | undefined;
  do {
    const page = await bedrock.send(
      new ListEvaluationJobsCommand({ nameContains: reference, maxResults: 100, nextToken: token }),
    );
    const job = (page.jobSummaries ?? []).find((j) => j.jobName === reference);
    if (job) return job.jobArn;
    token = page.nextToken;
  } while (token);
  return undefined;
}
