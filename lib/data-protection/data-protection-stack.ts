import { CfnOutput, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { ProjectConfig } from '../config';
import { IsolatedNetwork } from '../network/isolated-network';
import { macieDecryptStatement, threatDetectionKeyUses } from '../threat-detection/key-uses';
import { ProjectKey } from './project-key';
import { SecureBucket } from './secure-bucket';

/** Prefix of the data bucket where generated records (audit records) live. */
export const RECORDS_PREFIX = 'records/';

/**
 * The object GuardDuty Malware Protection for S3 writes to check that its role
 * may act on the bucket.
 * https://docs.aws.amazon.com/guardduty/latest/ug/malware-protection-s3-iam-policy-prerequisite.html
 */
export const MALWARE_PROTECTION_VALIDATION_OBJECT = 'malware-protection-resource-validation-object';

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
    | 'cloudTrail'
    | 'guardDuty'
    | 'guardDutyFindingsExport'
    | 'macie'
    | 'malwareProtection'
    | 'alertEmail'
    | 'configRecorder'
    | 'availabilityZones'
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
      serviceUses: threatDetectionKeyUses(this, config),
      removalPolicy,
    }).key;
    if (config.macie !== 'off') {
      this.key.addToResourcePolicy(macieDecryptStatement(this));
    }

    this.accessLogBucket = SecureBucket.forAccessLogs(this, 'AccessLogs', {
      noncurrentVersionRetention: Duration.days(config.noncurrentVersionRetentionDays),
      retention: Duration.days(config.accessLogRetentionDays),
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

    // What `npm run verify` reads after deployment.
    new CfnOutput(this, 'DataBucketName', { value: this.dataBucket.bucket.bucketName });
    new CfnOutput(this, 'ProjectKeyArn', { value: this.key.keyArn });
    // Cross-stack references are strong (CloudFormation exports), so that a
    // change here reaches the stacks built on it and nothing they use can be
    // deleted under them (docs/deployment-order.md). These three are exported
    // whether or not a consumer uses them today: a switch that stops a
    // consumer using one must not leave an export CloudFormation refuses to
    // remove while the old consumer still imports it.
    for (const value of [this.key.keyArn, this.dataBucket.bucket.bucketName, this.dataBucket.bucket.bucketArn]) {
      this.exportValue(value);
    }

    if (config.isolatedNetwork) {
      // The network lives with the data it fences in: the bucket policy below
      // and the endpoint policy refer to each other, which CloudFormation only
      // allows within one stack.
      this.network = new IsolatedNetwork(this, 'Network', {
        key: this.key,
        s3ObjectArns: [this.dataBucket.bucket.arnForObjects(`${RECORDS_PREFIX}*`)],
        flowLogRetention: config.logRetentionDays as logs.RetentionDays,
        availabilityZones: config.availabilityZones.length > 0 ? config.availabilityZones : undefined,
        removalPolicy,
      });
      // Exfiltration in reverse: nothing but the isolated function (through the
      // endpoint) may add data. AWS services writing on their own behalf are
      // not affected.
      // Malware Protection for S3 proves it may act on the bucket by writing
      // one fixed, empty validation object with its service role; that one key
      // is left out of the fence.
      const everyObject = this.dataBucket.bucket.arnForObjects('*');
      const validationObject = this.dataBucket.bucket.arnForObjects(MALWARE_PROTECTION_VALIDATION_OBJECT);
      this.dataBucket.bucket.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'DenyWritesFromOutsideTheVpcEndpoint',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ['s3:PutObject'],
          ...(config.malwareProtection ? { notResources: [validationObject] } : { resources: [everyObject] }),
          conditions: {
            StringNotEquals: { 'aws:SourceVpce': this.network.s3Endpoint.vpcEndpointId },
            BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' },
          },
        }),
      );
    }
  }
}
