import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import {
  averageResults,
  datasetOfKey,
  isResultKey,
  jobOutputLocation,
  readResults,
  scoreTable,
} from '../../../scripts/evaluate/results';
import { body, bucket, outputKey, outputLine, region } from './fixtures';

const job = 'guardedgenai-eval-20260601-120000';
const qaKey = outputKey(job, 'guarded-service-qa');
const boolqKey = outputKey(job, 'Builtin.BoolQ', 'QuestionAndAnswer', '3f2504e0-4f89-11d3-9a0c-0305e82c3301');

// The custom dataset's output uses the documented short metric names; the
// built-in's the Builtin.* spelling seen elsewhere. Both must be averaged together.
const qaLines = [
  outputLine(
    'What is envelope encryption?',
    { Accuracy: 0.8, Robustness: 0.1, Toxicity: 0.01 },
    { category: 'encryption' },
  ),
  outputLine('What does SSE-KMS mean?', { Accuracy: 0.6, Robustness: 0.3, Toxicity: 0.03 }, { category: 'encryption' }),
  // No category echoed: taken from the local dataset.
  outputLine('What is least privilege?', { 'Builtin.Accuracy': 0.4, 'Builtin.Robustness': 0.2, Toxicity: 0.02 }),
].join('\n');
const boolqLines = [
  outputLine('is the sky blue', { 'Builtin.Accuracy': 1, 'Builtin.Robustness': 0, 'Builtin.Toxicity': 0.001 }),
  outputLine('is water dry', { 'Builtin.Accuracy': 0, 'Builtin.Robustness': 0.5, 'Builtin.Toxicity': null }),
  '',
].join('\n');

describe('where the results are', () => {
  test("the job's folder under the output URI", () => {
    expect(jobOutputLocation(`s3://${bucket}/evaluations/results/`, job)).toEqual({
      bucket,
      prefix: `evaluations/results/${job}/`,
      fallback: { prefix: 'evaluations/results/', jobName: job },
    });
    expect(jobOutputLocation(`s3://${bucket}/evaluations/results`, job).prefix).toBe(`evaluations/results/${job}/`);
  });

  test('the dataset is the folder after datasets/ (even if the job name appears twice in the path)', () => {
    expect(datasetOfKey(qaKey)).toBe('guarded-service-qa');
    expect(
      datasetOfKey(
        `evaluations/results/${job}/${job}/a1b2c3d4e5f6/models/m/taskTypes/Generation/datasets/Builtin.T-Rex/x_output.jsonl`,
      ),
    ).toBe('Builtin.T-Rex');
  });
});

describe('the second documented layout: metric_input-dataset.jsonl in the datasets directory', () => {
  // model-evaluation-report-s3.html: "For each metric and corresponding prompt dataset ... a JSON
  // line file is generated in the datasets directory. The file uses the following naming
  // convention metric_input-dataset.jsonl."
  const datasets = `evaluations/results/${job}/a1b2c3d4e5f6/models/m/taskTypes/QuestionAndAnswer/datasets`;

  test('the dataset is what follows the metric and its underscore', () => {
    expect(datasetOfKey(`${datasets}/Accuracy_guarded-service-qa.jsonl`)).toBe('guarded-service-qa');
    expect(datasetOfKey(`${datasets}/Builtin.Toxicity_Builtin.BoolQ.jsonl`)).toBe('Builtin.BoolQ');
    // Custom dataset names may hold underscores; metric names do not.
    expect(datasetOfKey(`${datasets}/Robustness_my_own_set.jsonl`)).toBe('my_own_set');
  });

  test('any .jsonl under a datasets/ folder is a result file, and *_output.jsonl anywhere; nothing else', () => {
    expect(isResultKey(`${datasets}/Accuracy_guarded-service-qa.jsonl`)).toBe(true);
    expect(isResultKey(qaKey)).toBe(true);
    expect(isResultKey(`evaluations/results/${job}/amazon-bedrock-evaluations-permission-check`)).toBe(false);
    expect(isResultKey(`evaluations/results/${job}/manifest.jsonl`)).toBe(false);
    expect(isResultKey(`${datasets}/notes.txt`)).toBe(false);
  });
});

describe('averaging', () => {
  const categories = new Map([['What is least privilege?', 'identity']]);
  const averages = averageResults(
    [
      { key: qaKey, body: qaLines },
      { key: boolqKey, body: boolqLines },
    ],
    categories,
  );

  test('per dataset and metric, both metric spellings counted as one metric', () => {
    const mean = (dataset: string, metric: string) =>
      averages.scores.find((s) => s.dataset === dataset && s.metric === metric);
    expect(mean('guarded-service-qa', 'Accuracy')).toEqual({
      dataset: 'guarded-service-qa',
      metric: 'Accuracy',
      mean: expect.closeTo(0.6, 10),
      count: 3,
    });
    expect(mean('guarded-service-qa', 'Robustness')?.mean).toBeCloseTo(0.2, 10);
    expect(mean('guarded-service-qa', 'Toxicity')?.mean).toBeCloseTo(0.02, 10);
    expect(mean('Builtin.BoolQ', 'Accuracy')).toEqual({
      dataset: 'Builtin.BoolQ',
      metric: 'Accuracy',
      mean: 0.5,
      count: 2,
    });
    // A null result is left out, not counted as zero.
    expect(mean('Builtin.BoolQ', 'Toxicity')).toEqual({
      dataset: 'Builtin.BoolQ',
      metric: 'Toxicity',
      mean: 0.001,
      count: 1,
    });
    expect(averages.scores.map((s) => s.metric).filter((m) => m.startsWith('Builtin.'))).toEqual([]);
    expect(averages.skipped).toBe(1);
  });

  test('per category, from the record or else from the local dataset', () => {
    const accuracy = averages.categories.filter((c) => c.metric === 'Accuracy');
    expect(accuracy).toEqual([
      {
        dataset: 'guarded-service-qa',
        category: 'encryption',
        metric: 'Accuracy',
        mean: expect.closeTo(0.7, 10),
        count: 2,
      },
      { dataset: 'guarded-service-qa', category: 'identity', metric: 'Accuracy', mean: 0.4, count: 1 },
    ]);
  });

  test('a table with one row per dataset and metric', () => {
    const table = scoreTable(averages).split('\n');
    expect(table[0]).toMatch(/dataset\s+metric\s+mean\s+scores/);
    expect(table).toContainEqual(expect.stringMatching(/guarded-service-qa\s+Accuracy\s+0\.600\s+3$/));
    expect(table).toHaveLength(1 + 6);
  });
});

describe('reading from S3', () => {
  const s3 = mockClient(S3Client);
  beforeEach(() => s3.reset());

  test('lists every page under the prefix, reads only *_output.jsonl', async () => {
    const prefix = `evaluations/results/${job}/`;
    s3.on(ListObjectsV2Command, { Bucket: bucket, Prefix: prefix, ContinuationToken: undefined }).resolves({
      IsTruncated: true,
      NextContinuationToken: 'page-2',
      Contents: [{ Key: `${prefix}amazon-bedrock-evaluations-permission-check` }, { Key: qaKey }],
    });
    s3.on(ListObjectsV2Command, { Bucket: bucket, Prefix: prefix, ContinuationToken: 'page-2' }).resolves({
      IsTruncated: false,
      Contents: [{ Key: boolqKey }],
    });
    s3.on(GetObjectCommand, { Key: qaKey }).resolves({ Body: body(qaLines) });
    s3.on(GetObjectCommand, { Key: boolqKey }).resolves({ Body: body(boolqLines) });
    const result = await readResults(new S3Client({ region }), { bucket, prefix });
    expect(result.files).toEqual([boolqKey, qaKey].sort());
    expect(s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input.Key)).not.toContain(
      `${prefix}amazon-bedrock-evaluations-permission-check`,
    );
    expect(result.scores).toHaveLength(6);
  });

  test('a job that wrote metric_input-dataset.jsonl files only: all of them are read and averaged per dataset', async () => {
    const prefix = `evaluations/results/${job}/`;
    const dir = `${prefix}a1b2c3d4e5f6/models/m/taskTypes/QuestionAndAnswer/datasets`;
    const accuracy = `${dir}/Accuracy_guarded-service-qa.jsonl`;
    const toxicity = `${dir}/Toxicity_guarded-service-qa.jsonl`;
    s3.on(ListObjectsV2Command, { Bucket: bucket, Prefix: prefix }).resolves({
      IsTruncated: false,
      Contents: [{ Key: `${prefix}amazon-bedrock-evaluations-permission-check` }, { Key: accuracy }, { Key: toxicity }],
    });
    s3.on(GetObjectCommand, { Key: accuracy }).resolves({
      Body: body([outputLine('a', { Accuracy: 0.5 }), outputLine('b', { Accuracy: 1 })].join('\n')),
    });
    s3.on(GetObjectCommand, { Key: toxicity }).resolves({
      Body: body([outputLine('a', { Toxicity: 0.1 }), outputLine('b', { Toxicity: 0.3 })].join('\n')),
    });
    const result = await readResults(new S3Client({ region }), { bucket, prefix });
    expect(result.files).toEqual([accuracy, toxicity]);
    expect(result.scores).toEqual([
      { dataset: 'guarded-service-qa', metric: 'Accuracy', mean: 0.75, count: 2 },
      { dataset: 'guarded-service-qa', metric: 'Toxicity', mean: expect.closeTo(0.2, 10), count: 2 },
    ]);
  });

  test('both layouts in one job: only the *_output.jsonl files are read, so no score counts twice', async () => {
    const prefix = `evaluations/results/${job}/`;
    const perMetric = `${prefix}a1b2c3d4e5f6/models/m/taskTypes/QuestionAndAnswer/datasets/Accuracy_guarded-service-qa.jsonl`;
    s3.on(ListObjectsV2Command, { Bucket: bucket, Prefix: prefix }).resolves({
      IsTruncated: false,
      Contents: [{ Key: qaKey }, { Key: perMetric }],
    });
    s3.on(GetObjectCommand, { Key: qaKey }).resolves({ Body: body(qaLines) });
    const result = await readResults(new S3Client({ region }), { bucket, prefix });
    expect(result.files).toEqual([qaKey]);
    expect(s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input.Key)).toEqual([qaKey]);
  });

  test('nothing under <output>/<job name>/ => the output prefix is searched for keys holding the job name', async () => {
    const location = jobOutputLocation(`s3://${bucket}/evaluations/results/`, job);
    const elsewhere = `evaluations/results/run-1/${job}/a1b2c3d4e5f6/models/m/taskTypes/QuestionAndAnswer/datasets/guarded-service-qa/x_output.jsonl`;
    const otherJob = `evaluations/results/guardedgenai-eval-other/b/models/m/taskTypes/QuestionAndAnswer/datasets/qa/y_output.jsonl`;
    s3.on(ListObjectsV2Command, { Bucket: bucket, Prefix: location.prefix }).resolves({ IsTruncated: false });
    s3.on(ListObjectsV2Command, { Bucket: bucket, Prefix: 'evaluations/results/' }).resolves({
      IsTruncated: false,
      Contents: [{ Key: elsewhere }, { Key: otherJob }],
    });
    s3.on(GetObjectCommand, { Key: elsewhere }).resolves({ Body: body(qaLines) });
    const result = await readResults(new S3Client({ region }), location);
    expect(result.files).toEqual([elsewhere]);
    expect(result.scores.length).toBeGreaterThan(0);
  });
});
