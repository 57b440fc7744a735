import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { alarmName } from '../shared/names';
import { anyOfMetrics } from './any-of-metrics';
import {
  INVOCATION_LOG_DELIVERY_FAILURES,
  invocationLogDeliveryMetric,
  queueDepth,
  ruleDelivery,
  type ServiceMetrics,
} from './service-metrics';

/** The runbook every alarm links to; each alarm id is a heading there (test/docs checks it). */
export const RUNBOOK = 'docs/runbook.md';

/** Alarm ids, which are also the runbook's anchors. */
export const ALARM_IDS = [
  'server-error-rate',
  'throttles',
  'latency-near-timeout',
  'guardrail-interventions',
  'audit-write-failures',
  'token-budget',
  'alert-dead-letter-failures',
  'dead-letters',
  'scan-result-delivery-failures',
  'invocation-log-delivery-failures',
] as const;
export type AlarmId = (typeof ALARM_IDS)[number];

/** Guardrail interventions above this share of requests (in 15 minutes, with at least 10 requests) page someone. */
export const GUARDRAIL_INTERVENTION_PERCENT = 20;
/** Server errors above this share of requests (in 5 minutes, with at least 5 requests). */
export const SERVER_ERROR_PERCENT = 5;

export interface OperationalAlarmsProps {
  readonly metrics: ServiceMetrics;
  /** Where alarms go: the alert topic, so operations and security reach the same person. */
  readonly topic: sns.ITopic;
  /** How long the function waits for Bedrock before giving up. */
  readonly answerTimeout: Duration;
  /** Input plus output tokens per day. */
  readonly dailyTokenBudget: number;
  /** The alert rules of the threat-detection stack (fixed names). */
  readonly alertRuleNames: readonly string[];
  /** Dead-letter queues whose every message needs a person (fixed names). */
  readonly deadLetterQueueNames: readonly string[];
  /**
   * The ingestion stack's scan-result rule (fixed name), when there is one.
   * @default - no knowledge base, no such rule
   */
  readonly scanResultRuleName?: string;
  /**
   * Whether this app turned Bedrock model-invocation logging on (and so owns its delivery).
   * @default false
   */
  readonly invocationLogging?: boolean;
}

/**
 * Alarms that reach a person (notes, monitoring: metrics are only useful if
 * someone is told when they go wrong). Each is named `<stack>-<id>`, which the
 * alert topic's policy admits, says what to check first, and links to its
 * section of docs/runbook.md. OK notifications go to the same topic, so the
 * person also learns when it is over.
 *
 * Every part of a metric-math expression is FILLed with 0: a metric with no
 * datapoint in a period (no throttle of one kind, no failure of one rule)
 * would otherwise leave the whole expression without a value, and the alarm
 * would never fire.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html
 */
export class OperationalAlarms extends Construct {
  public readonly alarms: Partial<Record<AlarmId, cloudwatch.Alarm>> = {};

  constructor(scope: Construct, id: string, props: OperationalAlarmsProps) {
    super(scope, id);
    const m = props.metrics;
    const five = Duration.minutes(5);
    const action = new cloudwatchActions.SnsAction(props.topic);

    const add = (
      alarmId: AlarmId,
      what: string,
      firstCheck: string,
      options: Omit<cloudwatch.AlarmProps, 'alarmName' | 'alarmDescription'>,
    ) => {
      const alarm = new cloudwatch.Alarm(this, alarmId, {
        alarmName: alarmName(Stack.of(this).stackName, alarmId),
        alarmDescription: `${what} First check: ${firstCheck} Runbook: ${RUNBOOK}#${alarmId}`,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        ...options,
      });
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      this.alarms[alarmId] = alarm;
    };

    const requests = m.invoke('Invocations');
    add(
      'server-error-rate',
      `More than ${SERVER_ERROR_PERCENT} % of requests failed on the server side (5xx) in 5 minutes.`,
      'the invoke function log for "bedrock call failed" and the error code.',
      {
        metric: new cloudwatch.MathExpression({
          expression: 'IF(FILL(requests, 0) >= 5, 100 * FILL(errors, 0) / requests, 0)',
          usingMetrics: { requests, errors: m.invoke('ServerErrors') },
          period: five,
          label: 'server error %',
        }),
        threshold: SERVER_ERROR_PERCENT,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
      },
    );
    add(
      'throttles',
      'Requests were throttled: by Lambda (concurrency) or by Bedrock (the model quota, after the SDK retried), answered with 429.',
      'which of the two in the dashboard row "Throttles", then the account quotas.',
      {
        metric: new cloudwatch.MathExpression({
          // The function's own count of 429s from Bedrock: AWS/Bedrock's
          // InvocationThrottles is per ModelId, and AWS does not document
          // which id an inference-profile call is recorded under.
          expression: 'FILL(lambda, 0) + FILL(upstream, 0)',
          usingMetrics: { lambda: m.lambda('Throttles'), upstream: m.invoke('Throttled') },
          period: five,
          label: 'throttled requests',
        }),
        threshold: 5,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
      },
    );
    const nearTimeout = Math.round(props.answerTimeout.toMilliseconds() * 0.8);
    add(
      'latency-near-timeout',
      `The slowest 1 % of answers took more than ${nearTimeout} ms, 80 % of the time the function waits for Bedrock.`,
      'Bedrock InvocationLatency in the dashboard (the model) against the function Latency (everything else).',
      {
        metric: m.invoke('Latency', 'p99'),
        threshold: nearTimeout,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
      },
    );
    const fifteen = Duration.minutes(15);
    add(
      'guardrail-interventions',
      `The guardrail intervened in more than ${GUARDRAIL_INTERVENTION_PERCENT} % of at least 10 requests in 15 minutes: an attack, or a policy that blocks real users.`,
      'the audit records of the period (guardrail.policies says which policy) before changing the guardrail.',
      {
        metric: new cloudwatch.MathExpression({
          expression: 'IF(FILL(requests, 0) >= 10, 100 * FILL(interventions, 0) / requests, 0)',
          usingMetrics: {
            requests: m.invoke('Invocations', 'Sum', fifteen),
            interventions: m.invoke('GuardrailInterventions', 'Sum', fifteen),
          },
          period: fifteen,
          label: 'guardrail intervention %',
        }),
        threshold: GUARDRAIL_INTERVENTION_PERCENT,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
      },
    );
    add(
      'audit-write-failures',
      'An audit record could not be written to the data bucket: an answer went out without its record.',
      'the invoke function log for "audit record not written" (AccessDenied: bucket or key policy; otherwise S3).',
      {
        metric: m.invoke('AuditWriteFailures'),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
      },
    );
    const day = Duration.days(1);
    add(
      'token-budget',
      `More than ${props.dailyTokenBudget} input and output tokens in a day (dailyTokenBudget). Requests are still answered.`,
      'who holds the invoker policy (aws iam list-entities-for-policy) and what the audit records of the day show.',
      {
        metric: new cloudwatch.MathExpression({
          expression: 'FILL(input, 0) + FILL(output, 0)',
          usingMetrics: {
            input: m.invoke('InputTokens', 'Sum', day),
            output: m.invoke('OutputTokens', 'Sum', day),
          },
          period: day,
          label: 'tokens per day',
        }),
        threshold: props.dailyTokenBudget,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
      },
    );
    const anyOf = (metrics: readonly cloudwatch.IMetric[], label: string) =>
      anyOfMetrics(this.node.path, metrics, label);
    // An alert EventBridge gives up on (FailedInvocations: "invocations that
    // failed permanently") goes to the rule's dead-letter queue, whose depth
    // the dead-letters alarm watches, or fails to get there
    // (InvocationsFailedToBeSentToDlq), which this alarm watches. Between the
    // two every lost or parked alert pages someone, so an alarm on
    // FailedInvocations as well would bill one alarm metric per rule for no
    // alert the other two miss.
    // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html
    // It notifies the alert topic itself: a broken alert key or topic silences
    // it too, which only `npm run verify` can rule out (docs/threat-detection.md,
    // "The alert path").
    if (props.alertRuleNames.length > 0) {
      add(
        'alert-dead-letter-failures',
        'EventBridge could not put an undeliverable security alert in the dead-letter queue either: the alert is lost.',
        "the dead-letter queue's policy and the alert key policy, then each finding service's console for the findings of the period.",
        anyOf(
          props.alertRuleNames.map((name) => ruleDelivery('InvocationsFailedToBeSentToDlq', name)),
          'alerts lost (dead-letter queue unreachable)',
        ),
      );
    }
    if (props.deadLetterQueueNames.length > 0) {
      add(
        'dead-letters',
        'A message is waiting in the alert dead-letter queue: a security alert that never reached the topic.',
        'the dashboard row "Delivery", then read the message (aws sqs receive-message) and handle the finding by hand.',
        anyOf(props.deadLetterQueueNames.map(queueDepth), 'dead-lettered messages'),
      );
    }
    // A scan result EventBridge gives up on is dead-lettered into the
    // promotion dead-letter queue, which the ingestion stack's
    // promotion-failures alarm watches; only one it could not dead-letter
    // either is lost without a trace, so that is the one metric read here.
    if (props.scanResultRuleName) {
      add(
        'scan-result-delivery-failures',
        'EventBridge could neither deliver a malware scan result to the promotion queue nor put it in the promotion dead-letter queue: that document is never promoted, and nothing else records it.',
        "the promotion dead-letter queue's policy and the alert key policy (the key of both queues), then the ingestion stack's promotion-failures alarm.",
        anyOf(
          [ruleDelivery('InvocationsFailedToBeSentToDlq', props.scanResultRuleName)],
          'scan results lost (dead-letter queue unreachable)',
        ),
      );
    }
    if (props.invocationLogging) {
      add(
        'invocation-log-delivery-failures',
        'Bedrock failed to deliver model-invocation logs (CloudWatch Logs, S3, or large bodies to S3): the audit trail of model calls has a gap.',
        "which destination in the dashboard row \"Delivery\", then the log group's key policy and the delivery role (CloudWatch), or the data bucket's and project key's statements for bedrock.amazonaws.com (S3).",
        anyOf(
          INVOCATION_LOG_DELIVERY_FAILURES.map((name) => invocationLogDeliveryMetric(name)),
          'failed invocation-log deliveries',
        ),
      );
    }
  }
}
