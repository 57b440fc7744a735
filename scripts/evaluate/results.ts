/**
 * Read a completed job's results from S3 and average them. GetEvaluationJob
 * returns no scores; Bedrock writes JSON Lines files, each line
 * `{automatedEvaluationResult: {scores: [{metricName, result}]}, inputRecord, modelResponses}`.
 * The same AWS page describes two layouts for automatic jobs, and both are
 * read: one file per dataset,
 * `<output>/<job name>/<job id>/models/<model>/taskTypes/<task>/datasets/<dataset>/<id>_output.jsonl`,
 * and "For each metric and corresponding prompt dataset ... a JSON line file
 * is generated in the datasets directory. The file uses the following naming
 * convention metric_input-dataset.jsonl".
 * No aggregate file is documented, so the averages are computed here.
 * https://docs.aws.amazon.com/bedrock/latest/userguide/model-evaluation-report-s3.html
 */
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { formatTable } from '../cli/output';
import { metricLabel } from './tasks';

export interface Location {
  readonly bucket: string;
  readonly prefix: string;
  /**
   * Where to look when nothing is under `prefix`: the job's output URI, and
   * the job name its keys contain somewhere (the layout is documented but
   * not verified here; AWS examples also show the name twice).
   */
  readonly fallback?: { readonly prefix: string; readonly jobName: string };
}

/** `s3://bucket/some/prefix/` → bucket and key prefix. */
export function parseS3Uri(uri: string): Location {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!match) throw new Error(`not an S3 URI: ${uri}`);
  return { bucket: match[1], prefix: match[2] };
}

/** Where one job's files are: its name under the job's output URI. */
export function jobOutputLocation(outputUri: string, jobName: string): Location {
  const { bucket, prefix } = parseS3Uri(outputUri);
  const base = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
  return { bucket, prefix: `${base}${jobName}/`, fallback: { prefix: base, jobName } };
}

/**
 * The dataset a result file belongs to: the folder after `datasets/` in the
 * documented layout, else the file's folder (the same page also describes
 * files named per metric and dataset).
 */
export function datasetOfKey(key: string): string {
  const parts = key.split('/');
  const at = parts.lastIndexOf('datasets');
  if (at >= 0 && at < parts.length - 2) return parts[at + 1];
  // `<metric>_<input dataset>.jsonl` directly in datasets/: metric names
  // (Accuracy, Builtin.Accuracy...) have no underscore, dataset names may.
  const file = parts.at(-1) ?? key;
  if (at === parts.length - 2 && file.endsWith('.jsonl') && file.includes('_')) {
    return file.slice(file.indexOf('_') + 1, -'.jsonl'.length);
  }
  return parts.at(-2) ?? key;
}

/** A result file of either documented layout: `*_output.jsonl`, or any `.jsonl` under a `datasets/` folder. */
export function isResultKey(key: string): boolean {
  return key.endsWith('_output.jsonl') || (key.endsWith('.jsonl') && key.split('/').slice(0, -1).includes('datasets'));
}

/**
 * The result files under a location. Bedrock also leaves other objects (a
 * permission check, for one), which are skipped. Should a job ever write
 * both layouts, the `_output.jsonl` files alone are read, so that no score
 * is counted twice.
 */
export async function listResultFiles(s3: Pick<S3Client, 'send'>, location: Location): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: location.bucket, Prefix: location.prefix, ContinuationToken: token }),
    );
    for (const object of page.Contents ?? []) {
      if (object.Key && isResultKey(object.Key)) keys.push(object.Key);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  const outputs = keys.filter((key) => key.endsWith('_output.jsonl'));
  return (outputs.length > 0 ? outputs : keys).sort();
}

interface OutputLine {
  automatedEvaluationResult?: { scores?: { metricName?: string; result?: unknown }[] };
  inputRecord?: { prompt?: string; category?: string };
}

export interface Score {
  readonly dataset: string;
  readonly metric: string;
  readonly mean: number;
  readonly count: number;
}

export interface CategoryScore extends Score {
  readonly category: string;
}

export interface Averages {
  readonly scores: Score[];
  readonly categories: CategoryScore[];
  /** Lines that were not JSON, or scores without a number. */
  readonly skipped: number;
}

export interface ResultFile {
  readonly key: string;
  readonly body: string;
}

/**
 * Mean of each metric per dataset, and per category where a record has one:
 * from the output line's inputRecord, else from the project's dataset
 * (prompt → category), in case the output does not echo it.
 */
export function averageResults(
  files: readonly ResultFile[],
  categoryOf: ReadonlyMap<string, string> = new Map(),
): Averages {
  const sums = new Map<string, { dataset: string; metric: string; category?: string; sum: number; count: number }>();
  let skipped = 0;
  const add = (dataset: string, metric: string, category: string | undefined, value: number) => {
    const id = JSON.stringify([dataset, metric, category ?? null]);
    const entry = sums.get(id) ?? { dataset, metric, category, sum: 0, count: 0 };
    entry.sum += value;
    entry.count += 1;
    sums.set(id, entry);
  };
  for (const file of files) {
    const dataset = datasetOfKey(file.key);
    for (const text of file.body.split('\n')) {
      if (text.trim() === '') continue;
      let line: OutputLine;
      try {
        line = JSON.parse(text) as OutputLine;
      } catch {
        skipped++;
        continue;
      }
      const prompt = line.inputRecord?.prompt;
      const category = line.inputRecord?.category ?? (prompt === undefined ? undefined : categoryOf.get(prompt));
      for (const score of line.automatedEvaluationResult?.scores ?? []) {
        if (typeof score.result !== 'number' || !Number.isFinite(score.result) || !score.metricName) {
          skipped++;
          continue;
        }
        const metric = metricLabel(score.metricName);
        add(dataset, metric, undefined, score.result);
        if (category) add(dataset, metric, category, score.result);
      }
    }
  }
  const byName = (a: Score, b: Score) => a.dataset.localeCompare(b.dataset) || a.metric.localeCompare(b.metric);
  const all = [...sums.values()].map((e) => ({ ...e, mean: e.sum / e.count }));
  return {
    scores: all
      .filter((e) => e.category === undefined)
      .map(({ dataset, metric, mean, count }) => ({ dataset, metric, mean, count }))
      .sort(byName),
    categories: all
      .filter((e): e is typeof e & { category: string } => e.category !== undefined)
      .map(({ dataset, metric, category, mean, count }) => ({ dataset, category, metric, mean, count }))
      .sort((a, b) => a.dataset.localeCompare(b.dataset) || a.category.localeCompare(b.category) || byName(a, b)),
    skipped,
  };
}

export async function readResults(
  s3: Pick<S3Client, 'send'>,
  location: Location,
  categoryOf?: ReadonlyMap<string, string>,
): Promise<Averages & { files: string[] }> {
  let keys = await listResultFiles(s3, location);
  if (keys.length === 0 && location.fallback) {
    const { prefix, jobName } = location.fallback;
    keys = (await listResultFiles(s3, { bucket: location.bucket, prefix })).filter((key) =>
      key.includes(`/${jobName}/`),
    );
  }
  const files: ResultFile[] = [];
  for (const key of keys) {
    const object = await s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: key }));
    files.push({ key, body: (await object.Body?.transformToString('utf-8')) ?? '' });
  }
  return { ...averageResults(files, categoryOf), files: keys };
}

const score = (n: number) => n.toFixed(3);

export function scoreTable(averages: Pick<Averages, 'scores'>): string {
  return formatTable(
    ['dataset', 'metric', 'mean', 'scores'],
    averages.scores.map((s) => [s.dataset, s.metric, score(s.mean), String(s.count)]),
  );
}

export function categoryTable(averages: Pick<Averages, 'categories'>): string {
  return formatTable(
    ['dataset', 'category', 'metric', 'mean', 'scores'],
    averages.categories.map((s) => [s.dataset, s.category, s.metric, score(s.mean), String(s.count)]),
  );
}
