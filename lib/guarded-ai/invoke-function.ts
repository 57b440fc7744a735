import * as path from 'node:path';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { acknowledgeProjectKeyLogGroup, acknowledgeWildcardResource } from '../compliance/acknowledge';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { esmBundling } from '../esm-bundling';
import type { SecureBucket } from '../data-protection/secure-bucket';
import type { Guardrail } from './guardrail';
import { InvokeEndpoints } from './invoke-endpoints';
import { modelArns, type ModelTarget } from './model';
import { type InvokeEnvironment, RECORDS_PREFIX } from '../shared/invoke-contract';

/** Longest a single answer may take; the handler gives up on Bedrock a little earlier. */
const FUNCTION_TIMEOUT = Duration.seconds(120);
const BEDROCK_TIMEOUT_MS = 110_000;

export interface InvokeFunctionProps {
  readonly model: ModelTarget;
  readonly guardrail: Guardrail;
  readonly key: kms.IKey;
  /** Audit records go to this bucket under `auditPrefix`; omit to switch auditing off. */
  readonly auditBucket?: SecureBucket;
  /** @default "records/" */
  readonly auditPrefix?: string;
  readonly maxTokensCap: number;
  /**
   * Reserve this many concurrent executions: an opt-in cap on cost and on
   * model denial of service. Lambda refuses a reservation that would leave
   * fewer than 100 unreserved executions in the account, so new accounts
   * (often limited to 10) cannot afford any.
   * https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
   * @default - no reservation: the function shares the account's pool
   */
  readonly reservedConcurrency?: number;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  /**
   * Run in this VPC's isolated subnets, reaching AWS only through endpoints.
   * @default - the Lambda-managed network
   */
  readonly vpc?: ec2.IVpc;
}

/** What the handler reads (lib/shared/invoke-contract.ts), from the construct's props. */
function invokeEnvironment(props: InvokeFunctionProps, auditPrefix: string): InvokeEnvironment {
  return {
    MODEL_ID: props.model.modelId,
    MODEL_FAMILY: props.model.family,
    GUARDRAIL_ARN: props.guardrail.guardrailArn,
    GUARDRAIL_VERSION: props.guardrail.versionNumber,
    MAX_TOKENS_CAP: String(props.maxTokensCap),
    INVOKE_TIMEOUT_MS: String(BEDROCK_TIMEOUT_MS),
    ...(props.auditBucket
      ? {
          AUDIT_BUCKET: props.auditBucket.bucket.bucketName,
          AUDIT_PREFIX: auditPrefix,
          AUDIT_KMS_KEY_ARN: props.key.keyArn,
        }
      : {}),
  };
}

/**
 * The guarded invoke function: Bedrock Converse through a guardrail, behind an
 * IAM-authenticated, response-streaming Function URL.
 *
 * Its role carries one customer-managed policy and nothing else, so every
 * permission it has is in one place and proven by test/guarded-ai/least-privilege.test.ts.
 */
export class InvokeFunction extends Construct {
  public readonly function: NodejsFunction;
  public readonly functionUrl: lambda.FunctionUrl;
  public readonly role: iam.Role;
  public readonly policy: iam.ManagedPolicy;
  /** Attach to people and pipelines that may call the function URL (and nothing else). */
  public readonly invokerPolicy: iam.ManagedPolicy;
  public readonly logGroup: logs.LogGroup;
  /** The function's security group and endpoints, in isolated-network mode. */
  public readonly isolation?: { readonly securityGroup: ec2.SecurityGroup; readonly endpoints: InvokeEndpoints };

  constructor(scope: Construct, id: string, props: InvokeFunctionProps) {
    super(scope, id);
    const auditPrefix = props.auditPrefix ?? RECORDS_PREFIX;

    // Encrypted with the project key (the key policy lets CloudWatch Logs use
    // it for this project's log groups only); retention bounds what is kept.
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      encryptionKey: props.key,
      removalPolicy: props.removalPolicy,
    });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Guarded invoke function: one model, one guardrail, one audit prefix.',
    });
    this.isolation = props.vpc ? this.isolate(props, props.vpc) : undefined;

    const { statements, wildcards } = this.permissions(props, auditPrefix);
    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      description: 'Everything the guarded invoke function may do.',
      roles: [this.role],
      statements,
    });
    for (const [resource, reason] of wildcards) {
      acknowledgeWildcardResource(this.policy, resource, reason);
    }

    this.function = new NodejsFunction(this, 'Function', {
      description: 'Invokes a Bedrock model through a guardrail, streaming the answer.',
      entry: path.join(__dirname, '..', '..', 'lambda', 'invoke', 'index.ts'),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      // Graviton: cheaper per GB-second for the same work.
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      timeout: FUNCTION_TIMEOUT,
      // Opt-in cap on cost and on model denial of service (OWASP LLM04): at
      // most this many answers at once. Off by default so a new account's
      // small concurrency quota does not fail the deployment.
      reservedConcurrentExecutions: props.reservedConcurrency,
      // Immutable: CDK must not append statements (X-Ray, logs) to an inline
      // default policy; the managed policy above already has them.
      role: this.role.withoutPolicyUpdates(),
      vpc: props.vpc,
      vpcSubnets: props.vpc ? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } : undefined,
      securityGroups: this.isolation ? [this.isolation.securityGroup] : undefined,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      tracing: lambda.Tracing.ACTIVE,
      environment: {
        ...invokeEnvironment(props, auditPrefix),
        POWERTOOLS_SERVICE_NAME: 'guarded-invoke',
        POWERTOOLS_METRICS_NAMESPACE: 'GuardedGenAi',
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: esmBundling('invoke'),
    });
    // The function must not start before its permissions exist.
    this.function.node.addDependency(this.policy);

    this.functionUrl = this.function.addFunctionUrl({
      // Every caller signs with SigV4 and needs the invoker policy below.
      authType: lambda.FunctionUrlAuthType.AWS_IAM,
      invokeMode: lambda.InvokeMode.RESPONSE_STREAM,
    });

    this.invokerPolicy = new iam.ManagedPolicy(this, 'InvokerPolicy', {
      description: 'Call the guarded invoke function URL, and no other function.',
      statements: [
        new iam.PolicyStatement({
          sid: 'CallThisFunctionUrl',
          actions: ['lambda:InvokeFunctionUrl'],
          resources: [this.function.functionArn],
          conditions: { StringEquals: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' } },
        }),
        // Since October 2025 a function URL call also needs InvokeFunction;
        // the condition keeps it to calls made through the URL.
        new iam.PolicyStatement({
          sid: 'InvokeOnlyThroughTheUrl',
          actions: ['lambda:InvokeFunction'],
          resources: [this.function.functionArn],
          conditions: { Bool: { 'lambda:InvokedViaFunctionUrl': 'true' } },
        }),
      ],
    });

    this.acknowledgeFunctionFindings(props);
  }

  /** Security groups and interface endpoints for running in the isolated network. */
  private isolate(
    props: InvokeFunctionProps,
    vpc: ec2.IVpc,
  ): { securityGroup: ec2.SecurityGroup; endpoints: InvokeEndpoints } {
    const { profileArn, foundationModelArns } = modelArns(Stack.of(this), props.model);
    const endpoints = new InvokeEndpoints(this, 'Endpoints', {
      vpc,
      modelArns: profileArn ? [profileArn, ...foundationModelArns] : foundationModelArns,
      guardrailArn: props.guardrail.guardrailArn,
    });
    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: 'Guarded invoke function: HTTPS to its endpoints and S3 only',
      allowAllOutbound: false,
    });
    securityGroup.connections.allowTo(endpoints.securityGroup, ec2.Port.tcp(443), 'HTTPS to the interface endpoints');
    // S3 goes through the gateway endpoint, which has no security group and
    // whose prefix-list ID CloudFormation cannot resolve without a lookup.
    // The isolated subnets' only non-local route is that endpoint, so HTTPS
    // "anywhere" reaches S3 (for this project's objects, by endpoint policy)
    // and nothing else.
    securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to S3 through the gateway endpoint');
    return { securityGroup, endpoints };
  }

  /** The function's permissions, and the reason for each wildcard resource among them. */
  private permissions(
    props: InvokeFunctionProps,
    auditPrefix: string,
  ): { statements: iam.PolicyStatement[]; wildcards: [string, string][] } {
    const stack = Stack.of(this);
    const wildcards: [string, string][] = [
      [
        '*',
        props.vpc
          ? 'X-Ray PutTraceSegments/PutTelemetryRecords have no resource type; the network-interface actions are granted on "*" as the Lambda guide requires (a scoped DeleteNetworkInterface can cut the function off its VPC).'
          : 'X-Ray PutTraceSegments/PutTelemetryRecords have no resource type: the API accepts only "*".',
      ],
    ];
    const { profileArn, foundationModelArns } = modelArns(stack, props.model);
    const withThisGuardrail = { 'bedrock:GuardrailIdentifier': props.guardrail.guardrailIdentifierForVersion };
    const statements = [
      // Converse/ConverseStream are authorised as InvokeModel/InvokeModelWithResponseStream.
      // Only the configured model, and only with our guardrail's published version.
      new iam.PolicyStatement({
        sid: 'InvokeTheModelWithTheGuardrail',
        actions: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
        resources: profileArn ? [profileArn] : foundationModelArns,
        conditions: { StringEquals: withThisGuardrail },
      }),
      // Using a guardrail in Converse is authorised as ApplyGuardrail on it.
      new iam.PolicyStatement({
        sid: 'ApplyTheGuardrail',
        actions: ['bedrock:ApplyGuardrail'],
        resources: [props.guardrail.guardrailArn],
      }),
      // The guardrail's configuration is encrypted with the project key. AWS
      // documents a plain kms:Decrypt on the key for roles that use an
      // encrypted guardrail, with no kms:ViaService value to rely on; the role
      // can fetch no object or log to decrypt, so the key alone reveals nothing.
      // https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-permissions-kms.html
      new iam.PolicyStatement({
        sid: 'ReadTheEncryptedGuardrail',
        actions: ['kms:Decrypt'],
        resources: [props.key.keyArn],
      }),
      // The log group's Arn attribute ends in ":*", which covers its own log
      // streams (Lambda names them) and nothing outside the group.
      new iam.PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
      new iam.PolicyStatement({
        sid: 'SendTraces',
        actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
        resources: ['*'],
      }),
    ];
    if (profileArn) {
      // Behind an inference profile, the request reaches the foundation model
      // in one of the profile's regions: allowed only through this profile.
      statements.splice(
        1,
        0,
        new iam.PolicyStatement({
          sid: 'InvokeTheModelThroughTheProfile',
          actions: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
          resources: foundationModelArns,
          conditions: { StringEquals: { 'bedrock:InferenceProfileArn': profileArn, ...withThisGuardrail } },
        }),
      );
      wildcards.push([
        foundationModelArns[0],
        'An inference profile routes to this one foundation model in any region of its geography (a list that changes over time); the bedrock:InferenceProfileArn condition allows it only through our profile.',
      ]);
    }
    if (props.vpc) {
      // What Lambda needs to attach the function to the VPC, in the form the
      // Lambda guide documents: on "*". It warns that a DeleteNetworkInterface
      // scoped by condition or pattern can leave the function unable to reach
      // the VPC. Which VPC, subnets and security groups a function may use is
      // narrowed where AWS documents it: the deployer's lambda:VpcIds,
      // lambda:SubnetIds and lambda:SecurityGroupIds conditions.
      // https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html
      statements.push(
        new iam.PolicyStatement({
          sid: 'AttachToTheVpc',
          actions: [
            'ec2:CreateNetworkInterface',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeSubnets',
            'ec2:DeleteNetworkInterface',
            'ec2:AssignPrivateIpAddresses',
            'ec2:UnassignPrivateIpAddresses',
          ],
          resources: ['*'],
        }),
      );
    }
    if (props.auditBucket) {
      statements.push(...props.auditBucket.prefixWriteStatements(auditPrefix));
      wildcards.push([
        props.auditBucket.bucket.arnForObjects(`${auditPrefix}*`),
        'The wildcard is the object-key suffix under the one audit prefix the function may write; it cannot read, list or write elsewhere.',
      ]);
    }
    return { statements, wildcards };
  }

  private acknowledgeFunctionFindings(props: InvokeFunctionProps): void {
    const fn = this.function.node.defaultChild as lambda.CfnFunction;
    const ack = (scope: Construct, id: string, reason: string) => Validations.of(scope).acknowledge({ id, reason });
    const noDlq =
      'Invoked only synchronously, through its function URL: a dead-letter queue applies to asynchronous invocations, which this function never receives. Failures are returned to the caller and logged with the request id.';
    for (const id of ['NIST.800.53.R5-LambdaDLQ', 'HIPAA.Security-LambdaDLQ', 'Serverless-LambdaDLQ'])
      ack(fn, id, noDlq);
    if (props.reservedConcurrency === undefined) {
      const noReservation =
        'No reservation by default: Lambda refuses one that leaves fewer than 100 unreserved executions, which fails the deployment in new accounts with a quota of 10. Cost and load stay bounded by maxTokensCap, request size limits and Bedrock quotas; invokeReservedConcurrency turns the cap on.';
      for (const id of ['NIST.800.53.R5-LambdaConcurrency', 'HIPAA.Security-LambdaConcurrency'])
        ack(fn, id, noReservation);
    }
    if (props.vpc) {
      // CT.LAMBDA.PR.3
      ack(
        fn,
        'cdk-validator-cfnguard::lambda_inside_vpc_check',
        'The function IS in the isolated VPC (VpcConfig with subnets and security group, asserted by the stack tests); the subnet IDs come from the data-protection stack as cross-stack references, which the Guard rule cannot resolve.',
      );
      return this.acknowledgeLogGroup(props);
    }
    const noVpc =
      "Runs on the Lambda-managed network: it calls only Bedrock, S3 and X-Ray, each limited by IAM to this project's model, guardrail and bucket prefix. isolatedNetwork=true runs it in a VPC with no internet route, where this finding is fixed rather than acknowledged; it is off by default because its interface endpoints cost money every hour.";
    for (const id of [
      'NIST.800.53.R5-LambdaInsideVPC',
      'HIPAA.Security-LambdaInsideVPC',
      'PCI.DSS.321-LambdaInsideVPC',
      // CT.LAMBDA.PR.3
      'cdk-validator-cfnguard::lambda_inside_vpc_check',
    ]) {
      ack(fn, id, noVpc);
    }
    this.acknowledgeLogGroup(props);
  }

  private acknowledgeLogGroup(props: InvokeFunctionProps): void {
    acknowledgeProjectKeyLogGroup(
      this.logGroup,
      props.logRetention,
      'audit records of every invocation are kept in the data bucket for recordsRetentionDays.',
    );
  }
}
