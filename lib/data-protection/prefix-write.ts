import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * The statements that let a principal write objects under `prefix` of
 * `bucket` and do nothing else: no read, no list, no other prefix. The key may
 * only be used through S3 in the bucket's region and only for this bucket
 * (with S3 Bucket Keys the encryption context is the bucket ARN).
 */
export function prefixWriteStatements(
  bucket: s3.IBucket,
  encryptionKey: kms.IKey | undefined,
  prefix: string,
): iam.PolicyStatement[] {
  if (!/^[A-Za-z0-9!_.()'-]+(\/[A-Za-z0-9!_.()'-]+)*\/$/.test(prefix)) {
    throw new Error(`prefix must be a plain key prefix ending in "/" without wildcards, got ${JSON.stringify(prefix)}`);
  }
  const statements = [
    new iam.PolicyStatement({
      sid: 'WriteObjectsUnderOnePrefix',
      actions: ['s3:PutObject'],
      resources: [bucket.arnForObjects(`${prefix}*`)],
    }),
  ];
  if (encryptionKey) {
    // GenerateDataKey encrypts a new object; Decrypt is needed by S3 to
    // complete a multipart upload. Neither lets the caller read objects,
    // which takes s3:GetObject.
    statements.push(keyThroughS3Statement(bucket, encryptionKey, 'EncryptThroughS3ForThisBucketOnly'));
  }
  return statements;
}

/**
 * Use of the bucket's key through S3 only: in the bucket's region and (S3
 * Bucket Keys) with the bucket ARN as the encryption context, so the key
 * serves this bucket's objects and nothing else.
 */
export function keyThroughS3Statement(
  bucket: s3.IBucket,
  encryptionKey: kms.IKey,
  sid: string,
  actions: readonly string[] = ['kms:GenerateDataKey', 'kms:Decrypt'],
): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    actions: [...actions],
    resources: [encryptionKey.keyArn],
    conditions: {
      StringEquals: {
        // The bucket's region: S3 calls KMS from where the bucket lives.
        'kms:ViaService': `s3.${Stack.of(bucket).region}.amazonaws.com`,
        'kms:EncryptionContext:aws:s3:arn': bucket.bucketArn,
      },
    },
  });
}

/**
 * Use of the bucket's key through S3 for a reader of uploads: S3 names the
 * bucket in the encryption context of an object stored with an S3 Bucket
 * Key, and the object otherwise ("If you enable an S3 Bucket Key, the bucket
 * ARN is the encryption context ... without an S3 Bucket Key the object
 * ARN", https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html).
 * An uploader may turn the Bucket Key off for its object, so an upload under
 * `uploads` is readable either way; what the reader writes uses the Bucket Key.
 */
export function keyThroughS3ForUploadsStatement(
  bucket: s3.IBucket,
  encryptionKey: kms.IKey,
  uploads: string,
): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'UseTheKeyThroughS3ForThisBucket',
    actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
    resources: [encryptionKey.keyArn],
    conditions: {
      StringEquals: { 'kms:ViaService': `s3.${Stack.of(bucket).region}.amazonaws.com` },
      StringLike: { 'kms:EncryptionContext:aws:s3:arn': [bucket.bucketArn, uploads] },
    },
  });
}
