import { Duration, FeatureFlags, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { autoDeleteObjectsProvider } from '../cdk-internals';

/** CDK feature flag: grant S3 log delivery by bucket policy instead of ACL. */
const LOGS_BY_BUCKET_POLICY = '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy';

/** Longest name Lambda accepts for a function. https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html */
const FUNCTION_NAME_MAX_LENGTH = 64;

/** The name of a stack's bucket-emptying function (throwaway sandboxes only). */
export function autoDeleteFunctionName(stackName: string): string {
  const name = `${stackName}-EmptyBuckets`;
  if (name.length > FUNCTION_NAME_MAX_LENGTH) {
    throw new Error(
      `function name ${name} has ${name.length} characters, allowed: at most ${FUNCTION_NAME_MAX_LENGTH}`,
    );
  }
  return name;
}

/** Stacks whose auto-delete provider has been hardened already (it is shared by the stack's buckets). */
const hardenedProviders = new WeakSet<object>();

/** How objects are encrypted at rest. */
export type BucketEncryption =
  /**
   * SSE-KMS with the project key; the default for anything that holds data.
   * `bucketKey: false` for buckets a service writes to with its own
   * encryption context (CloudTrail): a Bucket Key replaces that context.
   */
  | { readonly kind: 'kms'; readonly key: kms.IKey; readonly bucketKey?: boolean }
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
      this.refuseOtherEncryption(kmsKey);
    }
    this.acknowledgeDeliberateChoices(props);
    if (removalPolicy === RemovalPolicy.DESTROY) {
      this.hardenAutoDeleteProvider();
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
   * Refuse uploads that ask for any encryption other than SSE-KMS with our key.
   *
   * An upload without encryption headers is allowed: default encryption still
   * stores it under our key, so AWS services that cannot set headers keep
   * working. Only an explicit request for something else is refused, so that no
   * caller can opt an object out of the project key.
   */
  private refuseOtherEncryption(key: kms.IKey): void {
    const objects = this.bucket.arnForObjects('*');
    const deny = (sid: string, conditions: Record<string, Record<string, unknown>>) =>
      this.bucket.addToResourcePolicy(
        new iam.PolicyStatement({
          sid,
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ['s3:PutObject'],
          resources: [objects],
          conditions,
        }),
      );
    deny('DenyOtherEncryptionTypes', {
      StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' },
      Null: { 's3:x-amz-server-side-encryption': 'false' },
    });
    deny('DenyOtherKmsKeys', {
      StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': key.keyArn },
      Null: { 's3:x-amz-server-side-encryption-aws-kms-key-id': 'false' },
    });
    // SSE-C would put the key outside AWS KMS, and outside our audit trail.
    deny('DenyCustomerProvidedKeys', {
      Null: { 's3:x-amz-server-side-encryption-customer-algorithm': 'false' },
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
    if (!/^[A-Za-z0-9!_.()'-]+(\/[A-Za-z0-9!_.()'-]+)*\/$/.test(prefix)) {
      throw new Error(
        `prefix must be a plain key prefix ending in "/" without wildcards, got ${JSON.stringify(prefix)}`,
      );
    }
    const statements = [
      new iam.PolicyStatement({
        sid: 'WriteObjectsUnderOnePrefix',
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects(`${prefix}*`)],
      }),
    ];
    if (this.encryptionKey) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'EncryptThroughS3ForThisBucketOnly',
          // GenerateDataKey encrypts a new object; Decrypt is needed by S3 to
          // complete a multipart upload. Neither lets the caller read objects,
          // which takes s3:GetObject.
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [this.encryptionKey.keyArn],
          conditions: {
            StringEquals: {
              // The bucket's region: S3 calls KMS from where the bucket lives.
              'kms:ViaService': `s3.${Stack.of(this.bucket).region}.amazonaws.com`,
              'kms:EncryptionContext:aws:s3:arn': this.bucket.bucketArn,
            },
          },
        }),
      );
    }
    return statements;
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

  /**
   * `autoDeleteObjects` adds CDK's own provider Lambda (one per stack) that
   * empties the buckets when the stack is deleted; it exists only in throwaway
   * sandbox mode. CDK gives its role the AWS managed policy
   * AWSLambdaBasicExecutionRole (logs on every log group of the account); the
   * project uses no AWS managed policies, so it is replaced by an inline policy
   * limited to the function's own log group. Its S3 permissions come
   * from the bucket policies of this stack's buckets only.
   */
  private hardenAutoDeleteProvider(): void {
    const found = autoDeleteObjectsProvider(Stack.of(this));
    if (!found || hardenedProviders.has(found.provider)) {
      return;
    }
    const { provider, role, handler } = found;
    hardenedProviders.add(provider);
    const stack = Stack.of(this);
    // A fixed function name, so that the log permission below can name its
    // log group: a generated one cuts the stack name short (64 characters in
    // all), and no pattern built from the whole stack name would match it.
    const functionName = autoDeleteFunctionName(stack.stackName);
    handler.addPropertyOverride('FunctionName', functionName);
    const logGroups = `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:/aws/lambda/${functionName}`;
    role.addPropertyDeletionOverride('ManagedPolicyArns');
    role.addPropertyOverride('Policies', [
      {
        PolicyName: 'WriteOwnLogs',
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
              Resource: [logGroups, `${logGroups}:log-stream:*`],
            },
          ],
        },
      },
    ]);
    Validations.of(provider).acknowledge({
      // CT.LAMBDA.PR.3
      id: 'cdk-validator-cfnguard::lambda_inside_vpc_check',
      reason:
        'CDK-owned bucket-emptying provider, present only with removalPolicy "destroy" (throwaway sandbox). It runs once at stack deletion, calls only S3 for the buckets of this stack (their bucket policies are its only S3 permission) and holds no data.',
    });
  }

  private acknowledgeDeliberateChoices(props: SecureBucketProps): void {
    const resource = this.bucket.node.defaultChild as s3.CfnBucket;
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
}
