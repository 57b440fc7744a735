import * as path from 'node:path';
import { CustomResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeWildcardResource } from '../compliance/acknowledge';
import { CustomResourceProvider } from '../compliance/custom-resource-provider';
import { acknowledgeDeployTimeFunction, functionLogs, projectKeyLogGroup } from '../compliance/deploy-time-function';
import { esmBundling } from '../esm-bundling';
import { arnInAccount } from '../shared/names';

/** The log stream Bedrock writes invocation logs to, in the log group it is given. */
export const INVOCATION_LOG_STREAM = 'aws/bedrock/modelinvocations';
/** How long the handler may keep retrying a throttled or failing Bedrock call (well below the framework's 15 minutes). */
const HANDLER_TIMEOUT = Duration.minutes(2);

export interface ModelInvocationLoggingProps {
  readonly key: kms.IKey;
  /** The data bucket; Bedrock writes under `prefix` there (and large payloads under `prefix` too). */
  readonly bucket: s3.IBucket;
  readonly prefix: string;
  readonly logRetention: logs.RetentionDays;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Bedrock's own model-invocation logging (notes, monitoring and governance:
 * log every model call for audit and to spot misuse). It is one setting per
 * account and region with no CloudFormation resource, so a small custom
 * resource of ours (lambda/invocation-logging/) turns it on with this log group
 * and the data bucket as destinations, refuses to replace a configuration
 * someone else made, and removes only its own. aws-cdk-lib's Provider
 * framework answers CloudFormation for it.
 * https://docs.aws.amazon.com/bedrock/latest/userguide/model-invocation-logging.html
 */
export class ModelInvocationLogging extends Construct {
  public readonly logGroup: logs.LogGroup;
  /** The role Bedrock assumes to write to the log group. */
  public readonly deliveryRole: iam.Role;
  /** The handler's execution role. */
  public readonly providerRole: iam.Role;
  /** The onEvent handler: turns logging on and off. */
  public readonly handler: NodejsFunction;
  /** The Provider framework that answers CloudFormation for the handler. */
  public readonly framework: CustomResourceProvider;
  public readonly configuration: CustomResource;

  constructor(scope: Construct, id: string, props: ModelInvocationLoggingProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    // Full prompts and answers: encrypted with the project key, kept as long
    // as the operator chose for logs.
    this.logGroup = projectKeyLogGroup(this, 'Logs', {
      key: props.key,
      retention: props.logRetention,
      removalPolicy,
      whyShortRetentionIsEnough:
        'the same invocations are delivered to the data bucket too, where recordsRetentionDays applies.',
    });

    // Bedrock acts for this account's invocations only (AWS's documented trust).
    this.deliveryRole = new iam.Role(this, 'DeliveryRole', {
      description: 'Lets Bedrock write model-invocation logs to one log group',
      assumedBy: new iam.ServicePrincipal('bedrock.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': arnInAccount(stack, 'bedrock', '*') },
        },
      }),
    });
    const deliveryPolicy = new iam.ManagedPolicy(this, 'DeliveryPolicy', {
      roles: [this.deliveryRole],
      statements: [
        new iam.PolicyStatement({
          sid: 'WriteInvocationLogs',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [
            arnInAccount(stack, 'logs', `log-group:${this.logGroup.logGroupName}:log-stream:${INVOCATION_LOG_STREAM}`),
          ],
        }),
      ],
    });

    this.providerRole = new iam.Role(this, 'ProviderRole', {
      description: 'Runs the custom resource that turns Bedrock model-invocation logging on and off',
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    const providerLogs = functionLogs(
      this,
      { logGroup: 'ProviderLogs', policy: 'ProviderLogPolicy' },
      {
        role: this.providerRole,
        key: props.key,
        retention: props.logRetention,
        removalPolicy,
        whyShortRetentionIsEnough: 'it records only the configuration calls, which CloudTrail also records.',
      },
    );
    const providerPolicy = new iam.ManagedPolicy(this, 'ProviderPolicy', {
      roles: [this.providerRole],
      statements: [
        // The logging configuration is an account setting: these actions have
        // no resource type (Service Authorization Reference, Amazon Bedrock).
        new iam.PolicyStatement({
          sid: 'ConfigureInvocationLogging',
          actions: [
            'bedrock:GetModelInvocationLoggingConfiguration',
            'bedrock:PutModelInvocationLoggingConfiguration',
            'bedrock:DeleteModelInvocationLoggingConfiguration',
          ],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'HandTheDeliveryRoleToBedrockOnly',
          actions: ['iam:PassRole'],
          resources: [this.deliveryRole.roleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'bedrock.amazonaws.com' } },
        }),
      ],
    });
    acknowledgeWildcardResource(
      providerPolicy,
      '*',
      'The model-invocation logging configuration is one setting per account and region; its three actions accept only "*". The function is a deploy-time custom resource and can pass only the delivery role, only to Bedrock.',
    );

    this.handler = new NodejsFunction(this, 'Handler', {
      description: 'Bedrock model-invocation logging custom resource: onEvent (turns logging on and off)',
      entry: path.join(__dirname, '..', '..', 'lambda', 'invocation-logging', 'index.ts'),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: HANDLER_TIMEOUT,
      role: this.providerRole.withoutPolicyUpdates(),
      logGroup: providerLogs.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: { NODE_OPTIONS: '--enable-source-maps' },
      bundling: esmBundling('invocation-logging'),
    });
    this.handler.node.addDependency(providerLogs.policy, providerPolicy);
    acknowledgeDeployTimeFunction(
      this.handler.node.defaultChild as lambda.CfnFunction,
      'creates, updates or deletes the logging configuration (its role may configure logging and pass the delivery role to Bedrock)',
      'the Bedrock API',
    );

    this.framework = new CustomResourceProvider(this, 'Framework', {
      onEventHandler: this.handler,
      logGroup: providerLogs.logGroup,
      logPolicy: providerLogs.policy,
      job: 'turns model-invocation logging on or off (it invokes only the logging handler)',
      // The function that served the configuration before the framework.
      replacesFunction: 'Provider',
    });

    this.configuration = new CustomResource(this, 'Configuration', {
      resourceType: 'Custom::ModelInvocationLogging',
      serviceToken: this.framework.serviceToken,
      // The framework answers as soon as the handler returns, throws or times out.
      serviceTimeout: HANDLER_TIMEOUT.plus(Duration.minutes(1)),
      properties: {
        LogGroupName: this.logGroup.logGroupName,
        RoleArn: this.deliveryRole.roleArn,
        BucketName: props.bucket.bucketName,
        KeyPrefix: props.prefix.replace(/\/$/, ''),
      },
    });
    // Bedrock checks that it may write to the destinations when logging is turned on.
    this.configuration.node.addDependency(deliveryPolicy);
  }
}
