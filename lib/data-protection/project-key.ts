import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/**
 * One AWS service that may use the key on this account's behalf, for some of
 * its resources. Each use is narrowed only by what AWS documents that service
 * sending with its KMS requests (docs/service-principals.md): a condition on a
 * key the service never sends would refuse every request, silently.
 */
export interface ServiceKeyUse {
  /** Statement id in the key policy. */
  readonly sid: string;
  /** The service principal, such as `cloudtrail.amazonaws.com`. */
  readonly service: string;
  readonly actions: string[];
  /**
   * The service's resource that uses the key, for services documented to send
   * `aws:SourceArn` (and `aws:SourceAccount`) with their KMS requests. A
   * trailing `*` matches a name prefix.
   * @default - no source condition (the encryption context must then narrow the use)
   */
  readonly sourceArn?: string;
  /**
   * Whether AWS documents the service sending `aws:SourceAccount` (implied by
   * `sourceArn`), for services whose documented policy names only the account.
   * @default - true when `sourceArn` is given, false otherwise
   */
  readonly sourceAccount?: boolean;
  /**
   * Conditions on the encryption context the service sets
   * (`kms:EncryptionContext:<key>`, a pattern where `*` matches any text).
   * @default - none (`sourceArn` must then narrow the use)
   */
  readonly encryptionContext?: Record<string, string>;
  /**
   * Encryption-context keys of which the request must carry at least one
   * (`kms:EncryptionContextKeys`), for services that document the keys they
   * set but not their values.
   * @default - none
   */
  readonly encryptionContextKeys?: readonly string[];
}

export interface ProjectKeyProps {
  /**
   * Alias of the key, without the `alias/` prefix. Derived from the stack name by
   * the caller so that two copies of the project can live in one account.
   */
  readonly aliasName: string;

  /**
   * Let CloudWatch Logs encrypt log groups whose names start with this prefix
   * (CloudFormation-generated names start with the stack name).
   * @default - no log group may use the key
   */
  readonly logGroupNamePrefix?: string;

  /**
   * AWS services that use the key for the project's other resources (a trail,
   * exported findings, queues of the ingestion path). Each is trusted only for its named
   * resources in this account: the confused-deputy guard.
   * @default - none
   */
  readonly serviceUses?: readonly ServiceKeyUse[];

  /**
   * Whether the key survives the deletion of its stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The project's customer-managed KMS key.
 *
 * Notes, security chapter: data at rest is encrypted and the keys behind it are
 * managed and protected. A customer-managed key (rather than the AWS managed
 * `aws/s3` key) is what lets us write our own key policy, see every use in
 * CloudTrail, and revoke access in one place.
 *
 * The key policy starts from CDK's default: the account root may delegate use
 * through IAM. S3 and Bedrock use the key on behalf of the caller (the caller's
 * own permission, narrowed with `kms:ViaService`), so they need no entry here.
 * Service principals are trusted directly only for this project's resources:
 * CloudWatch Logs for its log groups (the encryption context names the log
 * group), and the services listed in `serviceUses` (a trail, exported
 * findings) for theirs, on behalf of this account. The alert topic and its
 * dead-letter queue have a key of their own
 * (lib/threat-detection/alert-key.ts): AWS documents the services on that path
 * only with unconditioned key statements, which must open nothing but alerts.
 */
export class ProjectKey extends Construct {
  public readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: ProjectKeyProps) {
    super(scope, id);
    this.key = projectKmsKey(this, 'Key', {
      description: `Encrypts the data of ${Stack.of(this).stackName}`,
      alias: `alias/${props.aliasName}`,
      removalPolicy: props.removalPolicy,
    });

    if (props.logGroupNamePrefix) {
      const stack = Stack.of(this);
      this.key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'CloudWatchLogsForThisProjectsLogGroups',
          principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
          // No kms:DescribeKey: it carries no encryption context, so the
          // condition below could never allow it.
          actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'],
          resources: ['*'],
          conditions: {
            ArnLike: {
              'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:${props.logGroupNamePrefix}*`,
            },
          },
        }),
      );
    }

    for (const use of props.serviceUses ?? []) {
      this.allowServiceUse(use);
    }

    this.key.addToResourcePolicy(grantsOnlyForAwsResources());
  }

  /** Trust one AWS service to use the key for the named resources of this account only. */
  private allowServiceUse(use: ServiceKeyUse): void {
    const sourceAccount = use.sourceAccount ?? use.sourceArn !== undefined;
    if (!sourceAccount && !use.encryptionContext) {
      throw new Error(`${this.node.path}: key use ${use.sid} is narrowed neither by source nor by encryption context`);
    }
    const stack = Stack.of(this);
    const context = Object.entries(use.encryptionContext ?? {});
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: use.sid,
        principals: [new iam.ServicePrincipal(use.service)],
        actions: use.actions,
        resources: ['*'],
        conditions: {
          ...(sourceAccount ? { StringEquals: { 'aws:SourceAccount': stack.account } } : {}),
          ...(use.sourceArn ? { ArnLike: { 'aws:SourceArn': use.sourceArn } } : {}),
          ...(context.length > 0
            ? { StringLike: Object.fromEntries(context.map(([k, v]) => [`kms:EncryptionContext:${k}`, v])) }
            : {}),
          ...(use.encryptionContextKeys
            ? { 'ForAnyValue:StringEquals': { 'kms:EncryptionContextKeys': [...use.encryptionContextKeys] } }
            : {}),
        },
      }),
    );
  }
}

/**
 * A customer-managed key as every key of the project is made: rotated yearly
 * (rotation limits how much data one key version protects; old versions stay
 * usable for decryption, so it never breaks reads), removed with its stack
 * only when asked for, and then only scheduled for deletion: a destroyed
 * sandbox's key keeps the shortest window, a week to cancel a mistake.
 */
export function projectKmsKey(
  scope: Construct,
  id: string,
  props: { readonly description: string; readonly alias?: string; readonly removalPolicy?: RemovalPolicy },
): kms.Key {
  const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
  return new kms.Key(scope, id, {
    description: props.description,
    enableKeyRotation: true,
    alias: props.alias,
    removalPolicy,
    pendingWindow: removalPolicy === RemovalPolicy.DESTROY ? Duration.days(7) : Duration.days(30),
  });
}

/**
 * A grant is a second, policy-free path to a key. Only let grants be made for
 * AWS resources (S3, Bedrock and the like create them on the caller's behalf)
 * or by AWS services, never handed out directly by a person. Control Tower
 * proactive control CT.KMS.PR.3; every key of the project carries it.
 */
export function grantsOnlyForAwsResources(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'DenyGrantsExceptForAwsResources',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    conditions: {
      BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' },
    },
  });
}
