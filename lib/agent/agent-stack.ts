import {
  CfnDynamicReference,
  CfnDynamicReferenceService,
  CfnOutput,
  RemovalPolicy,
  Stack,
  type StackProps,
} from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { SecureBucket } from '../data-protection/secure-bucket';
import type { ModelTarget } from '../guarded-ai/model';
import { AGENT_AUDIT_PREFIX } from '../shared/agent-contract';
import { callerPolicy } from './caller-policy';
import { GuardedAgent } from './guarded-agent';
import { PlanStore } from './plan-store';
import { ToolExecutor } from './tool-executor';

export interface AgentStackProps extends StackProps {
  /** The model the agent plans with (the configured modelId). */
  readonly model: ModelTarget;
  /** The project guardrail (GuardedInvoke): its id, ARN and key. */
  readonly guardrail: { readonly id: string; readonly arn: string; readonly keyArn: string };
  /** The SSM parameter in which GuardedInvoke publishes the guardrail's version. */
  readonly guardrailVersionParameter: string;
  /** The project key: the agent, the store, the logs and the audit records. */
  readonly key: kms.IKey;
  readonly dataBucket: SecureBucket;
  readonly logRetention: logs.RetentionDays;
  /**
   * The isolated network to run the executor in, and the security group of
   * the X-Ray endpoint there (GuardedInvoke's).
   * @default - the Lambda-managed network
   */
  readonly isolation?: { readonly vpc: ec2.IVpc; readonly xrayEndpointSecurityGroup: ec2.ISecurityGroup };
  /**
   * Whether the store and the logs survive the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The guarded agent: a Bedrock agent behind the project guardrail whose tools
 * act only on the signed-in customer's own plan, only after a person
 * confirms a change, and leave an audit record of every call (docs/agent.md).
 *
 * Stateful: the customer-plan store (retained unless the sandbox is a
 * throwaway). Built on DataProtection (key, data bucket) and GuardedInvoke
 * (guardrail).
 */
export class AgentStack extends Stack {
  public readonly store: PlanStore;
  public readonly executor: ToolExecutor;
  public readonly guardedAgent: GuardedAgent;
  /** Attach to the trusted code that invokes the agent (the CallerPolicyArn output). */
  public readonly callerPolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: AgentStackProps) {
    super(scope, id, props);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.store = new PlanStore(this, 'Store', { key: props.key, removalPolicy, logRetention: props.logRetention });
    this.executor = new ToolExecutor(this, 'Tools', {
      table: this.store.table,
      key: props.key,
      auditBucket: props.dataBucket,
      logRetention: props.logRetention,
      removalPolicy,
      isolation: props.isolation,
    });
    this.guardedAgent = new GuardedAgent(this, 'Agent', {
      model: props.model,
      guardrail: {
        ...props.guardrail,
        version: new CfnDynamicReference(CfnDynamicReferenceService.SSM, props.guardrailVersionParameter).toString(),
      },
      key: props.key,
      executorArn: this.executor.function.functionArn,
    });
    this.executor.allowAgent(this.guardedAgent.agent.attrAgentArn);
    this.callerPolicy = callerPolicy(this, {
      aliasArn: this.guardedAgent.alias.attrAgentAliasArn,
      agentArn: this.guardedAgent.agent.attrAgentArn,
      key: props.key,
    });

    // What `npm run agent`, `npm run redteam -- --agent` and `npm run verify` read.
    new CfnOutput(this, 'AgentId', { value: this.guardedAgent.agent.attrAgentId });
    new CfnOutput(this, 'AgentAliasId', { value: this.guardedAgent.alias.attrAgentAliasId });
    new CfnOutput(this, 'CallerPolicyArn', { value: this.callerPolicy.managedPolicyArn });
    new CfnOutput(this, 'PlanTableName', { value: this.store.table.tableName });
    new CfnOutput(this, 'ExecutorFunctionName', { value: this.executor.function.functionName });
    new CfnOutput(this, 'AuditPrefix', { value: AGENT_AUDIT_PREFIX });
  }
}
