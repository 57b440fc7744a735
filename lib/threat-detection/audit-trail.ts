import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeProjectKeyLogGroup, acknowledgeWildcardResource } from '../compliance/acknowledge';
import { SecureBucket } from '../data-protection/secure-bucket';
import { arnInAccount, trailName } from '../shared/names';

export interface AuditTrailProps {
  /** Encrypts log files and the log group. */
  readonly key: kms.IKey;
  /** The bucket whose object-level (data) events are recorded. */
  readonly watchedBucket: s3.IBucket;
  readonly accessLogs: s3.IBucket;
  readonly logRetention: logs.RetentionDays;
  readonly noncurrentVersionRetention: Duration;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * CloudTrail: who did what, when, from where (notes, security chapter:
 * logging and monitoring of every access to the data and the model).
 *
 * Management events of every region, plus object-level events of the data
 * bucket only (data events are billed per event, so no other bucket is
 * recorded). Log files go to an SSE-KMS bucket with log file validation, so a
 * changed or deleted file is detectable, and to an encrypted log group where
 * they can be searched and alarmed on.
 *
 * Built on the L1 resource: the L2 `Trail` creates its own unencrypted bucket
 * and a log-delivery role without confused-deputy conditions.
 */
export class AuditTrail extends Construct {
  public readonly trail: cloudtrail.CfnTrail;
  public readonly trailArn: string;
  public readonly bucket: SecureBucket;
  public readonly logGroup: logs.LogGroup;
  public readonly logDeliveryRole: iam.Role;

  constructor(scope: Construct, id: string, props: AuditTrailProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const name = trailName(stack.stackName);
    this.trailArn = arnInAccount(stack, 'cloudtrail', `trail/${name}`);
    const fromOurTrail = { StringEquals: { 'aws:SourceArn': this.trailArn } };
    const cloudTrail = new iam.ServicePrincipal('cloudtrail.amazonaws.com');

    this.bucket = new SecureBucket(this, 'Logs', {
      // No S3 Bucket Key: with one, CloudTrail needs kms:Decrypt as well, and
      // the documented key policy (trail ARN as encryption context) would no
      // longer describe the requests. CloudTrail writes a few files an hour,
      // so the saved KMS requests are worth little.
      // https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html
      encryption: {
        kind: 'kms',
        key: props.key,
        bucketKey: false,
        // Digest files: the archived CloudTrail guide said "Digest files are
        // encrypted with SSE-S3" (awsdocs/aws-cloudtrail-user-guide,
        // encrypting-cloudtrail-log-files-with-aws-kms.md), the current key-policy
        // page that the key must let CloudTrail "encrypt your log files, digest
        // files" (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html).
        // Under the digest prefix alone an explicit SSE-S3 upload is accepted,
        // so validation keeps working whichever is true today; a forged
        // digest fails validation anyway (each is signed).
        sseS3Keys: [`AWSLogs/${stack.account}/CloudTrail-Digest/*`],
      },
      serverAccessLogs: { bucket: props.accessLogs, prefix: 'cloudtrail/' },
      noncurrentVersionRetention: props.noncurrentVersionRetention,
      objectLockOmittedReason:
        'log file validation (signed digest files) already makes any change or deletion detectable, versioning and the RETAIN policy keep the files, and a sandbox must be able to delete the bucket.',
      removalPolicy: props.removalPolicy,
    });
    const bucket = this.bucket.bucket;
    bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudTrailChecksTheBucketAcl',
        principals: [cloudTrail],
        actions: ['s3:GetBucketAcl'],
        resources: [bucket.bucketArn],
        conditions: fromOurTrail,
      }),
    );
    bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudTrailWritesLogFilesOfOurTrail',
        principals: [cloudTrail],
        actions: ['s3:PutObject'],
        resources: [bucket.arnForObjects(`AWSLogs/${stack.account}/*`)],
        conditions: {
          StringEquals: { 'aws:SourceArn': this.trailArn, 's3:x-amz-acl': 'bucket-owner-full-control' },
        },
      }),
    );

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      encryptionKey: props.key,
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    acknowledgeProjectKeyLogGroup(
      this.logGroup,
      props.logRetention,
      'the trail also delivers every event to its S3 bucket, which keeps them.',
    );
    // Trusted by CloudTrail without source conditions: AWS documents none for
    // this role, and conditions the service does not send break delivery
    // (https://github.com/prowler-cloud/prowler/issues/4714). Its only
    // permission is writing to this one log group.
    // https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-required-policy-for-cloudwatch-logs.html
    this.logDeliveryRole = new iam.Role(this, 'LogDeliveryRole', {
      description: 'Lets CloudTrail deliver the events of this trail to its log group',
      assumedBy: new iam.ServicePrincipal('cloudtrail.amazonaws.com'),
    });
    const deliveryPolicy = new iam.ManagedPolicy(this, 'LogDeliveryPolicy', {
      roles: [this.logDeliveryRole],
      statements: [
        new iam.PolicyStatement({
          sid: 'DeliverToOurLogGroupOnly',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [this.logGroup.logGroupArn],
        }),
      ],
    });
    acknowledgeWildcardResource(
      deliveryPolicy,
      this.logGroup.logGroupArn,
      'The ":*" suffix of a log group ARN covers its log streams, which CloudTrail names; no other log group is reachable, and only CloudTrail may assume the role.',
    );

    this.trail = new cloudtrail.CfnTrail(this, 'Trail', {
      trailName: name,
      isLogging: true,
      s3BucketName: bucket.bucketName,
      kmsKeyId: props.key.keyArn,
      enableLogFileValidation: true,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      cloudWatchLogsLogGroupArn: this.logGroup.logGroupArn,
      cloudWatchLogsRoleArn: this.logDeliveryRole.roleArn,
      advancedEventSelectors: [
        { name: 'Management events', fieldSelectors: [{ field: 'eventCategory', equalTo: ['Management'] }] },
        {
          name: 'Object events of the data bucket only',
          fieldSelectors: [
            { field: 'eventCategory', equalTo: ['Data'] },
            { field: 'resources.type', equalTo: ['AWS::S3::Object'] },
            { field: 'resources.ARN', startsWith: [`${props.watchedBucket.bucketArn}/`] },
          ],
        },
      ],
    });
    // CT.CLOUDTRAIL.PR.1
    Validations.of(this.trail).acknowledge({
      id: 'cdk-validator-cfnguard::cloud_trail_encryption_enabled_check',
      reason:
        'Encrypted with the project KMS key (KMSKeyId is set, see the stack tests); the key comes from the data-protection stack as a cross-stack reference, which the Guard rule cannot resolve.',
    });
    // CloudTrail checks the bucket policy and the role when the trail is created.
    if (bucket.policy) this.trail.node.addDependency(bucket.policy);
    this.trail.node.addDependency(deliveryPolicy);
  }
}
