import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  datasetProblems,
  DATASETS_DIR,
  datasetsFor,
  readDataset,
  readManifest,
  uploadDataset,
} from '../../../scripts/evaluate/datasets';
import { bucket, keyArn, region } from './fixtures';

const manifest = readManifest();

describe("the project's datasets", () => {
  test('the manifest lists every .jsonl file in the folder, each with a task type and a purpose', () => {
    const files = fs.readdirSync(DATASETS_DIR).filter((f) => f.endsWith('.jsonl'));
    expect(manifest.datasets.map((d) => d.file).sort()).toEqual(files.sort());
    expect(manifest.description.length).toBeGreaterThan(50);
    for (const d of manifest.datasets) {
      expect(['QuestionAndAnswer', 'Generation']).toContain(d.taskType);
      expect(d.purpose.length).toBeGreaterThan(20);
    }
  });

  test.each(manifest.datasets.map((d) => [d.file, d] as const))(
    '%s: every line a JSON object with prompt, referenceResponse and category; prompts unique; at most 1000',
    (_, entry) => {
      const body = fs.readFileSync(path.join(DATASETS_DIR, entry.file), 'utf8');
      expect(datasetProblems(entry.file, body)).toEqual([]);
      const { records } = readDataset(entry);
      expect(records.length).toBeLessThanOrEqual(1000);
      expect(new Set(records.map((r) => r.prompt)).size).toBe(records.length);
      // Reported per category: a few categories with several prompts each.
      const perCategory = new Map<string, number>();
      for (const r of records) perCategory.set(r.category, (perCategory.get(r.category) ?? 0) + 1);
      expect(perCategory.size).toBeGreaterThanOrEqual(3);
      for (const n of perCategory.values()) expect(n).toBeGreaterThanOrEqual(3);
    },
  );

  test('the Q&A dataset has 30 to 60 questions and short reference answers', () => {
    const [qa] = datasetsFor('QuestionAndAnswer');
    expect(qa.file).toBe('guarded-service-qa.jsonl');
    expect(qa.records.length).toBeGreaterThanOrEqual(30);
    expect(qa.records.length).toBeLessThanOrEqual(60);
    for (const r of qa.records) expect(r.referenceResponse.length).toBeLessThanOrEqual(200);
  });

  test('no task type has more than the 1000 prompts a job reads', () => {
    for (const task of ['QuestionAndAnswer', 'Generation'] as const) {
      expect(datasetsFor(task).reduce((n, d) => n + d.records.length, 0)).toBeLessThanOrEqual(1000);
    }
  });
});

describe('what the dataset check reports', () => {
  const line = (o: object) => JSON.stringify(o);
  const ok = { prompt: 'What is KMS?', referenceResponse: 'A key service.', category: 'encryption' };

  test('a line that is not JSON, a missing key, a repeated prompt, an unknown key', () => {
    const body = [
      line(ok),
      '{"prompt": "unterminated',
      line({ prompt: 'Another?', category: 'x' }),
      line(ok),
      line({ ...ok, prompt: 'Third?', answer: 'no' }),
    ].join('\n');
    expect(datasetProblems('d.jsonl', body)).toEqual([
      'd.jsonl:2: not a JSON object (each line must be one)',
      'd.jsonl:3: "referenceResponse" is missing or empty',
      'd.jsonl:4: the same prompt as line 1',
      'd.jsonl:5: unexpected keys answer',
    ]);
  });

  test('more than 1000 prompts', () => {
    const body = Array.from({ length: 1001 }, (_, i) => line({ ...ok, prompt: `Q${i}?` })).join('\n');
    expect(datasetProblems('big.jsonl', body)).toEqual([
      'big.jsonl: 1001 prompts; an automatic job reads at most 1000',
    ]);
  });

  test('a file name that cannot be a dataset name', () => {
    expect(datasetProblems('Builtin.BoolQ.jsonl', line(ok))[0]).toMatch(/not start with Builtin\./);
  });
});

describe('the upload', () => {
  const s3 = mockClient(S3Client);
  beforeEach(() => s3.reset());

  test('goes to evaluations/datasets/<file>, SSE-KMS with the project key', async () => {
    s3.on(PutObjectCommand).resolves({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn });
    const uri = await uploadDataset(new S3Client({ region }), { bucket, keyArn }, { file: 'qa.jsonl', body: 'x' });
    expect(uri).toBe(`s3://${bucket}/evaluations/datasets/qa.jsonl`);
    expect(s3.commandCalls(PutObjectCommand)[0].args[0].input).toEqual({
      Bucket: bucket,
      Key: 'evaluations/datasets/qa.jsonl',
      Body: 'x',
      ContentType: 'application/jsonl',
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: keyArn,
      BucketKeyEnabled: true,
    });
  });
});
