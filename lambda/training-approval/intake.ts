import { GetObjectCommand, GetObjectTaggingCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import type { ApprovalCheck } from '../../lib/shared/customization-contract';
import { MAX_TRAINING_BYTES } from '../../lib/shared/training-data';
import { ApprovalFailure, isMissing, RETRY_AFTER_SECONDS } from './errors';
import { MALWARE_SCAN_TAG } from '../../lib/shared/data-layout';

/**
 * The uploaded version of a batch's training file under training/intake/:
 * its malware verdict and its bytes. Every read names the version, so what
 * is checked is what was uploaded, whatever the key holds by then.
 */

/**
 * The tag GuardDuty Malware Protection for S3 puts on each object it scanned
 * (the stack turns tagging on): "If you have enabled tagging, you can
 * monitor the scan result by Using S3 Object Tags. After the scan, the tag
 * value will have one of the following scan result values", of which only
 * "NO_THREATS_FOUND – GuardDuty detected no potential threat associated with
 * the scanned object" is clean
 * (https://docs.aws.amazon.com/guardduty/latest/ug/monitoring-malware-protection-s3-scans-gdu.html).
 */
export const SCAN_STATUS_TAG = MALWARE_SCAN_TAG;
export const CLEAN_SCAN = 'NO_THREATS_FOUND';

export interface Intake {
  readonly bucket: string;
  readonly key: string;
  readonly versionId: string;
}

/** What was read of a version, and its digest. */
export interface Read {
  readonly bytes: Uint8Array;
  /** SHA-256 of the bytes, hex. */
  readonly sha256: string;
}

const notThere = (intake: Intake) =>
  new ApprovalFailure(
    404,
    `No version ${intake.versionId} of ${intake.key}: upload the training file with \`npm run customize -- prepare\` and send the version id S3 returned.`,
  );

/**
 * Make sure the key exists before a versioned read: S3 answers a read of a
 * missing key with 403, not 404, to a caller who may not list the whole
 * bucket, and the function may list only under training/ (an s3:prefix
 * condition, which a GET of an object does not carry), as
 * lambda/promote/promote.ts's headIfPresent explains. Of the keys starting
 * with `key`, `key` itself sorts first.
 */
export async function requirePresent(s3: Pick<S3Client, 'send'>, intake: Intake): Promise<void> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: intake.bucket, Prefix: intake.key, MaxKeys: 1 }));
  if (listed.Contents?.[0]?.Key !== intake.key) throw notThere(intake);
}

/** Run an S3 read of the version, a missing key or version becoming a 404 answer. */
async function versionRead<T>(intake: Intake, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (isMissing(error)) throw notThere(intake);
    throw error;
  }
}

/**
 * The malware check: the scan tag of the version. No tag yet means the scan
 * has not finished (409, ask again); any value but NO_THREATS_FOUND refuses
 * (THREATS_FOUND, or UNSUPPORTED, ACCESS_DENIED, FAILED: a file that was not
 * scanned is not known to be clean).
 */
export async function malwareCheck(s3: Pick<S3Client, 'send'>, intake: Intake): Promise<ApprovalCheck> {
  const tagging = await versionRead(intake, () =>
    s3.send(new GetObjectTaggingCommand({ Bucket: intake.bucket, Key: intake.key, VersionId: intake.versionId })),
  );
  const status = tagging.TagSet?.find((tag) => tag.Key === SCAN_STATUS_TAG)?.Value;
  if (status === undefined) {
    throw new ApprovalFailure(
      409,
      `The malware scan of version ${intake.versionId} has not finished (no ${SCAN_STATUS_TAG} tag yet); try again in a minute.`,
      undefined,
      { 'retry-after': String(RETRY_AFTER_SECONDS) },
    );
  }
  const check: ApprovalCheck = {
    name: 'malware-scan',
    passed: status === CLEAN_SCAN,
    detail: `GuardDuty Malware Protection tagged version ${intake.versionId} ${SCAN_STATUS_TAG}=${status.slice(0, 40)}`,
  };
  if (!check.passed) {
    throw new ApprovalFailure(422, `Refused: the malware scan says ${status.slice(0, 40)}, not ${CLEAN_SCAN}.`, [
      check,
    ]);
  }
  return check;
}

/**
 * The version's bytes, refused (422) when over MAX_TRAINING_BYTES: S3's
 * ContentLength is read before the body, and a body too large is left
 * unread (its stream destroyed, so the connection is not held).
 */
export async function readVersion(
  s3: Pick<S3Client, 'send'>,
  intake: Intake,
  checks: readonly ApprovalCheck[] = [],
): Promise<Read> {
  const object = await versionRead(intake, () =>
    s3.send(new GetObjectCommand({ Bucket: intake.bucket, Key: intake.key, VersionId: intake.versionId })),
  );
  if (!object.Body) throw new Error('GetObject returned no body');
  const tooLarge = (bytes: number) =>
    new ApprovalFailure(
      422,
      `Refused: the training file is ${bytes} bytes, over the ${MAX_TRAINING_BYTES} the approval function screens in one run; split it into several batches.`,
      [...checks, { name: 'format', passed: false, detail: `${bytes} bytes, over ${MAX_TRAINING_BYTES}` }],
    );
  if (object.ContentLength !== undefined && object.ContentLength > MAX_TRAINING_BYTES) {
    (object.Body as { destroy?: () => void }).destroy?.();
    throw tooLarge(object.ContentLength);
  }
  const bytes = await object.Body.transformToByteArray();
  if (bytes.length > MAX_TRAINING_BYTES) throw tooLarge(bytes.length);
  if (object.ContentLength !== undefined && bytes.length !== object.ContentLength) {
    throw new Error(`read ${bytes.length} bytes of a version of ${object.ContentLength}`);
  }
  return { bytes, sha256: sha256Hex(bytes) };
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The bytes as text, or a 422 when they are not UTF-8: decoding is strict
 * (a replacement character would change what is screened from what Bedrock
 * reads), and a byte-order mark is kept, so that the format check can refuse
 * it rather than hide it.
 */
export function decodeUtf8(bytes: Uint8Array, checks: readonly ApprovalCheck[] = []): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new ApprovalFailure(422, 'Refused: the training file is not valid UTF-8.', [
      ...checks,
      { name: 'format', passed: false, detail: 'not valid UTF-8' },
    ]);
  }
}
