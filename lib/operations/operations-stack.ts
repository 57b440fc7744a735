import { CfnOutput, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ModelInvocationLogging } from './model-invocation-logging';
import { OperationalAlarms } from './operational-alarms';
import { ServiceDashboard, type TokenPrices } from './service-dashboard';
import { ServiceMetrics } from './service-metrics';

export interface OperationsStackProps extends StackProps {
  /** The guarded invoke function: its name, model, log group and how long it waits for Bedrock. */
  readonly invoke: {
    readonly functionName: string;
    readonly modelId: string;
    readonly logGroupName: string;
    readonly answerTimeout: Duration;
  };
  /** @default - tokens without a cost estimate */
  readonly tokenPrices?: TokenPrices;
  readonly dailyTokenBudget: number;
  /** The alert topic: alarms reach the same person as security findings. */
  readonly alertTopic: sns.ITopic;
  readonly alertRuleNames: readonly string[];
  readonly alertDeadLetterQueueName: string;
  /** @default - no knowledge-base rows, no scan-result alarm */
  readonly knowledge?: { readonly promotionFunctionName: string; readonly scanResultRuleName: string };
  /**
   * Turn Bedrock model-invocation logging on, to a log group of this stack and the data bucket.
   * @default - logging left as the account has it
   */
  readonly invocationLogging?: {
    readonly key: kms.IKey;
    readonly bucket: s3.IBucket;
    readonly prefix: string;
    readonly logRetention: logs.RetentionDays;
    readonly removalPolicy: RemovalPolicy;
  };
}

/**
 * Operating the service: a dashboard, alarms that page the same person as a
 * security finding, and (when asked for) Bedrock's own model-invocation logs.
 * Stateless apart from the invocation log group; built on every other stack.
 */
export class OperationsStack extends Stack {
  public readonly alarms: OperationalAlarms;
  public readonly dashboard: ServiceDashboard;
  public readonly invocationLogging?: ModelInvocationLogging;

  constructor(scope: Construct, id: string, props: OperationsStackProps) {
    super(scope, id, props);
    const metrics = new ServiceMetrics({ functionName: props.invoke.functionName, modelId: props.invoke.modelId });
    this.alarms = new OperationalAlarms(this, 'Alarms', {
      metrics,
      topic: props.alertTopic,
      answerTimeout: props.invoke.answerTimeout,
      dailyTokenBudget: props.dailyTokenBudget,
      alertRuleNames: props.alertRuleNames,
      deadLetterQueueNames: [props.alertDeadLetterQueueName],
      scanResultRuleName: props.knowledge?.scanResultRuleName,
      invocationLogging: props.invocationLogging !== undefined,
    });
    this.dashboard = new ServiceDashboard(this, 'Dashboard', {
      metrics,
      modelId: props.invoke.modelId,
      tokenPrices: props.tokenPrices,
      invokeLogGroupName: props.invoke.logGroupName,
      alertRuleNames: props.alertRuleNames,
      deadLetterQueueNames: [props.alertDeadLetterQueueName],
      knowledge: props.knowledge,
      invocationLogging: props.invocationLogging !== undefined,
      alarms: Object.values(this.alarms.alarms),
    });

    if (props.invocationLogging) {
      this.invocationLogging = new ModelInvocationLogging(this, 'InvocationLogging', props.invocationLogging);
      new CfnOutput(this, 'InvocationLogGroupName', { value: this.invocationLogging.logGroup.logGroupName });
    }

    new CfnOutput(this, 'DashboardName', { value: this.dashboard.dashboard.dashboardName });
    new CfnOutput(this, 'AlarmNames', {
      value: Object.values(this.alarms.alarms)
        .map((a) => a.alarmName)
        .join(','),
    });
  }
}
