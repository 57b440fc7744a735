import {
  CopyObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  approvedKey,
  manifestKey,
  TRAINING_APPROVED_PREFIX,
  type TrainingManifest,
} from '../../lib/shared/customization-contract';
import { errorName } from '../promote/errors';
import { auditObject } from '../shared/audit-object';
import { ApprovalFailure, isMissing, RETRY_AFTER_SECONDS } from './errors';
import { type Intake, sha256Hex } from './intake';

/**
 * The writes under training/approved/, whose only writer this function's
 * role is: the approved copy of a training file and its manifest. An
 * approved batch is never overwritten: both writes are conditional on the
 * key being free, If-None-Match: * ("Copies the object only if the object
 * key name at the destination does not already exist in the bucket
 * specified. Otherwise, Amazon S3 returns a 412 Precondition Failed error.
 * If a concurrent operation occurs during the upload S3 returns a 409
 * ConditionalRequestConflict response",
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html; PutObject
 * says the same), so even two approvals racing for one batch cannot replace
 * what a job may already have read. A new batch name is the way to approve
 * other data.
 */

/** User metadata on the approved copy (S3 returns the keys in lower case). */
export const METADATA = { sourceVersion: 'source-version-id', sourceSha256: 'source-sha256' } as const;

/** A manifest as stored, and the SHA-256 of its exact bytes (what a comparison names). */
export interface StoredManifest {
  readonly manifest: TrainingManifest;
  readonly sha256: string;
}

export interface WriteSettings {
  readonly dataBucket: string;
  readonly kmsKeyArn: string;
}

const isPreconditionFailed = (error: unknown) =>
  errorName(error) === 'PreconditionFailed' ||
  (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode === 412;

/** S3's answer to two conditional writes of one key at once: "On a 409 failure you should retry the upload." */
const isConditionalConflict = (error: unknown) => errorName(error) === 'ConditionalRequestConflict';

const racing = () =>
  new ApprovalFailure(
    409,
    'Another approval of this batch is being written at this moment; ask again in a minute.',
    undefined,
    { 'retry-after': String(RETRY_AFTER_SECONDS) },
  );

export function alreadyApproved(batch: string, manifest: TrainingManifest): ApprovalFailure {
  return new ApprovalFailure(
    409,
    `Batch ${batch} is already approved with other content (source version ${manifest.file.sourceVersionId}, sha256 ${manifest.file.sha256}); an approved batch is never overwritten: upload the new data as a new batch.`,
  );
}

/** The fields of a manifest this function relies on, or an error: the file is this function's own. */
function parseManifest(batch: string, bytes: Uint8Array): TrainingManifest {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8').decode(bytes));
  } catch {
    throw new Error(`the manifest of batch ${batch} is not JSON`);
  }
  const manifest = value as Partial<TrainingManifest> | null;
  const file = manifest?.file as Partial<TrainingManifest['file']> | undefined;
  if (
    manifest?.schema !== 'training-manifest/1' ||
    manifest.batch !== batch ||
    typeof file?.sha256 !== 'string' ||
    typeof file.sourceVersionId !== 'string'
  ) {
    throw new Error(`the manifest of batch ${batch} is not a training manifest of that batch`);
  }
  return manifest as TrainingManifest;
}

/**
 * The batch's manifest, or undefined when it has none. Listed first: a read
 * of a missing key answers 403 to a role that may list only under a prefix
 * (see intake.ts's requirePresent).
 */
export async function findManifest(
  s3: Pick<S3Client, 'send'>,
  bucket: string,
  batch: string,
): Promise<StoredManifest | undefined> {
  const key = manifestKey(batch);
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, MaxKeys: 1 }));
  if (listed.Contents?.[0]?.Key !== key) return undefined;
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (!object.Body) throw new Error('GetObject returned no body');
    const bytes = await object.Body.transformToByteArray();
    return { manifest: parseManifest(batch, bytes), sha256: sha256Hex(bytes) };
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/**
 * Copy the checked version to training/approved/<batch>/train.jsonl: the
 * exact version (S3 versions never change), with the project key named
 * explicitly (the bucket's encryption fence refuses a write that does not),
 * new metadata naming the source, and none of the source's tags (its
 * GuardDuty verdict is about training/intake/). When the key is taken, it
 * must hold this same version, written by an earlier approval of it whose
 * manifest was not written; anything else is never replaced.
 */
async function copyApproved(
  s3: Pick<S3Client, 'send'>,
  settings: WriteSettings,
  intake: Intake,
  batch: string,
  sha256: string,
): Promise<void> {
  const key = approvedKey(batch);
  try {
    await s3.send(
      new CopyObjectCommand({
        Bucket: settings.dataBucket,
        Key: key,
        CopySource: `${intake.bucket}/${encodeURIComponent(intake.key)}?versionId=${encodeURIComponent(intake.versionId)}`,
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: settings.kmsKeyArn,
        BucketKeyEnabled: true,
        MetadataDirective: 'REPLACE',
        Metadata: { [METADATA.sourceVersion]: intake.versionId, [METADATA.sourceSha256]: sha256 },
        ContentType: 'application/jsonl',
        TaggingDirective: 'REPLACE',
        IfNoneMatch: '*',
      }),
    );
  } catch (error) {
    if (isConditionalConflict(error)) throw racing();
    if (!isPreconditionFailed(error)) throw error;
    const head = await s3.send(new HeadObjectCommand({ Bucket: settings.dataBucket, Key: key }));
    if (head.Metadata?.[METADATA.sourceVersion] !== intake.versionId) {
      throw new ApprovalFailure(
        409,
        `${key} already holds another training file (source version ${String(head.Metadata?.[METADATA.sourceVersion] ?? 'unknown').slice(0, 60)}); an approved batch is never overwritten: upload the new data as a new batch.`,
      );
    }
  }
}

/**
 * Write the approved copy and then its manifest (JSON, SSE-KMS with the
 * project key, as lambda/shared/audit-object.ts writes every record), and
 * return what is stored. The manifest comes last, so that a manifest always
 * has its file. When a manifest appeared meanwhile (an approval of the same
 * version answering at the same time), that one stands if it is of this
 * version and these bytes.
 */
export async function writeApproval(
  s3: Pick<S3Client, 'send'>,
  settings: WriteSettings,
  intake: Intake,
  manifest: TrainingManifest,
): Promise<StoredManifest> {
  const { batch } = manifest;
  await copyApproved(s3, settings, intake, batch, manifest.file.sha256);
  const put = auditObject(
    { bucket: settings.dataBucket, prefix: TRAINING_APPROVED_PREFIX, kmsKeyArn: settings.kmsKeyArn },
    manifestKey(batch),
    manifest,
  );
  try {
    await s3.send(new PutObjectCommand({ ...put, IfNoneMatch: '*' }));
  } catch (error) {
    if (isConditionalConflict(error)) throw racing();
    if (!isPreconditionFailed(error)) throw error;
    const stored = await findManifest(s3, settings.dataBucket, batch);
    if (!stored) throw racing();
    if (
      stored.manifest.file.sourceVersionId !== intake.versionId ||
      stored.manifest.file.sha256 !== manifest.file.sha256
    ) {
      throw alreadyApproved(batch, stored.manifest);
    }
    return stored;
  }
  return { manifest, sha256: sha256Hex(put.Body as string) };
}
