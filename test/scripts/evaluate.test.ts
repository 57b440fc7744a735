import {
  BedrockClient,
  CreateEvaluationJobCommand,
  GetEvaluationJobCommand,
  ListEvaluationJobsCommand,
} from '@aws-sdk/client-bedrock';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { captureIo } from '../../scripts/cli/output';
import { command, evaluate, type EvaluateDeps } from '../../scripts/evaluate';
import { DATASETS_DIR } from '../../scripts/evaluate/datasets';
import { execute } from '../../scripts/run-cli';
import {
  app,
  body,
  bucket,
  jobArnOf,
  keyArn,
  modelId,
  operatorPolicyArn,
  outputKey,
  outputLine,
  region,
  roleArn,
} from './evaluate/fixtures';
import { describeStacks } from '../support/deployed-stacks';

const STACKS: Record<string, Record<string, string>> = {
  'GuardedGenAi-DataProtection': { DataBucketName: bucket, ProjectKeyArn: keyArn },
  'GuardedGenAi-GuardedInvoke': { ModelId: modelId, FunctionUrl: 'https://abc.lambda-url.us-east-1.on.aws/' },
  'GuardedGenAi-Governance': {
    EvaluationRoleArn: roleArn,
    OperatorPolicyArn: operatorPolicyArn,
  },
};
const START = Date.UTC(2026, 5, 1, 12, 0, 0);
const JOB = 'guardedgenai-eval-20260601-120000';

const s3 = mockClient(S3Client);
const cloudformation = mockClient(CloudFormationClient);
const bedrock = mockClient(BedrockClient);
const named = (name: string, message = name) => Object.assign(new Error(message), { name });

let tmp: string;
let clock: number;
const deps = (): EvaluateDeps => ({
  resolve: async () => ({ region, credentials: async () => ({ accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'x' }) }),
  clients: () => ({
    s3: new S3Client({ region }),
    cloudformation: new CloudFormationClient({ region }),
    bedrock: new BedrockClient({ region }),
  }),
  sleep: async (ms) => {
    clock += ms;
  },
  now: () => clock,
  datasetsDir: DATASETS_DIR,
  runsDir: path.join(tmp, 'runs'),
});

async function run(argv: string[]) {
  const io = captureIo();
  const code = await execute(command, ['--app', app, ...argv], (parsed, out) => evaluate(parsed, out, deps()), io);
  return { code, io };
}

/** GetEvaluationJob as Bedrock answers it for the job this test started. */
function jobResponse(status: string, extra: object = {}) {
  return {
    jobName: JOB,
    jobArn: jobArnOf(),
    status,
    jobType: 'Automated',
    roleArn,
    applicationType: 'ModelEvaluation',
    creationTime: new Date(START),
    evaluationConfig: {
      automated: {
        datasetMetricConfigs: [
          {
            taskType: 'QuestionAndAnswer',
            dataset: {
              name: 'guarded-service-qa',
              datasetLocation: { s3Uri: `s3://${bucket}/evaluations/datasets/guarded-service-qa.jsonl` },
            },
            metricNames: ['Builtin.Accuracy', 'Builtin.Robustness', 'Builtin.Toxicity'],
          },
          { taskType: 'QuestionAndAnswer', dataset: { name: 'Builtin.BoolQ' }, metricNames: ['Builtin.Accuracy'] },
        ],
      },
    },
    inferenceConfig: { models: [{ bedrockModel: { modelIdentifier: modelId, inferenceParams: '{}' } }] },
    outputDataConfig: { s3Uri: `s3://${bucket}/evaluations/results/` },
    ...extra,
  } as never;
}

/** Results in the documented layout, for the job above. */
function givenResults() {
  const qa = outputKey(JOB, 'guarded-service-qa');
  const boolq = outputKey(JOB, 'Builtin.BoolQ');
  s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: qa }, { Key: boolq }] });
  s3.on(GetObjectCommand, { Key: qa }).resolves({
    Body: body(
      [
        outputLine('In AWS KMS, what is envelope encryption?', { Accuracy: 0.5, Robustness: 0.2, Toxicity: 0.01 }),
        outputLine('What does the principle of least privilege mean?', {
          Accuracy: 0.7,
          Robustness: 0.1,
          Toxicity: 0.03,
        }),
      ].join('\n'),
    ),
  });
  s3.on(GetObjectCommand, { Key: boolq }).resolves({
    Body: body(outputLine('is the sky blue', { 'Builtin.Accuracy': 1 })),
  });
}

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'evaluate-'));
  clock = START;
  s3.reset();
  cloudformation.reset();
  bedrock.reset();
  cloudformation.on(DescribeStacksCommand).callsFake(describeStacks(STACKS));
  s3.on(PutObjectCommand).resolves({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn });
  bedrock.on(CreateEvaluationJobCommand).resolves({ jobArn: jobArnOf() });
});

afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('starting a job', () => {
  test('uploads the Q&A dataset SSE-KMS, starts one job with the stacks’ outputs, waits, prints and saves the scores', async () => {
    bedrock
      .on(GetEvaluationJobCommand)
      .resolvesOnce(jobResponse('InProgress'))
      .resolvesOnce(jobResponse('InProgress'))
      .resolves(jobResponse('Completed'));
    givenResults();
    const { code, io } = await run([]);
    expect(io.stderr).not.toMatch(/refused|denied/);
    expect(code).toBe(0);

    const puts = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts).toHaveLength(1);
    expect(puts[0]).toMatchObject({
      Bucket: bucket,
      Key: 'evaluations/datasets/guarded-service-qa.jsonl',
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: keyArn,
    });

    const creates = bedrock.commandCalls(CreateEvaluationJobCommand);
    expect(creates).toHaveLength(1);
    const request = creates[0].args[0].input;
    expect(request).toMatchObject({
      jobName: JOB,
      roleArn,
      outputDataConfig: { s3Uri: `s3://${bucket}/evaluations/results/` },
      inferenceConfig: { models: [{ bedrockModel: { modelIdentifier: modelId } }] },
    });
    expect(request.evaluationConfig?.automated?.datasetMetricConfigs?.map((c) => c.dataset?.name)).toEqual([
      'guarded-service-qa',
      'Builtin.BoolQ',
    ]);

    // Progress: each status once, with the time.
    expect(io.stderr).toMatch(new RegExp(`${JOB}: InProgress after 0 s`));
    expect(io.stderr).toMatch(new RegExp(`${JOB}: Completed after 38 s`));
    expect(io.stdout).toMatch(/guarded-service-qa\s+Accuracy\s+0\.600\s+2/);
    expect(io.stdout).toMatch(/Builtin\.BoolQ\s+Accuracy\s+1\.000\s+1/);
    // Categories come from the local dataset when the output does not carry them.
    expect(io.stdout).toMatch(/guarded-service-qa\s+encryption\s+Accuracy\s+0\.500\s+1/);
    expect(io.stdout).toMatch(/guarded-service-qa\s+identity\s+Accuracy\s+0\.700\s+1/);

    const saved = JSON.parse(fs.readFileSync(path.join(tmp, 'runs', `evaluation-${JOB}.json`), 'utf8'));
    expect(saved).toMatchObject({ app, region, jobName: JOB, jobArn: jobArnOf(), status: 'Completed', model: modelId });
    expect(saved.scores).toContainEqual({ dataset: 'Builtin.BoolQ', metric: 'Accuracy', mean: 1, count: 1 });
    expect(saved.resultFiles).toHaveLength(2);
  });

  test('--task Generation uploads the generation dataset and asks for T-Rex and RealToxicityPrompts', async () => {
    const { code } = await run(['--task', 'Generation', '--no-wait']);
    expect(code).toBe(0);
    expect(s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key)).toEqual([
      'evaluations/datasets/guarded-service-generation.jsonl',
    ]);
    const configs =
      bedrock.commandCalls(CreateEvaluationJobCommand)[0].args[0].input.evaluationConfig?.automated
        ?.datasetMetricConfigs;
    expect(configs?.map((c) => [c.dataset?.name, c.metricNames])).toEqual([
      ['guarded-service-generation', ['Builtin.Accuracy', 'Builtin.Robustness', 'Builtin.Toxicity']],
      ['Builtin.T-Rex', ['Builtin.Accuracy', 'Builtin.Robustness']],
      ['Builtin.RealToxicityPrompts', ['Builtin.Toxicity']],
    ]);
  });

  test('--no-wait returns after starting, with how to follow the job', async () => {
    const { code, io } = await run(['--no-wait']);
    expect(code).toBe(0);
    expect(bedrock.commandCalls(GetEvaluationJobCommand)).toHaveLength(0);
    expect(io.stdout).toContain(`npm run evaluate -- --status ${JOB}`);
  });

  test('a failed job: its failure messages, exit 1, nothing read from results', async () => {
    bedrock.on(GetEvaluationJobCommand).resolves(
      jobResponse('Failed', {
        failureMessages: ['Amazon Bedrock could not access s3://bucket/evaluations/datasets/guarded-service-qa.jsonl'],
      }),
    );
    const { code, io } = await run([]);
    expect(code).toBe(1);
    expect(io.stderr).toContain(`Evaluation job ${JOB} ended Failed.`);
    expect(io.stderr).toContain('Amazon Bedrock could not access');
    expect(s3.commandCalls(ListObjectsV2Command)).toHaveLength(0);
  });

  test('access denied names the operator policy to attach', async () => {
    bedrock
      .on(CreateEvaluationJobCommand)
      .rejects(named('AccessDeniedException', 'User is not authorized to perform: bedrock:CreateEvaluationJob'));
    const { code, io } = await run(['--no-wait']);
    expect(code).toBe(1);
    expect(io.stderr).toContain(operatorPolicyArn);
    expect(io.stderr).toContain('OperatorPolicyArn of GuardedGenAi-Governance');
  });

  test('a refused request is shown with its datasets and metrics', async () => {
    bedrock.on(CreateEvaluationJobCommand).rejects(named('ValidationException', 'Invalid dataset name'));
    const { code, io } = await run(['--no-wait']);
    expect(code).toBe(1);
    expect(io.stderr).toContain('Bedrock refused the evaluation job: Invalid dataset name');
    expect(io.stderr).toMatch(
      /QuestionAndAnswer Builtin\.BoolQ: Builtin\.Accuracy, Builtin\.Robustness, Builtin\.Toxicity/,
    );
    expect(io.stderr).toContain(`s3://${bucket}/evaluations/datasets/guarded-service-qa.jsonl`);
  });

  test('without the Governance stack: nothing uploaded, the missing output named', async () => {
    const governance = STACKS['GuardedGenAi-Governance'];
    delete STACKS['GuardedGenAi-Governance'];
    try {
      const { code, io } = await run([]);
      expect(code).toBe(1);
      expect(io.stderr).toContain('GuardedGenAi-Governance (EvaluationRoleArn)');
      expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    } finally {
      STACKS['GuardedGenAi-Governance'] = governance;
    }
  });

  test('a job still running at the timeout: exit 1 with how to check later', async () => {
    bedrock.on(GetEvaluationJobCommand).resolves(jobResponse('InProgress'));
    const { code, io } = await run(['--timeout', '5']);
    expect(code).toBe(1);
    expect(io.stderr).toContain(`${JOB} is still InProgress after 5 min`);
  });
});

describe('--status, --results, --list', () => {
  const summary = (name: string, status: string, id: string) => ({
    jobArn: jobArnOf(id),
    jobName: name,
    status,
    creationTime: new Date(START),
    jobType: 'Automated',
    evaluationTaskTypes: ['QuestionAndAnswer'],
    modelIdentifiers: [modelId],
  });

  test('--status: the newest job of this app, found by name prefix', async () => {
    bedrock.on(ListEvaluationJobsCommand).resolves({
      jobSummaries: [
        // nameContains matches anywhere: another app's job is not ours.
        summary(`other-${JOB}`, 'InProgress', 'zzzzzzzzzzzz'),
        summary(JOB, 'InProgress', 'a1b2c3d4e5f6'),
      ] as never,
    });
    bedrock.on(GetEvaluationJobCommand).resolves(jobResponse('InProgress'));
    clock = START + 10 * 60_000;
    const { code, io } = await run(['--status']);
    expect(code).toBe(0);
    expect(bedrock.commandCalls(ListEvaluationJobsCommand)[0].args[0].input).toMatchObject({
      nameContains: 'guardedgenai-eval-',
      sortBy: 'CreationTime',
      sortOrder: 'Descending',
    });
    expect(bedrock.commandCalls(GetEvaluationJobCommand)[0].args[0].input).toEqual({ jobIdentifier: jobArnOf() });
    expect(io.stdout).toContain(`${JOB}: InProgress (started 10 min 0 s ago)`);
    expect(io.stdout).toContain('guarded-service-qa: Builtin.Accuracy, Builtin.Robustness, Builtin.Toxicity');
  });

  test('--status <ARN> of a failed job: the messages, exit 1', async () => {
    bedrock
      .on(GetEvaluationJobCommand)
      .resolves(jobResponse('Failed', { failureMessages: ['Model access is denied for amazon.nova-micro-v1:0'] }));
    const { code, io } = await run(['--status', jobArnOf()]);
    expect(code).toBe(1);
    expect(bedrock.commandCalls(ListEvaluationJobsCommand)).toHaveLength(0);
    expect(io.stderr).toContain('Model access is denied');
  });

  test('--status with no job of this app', async () => {
    bedrock.on(ListEvaluationJobsCommand).resolves({ jobSummaries: [] });
    const { code, io } = await run(['--status']);
    expect(code).toBe(1);
    expect(io.stderr).toContain('No evaluation job named guardedgenai-eval-*');
  });

  test('--results <name>: looks the name up, reads and saves the scores', async () => {
    bedrock
      .on(ListEvaluationJobsCommand)
      .resolves({ jobSummaries: [summary(JOB, 'Completed', 'a1b2c3d4e5f6')] as never });
    bedrock.on(GetEvaluationJobCommand).resolves(jobResponse('Completed'));
    givenResults();
    const { code, io } = await run(['--results', JOB, '--json']);
    expect(code).toBe(0);
    expect(s3.commandCalls(ListObjectsV2Command)[0].args[0].input).toMatchObject({
      Bucket: bucket,
      Prefix: `evaluations/results/${JOB}/`,
    });
    const out = JSON.parse(io.stdout);
    expect(out).toMatchObject({ ok: true, jobName: JOB, status: 'Completed' });
    expect(out.scores).toContainEqual({ dataset: 'guarded-service-qa', metric: 'Accuracy', mean: 0.6, count: 2 });
    expect(fs.existsSync(path.join(tmp, 'runs', `evaluation-${JOB}.json`))).toBe(true);
    // Nothing was uploaded or started.
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(bedrock.commandCalls(CreateEvaluationJobCommand)).toHaveLength(0);
  });

  test('--results of a job still running: exit 1, no S3 reads', async () => {
    bedrock.on(GetEvaluationJobCommand).resolves(jobResponse('InProgress'));
    const { code, io } = await run(['--results', jobArnOf()]);
    expect(code).toBe(1);
    expect(io.stderr).toContain('is InProgress; results are written once it is Completed');
    expect(s3.commandCalls(ListObjectsV2Command)).toHaveLength(0);
  });

  test('--list: a table of this app’s jobs', async () => {
    bedrock
      .on(ListEvaluationJobsCommand)
      .resolves({ jobSummaries: [summary(JOB, 'Completed', 'a1b2c3d4e5f6')] as never });
    const { code, io } = await run(['--list']);
    expect(code).toBe(0);
    expect(io.stdout).toMatch(
      new RegExp(`${JOB}\\s+Completed\\s+2026-06-01T12:00:00Z\\s+QuestionAndAnswer\\s+${modelId}`),
    );
  });
});

describe('the command line', () => {
  test.each([
    [[JOB], /a job name is read only with --status or --results/],
    [['--status', '--results'], /give one of --status, --results/],
    [['--builtin', 'Builtin.T-Rex'], /not a built-in dataset of QuestionAndAnswer/],
    [['--task', 'Custom'], /--task must be one of/],
  ])('%j is a usage error (exit 2) before any AWS call', async (argv, message) => {
    const { code, io } = await run(argv);
    expect(code).toBe(2);
    expect(io.stderr).toMatch(message);
    expect(cloudformation.calls()).toHaveLength(0);
  });

  test('--help describes the datasets and the options', async () => {
    const { code, io } = await run(['--help']);
    expect(code).toBe(0);
    expect(io.stdout).toContain('evaluations/datasets/manifest.json');
    expect(io.stdout).toContain('--no-wait');
    expect(io.stdout).toContain('OperatorPolicyArn');
  });

  test('--builtin none: only the project dataset', async () => {
    const { code } = await run(['--builtin', 'none', '--no-wait']);
    expect(code).toBe(0);
    const configs =
      bedrock.commandCalls(CreateEvaluationJobCommand)[0].args[0].input.evaluationConfig?.automated
        ?.datasetMetricConfigs;
    expect(configs?.map((c) => c.dataset?.name)).toEqual(['guarded-service-qa']);
  });

  // API_EvaluationBedrockModel: a bare profile id only for 2-4 letter geographies; global. needs the ARN.
  test('a global. inference profile deployed: the job names the profile by its ARN in this region and account', async () => {
    const profile = 'global.anthropic.claude-sonnet-4-5-20250929-v1:0';
    cloudformation.on(DescribeStacksCommand).callsFake(
      describeStacks({
        ...STACKS,
        'GuardedGenAi-GuardedInvoke': { ...STACKS['GuardedGenAi-GuardedInvoke'], ModelId: profile },
      }),
    );
    const { code } = await run(['--no-wait']);
    expect(code).toBe(0);
    const model = bedrock.commandCalls(CreateEvaluationJobCommand)[0].args[0].input.inferenceConfig?.models?.[0];
    expect(model?.bedrockModel?.modelIdentifier).toBe(
      `arn:aws:bedrock:${region}:${roleArn.split(':')[4]}:inference-profile/${profile}`,
    );
  });
});
