// `npm run customize -- compare` (scripts/customize/compare.ts): a part of test/scripts/customize/customize.test.ts,
// self-contained: its clients are plain stubs of `send` (real SDK commands and exceptions), so it shares no
// aws-sdk-client-mock stub with the other parts (two sinon stubs of one client class in a file collide).
import {
  type BedrockClient,
  GetCustomModelCommand,
  GetCustomModelDeploymentCommand,
  ListTagsForResourceCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-bedrock';
import { type CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { approvedCustomModel } from '../../../lib/customization/approved-model';
import { COMPARISONS_DIR, type CustomModelComparison } from '../../../lib/shared/customization-contract';
import { BLOCKED_INPUT_MESSAGE } from '../../../lib/shared/guardrail-policies';
import { UsageError } from '../../../scripts/cli/command';
import { captureIo } from '../../../scripts/cli/output';
import { compareAction, type CompareOptions } from '../../../scripts/customize/compare';
import { loadCorpus } from '../../../scripts/redteam/corpus';
import type { RedTeamRun } from '../../../scripts/redteam/report';
import type { EntryResult } from '../../../scripts/redteam/run';
import { score } from '../../../scripts/redteam/score';

const region = 'us-east-1';
const account = '111122223333';
const configuredModel = 'us.amazon.nova-lite-v1:0';
const deploymentArn = `arn:aws:bedrock:${region}:${account}:custom-model-deployment/a1b2c3d4e5f6`;
const customModelArn = `arn:aws:bedrock:${region}:${account}:custom-model/amazon.nova-lite-v1:0:300k/abcdefghijkl`;
const jobArn = `arn:aws:bedrock:${region}:${account}:model-customization-job/amazon.nova-lite-v1:0:300k/mnopqrstuvwx`;
const manifestSha256 = 'ab'.repeat(32);
const bucket = 'guardedgenai-dataprotection-databucket-1a2b3c4d5e6f';
const keyArn = `arn:aws:kms:${region}:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const callerArn = `arn:aws:sts::${account}:assumed-role/Operator/alex`;
const BASE_RUN = '20261130T013629Z-aaaaaa';
const CUSTOM_RUN = '20261201T090000Z-bbbbbb';

const { corpus, sha256: corpusSha256 } = loadCorpus();

/** A run of the whole corpus: every attack stopped except the first `missed`, every near miss answered. */
function runOf(
  runId: string,
  modelId: string,
  over: { missed?: number; drop?: number; categories?: string[]; refused?: boolean; guardrailVersion?: string } = {},
): RedTeamRun {
  let missed = over.missed ?? 0;
  const results: EntryResult[] = corpus.entries.slice(over.drop ?? 0).map((e) => {
    const base = {
      id: e.id,
      category: e.category,
      kind: e.kind,
      ...(e.nearMissOf ? { nearMissOf: e.nearMissOf } : {}),
      ...(e.canary ? { canary: e.canary } : {}),
      expected: e.expected,
      attempts: 1,
      latencyMs: 420,
    };
    if (over.refused) {
      return { ...base, error: `GuardrailNotApplied: Bedrock refused guardrail gr1 version 7 on ${modelId}: no` };
    }
    const through = e.kind === 'benign' || missed-- > 0;
    const observed = through
      ? { outcome: 'answered' as const, policies: [], text: `Sure. ${e.canary ?? ''}`, stopReason: 'end_turn' }
      : {
          outcome: 'blocked' as const,
          policies: ['prompt-attack'],
          text: BLOCKED_INPUT_MESSAGE,
          stopReason: 'guardrail_intervened',
        };
    return { ...base, observed };
  });
  const scored = score(results);
  return {
    runId,
    startedAt: '2026-11-30T01:36:29.000Z',
    finishedAt: '2026-11-30T01:40:00.000Z',
    mode: 'model',
    target: modelId,
    guardrail: { id: 'gr1a2b3c4d5e', version: over.guardrailVersion ?? '7' },
    modelId,
    corpus: { version: 1, sha256: corpusSha256, ...(over.categories ? { categories: over.categories } : {}) },
    totals: scored.totals,
    categories: scored.categories,
    results,
  };
}

const evaluationSummary = (model: string, toxicity: number) => ({
  app: 'GuardedGenAi',
  region,
  jobName: 'x',
  status: 'Completed',
  model,
  taskTypes: ['QuestionAndAnswer'],
  scores: [
    { dataset: 'aws-security', metric: 'Accuracy', mean: 0.8, count: 30 },
    { dataset: 'aws-security', metric: 'Toxicity', mean: toxicity, count: 30 },
    { dataset: 'genai-basics', metric: 'Accuracy', mean: 0.6, count: 10 },
  ],
});

type Command = abstract new (...args: never[]) => { readonly input: object };

/** A client's `send`, answering each command class with a function of its input (throwing rejects, as the SDK does). */
function stubClient<C>() {
  const answers = new Map<Command, (input: never) => unknown>();
  const send = jest.fn(async (command: { readonly input: object }) => {
    const answer = answers.get(command.constructor as Command);
    if (!answer) throw new Error(`unexpected ${command.constructor.name}`);
    return answer(command.input as never);
  });
  return {
    client: { send } as unknown as Pick<C, 'send' & keyof C>,
    on<T extends Command>(command: T, answer: (input: InstanceType<T>['input']) => unknown) {
      answers.set(command, answer as (input: never) => unknown);
    },
    calls<T extends Command>(command: T): InstanceType<T>['input'][] {
      return send.mock.calls.filter(([c]) => c instanceof command).map(([c]) => c.input as InstanceType<T>['input']);
    },
    reset() {
      answers.clear();
      send.mockClear();
    },
  };
}

describe('npm run customize -- compare', () => {
  const s3 = stubClient<S3Client>();
  const bedrock = stubClient<BedrockClient>();
  const cloudformation = stubClient<CloudFormationClient>();
  const sts = stubClient<STSClient>();
  const clients = { s3: s3.client, bedrock: bedrock.client, cloudformation: cloudformation.client, sts: sts.client };
  let files: Map<string, string>;
  let written: Map<string, string>;
  const put = (name: string, value: unknown) =>
    files.set(path.join('/runs', name), `${JSON.stringify(value, null, 2)}\n`);
  const compare = async (over: Partial<CompareOptions> = {}) => {
    const io = captureIo();
    const options = { baseRun: BASE_RUN, customRun: CUSTOM_RUN, json: false, ...over };
    const code = await compareAction(options, clients, io, {
      appName: 'GuardedGenAi',
      region,
      modelId: configuredModel,
      now: () => Date.parse('2026-12-01T10:00:00.000Z'),
      runsDir: '/runs',
      read: (file) => {
        const text = files.get(file);
        if (text === undefined)
          throw Object.assign(new Error(`ENOENT: no such file, open '${file}'`), { code: 'ENOENT' });
        return text;
      },
      write: (file, bytes) => written.set(file, bytes),
    });
    return { code, io };
  };
  const only = (): [string, string] => {
    expect(written.size).toBe(1);
    return [...written][0];
  };

  beforeEach(() => {
    files = new Map();
    written = new Map();
    put(`redteam-${BASE_RUN}.json`, runOf(BASE_RUN, configuredModel, { missed: 3 }));
    put(`redteam-${CUSTOM_RUN}.json`, runOf(CUSTOM_RUN, deploymentArn, { missed: 2 }));
    for (const m of [s3, bedrock, cloudformation, sts]) m.reset();
    cloudformation.on(DescribeStacksCommand, (input) => {
      expect(input.StackName).toBe('GuardedGenAi-DataProtection');
      return {
        Stacks: [
          {
            StackName: 'GuardedGenAi-DataProtection',
            CreationTime: new Date(),
            StackStatus: 'CREATE_COMPLETE',
            Outputs: [
              { OutputKey: 'DataBucketName', OutputValue: bucket },
              { OutputKey: 'ProjectKeyArn', OutputValue: keyArn },
            ],
          },
        ],
      };
    });
    bedrock.on(GetCustomModelDeploymentCommand, () => ({
      customModelDeploymentArn: deploymentArn,
      modelDeploymentName: 'guardedgenai-20261201-080000',
      modelArn: customModelArn,
      createdAt: new Date('2026-12-01T08:00:00Z'),
      status: 'Active',
    }));
    bedrock.on(GetCustomModelCommand, () => ({
      modelArn: customModelArn,
      modelName: 'guardedgenai-20261130-120000',
      jobName: 'guardedgenai-20261130-120000',
      jobArn,
      baseModelArn: `arn:aws:bedrock:${region}::foundation-model/amazon.nova-lite-v1:0:300k`,
      customizationType: 'FINE_TUNING',
      modelKmsKeyArn: keyArn,
      hyperParameters: { learningRateWarmupSteps: '10', epochCount: '2', learningRate: '0.00001', batchSize: '1' },
      trainingDataConfig: { s3Uri: `s3://${bucket}/training/approved/faq/train.jsonl` },
      outputDataConfig: { s3Uri: `s3://${bucket}/training/output/` },
      creationTime: new Date('2026-11-30T12:00:00Z'),
      modelStatus: 'Active',
    }));
    bedrock.on(ListTagsForResourceCommand, () => ({
      tags: [
        { key: 'project', value: 'GuardedGenAi' },
        { key: 'training-manifest-sha256', value: manifestSha256 },
      ],
    }));
    sts.on(GetCallerIdentityCommand, () => ({ Arn: callerArn, Account: account, UserId: 'AROAEXAMPLE:alex' }));
    s3.on(PutObjectCommand, () => ({ ETag: '"e"' }));
  });

  test('writes the comparison under its own SHA-256, uploads the same bytes under the project key, and prints the next step', async () => {
    const { code, io } = await compare();
    expect(io.stderr).not.toMatch(/Cannot/);
    expect(code).toBe(0);
    const [file, bytes] = only();
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    expect(file).toBe(`customization/comparisons/${sha256}.json`);
    expect(bytes).toBe(`${JSON.stringify(JSON.parse(bytes), null, 2)}\n`);
    const comparison = JSON.parse(bytes) as CustomModelComparison;
    const attacks = corpus.entries.filter((e) => e.kind === 'attack').length;
    const nearMisses = corpus.entries.length - attacks;
    expect(comparison).toEqual({
      schema: 'custom-model-comparison/1',
      baseModelId: configuredModel,
      customModelArn,
      deploymentArn,
      jobArn,
      hyperParameters: { batchSize: '1', epochCount: '2', learningRate: '0.00001', learningRateWarmupSteps: '10' },
      manifestSha256,
      base: {
        modelId: configuredModel,
        redteamRunId: BASE_RUN,
        attacks,
        blockRate: (attacks - 3) / attacks,
        nearMisses,
        falseRefusalRate: 0,
      },
      custom: {
        modelId: deploymentArn,
        redteamRunId: CUSTOM_RUN,
        attacks,
        blockRate: (attacks - 2) / attacks,
        nearMisses,
        falseRefusalRate: 0,
      },
      comparedAt: '2026-12-01T10:00:00.000Z',
      comparedBy: callerArn,
    });
    // Keys in a fixed order, hyperparameters sorted: the same evidence gives the same digest.
    expect(Object.keys(comparison.hyperParameters)).toEqual([
      'batchSize',
      'epochCount',
      'learningRate',
      'learningRateWarmupSteps',
    ]);
    expect(bedrock.calls(GetCustomModelDeploymentCommand)).toEqual([
      { customModelDeploymentIdentifier: deploymentArn },
    ]);
    expect(bedrock.calls(GetCustomModelCommand)).toEqual([{ modelIdentifier: customModelArn }]);
    expect(bedrock.calls(ListTagsForResourceCommand)).toEqual([{ resourceARN: jobArn }]);
    expect(s3.calls(PutObjectCommand)).toEqual([
      {
        Bucket: bucket,
        Key: `evaluations/comparisons/${sha256}.json`,
        Body: bytes,
        ContentType: 'application/json',
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: keyArn,
        BucketKeyEnabled: true,
      },
    ]);
    expect(io.stdout).toContain(`Next: npm run config -- set customModelApproval=${sha256}`);
    expect(io.stdout).toContain(`Uploaded: s3://${bucket}/evaluations/comparisons/${sha256}.json`);
    // What synth does with the approval: the same file, found by its digest, passes.
    const approved = approvedCustomModel(sha256, configuredModel, path.join('/repo', COMPARISONS_DIR), (f) => {
      if (!f.endsWith(`/${sha256}.json`)) throw new Error(`ENOENT: ${f}`);
      return Buffer.from(bytes);
    });
    expect(approved).toMatchObject({ deploymentArn, customModelArn, comparisonSha256: sha256 });
  });

  test('--json prints the verdict, the digest and the comparison as one document', async () => {
    const { code, io } = await compare({ json: true });
    expect(code).toBe(0);
    const [file, bytes] = only();
    const printed = JSON.parse(io.stdout) as { ok: boolean; sha256: string; file: string; comparison: unknown };
    expect(printed).toMatchObject({ ok: true, file, sha256: createHash('sha256').update(bytes).digest('hex') });
    expect(printed.comparison).toEqual(JSON.parse(bytes));
  });

  test('a lower block rate is written and uploaded as evidence, but exits 1 and says synth would refuse it', async () => {
    put(`redteam-${CUSTOM_RUN}.json`, runOf(CUSTOM_RUN, deploymentArn, { missed: 4 }));
    const { code, io } = await compare();
    expect(code).toBe(1);
    const [file] = only();
    expect(s3.calls(PutObjectCommand)).toHaveLength(1);
    expect(io.stdout).toMatch(/Not approvable: the custom model's attack block rate .* is below the base model's/);
    expect(io.stdout).toContain('synth would refuse customModelApproval naming it');
    expect(io.stdout).toContain(`Saved: ${file}`);
    expect(io.stdout).not.toContain('Next:');
  });

  test.each([
    [
      'a base run of another model',
      () => put(`redteam-${BASE_RUN}.json`, runOf(BASE_RUN, 'us.amazon.nova-pro-v1:0')),
      `the base run called us.amazon.nova-pro-v1:0, but modelId is ${configuredModel}`,
    ],
    [
      'a run of one category',
      () => put(`redteam-${CUSTOM_RUN}.json`, runOf(CUSTOM_RUN, deploymentArn, { categories: ['prompt-leaking'] })),
      `the custom run ${CUSTOM_RUN} is of --category prompt-leaking only`,
    ],
    [
      'runs of different entries',
      () => put(`redteam-${CUSTOM_RUN}.json`, runOf(CUSTOM_RUN, deploymentArn, { drop: 1 })),
      'the runs are of different corpora',
    ],
    [
      'a custom run of a foundation model',
      () => put(`redteam-${CUSTOM_RUN}.json`, runOf(CUSTOM_RUN, 'amazon.nova-lite-v1:0')),
      'the custom run called amazon.nova-lite-v1:0, not a custom model deployment',
    ],
    [
      'a run on which the guardrail could not be applied',
      () => put(`redteam-${CUSTOM_RUN}.json`, runOf(CUSTOM_RUN, deploymentArn, { refused: true })),
      `the guardrail could not be applied to ${deploymentArn}`,
    ],
    [
      'runs with different guardrail versions',
      () => put(`redteam-${CUSTOM_RUN}.json`, runOf(CUSTOM_RUN, deploymentArn, { guardrailVersion: '8' })),
      'the runs used different guardrails',
    ],
    [
      'a file that is not a run record',
      () => put(`redteam-${CUSTOM_RUN}.json`, { runId: CUSTOM_RUN, mode: 'model' }),
      `redteam-${CUSTOM_RUN}.json is not the record of a red-team run`,
    ],
    [
      'a run through the function URL',
      () => put(`redteam-${BASE_RUN}.json`, { ...runOf(BASE_RUN, configuredModel), mode: 'function-url' }),
      `the base run ${BASE_RUN} is a function-url run, not one of --model`,
    ],
    ['a run that is not there', () => files.delete(path.join('/runs', `redteam-${CUSTOM_RUN}.json`)), 'ENOENT'],
  ])('refuses %s: exit 1, nothing written or uploaded', async (_name, arrange, message) => {
    arrange();
    const { code, io } = await compare();
    expect(code).toBe(1);
    expect(io.stderr).toContain(message);
    expect(written.size).toBe(0);
    expect(s3.calls(PutObjectCommand)).toHaveLength(0);
  });

  test('refuses a model not fine-tuned from the configured model, one without the manifest tag, and a deleted deployment', async () => {
    bedrock.on(GetCustomModelCommand, () => ({
      modelArn: customModelArn.replace('nova-lite-v1:0:300k', 'nova-micro-v1:0:128k'),
      modelName: 'm',
      jobArn,
      baseModelArn: `arn:aws:bedrock:${region}::foundation-model/amazon.nova-micro-v1:0:128k`,
      hyperParameters: {},
      creationTime: new Date(),
    }));
    bedrock.on(ListTagsForResourceCommand, () => ({ tags: [{ key: 'project', value: 'GuardedGenAi' }] }));
    const wrong = await compare();
    expect(wrong.code).toBe(1);
    expect(wrong.io.stderr).toContain(
      'fine-tuned from arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0:128k, not from amazon.nova-lite-v1:0:300k',
    );
    expect(wrong.io.stderr).toContain('neither the job nor the custom model has a training-manifest-sha256 tag');
    bedrock.on(GetCustomModelDeploymentCommand, () => {
      throw new ResourceNotFoundException({ message: 'Deployment not found', $metadata: {} });
    });
    const gone = await compare({ json: true });
    expect(gone.code).toBe(1);
    expect(JSON.parse(gone.io.stdout)).toEqual({
      ok: false,
      problems: [`the deployment ${deploymentArn} no longer exists: the evidence must name a live deployment`],
    });
    expect(written.size).toBe(0);
  });

  test('evaluations: mean per metric over the datasets under Bedrock’s names; a more toxic custom model is not approvable', async () => {
    put('evaluation-guardedgenai-eval-20261201-080000.json', evaluationSummary(configuredModel, 0.02));
    put('evaluation-guardedgenai-eval-20261201-090000.json', evaluationSummary(deploymentArn, 0.05));
    const { code, io } = await compare({
      baseEvaluation: 'guardedgenai-eval-20261201-080000',
      customEvaluation: 'guardedgenai-eval-20261201-090000',
    });
    expect(code).toBe(1);
    const comparison = JSON.parse(only()[1]) as CustomModelComparison;
    expect(comparison.evaluation).toEqual({
      base: { 'Builtin.Accuracy': 0.75, 'Builtin.Toxicity': 0.02 },
      custom: { 'Builtin.Accuracy': 0.75, 'Builtin.Toxicity': 0.05 },
      jobs: ['guardedgenai-eval-20261201-080000', 'guardedgenai-eval-20261201-090000'],
    });
    expect(io.stdout).toContain(
      "Not approvable: the custom model's mean toxicity 0.050 is above the base model's 0.020",
    );
  });

  test('usage errors: a run id that is no run id, one evaluation without the other, a missing run id', async () => {
    await expect(compare({ baseRun: '../../etc/passwd' })).rejects.toThrow(UsageError);
    await expect(compare({ baseEvaluation: 'guardedgenai-eval-20261201-080000' })).rejects.toThrow(
      '--base-evaluation and --custom-evaluation go together',
    );
    await expect(compare({ customRun: undefined })).rejects.toThrow('compare needs --base-run and --custom-run');
    expect(bedrock.client.send).not.toHaveBeenCalled();
  });
});
