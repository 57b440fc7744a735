import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';

/** Object keys of an SSE-KMS bucket where a writer AWS does not document is let through. */
export interface EncryptionExemptions {
  /**
   * Object keys (patterns such as `results/*`) written by roles that AWS
   * services assume (Bedrock as an evaluation role, GuardDuty's Malware
   * Protection role), whose encryption headers no AWS page shows: left out of
   * the refusal of SSE-KMS without a key id. AWS service principals writing
   * on their own behalf are never refused it.
   * @default - none
   */
  readonly kmsWithoutKeyIdKeys?: readonly string[];
  /**
   * Object keys where an explicit SSE-S3 (AES256) upload is accepted too,
   * for a service whose documentation contradicts itself about the encryption
   * of those objects (CloudTrail's digest files).
   * @default - none
   */
  readonly sseS3Keys?: readonly string[];
}

/**
 * Refuse uploads that ask for any encryption other than SSE-KMS with our key.
 *
 * An upload without encryption headers is allowed: default encryption still
 * stores it under our key, so AWS services that cannot set headers keep
 * working. Only an explicit request for something else is refused, so that no
 * caller can opt an object out of the project key.
 */
export function refuseOtherEncryption(bucket: s3.IBucket, key: kms.IKey, exemptions: EncryptionExemptions): void {
  const objects = bucket.arnForObjects('*');
  const scope = (exempt: readonly string[] | undefined) =>
    exempt && exempt.length > 0
      ? { notResources: exempt.map((k) => bucket.arnForObjects(k)) }
      : { resources: [objects] };
  const deny = (sid: string, conditions: Record<string, Record<string, unknown>>, exempt?: readonly string[]) =>
    bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid,
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        ...scope(exempt),
        conditions,
      }),
    );
  deny(
    'DenyOtherEncryptionTypes',
    {
      StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' },
      Null: { 's3:x-amz-server-side-encryption': 'false' },
    },
    exemptions.sseS3Keys,
  );
  if (exemptions.sseS3Keys && exemptions.sseS3Keys.length > 0) {
    // There, SSE-S3 as well as SSE-KMS; still never anything else (DSSE-KMS).
    bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyOtherEncryptionTypesWhereSseS3IsAccepted',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: exemptions.sseS3Keys.map((k) => bucket.arnForObjects(k)),
        conditions: {
          StringNotEquals: { 's3:x-amz-server-side-encryption': ['aws:kms', 'AES256'] },
          Null: { 's3:x-amz-server-side-encryption': 'false' },
        },
      }),
    );
  }
  deny('DenyOtherKmsKeys', {
    StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': key.keyArn },
    Null: { 's3:x-amz-server-side-encryption-aws-kms-key-id': 'false' },
  });
  // `aws:kms` without a key id: S3 then uses the AWS managed key aws/s3, not
  // the bucket's ("If you specify x-amz-server-side-encryption:aws:kms, but
  // do not provide x-amz-server-side-encryption-aws-kms-key-id, Amazon S3 uses
  // the AWS managed key (aws/s3) to protect the data",
  // https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html), which
  // is outside the project key's policy and audit. Refused for callers; not
  // for AWS service principals (aws:PrincipalIsAWSService is true on their
  // own deliveries, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalisawsservice),
  // whose headers no AWS page shows, so that an undocumented header can never
  // silence an audit or log delivery; nor on the keys given, written by roles
  // AWS services assume.
  deny(
    'DenyKmsWithoutTheKeyId',
    {
      StringEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' },
      Null: { 's3:x-amz-server-side-encryption-aws-kms-key-id': 'true' },
      BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' },
    },
    exemptions.kmsWithoutKeyIdKeys,
  );
  // SSE-C would put the key outside AWS KMS, and outside our audit trail.
  deny('DenyCustomerProvidedKeys', {
    Null: { 's3:x-amz-server-side-encryption-customer-algorithm': 'false' },
  });
}
