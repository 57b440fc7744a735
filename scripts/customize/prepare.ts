/**
 * `npm run customize -- prepare <files...>`: check the training files here,
 * merge them into the one JSONL file a job reads, upload it to
 * training/intake/<batch>/ (SSE-KMS, project key), wait for GuardDuty's
 * malware scan of that version, then ask the approval function to approve it.
 */
import { GetObjectTaggingCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  type ApprovalCheck,
  intakeKey,
  TRAINING_FILE,
  TRAINING_INTAKE_PREFIX,
} from '../../lib/shared/customization-contract';
import { MAX_TRAINING_BYTES, trainingDataProblems } from '../../lib/shared/training-data';
import { UsageError } from '../cli/command';
import { json } from '../cli/output';
import { SCAN_STATUS_TAG } from '../ingest/promotion';
import { printVerdict, requestApproval } from './approval';
import { accessHint, type Deployed, deployedOutputs, poll, type Run } from './context';
import { batchProblem, defaultBatch } from './names';

/** GuardDuty's scan usually takes under a minute; five leave room for a busy one and the approval after it. */
export const DEFAULT_PREPARE_TIMEOUT_SECONDS = 300;
export const SCAN_POLL_MS = 5_000;

/** The one verdict that lets a file on (GuardDuty Malware Protection for S3's tag values). */
export const CLEAN_SCAN = 'NO_THREATS_FOUND';
const SCAN_MEANING: Record<string, string> = {
  THREATS_FOUND: 'GuardDuty found malware in it',
  UNSUPPORTED: 'GuardDuty could not scan it (UNSUPPORTED)',
  ACCESS_DENIED: "GuardDuty's role could not read it (ACCESS_DENIED): check the malware protection plan's role",
  FAILED: 'the scan failed (FAILED): upload it again',
};

export interface TrainingFile {
  readonly file: string;
  readonly text: string;
}

/** One JSONL text of every file's records, in file order, and where each of its lines came from. */
export interface Merged {
  readonly text: string;
  /** `<file> line <n>` of each line of `text`. */
  readonly origins: readonly string[];
}

/**
 * Merge the files: blank lines and a leading byte-order mark dropped, line
 * endings made "\n", one record a line, a newline at the end. Bedrock reads
 * one training file per job, so one file is what is uploaded and approved.
 */
export function mergeJsonl(files: readonly TrainingFile[]): Merged {
  const lines: string[] = [];
  const origins: string[] = [];
  for (const { file, text } of files) {
    text
      .replace(/^\ufeff/, '')
      .split(/\r?\n/)
      .forEach((line, index) => {
        if (line.trim() === '') return;
        lines.push(line);
        origins.push(`${file} line ${index + 1}`);
      });
  }
  return { text: lines.length > 0 ? `${lines.join('\n')}\n` : '', origins };
}

export interface LocalCheck {
  readonly merged: string;
  readonly bytes: number;
  readonly records: number;
  readonly characters: number;
  readonly problems: readonly string[];
}

/**
 * The merged file checked for the base model with the validator the approval
 * function runs (lib/shared/training-data.ts), each problem named by the file
 * and line it came from. Over the size limit, it is not parsed at all.
 */
export function checkLocally(files: readonly TrainingFile[], baseModel: string): LocalCheck {
  const { text, origins } = mergeJsonl(files);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_TRAINING_BYTES) {
    const problem = `the merged ${TRAINING_FILE} has ${bytes.toLocaleString('en-US')} bytes; the approval function takes at most ${MAX_TRAINING_BYTES.toLocaleString('en-US')}`;
    return { merged: text, bytes, records: origins.length, characters: 0, problems: [problem] };
  }
  const report = trainingDataProblems(text, baseModel);
  const problems = report.problems.map((p) =>
    p.replace(/^line (\d+):/, (whole, n: string) => `${origins[Number(n) - 1] ?? whole}:`),
  );
  return { merged: text, bytes, records: report.records, characters: report.characters, problems };
}

function readFiles(run: Run): TrainingFile[] {
  return run.args.map((file) => {
    try {
      return { file, text: run.deps.readFile(file) };
    } catch (error) {
      throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
    }
  });
}

/** Stop with `error` (and failed checks): on stderr, or as an ApprovalResponse with --json. */
function refuse(run: Run, error: string, checks: ApprovalCheck[], lines: readonly string[]): number {
  if (run.values.json) json(run.io, { approved: false, error, checks });
  run.io.err(run.io.colour.bad(error));
  for (const line of lines) run.io.err(`  ${line}`);
  return 1;
}

/** The scan tag of this version, or undefined while GuardDuty has not tagged it. */
async function scanStatus(run: Run, bucket: string, key: string, versionId: string): Promise<string | undefined> {
  const { TagSet } = await run.clients.s3.send(
    new GetObjectTaggingCommand({ Bucket: bucket, Key: key, VersionId: versionId }),
  );
  return TagSet?.find((t) => t.Key === SCAN_STATUS_TAG)?.Value;
}

async function upload(run: Run, deployed: Deployed, key: string, body: string): Promise<string | undefined> {
  // SSE-KMS with the project key and a Bucket Key, said explicitly: the bucket
  // policy refuses any other encryption, so a mistake fails here, loudly.
  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/specifying-kms-encryption.html
  const { VersionId } = await run.clients.s3.send(
    new PutObjectCommand({
      Bucket: deployed.bucket,
      Key: key,
      Body: body,
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: deployed.keyArn,
      BucketKeyEnabled: true,
    }),
  );
  return VersionId;
}

export async function prepareAction(run: Run): Promise<number> {
  const { values, io, deps } = run;
  if (run.args.length === 0) {
    throw new UsageError(
      'prepare needs the JSONL files to train on: npm run customize -- prepare a.jsonl [b.jsonl ...]',
    );
  }
  const batch = values.batch ?? defaultBatch(new Date(deps.now()));
  const badBatch = batchProblem(batch);
  if (badBatch) throw new UsageError(`--batch: ${badBatch}`);
  const timeoutSeconds = values.timeout ?? DEFAULT_PREPARE_TIMEOUT_SECONDS;
  const files = readFiles(run);

  const deployed = await deployedOutputs(run);
  if (typeof deployed === 'string') {
    io.err(deployed);
    return 1;
  }
  const local = checkLocally(files, deployed.baseModel);
  if (local.problems.length > 0) {
    const error = `The training data is not fit for ${deployed.baseModel}: ${local.problems.length} problem(s), nothing uploaded.`;
    const checks = local.problems.map((detail): ApprovalCheck => ({ name: 'format', passed: false, detail }));
    return refuse(run, error, checks, local.problems);
  }
  io.progress(`${files.length} file(s) checked: ${local.records} records, ${local.characters} characters`);

  const key = intakeKey(batch);
  io.progress(`uploading s3://${deployed.bucket}/${key} (${local.bytes} bytes, SSE-KMS)`);
  const versionId = await upload(run, deployed, key, local.merged).catch((error: unknown) => {
    throw accessHint(
      error,
      `uploading to s3://${deployed.bucket}/${TRAINING_INTAKE_PREFIX}`,
      run,
      deployed.operatorPolicyArn,
    );
  });
  if (!versionId) {
    io.err(
      `S3 returned no version id for ${key}: the data bucket must be versioned (it is, when deployed by this app).`,
    );
    return 1;
  }

  const started = deps.now();
  const deadline = started + timeoutSeconds * 1000;
  io.progress(`waiting for GuardDuty's malware scan of version ${versionId} (at most ${timeoutSeconds} s)`);
  const scan = await poll(
    async (spent) => {
      const status = await scanStatus(run, deployed.bucket, key, versionId);
      if (status === undefined) io.progress(`not scanned yet after ${Math.round(spent / 1000)} s`);
      return status;
    },
    {
      firstMs: SCAN_POLL_MS,
      intervalMs: SCAN_POLL_MS,
      timeoutMs: timeoutSeconds * 1000,
      sleep: deps.sleep,
      now: deps.now,
    },
  ).catch((error: unknown) => {
    throw accessHint(error, `reading the scan tag of ${key}`, run, deployed.operatorPolicyArn);
  });
  if (scan === undefined) {
    const error = `GuardDuty did not tag ${key} (version ${versionId}) within ${timeoutSeconds} s.`;
    const hint =
      'Run again with a longer --timeout; if objects stay unscanned, check the malware protection plan (npm run verify -- --only malware).';
    return refuse(run, error, [{ name: 'malware-scan', passed: false, detail: 'not scanned in time' }], [hint]);
  }
  if (scan !== CLEAN_SCAN) {
    const error = `The malware scan of ${key} says ${scan}: ${SCAN_MEANING[scan] ?? 'not clean'}. Nothing was approved.`;
    return refuse(run, error, [{ name: 'malware-scan', passed: false, detail: `${SCAN_STATUS_TAG}=${scan}` }], []);
  }
  io.progress(`scan: ${scan}; asking the approval function to check batch ${batch}`);
  const answer = await requestApproval(run, deployed.approvalUrl, { batch, versionId }, deadline);
  return printVerdict(
    io,
    answer,
    {
      batch,
      bucket: deployed.bucket,
      timeoutSeconds,
      approvalFunctionName: deployed.approvalFunctionName,
      operatorPolicyArn: deployed.operatorPolicyArn,
      customizationStack: run.stacks.customization,
    },
    values.json,
  );
}
