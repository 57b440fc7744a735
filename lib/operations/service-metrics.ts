import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/**
 * The metrics the operations stack reads, in one place so that the dashboard
 * and the alarms agree on every name, dimension and statistic.
 *
 * The invoke function publishes its own through Powertools' embedded metric
 * format: namespace GuardedGenAi, dimension service=guarded-invoke
 * (lambda/invoke/index.ts). Lambda, Bedrock, EventBridge and SQS publish theirs
 * under AWS/...:
 * https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html
 * https://docs.aws.amazon.com/bedrock/latest/userguide/monitoring.html
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html
 */
export const INVOKE_NAMESPACE = 'GuardedGenAi';
export const INVOKE_SERVICE = 'guarded-invoke';

export type InvokeMetricName =
  | 'Invocations'
  | 'Latency'
  | 'ClientErrors'
  | 'ServerErrors'
  | 'GuardrailInterventions'
  | 'InputTokens'
  | 'OutputTokens'
  | 'AuditWriteFailures'
  | 'Throttled'
  | 'RetrievalLatency'
  | 'RetrievedPassages';

export interface ServiceMetricsProps {
  readonly functionName: string;
  /** The model id the function calls: Bedrock's own metrics are per ModelId. */
  readonly modelId: string;
}

/** Metrics of the guarded invoke service. */
export class ServiceMetrics {
  constructor(private readonly props: ServiceMetricsProps) {}

  /** One of the function's own metrics. */
  public invoke(
    name: InvokeMetricName,
    statistic = name === 'Latency' || name === 'RetrievalLatency' ? 'p50' : 'Sum',
    period = Duration.minutes(5),
  ): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: INVOKE_NAMESPACE,
      metricName: name,
      dimensionsMap: { service: INVOKE_SERVICE },
      statistic,
      period,
    });
  }

  /** A metric Lambda publishes for the invoke function. */
  public lambda(name: 'Invocations' | 'Errors' | 'Throttles' | 'ConcurrentExecutions', statistic = 'Sum') {
    return new cloudwatch.Metric({
      namespace: 'AWS/Lambda',
      metricName: name,
      dimensionsMap: { FunctionName: this.props.functionName },
      statistic: name === 'ConcurrentExecutions' ? 'Maximum' : statistic,
      period: Duration.minutes(5),
    });
  }

  /** A metric Bedrock publishes for the configured model. */
  public bedrock(
    name:
      'Invocations' | 'InvocationLatency' | 'InvocationThrottles' | 'InvocationClientErrors' | 'InvocationServerErrors',
    statistic = 'Sum',
  ) {
    return new cloudwatch.Metric({
      namespace: 'AWS/Bedrock',
      metricName: name,
      dimensionsMap: { ModelId: this.props.modelId },
      statistic,
      period: Duration.minutes(5),
    });
  }
}

/**
 * A delivery metric of an EventBridge rule on the default bus (the RuleName
 * dimension alone): `FailedInvocations`, deliveries that failed for good, and
 * `InvocationsFailedToBeSentToDlq`, failed deliveries the rule could not put
 * in its dead-letter queue either (lost for good).
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html
 */
export function ruleDelivery(
  metricName: 'FailedInvocations' | 'InvocationsFailedToBeSentToDlq',
  ruleName: string,
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/Events',
    metricName,
    dimensionsMap: { RuleName: ruleName },
    statistic: 'Sum',
    period: Duration.minutes(5),
  });
}

/** Failed deliveries of an EventBridge rule (the alerts' rules, the scan-result rule). */
export function ruleFailures(ruleName: string): cloudwatch.Metric {
  return ruleDelivery('FailedInvocations', ruleName);
}

/**
 * Bedrock's model-invocation log deliveries that failed, per destination.
 * "For each delivery success or failure attempt, the following Amazon
 * CloudWatch metrics are emitted under the namespace AWS/Bedrock, and Across
 * all model IDs dimension": no dimension, account-wide for the region.
 * https://docs.aws.amazon.com/bedrock/latest/userguide/monitoring.html
 * https://docs.aws.amazon.com/bedrock/latest/userguide/monitoring-runtime-metrics.html
 */
export const INVOCATION_LOG_DELIVERY_FAILURES = [
  'ModelInvocationLogsCloudWatchDeliveryFailure',
  'ModelInvocationLogsS3DeliveryFailure',
  'ModelInvocationLargeDataS3DeliveryFailure',
] as const;

export function invocationLogDeliveryMetric(
  metricName: (typeof INVOCATION_LOG_DELIVERY_FAILURES)[number] | 'ModelInvocationLogsCloudWatchDeliverySuccess',
): cloudwatch.Metric {
  return new cloudwatch.Metric({ namespace: 'AWS/Bedrock', metricName, statistic: 'Sum', period: Duration.minutes(5) });
}

/** Messages waiting in a queue (a dead-letter queue should have none). */
export function queueDepth(queueName: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/SQS',
    metricName: 'ApproximateNumberOfMessagesVisible',
    dimensionsMap: { QueueName: queueName },
    statistic: 'Maximum',
    period: Duration.minutes(5),
  });
}
