import { CfnOutput, Fn, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { IsolatedNetwork } from '../network/isolated-network';
import { ProjectKey, type ServiceKeyUse } from './project-key';
import { SecureBucket } from './secure-bucket';
import {
  CUSTOMIZATION_OUTPUT_PREFIX,
  MALWARE_PROTECTION_VALIDATION_OBJECT,
  MALWARE_SCAN_TAG,
  RECORDS_PREFIX,
  TRAINING_APPROVED_PREFIX,
} from '../shared/data-layout';

export interface DataProtectionStackProps extends StackProps {
  /**
   * Whether the key and the buckets (with their objects) survive the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /** How long audit records are kept before they expire. */
  readonly recordsRetention: Duration;
  /** How long an overwritten or deleted object version stays recoverable. */
  readonly noncurrentVersionRetention: Duration;
  /** How long S3 server access logs are kept. */
  readonly accessLogRetention: Duration;
  /**
   * S3 Object Lock (governance mode) on the data bucket, with this default retention.
   * @default - no Object Lock
   */
  readonly objectLockRetention?: Duration;
  /**
   * The prefix of the names of the app's log groups, which CloudWatch Logs may
   * encrypt with the key (CloudFormation names them after their stack).
   */
  readonly logGroupNamePrefix: string;
  /**
   * Run the invoke function's network here: a VPC without an internet route.
   * @default - no VPC
   */
  readonly isolatedNetwork?: {
    readonly flowLogRetention: logs.RetentionDays;
    /** @default - the first two zones of the region */
    readonly availabilityZones?: readonly string[];
    /**
     * The name prefix of the tables (those of a stack built on this one) that
     * a function in the network reads and updates.
     * @default - no DynamoDB endpoint
     */
    readonly dynamoDbTableNamePrefix?: string;
    /**
     * The role customization jobs (a stack built on this one) run as in the
     * network: it reads approved training data and writes job output through
     * the S3 endpoint.
     * @default - no customization jobs in the network
     */
    readonly customizationJobRoleName?: string;
  };
  /**
   * AWS services that use the key for resources of the stacks built on this
   * one, given this stack (their ARNs are in its account and region).
   * @default - none
   */
  readonly keyServiceUses?: (stack: Stack) => readonly ServiceKeyUse[];
  /**
   * Further key-policy statements, given this stack.
   * @default - none
   */
  readonly keyStatements?: (stack: Stack) => readonly iam.PolicyStatement[];
  /**
   * Object keys that AWS services write with their own roles from outside the
   * isolated network, left out of the "writes only through the VPC endpoint" fence.
   * @default - none
   */
  readonly writeFenceExemptKeys?: readonly string[];
  /**
   * Prefixes that only one role of this account may write to (named, so it may
   * live in a stack built on this one), such as knowledge/ for the promotion function.
   * They are left out of the isolated network's fence: the writer runs outside it.
   * @default - none
   */
  readonly soleWriters?: readonly { readonly prefix: string; readonly roleName: string }[];
  /**
   * The roles of this account that may set GuardDuty's scan-result tag
   * (MALWARE_SCAN_TAG) on objects of the data bucket: Malware Protection's
   * own, and any that rewrites an object's tags keeping it.
   * @default - no fence: nothing trusts the tag
   */
  readonly scanTagWriters?: readonly string[];
  /**
   * AWS services that deliver objects into the data bucket for this account
   * (Bedrock's model-invocation logs), each only under its key pattern and
   * on behalf of its own resources.
   * @default - none
   */
  readonly serviceDeliveries?: readonly ServiceDelivery[];
}

/** One AWS service delivering objects into the data bucket on this account's behalf. */
export interface ServiceDelivery {
  readonly sid: string;
  readonly service: string;
  /** The prefix everything it delivers is under. */
  readonly prefix: string;
  /** The keys under `prefix` it may write, given this stack's account (a trailing `*` matches the rest). */
  readonly keysUnderPrefix: (account: string) => string;
  /** `aws:SourceArn` pattern the service sends for this account's resources, given this stack. */
  readonly sourceArn: (stack: Stack) => string;
  /**
   * How long what it delivers is kept.
   * @default - kept until deleted
   */
  readonly expiresAfter?: Duration;
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
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    // Logical IDs below ("ProjectKey", "AccessLogs", "Data") are part of the
    // contract with deployed stacks: renaming one replaces a key or a bucket.
    this.key = new ProjectKey(this, 'ProjectKey', {
      aliasName: `${this.stackName}/data`,
      logGroupNamePrefix: props.logGroupNamePrefix,
      serviceUses: props.keyServiceUses?.(this),
      removalPolicy,
    }).key;
    for (const statement of props.keyStatements?.(this) ?? []) this.key.addToResourcePolicy(statement);

    this.accessLogBucket = SecureBucket.forAccessLogs(this, 'AccessLogs', {
      noncurrentVersionRetention: props.noncurrentVersionRetention,
      retention: props.accessLogRetention,
      removalPolicy,
    });

    this.dataBucket = new SecureBucket(this, 'Data', {
      encryption: {
        kind: 'kms',
        key: this.key,
        // Written by roles AWS services assume, with headers no page shows:
        // GuardDuty's validation object (its Malware Protection role) and the
        // sole writers' prefixes (Bedrock as the evaluation role; the
        // promotion function, which names the key itself).
        kmsWithoutKeyIdKeys: [
          MALWARE_PROTECTION_VALIDATION_OBJECT,
          ...(props.soleWriters ?? []).map(({ prefix }) => `${prefix}*`),
        ],
      },
      serverAccessLogs: { bucket: this.accessLogBucket.bucket, prefix: 'data-bucket/' },
      noncurrentVersionRetention: props.noncurrentVersionRetention,
      expirations: [
        { prefix: RECORDS_PREFIX, after: props.recordsRetention },
        ...(props.serviceDeliveries ?? []).flatMap((d) =>
          d.expiresAfter ? [{ prefix: d.prefix, after: d.expiresAfter }] : [],
        ),
      ],
      objectLockRetention: props.objectLockRetention,
      objectLockOmittedReason: props.objectLockRetention
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

    for (const delivery of props.serviceDeliveries ?? []) {
      // The confused-deputy guard AWS documents for service deliveries: this
      // account's resources only, and only under the delivery's own keys.
      this.dataBucket.bucket.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: delivery.sid,
          principals: [new iam.ServicePrincipal(delivery.service)],
          actions: ['s3:PutObject'],
          resources: [this.dataBucket.bucket.arnForObjects(delivery.prefix + delivery.keysUnderPrefix(this.account))],
          conditions: {
            StringEquals: { 'aws:SourceAccount': this.account },
            ArnLike: { 'aws:SourceArn': delivery.sourceArn(this) },
          },
        }),
      );
    }

    for (const { prefix, roleName } of props.soleWriters ?? []) {
      // Whatever lands under this prefix is trusted by what reads it (the
      // knowledge base indexes knowledge/): no one but its one writer may put
      // objects there, whatever their IAM policies say.
      this.dataBucket.bucket.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: `OnlyOneWriterUnder${prefix.replace(/[^A-Za-z0-9]/g, '')}`,
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          // ReplicateObject too: a replication role writes objects without s3:PutObject.
          actions: ['s3:PutObject', 's3:ReplicateObject'],
          resources: [this.dataBucket.bucket.arnForObjects(`${prefix}*`)],
          conditions: {
            ArnNotEquals: { 'aws:PrincipalArn': `arn:${this.partition}:iam::${this.account}:role/${roleName}` },
            BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' },
          },
        }),
      );
    }

    if (props.scanTagWriters?.length) {
      // Promotion and training-data approval trust the scan-result tag, so no
      // one else may set it, whatever their IAM policies say: GuardDuty asks
      // that "no one can modify the tags added by GuardDuty"
      // (https://docs.aws.amazon.com/guardduty/latest/ug/tag-based-access-s3-malware-protection.html).
      // A request that removes the tag is not fenced: without it an object
      // counts as not scanned, which refuses it.
      this.dataBucket.bucket.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'OnlyTheScannerSetsTheScanTag',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ['s3:PutObject', 's3:PutObjectTagging', 's3:PutObjectVersionTagging'],
          resources: [this.dataBucket.bucket.arnForObjects('*')],
          conditions: {
            'ForAnyValue:StringEquals': { 's3:RequestObjectTagKeys': [MALWARE_SCAN_TAG] },
            ArnNotEquals: {
              'aws:PrincipalArn': props.scanTagWriters.map(
                (name) => `arn:${this.partition}:iam::${this.account}:role/${name}`,
              ),
            },
            // GuardDuty tags as its role (the permissions AWS lists for it);
            // should it ever tag as its service principal, that is let
            // through too, since no one can act as one.
            BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' },
          },
        }),
      );
    }

    if (props.isolatedNetwork) {
      // The network lives with the data it fences in: the bucket policy below
      // and the endpoint policy refer to each other, which CloudFormation only
      // allows within one stack.
      this.network = new IsolatedNetwork(this, 'Network', {
        key: this.key,
        s3ObjectArns: [this.dataBucket.bucket.arnForObjects(`${RECORDS_PREFIX}*`)],
        flowLogRetention: props.isolatedNetwork.flowLogRetention,
        availabilityZones: props.isolatedNetwork.availabilityZones,
        dynamoDbTableNamePrefix: props.isolatedNetwork.dynamoDbTableNamePrefix,
        customizationJob: props.isolatedNetwork.customizationJobRoleName
          ? {
              roleArn: `arn:${this.partition}:iam::${this.account}:role/${props.isolatedNetwork.customizationJobRoleName}`,
              bucketArn: this.dataBucket.bucket.bucketArn,
              readObjectArns: [this.dataBucket.bucket.arnForObjects(`${TRAINING_APPROVED_PREFIX}*`)],
              writeObjectArns: [this.dataBucket.bucket.arnForObjects(`${CUSTOMIZATION_OUTPUT_PREFIX}*`)],
            }
          : undefined,
        removalPolicy,
      });
      // What `npm run customize` names as a job's subnets (the job runs in this network).
      new CfnOutput(this, 'IsolatedSubnetIds', {
        value: Fn.join(
          ',',
          this.network.vpc.isolatedSubnets.map((subnet) => subnet.subnetId),
        ),
      });
      // Exfiltration in reverse: nothing but the isolated function (through the
      // endpoint) may add data. AWS services writing on their own behalf are
      // not affected.
      // A service that proves it may act on the bucket by writing one fixed
      // object with its own role (Malware Protection for S3) has that one key
      // left out of the fence.
      const everyObject = this.dataBucket.bucket.arnForObjects('*');
      const exempt = [
        ...(props.writeFenceExemptKeys ?? []),
        ...(props.soleWriters ?? []).map(({ prefix }) => `${prefix}*`),
      ].map((key) => this.dataBucket.bucket.arnForObjects(key));
      this.dataBucket.bucket.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'DenyWritesFromOutsideTheVpcEndpoint',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ['s3:PutObject'],
          ...(exempt.length > 0 ? { notResources: exempt } : { resources: [everyObject] }),
          conditions: {
            StringNotEquals: { 'aws:SourceVpce': this.network.s3Endpoint.vpcEndpointId },
            BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' },
          },
        }),
      );
    }
  }
}
