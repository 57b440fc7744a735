/**
 * `npm run customize -- start --batch <b>`: a fine-tuning job on an approved
 * batch. Reads the batch's manifest (no manifest: not approved), checks it is
 * for the stack's base model, says what the job will cost, starts it with the
 * Customization stack's job role, and follows it until it ends.
 */
import { CreateModelCustomizationJobCommand, type GetModelCustomizationJobResponse } from '@aws-sdk/client-bedrock';
import { manifestKey } from '../../lib/shared/customization-contract';
import { UsageError } from '../cli/command';
import { json } from '../cli/output';
import { accessHint, deployedOutputs, elapsed, poll, type Run } from './context';
import { explainBedrockError } from './errors';
import {
  customizationJobRequest,
  describeJobRequest,
  type HyperParameters,
  manifestProblem,
  readApprovedBatch,
} from './job-request';
import { getJob, isFinalJob, jobLines } from './jobs';
import { batchProblem, jobName } from './names';
import { estimateLines, trainingEstimate, usd } from './prices';

/** Fine-tuning takes hours; twelve leave room for a large batch. */
export const DEFAULT_JOB_TIMEOUT_MINUTES = 720;
/** First look after 15 s (a request refused at validation fails fast), then once a minute. */
export const JOB_FIRST_POLL_MS = 15_000;
export const JOB_POLL_MS = 60_000;

/** Follow the job until it ends or the time runs out; says its status and the time spent on every look. */
export async function waitForJob(
  run: Run,
  jobArn: string,
  timeoutMs: number,
): Promise<{ job?: GetModelCustomizationJobResponse; finished: boolean }> {
  let last: GetModelCustomizationJobResponse | undefined;
  const job = await poll(
    async (spent) => {
      last = await getJob(run.clients.bedrock, jobArn);
      run.io.progress(`${last.jobName ?? jobArn}: ${last.status} after ${elapsed(spent)}`);
      return isFinalJob(last.status) ? last : undefined;
    },
    { firstMs: JOB_FIRST_POLL_MS, intervalMs: JOB_POLL_MS, timeoutMs, sleep: run.deps.sleep, now: run.deps.now },
  );
  return { job: job ?? last, finished: job !== undefined };
}

export function hyperParametersOf(values: Run['values']): HyperParameters {
  return { epochs: values.epochs, learningRate: values['learning-rate'], warmupSteps: values['warmup-steps'] };
}

export async function startAction(run: Run): Promise<number> {
  const { values, io, deps, appName } = run;
  if (run.args.length > 0)
    throw new UsageError(`start takes no argument (got "${run.args[0]}"); name the batch with --batch`);
  const batch = values.batch;
  if (!batch) throw new UsageError('start needs --batch <name>: the batch prepare approved');
  const badBatch = batchProblem(batch);
  if (badBatch) throw new UsageError(`--batch: ${badBatch}`);
  const timeoutMinutes = values.timeout ?? DEFAULT_JOB_TIMEOUT_MINUTES;

  const deployed = await deployedOutputs(run);
  if (typeof deployed === 'string') {
    io.err(deployed);
    return 1;
  }
  const key = manifestKey(batch);
  const approved = await readApprovedBatch(run.clients.s3, deployed.bucket, batch).catch((error: unknown) => {
    throw accessHint(
      error,
      `reading s3://${deployed.bucket}/${key} (without s3:ListBucket, S3 also answers AccessDenied for a key that does not exist)`,
      run,
      deployed.operatorPolicyArn,
    );
  });
  if (!approved) {
    io.err(
      `Batch ${batch} is not approved: there is no s3://${deployed.bucket}/${key} (or none this identity may read: it needs the Customization stack's OperatorPolicyArn). Approve it first: npm run customize -- prepare <files> --batch ${batch}`,
    );
    return 1;
  }
  const problem = manifestProblem(approved.manifest, batch, deployed.baseModel);
  if (problem) {
    io.err(`The manifest of batch ${batch} cannot start a job: ${problem}.`);
    return 1;
  }

  const hyperParameters = hyperParametersOf(values);
  const estimate = trainingEstimate(deployed.baseModel, approved.manifest.file.characters, hyperParameters.epochs);
  if (!values.json) for (const line of estimateLines(estimate)) io.out(line);
  const name = jobName(appName, batch, new Date(deps.now()));
  const request = customizationJobRequest({ appName, jobName: name, batch, deployed, approved, hyperParameters });
  io.progress(`starting ${name} on ${request.trainingDataConfig?.s3Uri}`);
  let jobArn: string;
  try {
    ({ jobArn = '' } = await run.clients.bedrock.send(new CreateModelCustomizationJobCommand(request)));
  } catch (error) {
    const explained = explainBedrockError(error, {
      action: `the fine-tuning job ${name}`,
      region: run.target.region,
      customizationStack: run.stacks.customization,
      operatorPolicyArn: deployed.operatorPolicyArn,
      roleArn: deployed.jobRoleArn,
      baseModel: deployed.baseModel,
      request: describeJobRequest(request),
    });
    if (explained === undefined) throw error;
    if (values.json) json(io, { app: appName, region: run.target.region, ok: false, error: explained, request });
    io.err(explained);
    return 1;
  }
  const started = { app: appName, region: run.target.region, jobName: name, jobArn, estimate, request };
  io.progress(`started ${name} (${jobArn})`);
  if (values['no-wait']) {
    if (values.json) json(io, { ...started, ok: true, status: 'InProgress' });
    else io.out(`Started ${name}\n  ${jobArn}\nFollow it: npm run customize -- status ${name}`);
    return 0;
  }

  io.progress(`waiting for ${name} (at most ${timeoutMinutes} min; --no-wait returns at once)`);
  const { job, finished } = await waitForJob(run, jobArn, timeoutMinutes * 60_000).catch((error: unknown) => {
    throw accessHint(error, `following ${name}`, run, deployed.operatorPolicyArn);
  });
  const ok = finished && job?.status === 'Completed';
  if (values.json) {
    json(io, {
      ...started,
      ok,
      status: job?.status,
      ...(job?.outputModelArn ? { customModelArn: job.outputModelArn } : {}),
      ...(job?.failureMessage ? { failureMessage: job.failureMessage } : {}),
    });
  }
  if (!finished) {
    io.err(
      `${name} is still ${job?.status ?? 'running'} after ${timeoutMinutes} min; it keeps running (and billing). Follow it with npm run customize -- status ${name}.`,
    );
    return 1;
  }
  if (!ok || !job) {
    io.err(io.colour.bad(`${name} ended ${job?.status}.`));
    io.err(
      job?.status === 'Stopped'
        ? '  It was stopped (StopModelCustomizationJob); no custom model was made.'
        : `  ${job?.failureMessage ?? '(Bedrock gave no failure message)'}`,
    );
    return 1;
  }
  if (!values.json) {
    for (const line of jobLines(job, deps.now())) io.out(line);
    io.out(
      `Storing the custom model costs about ${usd(estimate.storagePerMonthUsd)} a month from now on, until you delete it (npm run customize -- delete --model ${job.outputModelArn}).`,
    );
    io.out(`Next: npm run customize -- deploy --model ${job.outputModelArn}`);
  }
  return 0;
}
