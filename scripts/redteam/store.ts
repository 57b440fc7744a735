/**
 * Where a run is kept: evaluations/runs/ in the working copy (gitignored), and
 * the data bucket under evaluations/redteam/, encrypted with the project key.
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REDTEAM_RUNS_PREFIX } from '../../lib/shared/data-layout';
import { ROOT } from '../generated-block';
import type { AgentRedTeamRun } from './agent-report';
import type { RedTeamRun } from './report';

/** A run of either red team: the model's (function URL or guardrail) or the agent's. */
export type AnyRedTeamRun = RedTeamRun | AgentRedTeamRun;

export const RUNS_DIR = path.join(ROOT, 'evaluations', 'runs');

export function localRunFile(runId: string, dir: string = RUNS_DIR): string {
  return path.join(dir, `redteam-${runId}.json`);
}

export function runKey(runId: string): string {
  return `${REDTEAM_RUNS_PREFIX}${runId}.json`;
}

export function runDocument(run: AnyRedTeamRun): string {
  return `${JSON.stringify(run, null, 2)}\n`;
}

/** Writes the run locally; returns the file. */
export function writeLocal(run: AnyRedTeamRun, dir: string = RUNS_DIR): string {
  const file = localRunFile(run.runId, dir);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, runDocument(run));
  return file;
}

/**
 * Uploads the run under the project key, named explicitly (as npm run ingest
 * does): the bucket policy refuses a write that names any other encryption or
 * key (lib/data-protection/secure-bucket.ts).
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/specifying-kms-encryption.html
 */
export async function upload(
  s3: Pick<S3Client, 'send'>,
  destination: { readonly bucket: string; readonly keyArn: string },
  run: AnyRedTeamRun,
): Promise<string> {
  const key = runKey(run.runId);
  await s3.send(
    new PutObjectCommand({
      Bucket: destination.bucket,
      Key: key,
      Body: runDocument(run),
      ContentType: 'application/json',
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: destination.keyArn,
      BucketKeyEnabled: true,
    }),
  );
  return `s3://${destination.bucket}/${key}`;
}
