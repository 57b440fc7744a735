import * as path from 'node:path';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { acknowledgeWildcardResource } from '../compliance/acknowledge';
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
import { acknowledgeInvokeFunctionFindings } from './invoke-acknowledgements';
import { invokePermissions } from './invoke-permissions';
import { invokerPolicy } from './invoker-policy';
import { modelArns, type ModelTarget } from './model';
import { type InvokeEnvironment, RECORDS_PREFIX } from '../shared/invoke-contract';

/** Longest a single answer may take; the handler gives up on Bedrock a little earlier. */
const FUNCTION_TIMEOUT = Duration.seconds(120);
const BEDROCK_TIMEOUT_MS = 110_000;

export interface InvokeFunctionProps {
  readonly model: ModelTarget;
  /** The guardrail, with the key it is encrypted with. */
  readonly guardrail: Guardrail;
  /** The project key: the function's logs and audit records. */
  readonly key: kms.IKey;
  /** Audit records go to this bucket under `auditPrefix`; omit to switch auditing off. */
  readonly auditBucket?: SecureBucket;
  /** @default "records/" */
  readonly auditPrefix?: string;
  readonly maxTokensCap: number;
  /**
   * An OpenTelemetry span per AWS SDK call, under the invocation's trace
   * (lambda/invoke/tracing.ts); Lambda's active tracing is on either way.
   * @default false - the OpenTelemetry SDK stays out of the cold start
   */
  readonly inCodeSpans?: boolean;
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
  /**
   * The knowledge base requests may ask to be grounded in, and the most
   * passages one request may ask for.
   * @default - no retrieval: requests asking for it get a 400
   */
  readonly knowledgeBase?: KnowledgeBaseAccess;
}

/** The knowledge base the function may retrieve from. */
export interface KnowledgeBaseAccess {
  readonly id: string;
  readonly arn: string;
  readonly resultsCap: number;
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
    ...(props.knowledgeBase
      ? {
          KNOWLEDGE_BASE_ID: props.knowledgeBase.id,
          RETRIEVAL_RESULTS_CAP: String(props.knowledgeBase.resultsCap),
        }
      : {}),
    ...(props.inCodeSpans ? { IN_CODE_SPANS: 'true' as const } : {}),
  };
}

/**
 * The guarded invoke function: Bedrock Converse through a guardrail, behind an
 * IAM-authenticated, response-streaming Function URL.
 *
 * Its role carries one customer-managed policy and nothing else, so every
 * permission it has is in one place and proven by test/guarded-ai/least-privilege.spec.ts.
 */
export class InvokeFunction extends Construct {
  public readonly function: NodejsFunction;
  public readonly functionUrl: lambda.FunctionUrl;
  public readonly role: iam.Role;
  public readonly policy: iam.ManagedPolicy;
  /** Attach to people and pipelines that may call the function URL (and nothing else). */
  public readonly invokerPolicy: iam.ManagedPolicy;
  public readonly logGroup: logs.LogGroup;
  /** How long the handler waits for Bedrock before it gives up (a little less than the function timeout). */
  public readonly answerTimeout = Duration.millis(BEDROCK_TIMEOUT_MS);
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

    const { statements, wildcards } = invokePermissions(Stack.of(this), props, this.logGroup.logGroupArn, auditPrefix);
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
      // Without in-code spans the OpenTelemetry SDK is left out of the bundle
      // altogether (lambda/invoke/index.ts reads IN_CODE_SPANS once).
      bundling: esmBundling('invoke', props.inCodeSpans ? {} : { 'process.env.IN_CODE_SPANS': '"false"' }),
    });
    // The function must not start before its permissions exist.
    this.function.node.addDependency(this.policy);

    this.functionUrl = this.function.addFunctionUrl({
      // Every caller signs with SigV4 and needs the invoker policy below.
      authType: lambda.FunctionUrlAuthType.AWS_IAM,
      invokeMode: lambda.InvokeMode.RESPONSE_STREAM,
    });

    this.invokerPolicy = invokerPolicy(this, this.function);

    acknowledgeInvokeFunctionFindings(this, props);
  }

  /** Security groups and interface endpoints for running in the isolated network. */
  private isolate(
    props: InvokeFunctionProps,
    vpc: ec2.IVpc,
  ): { securityGroup: ec2.SecurityGroup; endpoints: InvokeEndpoints } {
    const { profileArn, foundationModelArns, customModelArns } = modelArns(Stack.of(this), props.model);
    const endpoints = new InvokeEndpoints(this, 'Endpoints', {
      vpc,
      modelArns: [...(profileArn ? [profileArn] : []), ...foundationModelArns, ...(customModelArns ?? [])],
      guardrailArn: props.guardrail.guardrailArn,
      knowledgeBaseArn: props.knowledgeBase?.arn,
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
}
