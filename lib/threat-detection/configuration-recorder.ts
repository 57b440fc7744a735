import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as config from 'aws-cdk-lib/aws-config';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledgeDeployTimeFunction, functionLogs } from '../compliance/deploy-time-function';
import { SecureBucket } from '../data-protection/secure-bucket';
import { awsCustomResourceProvider } from '../cdk-internals';
import { stopRecorderBeforeTeardown } from './recorder-teardown';

/** Prefix of the delivery bucket under which AWS Config writes (its own fixed layout follows). */
export const CONFIG_DELIVERY_PREFIX = 'config';

/** The service-linked role AWS Config records with. */
const SERVICE_LINKED_ROLE = 'aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig';

export interface ConfigurationRecorderProps {
  /** Encrypts delivered configuration snapshots and history, and the provider's log group. */
  readonly key: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  readonly accessLogs: s3.IBucket;
  readonly noncurrentVersionRetention: Duration;
  /** Whether the delivery bucket (the recorded history) survives the stack. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * AWS Config: a recorded inventory of every resource and how its
 * configuration changed (notes, security chapter: governance needs to know
 * what exists and how it is configured). Security Hub's controls are Config
 * rules, so without a recorder most of them never evaluate.
 * https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-setup-prereqs.html
 *
 * Records every supported resource type, global ones (IAM) included, as they
 * change, and delivers history to an SSE-KMS bucket of this stack. Config
 * allows one recorder per account and region: an account that has one uses
 * `configRecorder=existing`.
 *
 * It records with Config's service-linked role, which AWS maintains with the
 * read permissions of every resource type (the alternative is AWS's managed
 * policy, which the project does not use). That role exists once per account;
 * a custom resource creates it when missing and leaves it in place.
 */
export class ConfigurationRecorder extends Construct {
  public readonly recorder: config.CfnConfigurationRecorder;
  public readonly deliveryChannel: config.CfnDeliveryChannel;
  public readonly bucket: SecureBucket;

  constructor(scope: Construct, id: string, props: ConfigurationRecorderProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const roleArn = `arn:${stack.partition}:iam::${stack.account}:role/${SERVICE_LINKED_ROLE}`;

    this.bucket = new SecureBucket(this, 'Delivery', {
      encryption: {
        kind: 'kms',
        key: props.key,
        // Config's own path: its deliveries are never refused for their
        // headers, whichever principal Config delivers as (no page shows them).
        kmsWithoutKeyIdKeys: [`${CONFIG_DELIVERY_PREFIX}/AWSLogs/${stack.account}/Config/*`],
      },
      serverAccessLogs: { bucket: props.accessLogs, prefix: 'config/' },
      noncurrentVersionRetention: props.noncurrentVersionRetention,
      objectLockOmittedReason:
        'configuration history is a copy of what Config can re-deliver as snapshots; versioning and the RETAIN policy keep it, and a sandbox must be able to delete the bucket.',
      removalPolicy: props.removalPolicy,
    });
    const bucket = this.bucket.bucket;
    // The bucket policy AWS Config documents, for this account only.
    // https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-policy.html
    const configService = new iam.ServicePrincipal('config.amazonaws.com');
    const fromThisAccount = { StringEquals: { 'aws:SourceAccount': stack.account } };
    bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'ConfigChecksTheBucket',
        principals: [configService],
        actions: ['s3:GetBucketAcl', 's3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: fromThisAccount,
      }),
    );
    bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'ConfigDeliversForThisAccount',
        principals: [configService],
        actions: ['s3:PutObject'],
        resources: [bucket.arnForObjects(`${CONFIG_DELIVERY_PREFIX}/AWSLogs/${stack.account}/Config/*`)],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account, 's3:x-amz-acl': 'bucket-owner-full-control' },
        },
      }),
    );

    const setup = this.ensureServiceLinkedRole(roleArn, props);
    const serviceLinkedRole = setup.resource;

    this.recorder = new config.CfnConfigurationRecorder(this, 'Recorder', {
      roleArn,
      recordingGroup: { allSupported: true, includeGlobalResourceTypes: true },
      // Change-triggered Security Hub controls evaluate on each recorded change.
      recordingMode: { recordingFrequency: 'CONTINUOUS' },
    });

    this.deliveryChannel = new config.CfnDeliveryChannel(this, 'DeliveryChannel', {
      s3BucketName: bucket.bucketName,
      s3KeyPrefix: CONFIG_DELIVERY_PREFIX,
      s3KmsKeyArn: props.key.keyArn,
      configSnapshotDeliveryProperties: { deliveryFrequency: 'TwentyFour_Hours' },
    });
    // No ordering between recorder and channel: CloudFormation finishes the
    // recorder only once a channel exists, so a channel that waited for the
    // recorder would deadlock both (https://github.com/aws/aws-cdk/issues/9001).
    // Both wait for the role and for the bucket policy Config checks.
    for (const resource of [this.recorder, this.deliveryChannel]) {
      resource.node.addDependency(serviceLinkedRole);
      if (bucket.policy) resource.node.addDependency(bucket.policy);
    }
    // The recorder holds no data (the bucket does): removing it with the stack
    // means a failed first deployment leaves nothing behind that blocks the retry.
    this.recorder.applyRemovalPolicy(RemovalPolicy.DESTROY);
    this.deliveryChannel.applyRemovalPolicy(RemovalPolicy.DESTROY);
    stopRecorderBeforeTeardown(this, {
      recorder: this.recorder,
      deliveryChannel: this.deliveryChannel,
      role: setup.role,
    });
  }

  /**
   * Create Config's service-linked role unless the account has it. IAM answers
   * InvalidInput ("has been taken") when it exists, which is success here; on
   * deletion the role stays, since other Config users in the account may rely on it.
   */
  private ensureServiceLinkedRole(
    roleArn: string,
    props: ConfigurationRecorderProps,
  ): { resource: cr.AwsCustomResource; role: iam.Role } {
    // The role of the stack's AwsCustomResource function, which makes both of
    // this construct's setup calls (the role here, the stop on teardown).
    const role = new iam.Role(this, 'ServiceLinkedRoleCreator', {
      description:
        "Creates AWS Config's service-linked role when the account has none, and stops the recorder before teardown",
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    const logs = functionLogs(
      this,
      { logGroup: 'ServiceLinkedRoleCreatorLogs', policy: 'ServiceLinkedRoleCreatorLogPolicy' },
      {
        role,
        key: props.key,
        retention: props.logRetention,
        removalPolicy: props.removalPolicy,
        whyShortRetentionIsEnough: 'it records one IAM call per deployment, which CloudTrail also records.',
      },
    );
    const policy = new iam.ManagedPolicy(this, 'ServiceLinkedRoleCreatorPolicy', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          sid: 'CreateConfigsServiceLinkedRoleOnly',
          actions: ['iam:CreateServiceLinkedRole'],
          resources: [roleArn],
          conditions: { StringEquals: { 'iam:AWSServiceName': 'config.amazonaws.com' } },
        }),
      ],
    });
    const create: cr.AwsSdkCall = {
      service: 'IAM',
      action: 'createServiceLinkedRole',
      parameters: { AWSServiceName: 'config.amazonaws.com' },
      physicalResourceId: cr.PhysicalResourceId.of(roleArn),
      ignoreErrorCodesMatching: 'InvalidInput',
    };
    const resource = new cr.AwsCustomResource(this, 'ServiceLinkedRole', {
      resourceType: 'Custom::ConfigServiceLinkedRole',
      onCreate: create,
      onUpdate: create,
      role,
      logGroup: logs.logGroup,
      timeout: Duration.minutes(2),
      installLatestAwsSdk: false,
    });
    resource.node.addDependency(policy, logs.policy);
    // CDK's provider is one function per stack, shared by every AwsCustomResource
    // of the stack (this one and the recorder stop of recorder-teardown.ts),
    // with the role above.
    const provider = awsCustomResourceProvider(Stack.of(this));
    if (provider) {
      acknowledgeDeployTimeFunction(provider, 'creates the service-linked role', 'IAM (CreateServiceLinkedRole)');
      Validations.of(provider).acknowledge({
        id: 'Serverless-LambdaDefaultMemorySize',
        reason: 'CDK-owned provider that makes one IAM call per deployment; the default memory is ample for it.',
      });
    }
    return { resource, role };
  }
}
