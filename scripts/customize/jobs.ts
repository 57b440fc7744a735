/**
 * This app's fine-tuning jobs: found by the name prefix every job of the app
 * carries (ListModelCustomizationJobs filters by a part of the name and sorts
 * by creation time), and `npm run customize -- status [job]`.
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_ListModelCustomizationJobs.html
 */
import {
  GetModelCustomizationJobCommand,
  type GetModelCustomizationJobResponse,
  ListModelCustomizationJobsCommand,
  type ModelCustomizationJobSummary,
} from '@aws-sdk/client-bedrock';
import { UsageError } from '../cli/command';
import { json } from '../cli/output';
import { accessHint, type CustomizeClients, elapsed, type Run } from './context';
import { jobNamePrefix } from './names';

/** A customization job's ARN (service model: ModelCustomizationJobArn). */
export const JOB_ARN_PATTERN =
  /^arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:model-customization-job\/[a-z0-9-]{1,63}[.][a-z0-9-]{1,63}(:[a-z0-9-]{1,63}){0,2}\/[a-z0-9]{12}$/;

/** A job in one of these statuses changes no more. */
export const FINAL_JOB_STATUSES = ['Completed', 'Failed', 'Stopped'] as const;
export const isFinalJob = (status: string | undefined) =>
  (FINAL_JOB_STATUSES as readonly (string | undefined)[]).includes(status);

/** The newest job of the app (optionally: of one status), or undefined when it has none. */
export async function newestJob(
  bedrock: CustomizeClients['bedrock'],
  appName: string,
  status?: 'Completed',
): Promise<ModelCustomizationJobSummary | undefined> {
  const prefix = jobNamePrefix(appName);
  let nextToken: string | undefined;
  do {
    const page = await bedrock.send(
      new ListModelCustomizationJobsCommand({
        nameContains: prefix,
        ...(status ? { statusEquals: status } : {}),
        sortBy: 'CreationTime',
        sortOrder: 'Descending',
        maxResults: 100,
        nextToken,
      }),
    );
    // nameContains matches anywhere in the name; the app's own start with the prefix.
    const ours = (page.modelCustomizationJobSummaries ?? []).find((j) => j.jobName?.startsWith(prefix));
    if (ours) return ours;
    nextToken = page.nextToken;
  } while (nextToken);
  return undefined;
}

/** The ARN of the job `reference` names (ARN or name), or undefined when there is no such job. */
export async function findJobArn(bedrock: CustomizeClients['bedrock'], reference: string): Promise<string | undefined> {
  if (JOB_ARN_PATTERN.test(reference)) return reference;
  let nextToken: string | undefined;
  do {
    const page = await bedrock.send(
      new ListModelCustomizationJobsCommand({ nameContains: reference, maxResults: 100, nextToken }),
    );
    const job = (page.modelCustomizationJobSummaries ?? []).find((j) => j.jobName === reference);
    if (job) return job.jobArn;
    nextToken = page.nextToken;
  } while (nextToken);
  return undefined;
}

export async function getJob(
  bedrock: CustomizeClients['bedrock'],
  jobArn: string,
): Promise<GetModelCustomizationJobResponse> {
  return bedrock.send(new GetModelCustomizationJobCommand({ jobIdentifier: jobArn }));
}

/** The job as --json prints it: what it is, what it made, how training went. */
export function jobSummary(job: GetModelCustomizationJobResponse) {
  return {
    jobName: job.jobName,
    jobArn: job.jobArn,
    status: job.status,
    baseModelArn: job.baseModelArn,
    hyperParameters: job.hyperParameters,
    trainingData: job.trainingDataConfig?.s3Uri,
    creationTime: job.creationTime,
    endTime: job.endTime,
    customModelName: job.outputModelName,
    customModelArn: job.outputModelArn,
    trainingLoss: job.trainingMetrics?.trainingLoss,
    validationLoss: (job.validationMetrics ?? []).map((m) => m.validationLoss),
    ...(job.failureMessage ? { failureMessage: job.failureMessage } : {}),
  };
}

/** The lines `status` prints. */
export function jobLines(job: GetModelCustomizationJobResponse, now: number): string[] {
  const since = job.creationTime ? ` (created ${elapsed(now - job.creationTime.getTime())} ago)` : '';
  const details = job.statusDetails;
  const steps = details
    ? [
        ['validation', details.validationDetails?.status],
        ['data processing', details.dataProcessingDetails?.status],
        ['training', details.trainingDetails?.status],
      ]
        .filter(([, s]) => s)
        .map(([step, s]) => `${step} ${s}`)
        .join(', ')
    : '';
  const lines = [`${job.jobName}: ${job.status}${since}${steps ? `; ${steps}` : ''}`];
  lines.push(`  base model ${job.baseModelArn}, training data ${job.trainingDataConfig?.s3Uri}`);
  const hyper = Object.entries(job.hyperParameters ?? {});
  if (hyper.length > 0) lines.push(`  hyperparameters ${hyper.map(([k, v]) => `${k}=${v}`).join(', ')}`);
  if (job.trainingMetrics?.trainingLoss !== undefined)
    lines.push(`  training loss ${job.trainingMetrics.trainingLoss}`);
  for (const metric of job.validationMetrics ?? []) lines.push(`  validation loss ${metric.validationLoss}`);
  if (job.outputModelArn) lines.push(`  custom model ${job.outputModelArn}`);
  if (job.failureMessage) lines.push(`  failure: ${job.failureMessage}`);
  return lines;
}

export async function statusAction(run: Run): Promise<number> {
  const { io, appName } = run;
  if (run.args.length > 1) throw new UsageError(`status takes one job name or ARN; got ${run.args.length}`);
  const reference = run.args[0];
  const { bedrock } = run.clients;
  const denied = (what: string) => (error: unknown) => {
    throw accessHint(error, what, run);
  };
  const jobArn = reference
    ? await findJobArn(bedrock, reference).catch(denied('finding the job'))
    : (await newestJob(bedrock, appName).catch(denied('listing customization jobs')))?.jobArn;
  if (!jobArn) {
    io.err(
      reference
        ? `No customization job "${reference}" in ${run.target.region}.`
        : `No customization job named ${jobNamePrefix(appName)}* in ${run.target.region}: start one with npm run customize -- start --batch <batch>.`,
    );
    return 1;
  }
  const job = await getJob(bedrock, jobArn).catch(denied(`reading job ${jobArn}`));
  const failed = job.status === 'Failed' || job.status === 'Stopped';
  if (run.values.json) {
    json(io, { app: appName, region: run.target.region, ...jobSummary(job) });
    return failed ? 1 : 0;
  }
  for (const line of jobLines(job, run.deps.now())) io.out(line);
  if (job.status === 'Completed' && job.outputModelArn) {
    io.out(`Next: npm run customize -- deploy --model ${job.outputModelArn}`);
  }
  return failed ? 1 : 0;
}
