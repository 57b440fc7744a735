/**
 * The project's own prompt datasets (evaluations/datasets/): the manifest
 * that lists them, the checks a file must pass before a job spends model
 * calls on it, and the upload to the data bucket.
 *
 * Format: JSON Lines, one object per line with `prompt`, `referenceResponse`
 * (needed for Q&A and for every accuracy and robustness score) and an optional
 * `category` (scores are reported per category); at most 1000 prompts per
 * automatic job.
 * https://docs.aws.amazon.com/bedrock/latest/userguide/model-evaluation-prompt-datasets.html
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EVALUATION_DATASETS_PREFIX } from '../../lib/shared/data-layout';
import { ROOT } from '../generated-block';
import { DATASET_NAME_PATTERN, TASK_TYPES, type TaskType } from './tasks';

export const DATASETS_DIR = path.join(ROOT, 'evaluations', 'datasets');
export const MANIFEST_FILE = 'manifest.json';

/** Prompts an automatic job may read from custom datasets. */
export const MAX_PROMPTS_PER_JOB = 1000;

export interface ManifestEntry {
  readonly file: string;
  readonly taskType: TaskType;
  readonly purpose: string;
}

export interface Manifest {
  readonly description: string;
  readonly datasets: readonly ManifestEntry[];
}

export interface DatasetRecord {
  readonly prompt: string;
  readonly referenceResponse: string;
  readonly category: string;
}

/** A dataset read from disk and checked. */
export interface Dataset extends ManifestEntry {
  /** The name the job reports it under: the file name without `.jsonl`. */
  readonly name: string;
  readonly body: string;
  readonly records: readonly DatasetRecord[];
}

export function readManifest(dir: string = DATASETS_DIR): Manifest {
  const file = path.join(dir, MANIFEST_FILE);
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
  if (typeof manifest.description !== 'string' || !Array.isArray(manifest.datasets)) {
    throw new Error(`${file}: needs "description" and a "datasets" list`);
  }
  for (const entry of manifest.datasets) {
    if (!(TASK_TYPES as readonly string[]).includes(entry.taskType)) {
      throw new Error(`${file}: ${entry.file} has taskType "${entry.taskType}"; one of ${TASK_TYPES.join(', ')}`);
    }
    if (!entry.file.endsWith('.jsonl') || path.basename(entry.file) !== entry.file) {
      throw new Error(`${file}: "${entry.file}" must be a .jsonl file in ${dir}`);
    }
  }
  return manifest;
}

/** The dataset's name in the job: its file name without the extension. */
export function datasetName(file: string): string {
  return path.basename(file, '.jsonl');
}

/** Every problem in a dataset's text, one line each (empty: valid). */
export function datasetProblems(file: string, body: string): string[] {
  const problems: string[] = [];
  const name = datasetName(file);
  if (!DATASET_NAME_PATTERN.test(name) || name.startsWith('Builtin.')) {
    problems.push(`${file}: the name "${name}" must be 1-63 of [0-9a-zA-Z-_.] and not start with Builtin.`);
  }
  const seen = new Map<string, number>();
  const lines = body.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (lines.length === 0) problems.push(`${file}: no prompts`);
  if (lines.length > MAX_PROMPTS_PER_JOB) {
    problems.push(`${file}: ${lines.length} prompts; an automatic job reads at most ${MAX_PROMPTS_PER_JOB}`);
  }
  lines.forEach((line, i) => {
    const at = `${file}:${i + 1}`;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      problems.push(`${at}: not a JSON object (each line must be one)`);
      return;
    }
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      problems.push(`${at}: not a JSON object (each line must be one)`);
      return;
    }
    const r = record as Record<string, unknown>;
    for (const key of ['prompt', 'referenceResponse', 'category']) {
      if (typeof r[key] !== 'string' || (r[key] as string).trim() === '')
        problems.push(`${at}: "${key}" is missing or empty`);
    }
    const extra = Object.keys(r).filter((k) => !['prompt', 'referenceResponse', 'category'].includes(k));
    if (extra.length > 0) problems.push(`${at}: unexpected keys ${extra.join(', ')}`);
    if (typeof r.prompt === 'string') {
      const earlier = seen.get(r.prompt);
      if (earlier !== undefined) problems.push(`${at}: the same prompt as line ${earlier}`);
      else seen.set(r.prompt, i + 1);
    }
  });
  return problems;
}

/** Read and check one dataset; throws with every problem found. */
export function readDataset(entry: ManifestEntry, dir: string = DATASETS_DIR): Dataset {
  const body = fs.readFileSync(path.join(dir, entry.file), 'utf8');
  const problems = datasetProblems(entry.file, body);
  if (problems.length > 0) throw new Error(`invalid dataset:\n  ${problems.join('\n  ')}`);
  const records = body
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as DatasetRecord);
  return { ...entry, name: datasetName(entry.file), body, records };
}

/** The project's datasets for a task type, read and checked. */
export function datasetsFor(task: TaskType, dir: string = DATASETS_DIR): Dataset[] {
  const datasets = readManifest(dir)
    .datasets.filter((d) => d.taskType === task)
    .map((d) => readDataset(d, dir));
  const prompts = datasets.reduce((n, d) => n + d.records.length, 0);
  if (prompts > MAX_PROMPTS_PER_JOB) {
    throw new Error(`${prompts} prompts for ${task}; an automatic job reads at most ${MAX_PROMPTS_PER_JOB}`);
  }
  return datasets;
}

export function datasetKey(dataset: Pick<Dataset, 'file'>): string {
  return `${EVALUATION_DATASETS_PREFIX}${dataset.file}`;
}

export interface Destination {
  readonly bucket: string;
  readonly keyArn: string;
}

/**
 * Upload a dataset, asking for SSE-KMS with the project key (the bucket
 * policy refuses any other encryption; saying so makes a mistake fail here).
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/specifying-kms-encryption.html
 * Returns its S3 URI for the job; the bucket is in the job's region, as
 * Bedrock requires (https://docs.aws.amazon.com/bedrock/latest/userguide/model-evaluation-type-automatic.html).
 */
export async function uploadDataset(
  s3: Pick<S3Client, 'send'>,
  destination: Destination,
  dataset: Pick<Dataset, 'file' | 'body'>,
): Promise<string> {
  const key = datasetKey(dataset);
  await s3.send(
    new PutObjectCommand({
      Bucket: destination.bucket,
      Key: key,
      Body: dataset.body,
      ContentType: 'application/jsonl',
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: destination.keyArn,
      BucketKeyEnabled: true,
    }),
  );
  return `s3://${destination.bucket}/${key}`;
}

/** Prompt → category, for output records that do not echo the category. */
export function categoriesByPrompt(datasets: readonly Pick<Dataset, 'records'>[]): Map<string, string> {
  return new Map(datasets.flatMap((d) => d.records.map((r) => [r.prompt, r.category] as const)));
}
