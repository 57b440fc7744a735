import { CfnOutput, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { RECORDS_PREFIX } from '../shared/data-layout';
import type { SecureBucket } from '../data-protection/secure-bucket';
import { EnforcedGuardrail, guardrailUserPolicy } from './enforced-guardrail';
import { type FilterStrength, Guardrail } from './guardrail';
import { GuardrailKey } from './guardrail-key';
import { InvokeFunction, type KnowledgeBaseAccess } from './invoke-function';
import type { ModelTarget } from './model';

export interface GuardedInvokeStackProps extends StackProps {
  /** The Bedrock model or inference profile the function calls. */
  readonly model: ModelTarget;
  /** Strength of the guardrail's content filters. */
  readonly filterStrength: FilterStrength;
  /** Contextual grounding threshold, for requests with a grounding source. */
  readonly groundingThreshold: number;
  /** Contextual relevance threshold, for requests with a grounding source. */
  readonly relevanceThreshold: number;
  /** Largest maxTokens a request may ask for. */
  readonly maxTokensCap: number;
  /**
   * OpenTelemetry spans for the invoke function's AWS SDK calls.
   * @default false
   */
  readonly inCodeSpans?: boolean;
  /**
   * Reserved concurrency of the function (an opt-in cost cap).
   * @default - no reservation
   */
  readonly reservedConcurrency?: number;
  readonly logRetention: logs.RetentionDays;
  /**
   * Write an audit record of every invocation to the data bucket.
   * @default true
   */
  readonly auditRecords?: boolean;
  /**
   * Whether the function's log group and the guardrail's key survive the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /** The project key: the function's logs and audit records (never the guardrail, which has a key of its own). */
  readonly key: kms.IKey;
  readonly dataBucket: SecureBucket;
  /**
   * The isolated network to run the function in.
   * @default - the Lambda-managed network
   */
  readonly vpc?: ec2.IVpc;
  /**
   * The knowledge base requests may be grounded in (the knowledge stack's).
   * @default - no retrieval
   */
  readonly knowledgeBase?: KnowledgeBaseAccess;
  /**
   * Enforce the guardrail's published version on every Bedrock inference call
   * in the account and region (not only this app's).
   * @default false
   */
  readonly enforcedGuardrail?: boolean;
  /**
   * Bare model IDs left out of enforcement (the knowledge base's embedding
   * model when there is one); used only with enforcedGuardrail.
   * @default - none: every model is guarded
   */
  readonly enforcedGuardrailExcludedModels?: readonly string[];
  /**
   * Publish the guardrail's version under this SSM parameter name, for the
   * agent stack (names.ts, guardrailVersionParameter).
   * @default - not published
   */
  readonly guardrailVersionParameter?: string;
}

/**
 * Guarded generative AI: a Bedrock guardrail and the streaming invoke function
 * that can only reach its model through it.
 *
 * Stateless apart from its logs and the guardrail's key (both retained by
 * default), so it can be destroyed and redeployed freely; the data it produces
 * (audit records) lives in the data-protection stack.
 */
export class GuardedInvokeStack extends Stack {
  public readonly guardrail: Guardrail;
  /** Encrypts the guardrail and nothing else. */
  public readonly guardrailKey: GuardrailKey;
  public readonly invoke: InvokeFunction;
  /** What every Bedrock caller of the account needs once the guardrail is enforced (always built). */
  public readonly guardrailUserPolicy: iam.ManagedPolicy;
  /** Account-wide enforcement of the guardrail, when enforcedGuardrail is on. */
  public readonly enforcedGuardrail?: EnforcedGuardrail;

  constructor(scope: Construct, id: string, props: GuardedInvokeStackProps) {
    super(scope, id, props);
    const auditRecords = props.auditRecords ?? true;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.guardrailKey = new GuardrailKey(this, 'GuardrailKey', { removalPolicy });
    this.guardrail = new Guardrail(this, 'Guardrail', {
      encryptionKey: this.guardrailKey.key,
      filterStrength: props.filterStrength,
      groundingThreshold: props.groundingThreshold,
      relevanceThreshold: props.relevanceThreshold,
    });

    this.invoke = new InvokeFunction(this, 'Invoke', {
      model: props.model,
      guardrail: this.guardrail,
      key: props.key,
      auditBucket: auditRecords ? props.dataBucket : undefined,
      auditPrefix: RECORDS_PREFIX,
      maxTokensCap: props.maxTokensCap,
      inCodeSpans: props.inCodeSpans,
      reservedConcurrency: props.reservedConcurrency,
      logRetention: props.logRetention,
      removalPolicy,
      vpc: props.vpc,
      knowledgeBase: props.knowledgeBase,
    });

    // What `npm run ask`, `npm run preflight` and `npm run verify` read after deployment.
    new CfnOutput(this, 'FunctionUrl', { value: this.invoke.functionUrl.url });
    new CfnOutput(this, 'GuardrailId', { value: this.guardrail.guardrailId });
    new CfnOutput(this, 'GuardrailVersion', { value: this.guardrail.versionNumber });
    new CfnOutput(this, 'InvokerPolicyArn', { value: this.invoke.invokerPolicy.managedPolicyArn });
    new CfnOutput(this, 'ModelId', { value: props.model.modelId });
    new CfnOutput(this, 'AuditRecords', { value: String(auditRecords) });
    // npm run verify looks up the function's traces (in-code-spans).
    new CfnOutput(this, 'FunctionName', { value: this.invoke.function.functionName });
    new CfnOutput(this, 'InCodeSpans', { value: String(props.inCodeSpans ?? false) });
    new CfnOutput(this, 'LogGroupName', { value: this.invoke.logGroup.logGroupName });

    // Exported whether or not a stack imports them now. The Agent stack
    // (agent setting) does; were the exports to go with the setting, turning
    // it off would fail this stack's update while the deployed Agent stack
    // still imports them.
    this.exportValue(this.guardrail.guardrailId);
    if (this.invoke.isolation) this.exportValue(this.invoke.isolation.endpoints.securityGroup.securityGroupId);

    if (props.guardrailVersionParameter) {
      new ssm.StringParameter(this, 'GuardrailVersionParameter', {
        parameterName: props.guardrailVersionParameter,
        stringValue: this.guardrail.versionNumber,
        description: 'The published guardrail version the agent stack applies.',
      });
    }

    const userPolicy = guardrailUserPolicy(this, this.guardrail);
    this.guardrailUserPolicy = userPolicy;
    new CfnOutput(this, 'EnforcedGuardrailUserPolicyArn', {
      value: userPolicy.managedPolicyArn,
      description:
        'Attach to every role that calls Bedrock in this account and region before enforcedGuardrail=create.',
    });
    if (props.enforcedGuardrail) {
      // Here, not in a stack of its own: the configuration must name the
      // version this stack publishes, so a new version is enforced in the
      // same deployment. The invoke function's role already has what the
      // user policy grants (ApplyGuardrail on the guardrail, Decrypt on its key).
      this.enforcedGuardrail = new EnforcedGuardrail(this, 'EnforcedGuardrail', {
        guardrail: this.guardrail,
        excludedModels: props.enforcedGuardrailExcludedModels ?? [],
        userPolicy,
      });
      new CfnOutput(this, 'EnforcedGuardrailConfigId', { value: this.enforcedGuardrail.configuration.attrConfigId });
    }
  }
}
