import { Duration, FeatureFlags, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { hardenAutoDeleteProvider } from './auto-delete-provider';
import { acknowledgeDeliberateChoices } from './bucket-acknowledgements';
import { type EncryptionExemptions, refuseOtherEncryption } from './encryption-fence';
import { prefixWriteStatements } from './prefix-write';

/** CDK feature flag: grant S3 log delivery by bucket policy instead of ACL. */
const LOGS_BY_BUCKET_POLICY = '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy';

/** How objects are encrypted at rest. */
export type BucketEncryption =
  /**
   * SSE-KMS with the project key; the default for anything that holds data.
   * `bucketKey: false` for buckets a service writes to with its own
   * encryption context (CloudTrail): a Bucket Key replaces that context.
   */
  | ({ readonly kind: 'kms'; readonly key: kms.IKey; readonly bucketKey?: boolean } & EncryptionExemptions)
  /**
   * SSE-S3 (AES256). Only for targets of AWS services that cannot write to an
   * SSE-KMS bucket; `reason` names the service and the documentation.
   */
  | { readonly kind: 's3-managed'; readonly reason: string };

export interface SecureBucketProps {
  /** Encryption at rest. */
  readonly encryption: BucketEncryption;

  /**
   * Where S3 server access logs of this bucket go. Leave unset only on the
   * access-log bucket itself, and say why with `accessLogsOmittedReason`.
   * @default - no server access logs; `accessLogsOmittedReason` is then required
   */
  readonly serverAccessLogs?: { readonly bucket: s3.IBucket; readonly prefix: string };

  /** Why this bucket has no server access logs (required when `serverAccessLogs` is unset). */
  readonly accessLogsOmittedReason?: string;

  /** How long an overwritten or deleted version stays recoverable. */
  readonly noncurrentVersionRetention: Duration;

  /**
   * Expire current objects after this long. Per prefix, so that a records prefix
   * can age out while the rest of the bucket is kept.
   * @default - objects do not expire
   */
  readonly expirations?: readonly { readonly prefix?: string; readonly after: Duration }[];

  /**
   * Turn on S3 Object Lock in governance mode with this default retention.
   * @default - no Object Lock; `objectLockOmittedReason` is then required
   */
  readonly objectLockRetention?: Duration;

  /** Why this bucket has no Object Lock (required when `objectLockRetention` is unset). */
  readonly objectLockOmittedReason?: string;

  /**
   * Whether the bucket and its objects survive the deletion of the stack.
   * DESTROY empties the bucket first (all versions), for throwaway sandboxes.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * An S3 bucket with every secure default in one place.
 *
 * Notes, security chapter ("data encryption", "data access control",
 * "infrastructure protection"): data is encrypted at rest with a managed key and
 * in transit with TLS, is never public, and every access is logged. Each control
 * below is enforced by the bucket itself (its policy and settings), so it holds
 * whatever identity policy a caller has.
 */
export class SecureBucket extends Construct {
  public readonly bucket: s3.Bucket;
  /** The key objects are encrypted with, when the bucket uses SSE-KMS. */
  public readonly encryptionKey?: kms.IKey;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    if (!props.serverAccessLogs && !props.accessLogsOmittedReason) {
      throw new Error(`${this.node.path}: give serverAccessLogs, or accessLogsOmittedReason to say why there are none`);
    }
    if (!props.objectLockRetention && !props.objectLockOmittedReason) {
      throw new Error(
        `${this.node.path}: give objectLockRetention, or objectLockOmittedReason to say why there is none`,
      );
    }
    if (props.serverAccessLogs && !FeatureFlags.of(this).isEnabled(LOGS_BY_BUCKET_POLICY)) {
      // Without this flag CDK grants log delivery through the target's ACL, which
      // cannot work on a bucket whose ACLs are disabled.
      throw new Error(`${this.node.path}: set the feature flag "${LOGS_BY_BUCKET_POLICY}": true in cdk.json`);
    }
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    if (props.objectLockRetention && removalPolicy === RemovalPolicy.DESTROY) {
      throw new Error(
        `${this.node.path}: Object Lock keeps versions that a DESTROY removal policy would have to delete`,
      );
    }
    const kmsKey = props.encryption.kind === 'kms' ? props.encryption.key : undefined;
    this.encryptionKey = kmsKey;

    this.bucket = new s3.Bucket(this, 'Bucket', {
      ...(kmsKey
        ? {
            encryption: s3.BucketEncryption.KMS,
            encryptionKey: kmsKey,
            // Bucket Keys let S3 reuse a data key per bucket instead of calling
            // KMS for every object: far fewer KMS requests (cost and throttling)
            // with the same key policy in force.
            bucketKeyEnabled: props.encryption.kind === 'kms' ? (props.encryption.bucketKey ?? true) : undefined,
          }
        : { encryption: s3.BucketEncryption.S3_MANAGED }),
      // Encryption in transit: a Deny for any request without TLS, and one for
      // TLS older than 1.2 (s3:TlsVersion), whoever the caller is.
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      // Never public: all four Block Public Access settings, and ACLs disabled
      // so that access is decided by policies alone.
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Versioning (and Object Lock when asked for) is the integrity and backup
      // story of the notes: an overwrite or delete can be undone.
      versioned: true,
      objectLockEnabled: props.objectLockRetention !== undefined,
      objectLockDefaultRetention: props.objectLockRetention
        ? s3.ObjectLockRetention.governance(props.objectLockRetention)
        : undefined,
      lifecycleRules: [
        { id: 'abort-incomplete-multipart-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
        { id: 'expire-noncurrent-versions', noncurrentVersionExpiration: props.noncurrentVersionRetention },
        ...(props.expirations ?? []).map((e) => ({
          id: `expire-${e.prefix ? e.prefix.replace(/[^A-Za-z0-9]+/g, '-').replace(/-$/, '') : 'all'}`,
          prefix: e.prefix,
          expiration: e.after,
        })),
      ],
      // Logging of all data access (notes, "data access control"). CDK grants
      // logging.s3.amazonaws.com write access on the target through its bucket
      // policy, conditioned on this bucket's ARN and account.
      serverAccessLogsBucket: props.serverAccessLogs?.bucket,
      serverAccessLogsPrefix: props.serverAccessLogs?.prefix,
      removalPolicy,
      autoDeleteObjects: removalPolicy === RemovalPolicy.DESTROY,
    });

    // EventBridge notifications, set on the L1: the L2 `eventBridgeEnabled` would
    // add a custom-resource Lambda just to call PutBucketNotification, whereas
    // CloudFormation supports the setting natively. Detection rules in later
    // stacks subscribe to these events.
    const cfnBucket = this.bucket.node.defaultChild as s3.CfnBucket;
    cfnBucket.notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };

    if (kmsKey) {
      refuseOtherEncryption(this.bucket, kmsKey, props.encryption.kind === 'kms' ? props.encryption : {});
    }
    acknowledgeDeliberateChoices(this.bucket, props);
    if (removalPolicy === RemovalPolicy.DESTROY) {
      hardenAutoDeleteProvider(Stack.of(this));
    }
  }

  /**
   * The bucket that receives the S3 server access logs of a stack's buckets.
   *
   * S3 server access logging can only deliver to a target whose default
   * encryption is SSE-S3 (SSE-KMS targets are not supported) and that has no
   * Object Lock, so this one bucket uses SSE-S3 and says why.
   * https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html
   */
  public static forAccessLogs(
    scope: Construct,
    id: string,
    props: { noncurrentVersionRetention: Duration; retention: Duration; removalPolicy: RemovalPolicy },
  ): SecureBucket {
    return new SecureBucket(scope, id, {
      encryption: {
        kind: 's3-managed',
        reason:
          'target of S3 server access logging, which supports only SSE-S3 default encryption on the destination bucket (https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html); the logs hold request metadata, not data',
      },
      accessLogsOmittedReason:
        'this is the access-log bucket; logging it into itself would loop, and a third bucket would only move the problem. Its writes come from logging.s3.amazonaws.com alone (bucket policy) and it is never public.',
      objectLockOmittedReason:
        'S3 server access logging cannot deliver to a bucket with Object Lock (https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html); versioning and the RETAIN policy keep the logs.',
      noncurrentVersionRetention: props.noncurrentVersionRetention,
      expirations: [{ after: props.retention }],
      removalPolicy: props.removalPolicy,
    });
  }

  /**
   * The statements that let a principal write objects under `prefix` and do
   * nothing else: no read, no list, no other prefix. The key may only be used
   * through S3 in this region and only for this bucket (with S3 Bucket Keys the
   * encryption context is the bucket ARN).
   *
   * Use them in a customer-managed policy (what the compliance packs prefer),
   * or through `grantPrefixWrite`.
   */
  public prefixWriteStatements(prefix: string): iam.PolicyStatement[] {
    return prefixWriteStatements(this.bucket, this.encryptionKey, prefix);
  }

  /** Add `prefixWriteStatements(prefix)` to the identity policy of `grantee`. */
  public grantPrefixWrite(grantee: iam.IGrantable, prefix: string): iam.Grant {
    return this.prefixWriteStatements(prefix)
      .map((statement) =>
        iam.Grant.addToPrincipal({
          grantee,
          actions: statement.actions,
          resourceArns: statement.resources,
          conditions: statement.conditions,
        }),
      )
      .reduce((all, grant) => all.combine(grant));
  }
}
