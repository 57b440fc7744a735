import { Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { ProjectConfig } from '../config';
import { IsolatedNetwork } from '../network/isolated-network';
import { ProjectKey } from './project-key';
import { SecureBucket } from './secure-bucket';

/** Prefix of the data bucket where generated records (audit records) live. */
export const RECORDS_PREFIX = 'records/';

export interface DataProtectionStackProps extends StackProps {
  readonly config: Pick<
    ProjectConfig,
    | 'appName'
    | 'removalPolicy'
    | 'recordsRetentionDays'
    | 'noncurrentVersionRetentionDays'
    | 'accessLogRetentionDays'
    | 'objectLock'
    | 'objectLockRetentionDays'
    | 'isolatedNetwork'
    | 'logRetentionDays'
  >;
}

/**
 * The stateful heart of the project: the customer-managed key and the encrypted
 * bucket that the rest of the project writes to and watches.
 *
 * Kept in its own stack so that the stateless stacks above it can be destroyed
 * and redeployed freely while the data and its key stay put.
 */
export class DataProtectionStack extends Stack {
  public readonly key: kms.IKey;
  public readonly dataBucket: SecureBucket;
  public readonly accessLogBucket: SecureBucket;
  /** The isolated network, when the isolatedNetwork setting is on. */
  public readonly network?: IsolatedNetwork;

  constructor(scope: Construct, id: string, props: DataProtectionStackProps) {
    super(scope, id, props);
    const { config } = props;
    const removalPolicy = config.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;

    // Logical IDs below ("ProjectKey", "AccessLogs", "Data") are part of the
    // contract with deployed stacks: renaming one replaces a key or a bucket.
    this.key = new ProjectKey(this, 'ProjectKey', {
      aliasName: `${this.stackName}/data`,
      // Every stack of this app is named "<appName>-...", and so are the log
      // groups CloudFormation names for them.
      logGroupNamePrefix: `${config.appName}-`,
      removalPolicy,
    }).key;

    this.accessLogBucket = new SecureBucket(this, 'AccessLogs', {
      // S3 server access logging can only deliver to a target whose default
      // encryption is SSE-S3: SSE-KMS targets are not supported, and neither is
      // Object Lock. https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html
      encryption: {
        kind: 's3-managed',
        reason:
          'target of S3 server access logging, which supports only SSE-S3 default encryption on the destination bucket (https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html); the logs hold request metadata, not data',
      },
      accessLogsOmittedReason:
        'this is the access-log bucket; logging it into itself would loop, and a third bucket would only move the problem. Its writes come from logging.s3.amazonaws.com alone (bucket policy) and it is never public.',
      objectLockOmittedReason:
        'S3 server access logging cannot deliver to a bucket with Object Lock (https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html); versioning and the RETAIN policy keep the logs.',
      noncurrentVersionRetention: Duration.days(config.noncurrentVersionRetentionDays),
      expirations: [{ after: Duration.days(config.accessLogRetentionDays) }],
      removalPolicy,
    });

    this.dataBucket = new SecureBucket(this, 'Data', {
      encryption: { kind: 'kms', key: this.key },
      serverAccessLogs: { bucket: this.accessLogBucket.bucket, prefix: 'data-bucket/' },
      noncurrentVersionRetention: Duration.days(config.noncurrentVersionRetentionDays),
      expirations: [{ prefix: RECORDS_PREFIX, after: Duration.days(config.recordsRetentionDays) }],
      objectLockRetention: config.objectLock ? Duration.days(config.objectLockRetentionDays) : undefined,
      objectLockOmittedReason: config.objectLock
        ? undefined
        : 'off by default because locked versions cannot be removed before their retention ends, which a sandbox must be able to do; versioning and the RETAIN policy protect the data. Turn it on with the "objectLock" setting.',
      removalPolicy,
    });

    if (config.isolatedNetwork) {
      // The network lives with the data it fences in: the bucket policy below
      // and the endpoint policy refer to each other, which CloudFormation only
      // allows within one stack.
      this.network = new IsolatedNetwork(this, 'Network', {
        key: this.key,
        s3ObjectArns: [this.dataBucket.bucket.arnForObjects(`${RECORDS_PREFIX}*`)],
        flowLogRetention: config.logRetentionDays as logs.RetentionDays,
        removalPolicy,
      });
      // Exfiltration in reverse: nothing but the isolated function (through the
      // endpoint) may add data. AWS services writing on their own behalf are
      // not affected.
      this.dataBucket.bucket.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'DenyWritesFromOutsideTheVpcEndpoint',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ['s3:PutObject'],
          resources: [this.dataBucket.bucket.arnForObjects('*')],
          conditions: {
            StringNotEquals: { 'aws:SourceVpce': this.network.s3Endpoint.vpcEndpointId },
            BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' },
          },
        }),
      );
    }
  }
}
