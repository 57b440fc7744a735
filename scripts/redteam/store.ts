/**
 * Where a run is kept: evaluations/runs/ in the working copy (gitignored), and
 * the data bucket under evaluations/redteam/, encrypted with the project key.
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REDTEAM_RUNS_PREFIX } from '../../lib/shared/data-layout';
import type { Io } from '../cli/output';
import { stackOutputs } from '../cli/stack-outputs';
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

/** Keep the run in evaluations/runs/ and, unless --no-upload, in the data bucket; undefined when the upload failed (said on stderr). */
export async function save(
  record: RedTeamRun | AgentRedTeamRun,
  runsDir: string,
  s3: Pick<S3Client, 'send'>,
  destination: { bucket: string; keyArn: string } | undefined,
  io: Io,
): Promise<{ file: string; uploaded?: string } | undefined> {
  const file = writeLocal(record, runsDir);
  if (!destination) return { file };
  try {
    return { file, uploaded: await upload(s3, destination, record) };
  } catch (error) {
    io.err(
      `the run is saved in ${file} but could not be uploaded to s3://${destination.bucket}/${REDTEAM_RUNS_PREFIX}: ${(error as Error).message}. Uploading needs s3:PutObject on ${REDTEAM_RUNS_PREFIX}* and kms:GenerateDataKey on the project key.`,
    );
    return undefined;
  }
}

/** 1 when every entry failed; the failures are said either way, since they are left out of the rates. */
export function exitCode(errors: number, results: readonly { readonly error?: string }[], io: Io): number {
  if (errors === results.length && results.length > 0) {
    io.err(`every entry failed; the first error: ${results[0].error}`);
    return 1;
  }
  if (errors > 0) io.err(`${errors} entries failed and are left out of the rates`);
  return 0;
}

/** Where a run goes besides evaluations/runs/: the data bucket, unless --no-upload. */
export async function uploadDestination(
  values: { readonly 'no-upload'?: boolean },
  cloudformation: Pick<CloudFormationClient, 'send'>,
  stack: string,
  region: string,
  io: Io,
): Promise<{ bucket: string; keyArn: string } | undefined | 'missing'> {
  if (values['no-upload']) return undefined;
  const data = await stackOutputs(cloudformation, stack);
  if (!data?.DataBucketName || !data.ProjectKeyArn) {
    io.err(
      `${stack} ${data ? 'has no DataBucketName/ProjectKeyArn output' : 'does not exist'} in ${region}: deploy the app, or pass --no-upload to keep the run local.`,
    );
    return 'missing';
  }
  return { bucket: data.DataBucketName, keyArn: data.ProjectKeyArn };
}
