/**
 * `npm run customize -- compare`: the evidence that a custom model is at
 * least as safe as its base model. It reads two red-team runs of
 * `npm run redteam -- --model` (base, and the custom model's deployment)
 * from evaluations/runs/, scores both with the red team's own scoring, names
 * the job, hyperparameters and training manifest that made the custom model,
 * and writes the comparison, content-addressed by its SHA-256, to the
 * repository and the data bucket. The digest is what the customModelApproval
 * setting names; synth checks it again (lib/customization/approved-model.ts).
 */
import {
  type BedrockClient,
  GetCustomModelCommand,
  GetCustomModelDeploymentCommand,
  GetModelCustomizationJobCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-bedrock';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEPLOYMENT_ARN_PATTERN } from '../../lib/customization/approved-model';
import {
  COMPARISONS_DIR,
  comparisonProblem,
  type CustomModelComparison,
  customizationBaseModel,
  MANIFEST_SHA256_TAG,
  type ModelSafety,
} from '../../lib/shared/customization-contract';
import { COMPARISONS_PREFIX } from '../../lib/shared/data-layout';
import { stackNames } from '../../lib/shared/names';
import { UsageError } from '../cli/command';
import { type Io, json } from '../cli/output';
import { stackOutputs } from '../cli/stack-outputs';
import { ROOT } from '../generated-block';
import { guardrailRefusals } from '../redteam/model-target';
import type { RedTeamRun } from '../redteam/report';
import { score } from '../redteam/score';
import { localRunFile, RUNS_DIR } from '../redteam/store';

/** The tag `customize -- start` puts on the job and its custom model: the SHA-256 of the training manifest the job read. */
/** newRunId's form (scripts/redteam/report.ts): nothing else may become part of a file name. */
const RUN_ID = /^\d{8}T\d{6}Z-[0-9a-f]{6}$/;
/** An evaluation job name (scripts/evaluate/job.ts JOB_NAME_PATTERN). */
const JOB_NAME = /^[a-z0-9](-*[a-z0-9]){0,62}$/;

/** The command line's values; the run ids are required (undefined is a usage error, so a parser's values fit as they are). */
export interface CompareOptions {
  readonly baseRun: string | undefined;
  readonly customRun: string | undefined;
  readonly baseEvaluation?: string;
  readonly customEvaluation?: string;
  readonly json: boolean;
}

/** The SDK clients it calls; the bedrock client must be in the deployment's Region. */
export interface CompareClients {
  readonly s3: Pick<S3Client, 'send'>;
  readonly bedrock: Pick<BedrockClient, 'send'>;
  readonly cloudformation: Pick<CloudFormationClient, 'send'>;
  readonly sts: Pick<STSClient, 'send'>;
}

export interface CompareContext {
  readonly appName: string;
  readonly region: string;
  /** The configured modelId (projectConfig().modelId): the base run must have called it, and synth compares with it. */
  readonly modelId: string;
  /** Epoch milliseconds. */
  readonly now: () => number;
  /** Where the runs and evaluation summaries are (evaluations/runs/). */
  readonly runsDir?: string;
  readonly read?: (file: string) => string;
  /** Writes a repository-relative file. */
  readonly write?: (file: string, bytes: string) => void;
}

/** Key order independent of the machine's locale (localeCompare is not), so the same evidence gives the same bytes. */
const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A comparison's bytes: deterministic, so its digest names it. */
export function comparisonDocument(comparison: CustomModelComparison): string {
  return `${JSON.stringify(comparison, null, 2)}\n`;
}

/** The red-team rates of one run, as score.ts computes them (errors left out of every rate). */
export function modelSafety(run: RedTeamRun): ModelSafety {
  const { blockRate, falseRefusalRate } = score(run.results).totals;
  return {
    modelId: run.modelId ?? '',
    redteamRunId: run.runId,
    attacks: blockRate.trials,
    blockRate: blockRate.rate ?? 0,
    nearMisses: falseRefusalRate.trials,
    falseRefusalRate: falseRefusalRate.rate ?? 0,
  };
}

/** Why these two runs cannot be compared (each reason once), or [] when they can. */
export function runProblems(base: RedTeamRun, custom: RedTeamRun, configuredModelId: string): string[] {
  const problems: string[] = [];
  for (const [which, run] of [['base', base] as const, ['custom', custom] as const]) {
    if (run.mode !== 'model') problems.push(`the ${which} run ${run.runId} is a ${run.mode} run, not one of --model`);
    if (run.corpus.categories) {
      problems.push(
        `the ${which} run ${run.runId} is of --category ${run.corpus.categories.join(', ')} only; compare runs of the whole corpus`,
      );
    }
    if (guardrailRefusals(run.results) > 0) {
      problems.push(`the guardrail could not be applied to ${run.modelId} in the ${which} run ${run.runId}`);
    }
  }
  if (base.modelId !== configuredModelId) {
    problems.push(`the base run called ${base.modelId ?? 'no model'}, but modelId is ${configuredModelId}`);
  }
  if (!DEPLOYMENT_ARN_PATTERN.test(custom.modelId ?? '')) {
    problems.push(`the custom run called ${custom.modelId ?? 'no model'}, not a custom model deployment`);
  }
  const ids = (run: RedTeamRun) =>
    run.results
      .map((r) => r.id)
      .sort()
      .join('\n');
  if (base.corpus.sha256 !== custom.corpus.sha256 || ids(base) !== ids(custom)) {
    problems.push('the runs are of different corpora (or entries): run both with the same corpus');
  }
  if (base.guardrail.id !== custom.guardrail.id || base.guardrail.version !== custom.guardrail.version) {
    problems.push(
      `the runs used different guardrails (${base.guardrail.id} version ${base.guardrail.version}, ${custom.guardrail.id} version ${custom.guardrail.version})`,
    );
  }
  return problems;
}

interface EvaluationSummary {
  readonly status?: string;
  readonly model?: string;
  readonly scores?: readonly { dataset: string; metric: string; mean: number; count: number }[];
}

/** Mean per metric over all datasets (weighted by scores), named as Bedrock names them (Builtin.Toxicity). */
export function metricMeans(summary: EvaluationSummary): Record<string, number> {
  const sums = new Map<string, { sum: number; count: number }>();
  for (const s of summary.scores ?? []) {
    const metric = s.metric.includes('.') ? s.metric : `Builtin.${s.metric}`;
    const entry = sums.get(metric) ?? { sum: 0, count: 0 };
    sums.set(metric, { sum: entry.sum + s.mean * s.count, count: entry.count + s.count });
  }
  return Object.fromEntries([...sums].sort(([a], [b]) => byCodePoint(a, b)).map(([m, e]) => [m, e.sum / e.count]));
}

function evaluationProblems(base: EvaluationSummary, custom: EvaluationSummary, modelId: string): string[] {
  const datasets = (s: EvaluationSummary) => [...new Set((s.scores ?? []).map((x) => x.dataset))].sort().join(',');
  return [
    ...[base, custom].filter((s) => s.status && s.status !== 'Completed').map((s) => `an evaluation is ${s.status}`),
    ...[base, custom].filter((s) => (s.scores ?? []).length === 0).map(() => 'an evaluation has no scores'),
    // A live job of the base model names it bare or by its inference profile's ARN.
    ...(base.model && base.model !== modelId && !base.model.endsWith(`/${modelId}`)
      ? [`the base evaluation is of ${base.model}, not ${modelId}`]
      : []),
    ...(datasets(base) !== datasets(custom) ? ['the evaluations scored different datasets'] : []),
  ];
}

/** The parts of a comparison AWS holds: deployment → custom model → the job that made it and its manifest tag. */
async function provenance(bedrock: CompareClients['bedrock'], deploymentArn: string, modelId: string) {
  const deployment = await bedrock
    .send(new GetCustomModelDeploymentCommand({ customModelDeploymentIdentifier: deploymentArn }))
    .catch((error: Error) => {
      if (error.name !== 'ResourceNotFoundException') throw error;
      return undefined;
    });
  if (!deployment) {
    return { problems: [`the deployment ${deploymentArn} no longer exists: the evidence must name a live deployment`] };
  }
  const model = await bedrock.send(new GetCustomModelCommand({ modelIdentifier: deployment.modelArn }));
  const problems: string[] = [];
  const wanted = customizationBaseModel(modelId.replace(/^(us|eu|apac|global)[.]/, ''));
  if (!wanted || !model.baseModelArn?.endsWith(`/${wanted}`)) {
    problems.push(`the custom model was fine-tuned from ${model.baseModelArn}, not from ${wanted ?? modelId}`);
  }
  const jobArn = model.jobArn ?? '';
  if (!jobArn) problems.push(`GetCustomModel names no job for ${model.modelArn}`);
  const hyperParameters =
    model.hyperParameters ??
    (jobArn
      ? (await bedrock.send(new GetModelCustomizationJobCommand({ jobIdentifier: jobArn }))).hyperParameters
      : {});
  const tagOf = async (arn: string) =>
    (await bedrock.send(new ListTagsForResourceCommand({ resourceARN: arn }))).tags?.find(
      (t) => t.key === MANIFEST_SHA256_TAG,
    )?.value;
  const manifestSha256 = (jobArn ? await tagOf(jobArn) : undefined) ?? (await tagOf(model.modelArn ?? ''));
  if (!/^[0-9a-f]{64}$/.test(manifestSha256 ?? '')) {
    problems.push(
      `neither the job nor the custom model has a ${MANIFEST_SHA256_TAG} tag: it was not made by customize`,
    );
  }
  const sorted = Object.fromEntries(Object.entries(hyperParameters ?? {}).sort(([a], [b]) => byCodePoint(a, b)));
  const found = { customModelArn: model.modelArn ?? '', jobArn, hyperParameters: sorted };
  return { found: { ...found, manifestSha256: manifestSha256 ?? '' }, problems };
}

function refuse(io: Io, asJson: boolean, problems: readonly string[]): number {
  if (asJson) json(io, { ok: false, problems });
  for (const problem of problems) io.err(io.colour.bad(`Cannot compare: ${problem}.`));
  return 1;
}

/** Exit 0 when the comparison shows the custom model at least as safe, 1 otherwise (the comparison is still kept). */
export async function compareAction(
  options: CompareOptions,
  clients: CompareClients,
  io: Io,
  context: CompareContext,
): Promise<number> {
  const runsDir = context.runsDir ?? RUNS_DIR;
  const read = context.read ?? ((file: string) => fs.readFileSync(file, 'utf8'));
  const { baseRun, customRun } = options;
  if (baseRun === undefined || customRun === undefined) {
    throw new UsageError(
      'compare needs --base-run and --custom-run: the ids of two runs of npm run redteam -- --model',
    );
  }
  for (const id of [baseRun, customRun]) {
    if (!RUN_ID.test(id)) throw new UsageError(`"${id}" is not a red-team run id (like 20261130T013629Z-1a2b3c)`);
  }
  const evaluations = [options.baseEvaluation, options.customEvaluation].filter((e) => e !== undefined);
  if (evaluations.length === 1) throw new UsageError('--base-evaluation and --custom-evaluation go together');
  for (const job of evaluations) {
    if (!JOB_NAME.test(job)) throw new UsageError(`"${job}" is not an evaluation job name`);
  }
  const load = <T>(file: string, what: string): T | string => {
    try {
      return JSON.parse(read(file)) as T;
    } catch (error) {
      return `${what} ${path.relative(ROOT, file)} cannot be read (${(error as Error).message})`;
    }
  };
  const base = load<RedTeamRun>(localRunFile(baseRun, runsDir), 'the run');
  const custom = load<RedTeamRun>(localRunFile(customRun, runsDir), 'the run');
  const [baseEval, customEval] = evaluations.map((job) =>
    load<EvaluationSummary>(path.join(runsDir, `evaluation-${job}.json`), 'the evaluation summary'),
  );
  const unread = [base, custom, baseEval, customEval].filter((x): x is string => typeof x === 'string');
  for (const [id, run] of [[baseRun, base] as const, [customRun, custom] as const]) {
    const r = run as Partial<RedTeamRun>;
    if (typeof run !== 'string' && !(Array.isArray(r.results) && r.corpus && r.guardrail && r.mode)) {
      unread.push(`${path.relative(ROOT, localRunFile(id, runsDir))} is not the record of a red-team run`);
    }
  }
  if (unread.length > 0) return refuse(io, options.json, unread);
  const [b, c] = [base as RedTeamRun, custom as RedTeamRun];
  const problems = runProblems(b, c, context.modelId);
  if (baseEval && customEval) {
    problems.push(
      ...evaluationProblems(baseEval as EvaluationSummary, customEval as EvaluationSummary, context.modelId),
    );
  }
  if (problems.length > 0) return refuse(io, options.json, problems);

  const dataStack = stackNames(context.appName).dataProtection;
  const data = await stackOutputs(clients.cloudformation, dataStack);
  if (!data?.DataBucketName || !data.ProjectKeyArn) {
    return refuse(io, options.json, [`${dataStack} has no DataBucketName/ProjectKeyArn output in ${context.region}`]);
  }
  io.progress(`looking up ${c.modelId} and the job that made its model`);
  const { found, problems: unproven } = await provenance(clients.bedrock, c.modelId ?? '', context.modelId);
  if (!found || unproven.length > 0) return refuse(io, options.json, unproven);
  const identity = await clients.sts.send(new GetCallerIdentityCommand({}));

  const comparison: CustomModelComparison = {
    schema: 'custom-model-comparison/1',
    baseModelId: context.modelId,
    customModelArn: found.customModelArn,
    deploymentArn: c.modelId ?? '',
    jobArn: found.jobArn,
    hyperParameters: found.hyperParameters,
    manifestSha256: found.manifestSha256,
    base: modelSafety(b),
    custom: modelSafety(c),
    ...(baseEval && customEval
      ? {
          evaluation: {
            base: metricMeans(baseEval as EvaluationSummary),
            custom: metricMeans(customEval as EvaluationSummary),
            jobs: evaluations,
          },
        }
      : {}),
    comparedAt: new Date(context.now()).toISOString(),
    comparedBy: identity.Arn ?? 'unknown',
  };
  const problem = comparisonProblem(comparison);
  const bytes = comparisonDocument(comparison);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const file = `${COMPARISONS_DIR}/${sha256}.json`;
  const write = context.write ?? writeInRepository;
  write(file, bytes);
  const key = `${COMPARISONS_PREFIX}${sha256}.json`;
  try {
    // The bucket refuses a write that names any other encryption or key (lib/data-protection/secure-bucket.ts).
    await clients.s3.send(
      new PutObjectCommand({
        Bucket: data.DataBucketName,
        Key: key,
        Body: bytes,
        ContentType: 'application/json',
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: data.ProjectKeyArn,
        BucketKeyEnabled: true,
      }),
    );
  } catch (error) {
    io.err(
      `The comparison is saved in ${file} but could not be uploaded to s3://${data.DataBucketName}/${key}: ${(error as Error).message}`,
    );
    return 1;
  }
  const uploaded = `s3://${data.DataBucketName}/${key}`;
  if (options.json)
    json(io, { ok: problem === undefined, sha256, file, uploaded, ...(problem ? { problem } : {}), comparison });
  else printVerdict(io, comparison, { sha256, file, uploaded, problem });
  return problem === undefined ? 0 : 1;
}

function writeInRepository(file: string, bytes: string): void {
  const absolute = path.join(ROOT, file);
  fs.mkdirSync(path.dirname(absolute), { recursive: true });
  fs.writeFileSync(absolute, bytes);
}

const pct = (rate: number) => `${(rate * 100).toFixed(1)}%`;

function printVerdict(
  io: Io,
  c: CustomModelComparison,
  saved: { sha256: string; file: string; uploaded: string; problem?: string },
): void {
  const line = (name: string, s: ModelSafety) =>
    `  ${name}  block rate ${pct(s.blockRate)} of ${s.attacks} attacks, false refusals ${pct(s.falseRefusalRate)} of ${s.nearMisses} near misses (run ${s.redteamRunId})`;
  io.out(`Comparison of ${c.deploymentArn} with ${c.baseModelId}:`);
  io.out(line('base  ', c.base));
  io.out(line('custom', c.custom));
  for (const [metric, value] of Object.entries(c.evaluation?.base ?? {})) {
    io.out(`  ${metric}: base ${value.toFixed(3)}, custom ${c.evaluation?.custom[metric]?.toFixed(3) ?? 'n/a'}`);
  }
  io.out(`Saved: ${saved.file}\nUploaded: ${saved.uploaded}\nSHA-256: ${saved.sha256}`);
  if (saved.problem) {
    io.out(io.colour.bad(`Not approvable: ${saved.problem}.`));
    io.out('The comparison is kept as evidence, but synth would refuse customModelApproval naming it.');
    return;
  }
  io.out(io.colour.ok('The custom model is at least as safe as its base model on this evidence.'));
  io.out(
    `Next: npm run config -- set customModelApproval=${saved.sha256}\nthen deploy: npx cdk deploy --all (synth reads ${saved.file}: keep it with the settings, in version control)`,
  );
}
