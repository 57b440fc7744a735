import { CfnOutput, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { ProjectConfig } from '../config';
import { RECORDS_PREFIX } from '../data-protection/data-protection-stack';
import type { SecureBucket } from '../data-protection/secure-bucket';
import { Guardrail } from './guardrail';
import { InvokeFunction } from './invoke-function';
import { modelTarget } from './model';

export interface GuardedInvokeStackProps extends StackProps {
  readonly config: Pick<
    ProjectConfig,
    | 'modelId'
    | 'guardrailFilterStrength'
    | 'groundingThreshold'
    | 'relevanceThreshold'
    | 'maxTokensCap'
    | 'invokeReservedConcurrency'
    | 'logRetentionDays'
    | 'auditRecords'
    | 'removalPolicy'
  >;
  readonly key: kms.IKey;
  readonly dataBucket: SecureBucket;
  /**
   * The isolated network to run the function in.
   * @default - the Lambda-managed network
   */
  readonly vpc?: ec2.IVpc;
}

/**
 * Guarded generative AI: a Bedrock guardrail and the streaming invoke function
 * that can only reach its model through it.
 *
 * Stateless apart from logs, so it can be destroyed and redeployed freely; the
 * data it produces (audit records) lives in the data-protection stack.
 */
export class GuardedInvokeStack extends Stack {
  public readonly guardrail: Guardrail;
  public readonly invoke: InvokeFunction;

  constructor(scope: Construct, id: string, props: GuardedInvokeStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.guardrail = new Guardrail(this, 'Guardrail', {
      encryptionKey: props.key,
      filterStrength: config.guardrailFilterStrength,
      groundingThreshold: config.groundingThreshold,
      relevanceThreshold: config.relevanceThreshold,
    });

    this.invoke = new InvokeFunction(this, 'Invoke', {
      model: modelTarget(config.modelId),
      guardrail: this.guardrail,
      key: props.key,
      auditBucket: config.auditRecords ? props.dataBucket : undefined,
      auditPrefix: RECORDS_PREFIX,
      maxTokensCap: config.maxTokensCap,
      reservedConcurrency: config.invokeReservedConcurrency > 0 ? config.invokeReservedConcurrency : undefined,
      logRetention: config.logRetentionDays as logs.RetentionDays,
      removalPolicy: config.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      vpc: props.vpc,
    });

    // What `npm run ask`, `npm run preflight` and `npm run verify` read after deployment.
    new CfnOutput(this, 'FunctionUrl', { value: this.invoke.functionUrl.url });
    new CfnOutput(this, 'GuardrailId', { value: this.guardrail.guardrailId });
    new CfnOutput(this, 'GuardrailVersion', { value: this.guardrail.versionNumber });
    new CfnOutput(this, 'InvokerPolicyArn', { value: this.invoke.invokerPolicy.managedPolicyArn });
    new CfnOutput(this, 'ModelId', { value: config.modelId });
    new CfnOutput(this, 'AuditRecords', { value: String(config.auditRecords) });
    new CfnOutput(this, 'LogGroupName', { value: this.invoke.logGroup.logGroupName });
  }
}
