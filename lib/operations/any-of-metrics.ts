import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/**
 * Alarm settings for "any one of these metrics at 1 or more in 5 minutes":
 * the FILLed sum of the metrics (a metric with no datapoint would otherwise
 * leave the expression without a value). An alarm on a math expression reads
 * at most 10 metrics, a hard limit, so more fail the synthesis, not the
 * deployment.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-limits.html
 *
 * One metric alone is a plain metric alarm (missing data not breaching, as
 * every alarm here has): the same decision, and an alarm that lists its
 * metric directly, which CloudWatch's free allowance of ten alarm metrics
 * certainly covers (docs/cost.md, assumption cloudwatch-free-alarm-metrics).
 */
export function anyOfMetrics(
  path: string,
  metrics: readonly cloudwatch.IMetric[],
  label: string,
): Omit<cloudwatch.AlarmProps, 'alarmName' | 'alarmDescription'> {
  if (metrics.length > 10) {
    throw new Error(`${path}: "${label}" would read ${metrics.length} metrics; an alarm reads at most 10`);
  }
  const threshold = {
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
  };
  if (metrics.length === 1) return { metric: metrics[0], ...threshold };
  const usingMetrics = Object.fromEntries(metrics.map((metric, i) => [`m${i}`, metric]));
  return {
    metric: new cloudwatch.MathExpression({
      expression: Object.keys(usingMetrics)
        .map((k) => `FILL(${k}, 0)`)
        .join(' + '),
      usingMetrics,
      period: Duration.minutes(5),
      label,
    }),
    ...threshold,
  };
}
