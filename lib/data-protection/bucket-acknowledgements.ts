import { Validations } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { SecureBucketProps } from './secure-bucket';

/**
 * The compliance findings a secure bucket answers on purpose, acknowledged
 * next to it with the reason: no replication (a cost trade-off), SSE-S3 or no
 * access logs or no Object Lock where the props say why.
 */
export function acknowledgeDeliberateChoices(bucket: s3.Bucket, props: SecureBucketProps): void {
  const resource = bucket.node.defaultChild as s3.CfnBucket;
  const ack = (id: string, reason: string) => Validations.of(resource).acknowledge({ id, reason });

  // Replication to a second region doubles storage cost and needs a second
  // stack there; versioning, Object Lock (optional) and RETAIN protect against
  // loss within the region. Operators with a DR requirement add replication.
  ack(
    'NIST.800.53.R5-S3BucketReplicationEnabled',
    'Cost trade-off: cross-region replication doubles storage cost and needs a second-region stack; versioning, retained buckets and optional Object Lock protect the data in-region.',
  );
  ack(
    'HIPAA.Security-S3BucketReplicationEnabled',
    'Cost trade-off: cross-region replication doubles storage cost and needs a second-region stack; versioning, retained buckets and optional Object Lock protect the data in-region.',
  );
  ack(
    'PCI.DSS.321-S3BucketReplicationEnabled',
    'Cost trade-off: cross-region replication doubles storage cost and needs a second-region stack; versioning, retained buckets and optional Object Lock protect the data in-region.',
  );

  if (props.encryption.kind === 's3-managed') {
    const reason = `SSE-S3 on purpose: ${props.encryption.reason}`;
    for (const id of [
      'NIST.800.53.R5-S3DefaultEncryptionKMS',
      'HIPAA.Security-S3DefaultEncryptionKMS',
      'PCI.DSS.321-S3DefaultEncryptionKMS',
      // CT.S3.PR.10
      'cdk-validator-cfnguard::s3_bucket_default_encryption_kms_check',
    ]) {
      ack(id, reason);
    }
  }
  if (props.accessLogsOmittedReason) {
    const reason = `No server access logs on purpose: ${props.accessLogsOmittedReason}`;
    for (const id of [
      'AwsSolutions-S1',
      'NIST.800.53.R5-S3BucketLoggingEnabled',
      'HIPAA.Security-S3BucketLoggingEnabled',
      'PCI.DSS.321-S3BucketLoggingEnabled',
      // CT.S3.PR.2
      'cdk-validator-cfnguard::s3_bucket_logging_enabled_check',
    ]) {
      ack(id, reason);
    }
  }
  if (props.objectLockOmittedReason) {
    // CT.S3.PR.9
    ack(
      'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check',
      `No Object Lock on purpose: ${props.objectLockOmittedReason}`,
    );
  }
}
