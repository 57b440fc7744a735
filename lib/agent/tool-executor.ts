import * as path from 'node:path';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeWildcardResource } from '../compliance/acknowledge';
import { acknowledgeFunctionFindings } from '../compliance/function-findings';
import { projectKeyLogGroup } from '../compliance/deploy-time-function';
import type { SecureBucket } from '../data-protection/secure-bucket';
import { esmBundling } from '../esm-bundling';
import { lambdaVpcAccessStatement } from '../network/lambda-vpc-access';
import { AGENT_AUDIT_PREFIX, type AgentToolsEnvironment } from '../shared/agent-contract';
import { tableKeyStatement } from './table-key';

export interface ToolExecutorProps {
  readonly table: dynamodb.ITable;
  /** The project key: the table, the logs and the audit records. */
  readonly key: kms.IKey;
  /** Audit records go under AGENT_AUDIT_PREFIX of this bucket. */
  readonly auditBucket: SecureBucket;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  /**
   * Run in this VPC's isolated subnets, reaching DynamoDB and S3 through
   * their gateway endpoints and X-Ray through the endpoint of the invoke
   * function, whose security group is given.
   * @default - the Lambda-managed network
   */
  readonly isolation?: { readonly vpc: ec2.IVpc; readonly xrayEndpointSecurityGroup: ec2.ISecurityGroup };
}

/**
 * The Lambda function that carries out the agent's tool calls.
 *
 * Notes, agents and security: a tool must not trust what the model asks of
 * it. The executor decides, in code the model cannot change, whose record a
 * call may touch (the session's customer, set by trusted code), whether every
 * parameter is allowed, and whether a person confirmed a write
 * (lambda/agent-tools/). Its role can read and update items of this table
 * only (no Scan or Query: no tool lists customers), use the key only through
 * it, and write audit records under one prefix.
 */
export class ToolExecutor extends Construct {
  public readonly function: NodejsFunction;
  public readonly role: iam.Role;
  public readonly policy: iam.ManagedPolicy;
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ToolExecutorProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.logGroup = projectKeyLogGroup(this, 'Logs', {
      key: props.key,
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
      whyShortRetentionIsEnough:
        'every tool call is also an audit record in the data bucket, kept for recordsRetentionDays.',
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: "Agent tool executor: the customer's own plan item, one audit prefix.",
    });
    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      description: 'Everything the agent tool executor may do.',
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({
          sid: 'ReadAndChangeOnePlanAtATime',
          actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
          resources: [props.table.tableArn],
        }),
        tableKeyStatement(stack, props.key, props.table),
        ...props.auditBucket.prefixWriteStatements(AGENT_AUDIT_PREFIX),
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
        ...(props.isolation ? [lambdaVpcAccessStatement()] : []),
      ],
    });
    acknowledgeWildcardResource(
      this.policy,
      props.auditBucket.bucket.arnForObjects(`${AGENT_AUDIT_PREFIX}*`),
      'The wildcard is the object-key suffix under the one audit prefix the executor may write; it cannot read, list or write elsewhere.',
    );
    acknowledgeWildcardResource(
      this.policy,
      this.logGroup.logGroupArn,
      'The ":*" suffix of a log group ARN covers its log streams, whose names Lambda chooses; no other log group is reachable.',
    );
    acknowledgeWildcardResource(
      this.policy,
      '*',
      props.isolation
        ? 'X-Ray PutTraceSegments/PutTelemetryRecords have no resource type; the network-interface actions are granted on "*" as the Lambda guide requires (a scoped DeleteNetworkInterface can cut the function off its VPC).'
        : 'X-Ray PutTraceSegments/PutTelemetryRecords have no resource type: the API accepts only "*".',
    );
    const securityGroup = props.isolation && this.isolate(props.isolation);

    const environment: AgentToolsEnvironment = {
      TABLE_NAME: props.table.tableName,
      AUDIT_BUCKET: props.auditBucket.bucket.bucketName,
      AUDIT_PREFIX: AGENT_AUDIT_PREFIX,
      AUDIT_KMS_KEY_ARN: props.key.keyArn,
    };
    this.function = new NodejsFunction(this, 'Function', {
      description: "Carries out the agent's tool calls on the signed-in customer's own plan.",
      entry: path.join(__dirname, '..', '..', 'lambda', 'agent-tools', 'index.ts'),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      // A read or one conditional update, and an audit record.
      timeout: Duration.seconds(15),
      role: this.role.withoutPolicyUpdates(),
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      tracing: lambda.Tracing.ACTIVE,
      vpc: props.isolation?.vpc,
      vpcSubnets: props.isolation ? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } : undefined,
      securityGroups: securityGroup ? [securityGroup] : undefined,
      environment: {
        ...environment,
        POWERTOOLS_SERVICE_NAME: 'agent-tools',
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: esmBundling('agent-tools'),
    });
    this.function.node.addDependency(this.policy);
    acknowledgeExecutorFindings(this.function, props.isolation !== undefined);
  }

  /** HTTPS out to the gateway endpoints (S3, DynamoDB) and into the X-Ray endpoint. */
  private isolate(isolation: NonNullable<ToolExecutorProps['isolation']>): ec2.SecurityGroup {
    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: isolation.vpc,
      description: 'Agent tool executor: HTTPS to its endpoints only',
      allowAllOutbound: false,
    });
    // Gateway endpoints have no security group and their prefix lists cannot
    // be resolved without a lookup; the isolated subnets' only non-local
    // routes are those endpoints, so HTTPS "anywhere" reaches S3 and DynamoDB
    // (each narrowed by its endpoint policy) and nothing else.
    securityGroup.addEgressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(443),
      'HTTPS to S3 and DynamoDB through the gateway endpoints',
    );
    // In this stack, not the endpoint's: GuardedInvoke is deployed first and
    // cannot name a security group of a stack built on it.
    new ec2.CfnSecurityGroupIngress(this, 'XRayEndpointIngress', {
      groupId: isolation.xrayEndpointSecurityGroup.securityGroupId,
      sourceSecurityGroupId: securityGroup.securityGroupId,
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      description: 'HTTPS from the agent tool executor',
    });
    return securityGroup;
  }

  /**
   * Let Bedrock invoke the function for this agent only, in this account: the
   * resource policy AWS documents for action-group functions.
   * https://docs.aws.amazon.com/bedrock/latest/userguide/agents-permissions.html#agents-permissions-lambda
   */
  public allowAgent(agentArn: string): void {
    this.function.addPermission('InvokedByTheAgent', {
      principal: new iam.ServicePrincipal('bedrock.amazonaws.com'),
      action: 'lambda:InvokeFunction',
      sourceArn: agentArn,
      sourceAccount: Stack.of(this).account,
    });
  }
}

function acknowledgeExecutorFindings(fn: NodejsFunction, inVpc: boolean): void {
  acknowledgeFunctionFindings(fn.node.defaultChild as lambda.CfnFunction, {
    deadLetterQueue:
      'Invoked only synchronously, by the Bedrock agent during a turn: a dead-letter queue applies to asynchronous invocations, which this function never receives. A failed call is answered to the agent and written as an audit record.',
    reservedConcurrency:
      'No reservation: Lambda refuses one that leaves fewer than 100 unreserved executions, which fails the deployment in new accounts. Calls are bounded by the agent (at most a few tool calls per turn, enforced by the executor) and by who may invoke the agent alias.',
    inVpc,
    outsideVpc:
      "Runs on the Lambda-managed network: it calls only DynamoDB (one table), S3 (one prefix) and X-Ray, each limited by IAM; the table's items are fictional customers of the sandbox. isolatedNetwork=true runs it in the VPC, where this finding is fixed rather than acknowledged.",
  });
}
