import type { PutObjectCommandInput } from '@aws-sdk/client-s3';

/** Where a function writes its audit records, and with which key. */
export interface AuditSettings {
  readonly bucket: string;
  /** Key prefix, ending in "/", that the function may write to (and nothing else). */
  readonly prefix: string;
  /** The project key: asked for explicitly, so a changed bucket default cannot silently weaken it. */
  readonly kmsKeyArn: string;
}

/**
 * The PutObject of one audit record, as every function of the project writes
 * it: JSON, SSE-KMS naming the project key (the data bucket's encryption
 * fence refuses a write that does not), with a Bucket Key. A plain input, so
 * that a caller may load the S3 client when it likes.
 */
export function auditObject(settings: AuditSettings, key: string, record: unknown): PutObjectCommandInput {
  return {
    Bucket: settings.bucket,
    Key: key,
    Body: JSON.stringify(record),
    ContentType: 'application/json',
    ServerSideEncryption: 'aws:kms',
    SSEKMSKeyId: settings.kmsKeyArn,
    BucketKeyEnabled: true,
  };
}
