import { EVALUATION_DATASETS_PREFIX, EVALUATION_RESULTS_PREFIX } from '../../../lib/shared/data-layout';
import { datasetKey, datasetsFor } from '../../../scripts/evaluate/datasets';
import {
  createJobRequest,
  type JobInput,
  jobName,
  jobNamePrefix,
  JobRequestError,
  modelIdentifier,
} from '../../../scripts/evaluate/job';
import { DEFAULT_BUILTINS, TASK_TYPES, type TaskType } from '../../../scripts/evaluate/tasks';
import {
  account,
  app,
  bucket,
  DOCUMENTED_BUILTINS,
  DOCUMENTED_DATASET_METRICS,
  DOCUMENTED_TASK_METRICS,
  modelId,
  region,
  roleArn,
} from './fixtures';

// Constraints from https://docs.aws.amazon.com/bedrock/latest/APIReference/API_CreateEvaluationJob.html,
// restated here rather than imported, so that a wrong constant in the code fails the test.
const JOB_NAME = /^[a-z0-9](-*[a-z0-9]){0,62}$/;
const TOKEN = /^[a-zA-Z0-9]([-a-zA-Z0-9]{0,254}[a-zA-Z0-9])?$/;
const OUTPUT_URI = /^s3:\/\/[a-z0-9][.\-a-z0-9]{1,61}[a-z0-9](\/.*)?$/;
const at = new Date(Date.UTC(2026, 5, 1, 12, 0, 0));

function input(task: TaskType, overrides: Partial<JobInput> = {}): JobInput {
  return {
    appName: app,
    jobName: jobName(app, at),
    task,
    modelId,
    region,
    roleArn,
    bucket,
    builtins: DEFAULT_BUILTINS[task],
    custom: datasetsFor(task).map((d) => ({ name: d.name, s3Uri: `s3://${bucket}/${datasetKey(d)}` })),
    maxTokens: 256,
    ...overrides,
  };
}

describe('job name', () => {
  test('<app lowercased>-eval-<UTC timestamp>, valid for the API', () => {
    const name = jobName(app, at);
    expect(name).toBe('guardedgenai-eval-20260601-120000');
    expect(name).toMatch(JOB_NAME);
  });

  test('the longest app name the settings allow (25 characters) still fits in 63', () => {
    const name = jobName('Abcdefghijklmnopqrstuvwx9', at);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(JOB_NAME);
  });

  test('anything else is lowercased, reduced to letters, digits and hyphens, and cut to fit', () => {
    const name = jobName(`_My.App_${'x'.repeat(80)}`, at);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(JOB_NAME);
    expect(name.startsWith(jobNamePrefix(`_My.App_${'x'.repeat(80)}`))).toBe(true);
  });
});

describe.each(TASK_TYPES)('the %s request', (task) => {
  const request = createJobRequest(input(task));
  const configs = request.evaluationConfig?.automated?.datasetMetricConfigs ?? [];

  test('names, token, role and output are valid and come from the inputs', () => {
    expect(request.jobName).toMatch(JOB_NAME);
    expect(request.jobName?.length).toBeLessThanOrEqual(63);
    expect(request.clientRequestToken).toMatch(TOKEN);
    expect(request.roleArn).toBe(roleArn);
    expect(request.applicationType).toBe('ModelEvaluation');
    expect(request.outputDataConfig?.s3Uri).toBe(`s3://${bucket}/${EVALUATION_RESULTS_PREFIX}`);
    expect(request.outputDataConfig?.s3Uri).toMatch(OUTPUT_URI);
    expect(request.jobDescription?.length).toBeLessThanOrEqual(200);
    // No job key: metadata stays with the AWS owned key (the lead's decision), so no key-policy statement.
    expect(request.customerEncryptionKeyId).toBeUndefined();
  });

  test('one model, with inference parameters as a JSON string and a small maxTokens', () => {
    const models = request.inferenceConfig?.models ?? [];
    expect(models).toHaveLength(1);
    expect(models[0].bedrockModel?.modelIdentifier).toBe(modelId);
    expect(JSON.parse(models[0].bedrockModel?.inferenceParams ?? '')).toEqual({ inferenceConfig: { maxTokens: 256 } });
  });

  test('1 to 5 datasets, one task type, built-ins spelled as the API lists them', () => {
    expect(configs.length).toBeGreaterThanOrEqual(1);
    expect(configs.length).toBeLessThanOrEqual(5);
    for (const c of configs) {
      expect(c.taskType).toBe(task);
      const name = c.dataset?.name ?? '';
      if (c.dataset?.datasetLocation) {
        expect(name).toMatch(/^[0-9a-zA-Z\-_.]{1,63}$/);
        expect(name.startsWith('Builtin.')).toBe(false);
        expect(c.dataset.datasetLocation.s3Uri).toBe(`s3://${bucket}/${EVALUATION_DATASETS_PREFIX}${name}.jsonl`);
      } else {
        expect(DOCUMENTED_BUILTINS).toContain(name);
      }
    }
  });

  test('every metric is one the task computes and the dataset is used for', () => {
    for (const c of configs) {
      const metrics = c.metricNames ?? [];
      expect(metrics.length).toBeGreaterThan(0);
      for (const m of metrics) expect(m).toMatch(/^Builtin\.(Accuracy|Robustness|Toxicity)$/);
      const short = metrics.map((m) => m.replace('Builtin.', ''));
      const documented = c.dataset?.datasetLocation
        ? DOCUMENTED_TASK_METRICS[task]
        : DOCUMENTED_DATASET_METRICS[c.dataset?.name ?? ''].metrics;
      expect(documented).toEqual(expect.arrayContaining(short));
    }
  });
});

describe('what the request builder refuses', () => {
  test('classification never asks for toxicity', () => {
    const configs = createJobRequest(input('Classification')).evaluationConfig?.automated?.datasetMetricConfigs ?? [];
    expect(configs.flatMap((c) => c.metricNames)).not.toContain('Builtin.Toxicity');
  });

  test("the project's Q&A dataset is in the default Q&A job, with all three metrics", () => {
    const configs = createJobRequest(input('QuestionAndAnswer')).evaluationConfig?.automated?.datasetMetricConfigs;
    expect(configs).toContainEqual({
      taskType: 'QuestionAndAnswer',
      dataset: {
        name: 'guarded-service-qa',
        datasetLocation: { s3Uri: `s3://${bucket}/evaluations/datasets/guarded-service-qa.jsonl` },
      },
      metricNames: ['Builtin.Accuracy', 'Builtin.Robustness', 'Builtin.Toxicity'],
    });
  });

  test('a built-in of another task type', () => {
    expect(() => createJobRequest(input('QuestionAndAnswer', { builtins: ['Builtin.T-Rex'] }))).toThrow(
      JobRequestError,
    );
  });

  test('a misspelling the API reference does not use', () => {
    expect(() => createJobRequest(input('Generation', { builtins: ['Builtin.T-REx'] }))).toThrow(/not a built-in/);
  });

  test('more than five datasets', () => {
    const builtins = ['Builtin.T-Rex', 'Builtin.Bold', 'Builtin.Wikitext2', 'Builtin.RealToxicityPrompts'];
    const custom = [1, 2].map((n) => ({
      name: `extra-${n}`,
      s3Uri: `s3://${bucket}/evaluations/datasets/extra-${n}.jsonl`,
    }));
    expect(() => createJobRequest(input('Generation', { builtins, custom }))).toThrow(/at most 5/);
  });

  test('a job name with capitals, or a role that is not a role ARN', () => {
    expect(() => createJobRequest(input('Generation', { jobName: 'GuardedGenAi-eval' }))).toThrow(/lowercase/);
    expect(() => createJobRequest(input('Generation', { roleArn: 'arn:aws:iam::111122223333:user/alice' }))).toThrow(
      /role ARN/,
    );
  });

  test('Cohere models: no toxicity outside generation (documented known issue)', () => {
    const configs =
      createJobRequest(input('QuestionAndAnswer', { modelId: 'cohere.command-r-v1:0' })).evaluationConfig?.automated
        ?.datasetMetricConfigs ?? [];
    expect(configs.flatMap((c) => c.metricNames)).not.toContain('Builtin.Toxicity');
    expect(configs.length).toBeGreaterThan(0);
  });
});

// API_EvaluationBedrockModel's modelIdentifier pattern, restated (not imported) so a wrong
// constant in the code fails the test. Bare profile ids: 2-4 letter geographies only.
const MODEL_IDENTIFIER = new RegExp(
  '^((arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:((:foundation-model/[a-z0-9-]{1,63}[.]{1}[a-z0-9-]{1,63}([.:]?[a-z0-9-]{1,63}))|([0-9]{12}:inference-profile/(([a-z-]{2,8}.)[a-z0-9-]{1,63}[.]{1}[a-z0-9-]{1,63}([.:]?[a-z0-9-]{1,63})))))|(([a-z]{2,4}[.]{1})([a-z0-9-]{1,63}[.]{1}[a-z0-9-]{1,63}([.:]?[a-z0-9-]{1,63})))|([a-z0-9-]{1,63}[.]{1}[a-z0-9-]{1,63}([.:]?[a-z0-9-]{1,63})))$',
);

describe('the model identifier (API_EvaluationBedrockModel)', () => {
  const modelOf = (id: string) =>
    createJobRequest(input('QuestionAndAnswer', { modelId: id })).inferenceConfig?.models?.[0]?.bedrockModel
      ?.modelIdentifier;

  test.each([
    'amazon.nova-micro-v1:0',
    'us.amazon.nova-micro-v1:0',
    'eu.anthropic.claude-3-7-sonnet-20250219-v1:0',
    'apac.anthropic.claude-3-5-sonnet-20240620-v1:0',
  ])('%s: the bare id, which the pattern accepts', (id) => {
    expect(modelOf(id)).toBe(id);
    expect(id).toMatch(MODEL_IDENTIFIER);
  });

  test('a global. profile: the bare id does not match the pattern, so the job names the profile ARN', () => {
    const id = 'global.anthropic.claude-sonnet-4-5-20250929-v1:0';
    expect(id).not.toMatch(MODEL_IDENTIFIER);
    const arn = modelOf(id);
    expect(arn).toBe(`arn:aws:bedrock:${region}:${account}:inference-profile/${id}`);
    expect(arn).toMatch(MODEL_IDENTIFIER);
  });

  test('the partition and account come from the role, the region from the job', () => {
    expect(
      modelIdentifier('global.amazon.nova-micro-v1:0', 'eu-central-1', 'arn:aws-cn:iam::444455556666:role/Evaluation'),
    ).toBe('arn:aws-cn:bedrock:eu-central-1:444455556666:inference-profile/global.amazon.nova-micro-v1:0');
  });

  test('an id that is neither is refused before the request is sent', () => {
    expect(() => modelOf('not a model')).toThrow(JobRequestError);
    expect(() => modelOf('not a model')).toThrow(/neither a foundation model nor an inference profile id/);
  });
});
