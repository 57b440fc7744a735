import {
  CopyObjectCommand,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { INCOMING_PREFIX, KNOWLEDGE_PREFIX, SOURCE_VERSION_METADATA } from '../../lib/shared/promotion-contract';
import { isNotFound } from './errors';

/** How a promoted document was checked, recorded on the copy. */
export type PromotionCheck = 'malware-scan' | 'guardrail' | 'guardrail-masked';

/**
 * User metadata on every object in knowledge/ (S3 returns the keys in lower
 * case). The source version makes promotion idempotent: a redelivered event
 * finds its version already there and copies nothing.
 */
export const METADATA = {
  sourceKey: 'promoted-from-key',
  sourceVersion: SOURCE_VERSION_METADATA,
  check: 'promotion-check',
} as const;

/** An object in knowledge/ and when it was written (the ingestion job must start after that). */
export interface Promoted {
  readonly key: string;
  readonly versionId?: string;
  readonly lastModified: Date;
}

export interface Source {
  readonly bucket: string;
  readonly key: string;
  readonly versionId: string;
}

/** incoming/a/b.md -> knowledge/a/b.md */
export function destinationKey(sourceKey: string): string {
  return KNOWLEDGE_PREFIX + sourceKey.slice(INCOMING_PREFIX.length);
}

/**
 * HeadObject of `key`, or undefined when there is no such object. S3 answers
 * HeadObject of a missing key with 404 only to a caller who may list the
 * whole bucket, and 403 otherwise; the function may list only under
 * incoming/ and knowledge/ (an s3:prefix condition, which a HEAD request does
 * not carry), so it lists the key first. Of the keys starting with `key`, `key`
 * itself sorts first.
 */
export async function headIfPresent(
  s3: Pick<S3Client, 'send'>,
  bucket: string,
  key: string,
): Promise<HeadObjectCommandOutput | undefined> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, MaxKeys: 1 }));
  if (listed.Contents?.[0]?.Key !== key) return undefined;
  try {
    return await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  } catch (error) {
    // Deleted between the two calls.
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** The destination, if it already holds this source version. */
export async function findPromoted(
  s3: Pick<S3Client, 'send'>,
  source: Source,
  destination: string,
): Promise<Promoted | undefined> {
  const head = await headIfPresent(s3, source.bucket, destination);
  if (head?.Metadata?.[METADATA.sourceVersion] !== source.versionId) return undefined;
  return { key: destination, versionId: head.VersionId, lastModified: head.LastModified ?? new Date(0) };
}

export interface WriteSettings {
  readonly kmsKeyArn: string;
}

function written(source: Source, check: PromotionCheck, settings: WriteSettings) {
  return {
    Bucket: source.bucket,
    // The project key, explicitly: the copy must not depend on the bucket's default.
    ServerSideEncryption: 'aws:kms' as const,
    SSEKMSKeyId: settings.kmsKeyArn,
    BucketKeyEnabled: true,
    // Header values must be ASCII: the key is percent-encoded.
    Metadata: {
      [METADATA.sourceKey]: encodeURIComponent(source.key),
      [METADATA.sourceVersion]: source.versionId,
      [METADATA.check]: check,
    },
  };
}

/** Copy the exact scanned version, never whatever the key holds now. */
export async function copyVersion(
  s3: Pick<S3Client, 'send'>,
  source: Source,
  destination: string,
  contentType: string | undefined,
  check: PromotionCheck,
  settings: WriteSettings,
  now: () => number,
): Promise<Promoted> {
  const result = await s3.send(
    new CopyObjectCommand({
      ...written(source, check, settings),
      Key: destination,
      CopySource: `${source.bucket}/${encodeURIComponent(source.key)}?versionId=${encodeURIComponent(source.versionId)}`,
      // New metadata replaces the source's, so the content type is given again.
      MetadataDirective: 'REPLACE',
      ContentType: contentType,
      // The source's tags (GuardDuty's scan status) describe incoming/, not the copy.
      TaggingDirective: 'REPLACE',
    }),
  );
  return {
    key: destination,
    versionId: result.VersionId,
    lastModified: result.CopyObjectResult?.LastModified ?? new Date(now()),
  };
}

/** Write the guardrail's masked text in place of the original. */
export async function putMaskedText(
  s3: Pick<S3Client, 'send'>,
  source: Source,
  destination: string,
  text: string,
  contentType: string | undefined,
  settings: WriteSettings,
  now: () => number,
): Promise<Promoted> {
  const result = await s3.send(
    new PutObjectCommand({
      ...written(source, 'guardrail-masked', settings),
      Key: destination,
      Body: text,
      ContentType: contentType ?? 'text/plain; charset=utf-8',
    }),
  );
  // PutObject returns no LastModified; the time the write returned is no
  // earlier than it, which only makes the ingestion check stricter.
  return { key: destination, versionId: result.VersionId, lastModified: new Date(now()) };
}
