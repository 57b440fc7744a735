/**
 * npm run evaluate: Bedrock automatic model evaluation of the configured
 * model, on the project's own datasets (evaluations/datasets/) and AWS's
 * built-in ones. Uploads the datasets to evaluations/datasets/ of the data
 * bucket (SSE-KMS, project key), starts one job with the Governance stack's
 * evaluation role, waits, then averages the scores Bedrock wrote under
 * evaluations/results/ and keeps a summary in evaluations/runs/.
 * https://docs.aws.amazon.com/bedrock/latest/userguide/evaluation-automatic.html
 */
import {
  BedrockClient,
  CreateEvaluationJobCommand,
  type CreateEvaluationJobRequest,
  GetEvaluationJobCommand,
  type GetEvaluationJobResponse,
} from '@aws-sdk/client-bedrock';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EVALUATION_DATASETS_PREFIX, EVALUATION_RESULTS_PREFIX } from '../lib/shared/data-layout';
import { stackNames } from '../lib/shared/names';
import { APP_OPTION, AWS_OPTIONS, type AwsTarget, JSON_OPTION, resolveAws } from './cli/aws';
import { type CommandSpec, type Parsed, UsageError } from './cli/command';
import { formatTable, type Io, json } from './cli/output';
import { stackOutputs } from './cli/stack-outputs';
import {
  categoriesByPrompt,
  type Dataset,
  datasetsFor,
  DATASETS_DIR,
  MANIFEST_FILE,
  MAX_PROMPTS_PER_JOB,
  readDataset,
  readManifest,
  uploadDataset,
} from './evaluate/datasets';
import { createJobRequest, describeRequest, jobName, jobNamePrefix, JobRequestError } from './evaluate/job';
import { findJobArn, recentJobs } from './evaluate/lookup';
import { elapsed, waitForJob } from './evaluate/progress';
import { categoryTable, jobOutputLocation, readResults, scoreTable } from './evaluate/results';
import { builtinsFor, DEFAULT_BUILTINS, MAX_DATASETS_PER_JOB, TASK_TYPES, type TaskType } from './evaluate/tasks';
import { ROOT } from './generated-block';
import { projectConfig } from './preflight/context';
import { runCommand } from './run-cli';

/** Automatic jobs commonly take tens of minutes; three hours leaves room for a busy region. */
export const DEFAULT_TIMEOUT_MINUTES = 180;
const FIRST_POLL_MS = 15_000;
const MAX_POLL_MS = 120_000;
export const RUNS_DIR = path.join(ROOT, 'evaluations', 'runs');

/**
 * Regions where model evaluation is offered (as listed on
 * https://docs.aws.amazon.com/bedrock/latest/userguide/evaluation-support.html);
 * elsewhere the command warns but still tries, since the list grows.
 */
export const EVALUATION_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-2',
  'us-gov-east-1',
  'us-gov-west-1',
  'ap-northeast-1',
  'ap-south-1',
  'ap-southeast-2',
  'ca-central-1',
  'eu-central-1',
  'eu-central-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'sa-east-1',
];

export const command = {
  name: 'evaluate',
  summary: 'Run a Bedrock automatic model evaluation of the configured model on the project and built-in datasets.',
  description: `Uploads the project's own prompt datasets (evaluations/datasets/*.jsonl, listed with their task type in evaluations/datasets/${MANIFEST_FILE}: short questions on AWS security, data protection, threat detection, guardrails and generative-AI basics, each with a one-sentence reference answer and a category) to ${EVALUATION_DATASETS_PREFIX} of the data bucket, encrypted with the project key, and starts one Bedrock automatic evaluation job of the model the GuardedInvoke stack serves, run by the Governance stack's evaluation role. --task picks the task type: the project's datasets of that type plus built-in datasets (--builtin), each scored with the metrics the task and dataset support (accuracy, robustness, toxicity; classification has no toxicity), at most ${MAX_DATASETS_PER_JOB} datasets and ${MAX_PROMPTS_PER_JOB} custom prompts per job. The job calls the model directly, not the guarded function: it measures the model (the red-team corpus, npm run redteam, measures the guardrail). It then waits (--no-wait returns at once), reads the results Bedrock writes to ${EVALUATION_RESULTS_PREFIX}<job name>/, prints the mean of each metric per dataset and per category, and writes the summary to evaluations/runs/evaluation-<job name>.json. --status and --results look at an earlier job (the newest of this app unless named). You need the Governance stack's operator policy (output OperatorPolicyArn). Exits 1 when the job fails or is stopped.`,
  positional: {
    name: 'job',
    description: 'With --status or --results: the job name or ARN (default: the newest job of this app).',
    optional: true,
  },
  options: {
    task: {
      type: 'string',
      placeholder: 'type',
      choices: TASK_TYPES,
      default: 'QuestionAndAnswer',
      description: 'Task type of the job (one per job).',
    },
    builtin: {
      type: 'list',
      placeholder: 'name',
      description: `Built-in datasets to add (repeatable or comma-separated; "none" for the project's datasets only). Default per task: ${TASK_TYPES.map((t) => `${t} ${DEFAULT_BUILTINS[t].join('+')}`).join('; ')}.`,
    },
    'max-tokens': {
      type: 'number',
      integer: true,
      min: 16,
      max: 4096,
      default: 256,
      description: "Longest answer per prompt, in tokens (the job's inference parameters).",
    },
    'no-wait': { type: 'boolean', description: 'Start the job and return; follow it later with --status.' },
    timeout: {
      type: 'number',
      placeholder: 'minutes',
      integer: true,
      min: 1,
      max: 1440,
      default: DEFAULT_TIMEOUT_MINUTES,
      description: 'How long to wait for the job.',
    },
    status: { type: 'boolean', description: 'Show the status of a job (the newest of this app unless named).' },
    results: {
      type: 'boolean',
      description: 'Read, print and save the results of a completed job (the newest of this app unless named).',
    },
    list: { type: 'boolean', description: "List this app's recent evaluation jobs." },
    app: APP_OPTION,
    ...AWS_OPTIONS,
    json: JSON_OPTION,
  },
  examples: [
    'npm run evaluate',
    'npm run evaluate -- --task Generation --no-wait --profile dev',
    'npm run evaluate -- --builtin Builtin.TriviaQA,Builtin.BoolQ',
    'npm run evaluate -- --status',
    'npm run evaluate -- --results guardedgenai-eval-20260601-120000',
  ],
} as const satisfies CommandSpec;

export type EvaluateParsed = Parsed<typeof command.options>;

export interface EvaluateClients {
  readonly s3: Pick<S3Client, 'send'>;
  readonly cloudformation: Pick<CloudFormationClient, 'send'>;
  readonly bedrock: Pick<BedrockClient, 'send'>;
}

export interface EvaluateDeps {
  readonly resolve: (flags: { region?: string; profile?: string }) => Promise<AwsTarget>;
  readonly clients: (target: AwsTarget) => EvaluateClients;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
  readonly datasetsDir: string;
  readonly runsDir: string;
}

const realDeps: EvaluateDeps = {
  resolve: resolveAws,
  clients: ({ region, credentials }) => ({
    s3: new S3Client({ region, credentials }),
    cloudformation: new CloudFormationClient({ region, credentials }),
    // Throttling and 5xx are retried by the SDK; a few more attempts than the
    // default three, because a wait polls for a long time.
    bedrock: new BedrockClient({ region, credentials, maxAttempts: 6 }),
  }),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: Date.now,
  datasetsDir: DATASETS_DIR,
  runsDir: RUNS_DIR,
};

type Mode = 'start' | 'status' | 'results' | 'list';

/** Which of the four things to do; mixing them, or a job name without --status/--results, is a usage error. */
export function modeOf({ values, positional }: EvaluateParsed): Mode {
  const modes = (['status', 'results', 'list'] as const).filter((m) => values[m]);
  if (modes.length > 1) throw new UsageError(`give one of --${modes.join(', --')}`);
  const mode = modes[0] ?? 'start';
  if (positional !== undefined && mode !== 'status' && mode !== 'results') {
    throw new UsageError(`a job name is read only with --status or --results (got "${positional}")`);
  }
  return mode;
}

/** The built-ins for the run: --builtin (checked against the task), else the task's defaults. */
export function builtinsToUse(task: TaskType, given: readonly string[]): string[] {
  if (given.length === 0) return [...DEFAULT_BUILTINS[task]];
  if (given.length === 1 && given[0].toLowerCase() === 'none') return [];
  const allowed = builtinsFor(task);
  for (const name of given) {
    if (!allowed.includes(name)) {
      throw new UsageError(`--builtin ${name} is not a built-in dataset of ${task}; one of ${allowed.join(', ')}`);
    }
  }
  return [...new Set(given)];
}

const isAccessDenied = (error: unknown) =>
  error instanceof Error && /AccessDenied|Forbidden|UnauthorizedOperation/.test(error.name);

/** Access denied: name the policy that grants what this command does. */
function accessHint(error: unknown, what: string, governanceStack: string, policyArn?: string): Error {
  if (isAccessDenied(error)) {
    const policy = policyArn
      ? `the managed policy ${policyArn} (output OperatorPolicyArn of ${governanceStack})`
      : `the managed policy in the OperatorPolicyArn output of ${governanceStack}`;
    return new Error(`${what}: access denied (${(error as Error).message}). Attach ${policy} to your role or user.`);
  }
  return error instanceof Error ? error : new Error(String(error));
}

interface Summary {
  readonly app: string;
  readonly region: string;
  readonly jobName?: string;
  readonly jobArn?: string;
  readonly status?: string;
  readonly model?: string;
  readonly taskTypes: string[];
  readonly outputUri?: string;
  readonly failureMessages?: string[];
}

function summaryOf(job: GetEvaluationJobResponse, app: string, region: string): Summary {
  const configs = job.evaluationConfig?.automated?.datasetMetricConfigs ?? [];
  return {
    app,
    region,
    jobName: job.jobName,
    jobArn: job.jobArn,
    status: job.status,
    model: job.inferenceConfig?.models?.[0]?.bedrockModel?.modelIdentifier,
    taskTypes: [...new Set(configs.map((c) => c.taskType ?? ''))],
    outputUri: job.outputDataConfig?.s3Uri,
    ...(job.failureMessages?.length ? { failureMessages: job.failureMessages } : {}),
  };
}

/** Categories of the project's datasets, to label output records that do not carry theirs. */
function localCategories(dir: string): Map<string, string> {
  try {
    return categoriesByPrompt(readManifest(dir).datasets.map((d) => readDataset(d, dir)));
  } catch {
    return new Map();
  }
}

function printFailure(io: Io, job: GetEvaluationJobResponse): void {
  io.err(io.colour.bad(`Evaluation job ${job.jobName} ended ${job.status}.`));
  for (const message of job.failureMessages ?? []) io.err(`  ${message}`);
  if ((job.failureMessages ?? []).length === 0) io.err('  (Bedrock gave no failure message)');
}

/** Read a completed job's results, print them, save the summary. */
async function report(
  io: Io,
  deps: EvaluateDeps,
  s3: EvaluateClients['s3'],
  job: GetEvaluationJobResponse,
  base: Summary,
  json_: boolean,
  governanceStack: string,
): Promise<number> {
  const location = jobOutputLocation(job.outputDataConfig?.s3Uri ?? '', job.jobName ?? '');
  io.progress(`reading results under s3://${location.bucket}/${location.prefix}`);
  let averages;
  try {
    averages = await readResults(s3, location, localCategories(deps.datasetsDir));
  } catch (error) {
    throw accessHint(error, `reading s3://${location.bucket}/${location.prefix}`, governanceStack);
  }
  const summary = {
    ...base,
    resultFiles: averages.files.map((k) => `s3://${location.bucket}/${k}`),
    scores: averages.scores,
    categories: averages.categories,
    skipped: averages.skipped,
  };
  fs.mkdirSync(deps.runsDir, { recursive: true });
  const file = path.join(deps.runsDir, `evaluation-${job.jobName}.json`);
  fs.writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
  if (averages.files.length === 0) {
    io.err(
      `No *_output.jsonl under s3://${location.bucket}/${location.prefix}: the job reports ${job.status} but wrote no results.`,
    );
    if (json_) json(io, { ...summary, ok: false, summaryFile: file });
    return 1;
  }
  if (json_) {
    json(io, { ...summary, ok: true, summaryFile: file });
    return 0;
  }
  io.out(`Evaluation ${job.jobName} of ${base.model} (${base.taskTypes.join(', ')}):`);
  io.out(scoreTable(averages));
  if (averages.categories.length > 0) io.out(`\nPer category:\n${categoryTable(averages)}`);
  io.out(
    '\nAccuracy: higher is better. Toxicity: lower is better. Robustness: how much the score moves when prompts are perturbed; lower is steadier.',
  );
  if (averages.skipped > 0) io.err(`${averages.skipped} scores had no numeric result and were left out.`);
  io.out(`Summary saved to ${path.relative(process.cwd(), file) || file}`);
  return 0;
}

async function getJob(bedrock: EvaluateClients['bedrock'], jobArn: string): Promise<GetEvaluationJobResponse> {
  return bedrock.send(new GetEvaluationJobCommand({ jobIdentifier: jobArn }));
}

export async function evaluate(parsed: EvaluateParsed, io: Io, deps: EvaluateDeps = realDeps): Promise<number> {
  const { values } = parsed;
  const mode = modeOf(parsed);
  const task = values.task as TaskType;
  const builtins = mode === 'start' ? builtinsToUse(task, values.builtin) : [];
  // The project's datasets are checked before any AWS call: a broken file costs nothing.
  const datasets: Dataset[] = mode === 'start' ? datasetsFor(task, deps.datasetsDir) : [];
  const appName = values.app ?? projectConfig().appName;
  const names = stackNames(appName);
  const prefix = jobNamePrefix(appName);
  const target = await deps.resolve(values);
  const { s3, cloudformation, bedrock } = deps.clients(target);
  const denied = (what: string, policyArn?: string) => (error: unknown) => {
    throw accessHint(error, what, names.governance, policyArn);
  };

  if (mode === 'list') {
    const jobs = await recentJobs(bedrock, prefix).catch(denied('listing evaluation jobs'));
    if (values.json) {
      json(io, { app: appName, region: target.region, jobs });
      return 0;
    }
    if (jobs.length === 0) {
      io.out(`No evaluation jobs named ${prefix}* in ${target.region}.`);
      return 0;
    }
    io.out(
      formatTable(
        ['job', 'status', 'created', 'task', 'model'],
        jobs.map((j) => [
          j.jobName ?? '',
          j.status ?? '',
          j.creationTime?.toISOString().replace(/\.\d{3}Z$/, 'Z') ?? '',
          (j.evaluationTaskTypes ?? []).join(','),
          (j.modelIdentifiers ?? []).join(','),
        ]),
      ),
    );
    return 0;
  }

  if (mode === 'status' || mode === 'results') {
    const jobArn = await findJobArn(bedrock, parsed.positional, prefix).catch(denied('finding the job'));
    if (!jobArn) {
      io.err(
        parsed.positional
          ? `No evaluation job "${parsed.positional}" in ${target.region}.`
          : `No evaluation job named ${prefix}* in ${target.region}: start one with npm run evaluate.`,
      );
      return 1;
    }
    const job = await getJob(bedrock, jobArn).catch(denied(`reading job ${jobArn}`));
    const summary = summaryOf(job, appName, target.region);
    if (mode === 'results') {
      if (job.status !== 'Completed') {
        if (job.status === 'Failed' || job.status === 'Stopped') printFailure(io, job);
        else io.err(`Evaluation job ${job.jobName} is ${job.status}; results are written once it is Completed.`);
        return 1;
      }
      return report(io, deps, s3, job, summary, values.json, names.governance);
    }
    const failed = job.status === 'Failed' || job.status === 'Stopped';
    if (values.json) {
      json(io, { ...summary, creationTime: job.creationTime, lastModifiedTime: job.lastModifiedTime });
      return failed ? 1 : 0;
    }
    const since = job.creationTime ? ` (started ${elapsed(deps.now() - job.creationTime.getTime())} ago)` : '';
    io.out(`${job.jobName}: ${job.status}${since}`);
    io.out(`  model ${summary.model}, task ${summary.taskTypes.join(', ')}, results ${summary.outputUri}`);
    for (const c of job.evaluationConfig?.automated?.datasetMetricConfigs ?? []) {
      io.out(`  ${c.dataset?.name}: ${(c.metricNames ?? []).join(', ')}`);
    }
    if (failed) printFailure(io, job);
    if (job.status === 'Completed') io.out(`Read the scores: npm run evaluate -- --results ${job.jobName}`);
    return failed ? 1 : 0;
  }

  // Start a job.
  if (!EVALUATION_REGIONS.includes(target.region)) {
    io.err(
      io.colour.warn(
        `${target.region} is not in the documented list of regions with model evaluation; the job may be refused.`,
      ),
    );
  }
  io.progress(`reading the outputs of ${names.dataProtection}, ${names.guardedInvoke} and ${names.governance}`);
  const [data, invoke, governance] = await Promise.all([
    stackOutputs(cloudformation, names.dataProtection),
    stackOutputs(cloudformation, names.guardedInvoke),
    stackOutputs(cloudformation, names.governance),
  ]);
  const missing = [
    !data?.DataBucketName || !data.ProjectKeyArn ? `${names.dataProtection} (DataBucketName, ProjectKeyArn)` : '',
    !invoke?.ModelId ? `${names.guardedInvoke} (ModelId)` : '',
    !governance?.EvaluationRoleArn ? `${names.governance} (EvaluationRoleArn)` : '',
  ].filter(Boolean);
  if (missing.length > 0 || !data || !invoke || !governance) {
    io.err(
      `Missing stack outputs in ${target.region}: ${missing.join('; ')}. Deploy the app (npx cdk deploy --all) with the same appName, or pass --app / --region.`,
    );
    return 1;
  }
  const policyArn = governance.OperatorPolicyArn;
  const destination = { bucket: data.DataBucketName, keyArn: data.ProjectKeyArn };

  const custom = [];
  for (const dataset of datasets) {
    io.progress(`uploading ${dataset.file} (${dataset.records.length} prompts)`);
    const s3Uri = await uploadDataset(s3, destination, dataset).catch(
      denied(`uploading ${dataset.file} to s3://${destination.bucket}/${EVALUATION_DATASETS_PREFIX}`, policyArn),
    );
    custom.push({ name: dataset.name, s3Uri });
  }

  const name = jobName(appName, new Date(deps.now()));
  let request: CreateEvaluationJobRequest;
  try {
    request = createJobRequest({
      appName,
      jobName: name,
      task,
      modelId: invoke.ModelId,
      region: target.region,
      roleArn: governance.EvaluationRoleArn,
      bucket: destination.bucket,
      builtins,
      custom,
      maxTokens: values['max-tokens'],
    });
  } catch (error) {
    if (error instanceof JobRequestError) {
      io.err(error.message);
      return 1;
    }
    throw error;
  }
  io.progress(
    `starting ${name}: ${task} on ${request.evaluationConfig?.automated?.datasetMetricConfigs?.length} datasets`,
  );
  let jobArn: string;
  try {
    ({ jobArn = '' } = await bedrock.send(new CreateEvaluationJobCommand(request)));
  } catch (error) {
    if (error instanceof Error && error.name === 'ValidationException') {
      // Say what was asked, so the refused dataset or metric can be seen.
      io.err(`Bedrock refused the evaluation job: ${error.message}`);
      io.err(`The request asked for:\n  ${describeRequest(request).join('\n  ')}`);
      return 1;
    }
    throw accessHint(error, 'creating the evaluation job', names.governance, policyArn);
  }
  io.progress(`started ${name} (${jobArn})`);

  if (values['no-wait']) {
    if (values.json)
      json(io, { app: appName, region: target.region, jobName: name, jobArn, status: 'InProgress', request });
    else {
      io.out(`Started evaluation job ${name}\n  ${jobArn}`);
      io.out(`Follow it: npm run evaluate -- --status ${name}; then: npm run evaluate -- --results ${name}`);
    }
    return 0;
  }

  io.progress(`waiting for ${name} (at most ${values.timeout} min; --no-wait returns at once)`);
  const { job, finished } = await waitForJob(bedrock, jobArn, {
    timeoutMs: values.timeout * 60_000,
    intervalMs: FIRST_POLL_MS,
    maxIntervalMs: MAX_POLL_MS,
    sleep: deps.sleep,
    now: deps.now,
    progress: (message) => io.progress(message),
  }).catch(denied(`following ${name}`, policyArn));
  const summary = summaryOf(job, appName, target.region);
  if (!finished) {
    io.err(
      `${name} is still ${job.status} after ${values.timeout} min; it keeps running. Check it with npm run evaluate -- --status ${name}.`,
    );
    if (values.json) json(io, { ...summary, ok: false });
    return 1;
  }
  if (job.status !== 'Completed') {
    printFailure(io, job);
    if (values.json) json(io, { ...summary, ok: false });
    return 1;
  }
  return report(io, deps, s3, job, summary, values.json, names.governance);
}

runCommand(module, command, (parsed, io) => evaluate(parsed, io));
