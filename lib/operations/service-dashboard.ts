import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import {
  INVOCATION_LOG_DELIVERY_FAILURES,
  invocationLogDeliveryMetric,
  queueDepth,
  ruleDelivery,
  ruleFailures,
  type ServiceMetrics,
} from './service-metrics';
import { GUARDRAIL_INTERVENTION_PERCENT, RUNBOOK, SERVER_ERROR_PERCENT } from './operational-alarms';

/** Token prices of the configured model, per million tokens, when docs/prices.json knows them. */
export interface TokenPrices {
  readonly inputPerMillion: number;
  readonly outputPerMillion: number;
}

export interface ServiceDashboardProps {
  readonly metrics: ServiceMetrics;
  readonly modelId: string;
  /** @default - tokens shown without a cost estimate */
  readonly tokenPrices?: TokenPrices;
  /** The invoke function's log group, for errors by code (Logs Insights over its JSON lines). */
  readonly invokeLogGroupName: string;
  readonly alertRuleNames: readonly string[];
  readonly deadLetterQueueNames: readonly string[];
  /** The knowledge base's rows, when there is one. */
  readonly knowledge?: { readonly promotionFunctionName: string; readonly scanResultRuleName: string };
  /**
   * Whether this app turned Bedrock model-invocation logging on: its delivery is shown.
   * @default false
   */
  readonly invocationLogging?: boolean;
  /** The alarms, shown at the top. */
  readonly alarms: readonly cloudwatch.IAlarm[];
}

const WIDE = 24;
const HALF = 12;
const THIRD = 8;
const graph = (title: string, left: cloudwatch.IMetric[], width = THIRD, right?: cloudwatch.IMetric[]) =>
  new cloudwatch.GraphWidget({ title, left, right, width, height: 6 });

/**
 * One dashboard for the app (notes, monitoring: one place to see whether the
 * service is healthy, whether the guardrail fires more than usual, and what it
 * costs). Rows top to bottom: the alarms, traffic and errors, the guardrail,
 * tokens and cost, delivery of alerts, and the knowledge base.
 */
export class ServiceDashboard extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ServiceDashboardProps) {
    super(scope, id);
    const m = props.metrics;
    const hour = Duration.hours(1);
    // Named by CloudFormation: the stack's DashboardName output says which it is.
    this.dashboard = new cloudwatch.Dashboard(this, 'Resource', { defaultInterval: Duration.hours(24) });

    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        width: WIDE,
        height: 5,
        markdown: [
          '# Guarded generative AI: how the service is doing',
          '**Alarms** each link to their section of the runbook (' + RUNBOOK + ').',
          `**Traffic and errors**: requests, latency p50/p90/p99, client (4xx) and server (5xx) errors. Normal: server errors near zero (alarm above ${SERVER_ERROR_PERCENT} %), p99 a few seconds; 4xx are callers' mistakes (bad JSON, too long) and guardrail refusals are not errors.`,
          `**Guardrail**: interventions and their share of requests. Normal: a few per cent; above ${GUARDRAIL_INTERVENTION_PERCENT} % is an attack or a policy that blocks real users. The audit records say which policy.`,
          `**Tokens and cost**: input and output tokens of ${props.modelId}${props.tokenPrices ? ' and their estimated cost per hour (list prices, docs/prices.json)' : ' (no price known for this model)'}.`,
          '**Delivery**: alert rules that failed to deliver, dead-lettered alerts, audit records not written' +
            (props.knowledge ? ', scan results not delivered to the promotion queue' : '') +
            (props.invocationLogging ? ', model-invocation logs Bedrock failed to deliver' : '') +
            '. Normal: zero, always.',
          "**Guardrails of the account** (Bedrock's own metrics, every guardrail and caller, the account-wide enforcement included): calls and interventions per guardrail version.",
          ...(props.knowledge
            ? [
                '**Knowledge base**: retrieval latency, passages per request, and errors of the promotion function that feeds the index. Normal: retrieval well under a second; promotion errors zero.',
              ]
            : []),
        ].join('\n\n'),
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms], width: WIDE, height: 3 }),
    );

    const requests = m.invoke('Invocations');
    this.dashboard.addWidgets(
      graph('Requests', [requests, m.lambda('ConcurrentExecutions')]),
      graph('Latency (ms)', [m.invoke('Latency', 'p50'), m.invoke('Latency', 'p90'), m.invoke('Latency', 'p99')]),
      graph('Errors', [m.invoke('ClientErrors'), m.invoke('ServerErrors'), m.lambda('Errors')]),
    );
    this.dashboard.addWidgets(
      new cloudwatch.LogQueryWidget({
        title: 'Errors by status and code (invoke function log)',
        logGroupNames: [props.invokeLogGroupName],
        queryLines: [
          'fields status, error',
          'filter message = "invocation" and status >= 400',
          'stats count(*) as requests by status, error',
          'sort requests desc',
        ],
        width: HALF,
        height: 6,
      }),
      graph('Throttles', [m.lambda('Throttles'), m.invoke('Throttled'), m.bedrock('InvocationThrottles')], HALF),
    );

    const interventions = m.invoke('GuardrailInterventions');
    this.dashboard.addWidgets(
      graph('Guardrail interventions', [interventions], HALF),
      graph(
        'Guardrail intervention rate (%)',
        [
          new cloudwatch.MathExpression({
            expression: '100 * interventions / requests',
            usingMetrics: { interventions, requests },
            label: 'interventions per 100 requests',
          }),
        ],
        HALF,
      ),
    );

    // Bedrock's own guardrail metrics, per guardrail and version: they count
    // every caller's use, not only this function's (with the account-wide
    // enforcement on, the other callers' interventions show here and nowhere
    // else). Namespace, metric and dimension names as AWS documents them
    // ("Choose the AWS/Bedrock/Guardrails namespace"; dimensions
    // "GuardrailArn, GuardrailVersion"); a SEARCH, because the version is a
    // number of another stack and the other guardrails are not ours to name.
    // https://docs.aws.amazon.com/bedrock/latest/userguide/monitoring-guardrails-cw-metrics.html
    const guardrailSearch = (metricName: string, label: string) =>
      new cloudwatch.SearchExpression({
        expression: `SEARCH('{AWS/Bedrock/Guardrails,GuardrailArn,GuardrailVersion} MetricName="${metricName}"', 'Sum', 300)`,
        label,
        period: Duration.minutes(5),
      });
    this.dashboard.addWidgets(
      graph(
        'Guardrails of the account: calls and interventions (AWS/Bedrock/Guardrails)',
        [guardrailSearch('InvocationsIntervened', 'interventions')],
        WIDE,
        [guardrailSearch('Invocations', 'calls')],
      ),
    );

    const input = m.invoke('InputTokens', 'Sum', hour);
    const output = m.invoke('OutputTokens', 'Sum', hour);
    const tokenWidgets: cloudwatch.IWidget[] = [graph('Tokens per hour', [input, output], HALF)];
    if (props.tokenPrices) {
      tokenWidgets.push(
        graph(
          'Estimated model cost per hour (USD)',
          [
            new cloudwatch.MathExpression({
              expression: `(input * ${props.tokenPrices.inputPerMillion} + output * ${props.tokenPrices.outputPerMillion}) / 1000000`,
              usingMetrics: { input, output },
              period: hour,
              label: 'USD per hour (list price)',
            }),
          ],
          HALF,
        ),
      );
    }
    this.dashboard.addWidgets(...tokenWidgets);

    this.dashboard.addWidgets(
      graph(
        'Delivery: failed alert deliveries and dead letters',
        props.alertRuleNames.map((name) => ruleFailures(name).with({ label: name })),
        HALF,
        props.deadLetterQueueNames.map((name) => queueDepth(name).with({ label: name })),
      ),
      graph('Audit-write failures', [m.invoke('AuditWriteFailures')], HALF),
    );
    const moreDelivery: cloudwatch.IWidget[] = [];
    if (props.knowledge) {
      const rule = props.knowledge.scanResultRuleName;
      moreDelivery.push(
        graph(
          'Delivery: scan results to the promotion queue',
          [
            ruleDelivery('FailedInvocations', rule).with({ label: 'failed (dead-lettered)' }),
            ruleDelivery('InvocationsFailedToBeSentToDlq', rule).with({ label: 'lost (dead-letter failed)' }),
          ],
          HALF,
        ),
      );
    }
    if (props.invocationLogging) {
      moreDelivery.push(
        graph(
          'Delivery: model-invocation logs (failures)',
          INVOCATION_LOG_DELIVERY_FAILURES.map((name) => invocationLogDeliveryMetric(name).with({ label: name })),
          HALF,
          [
            invocationLogDeliveryMetric('ModelInvocationLogsCloudWatchDeliverySuccess').with({
              label: 'delivered to CloudWatch',
            }),
          ],
        ),
      );
    }
    if (moreDelivery.length > 0) this.dashboard.addWidgets(...moreDelivery);

    if (props.knowledge) {
      this.dashboard.addWidgets(
        graph('Knowledge base: retrieval latency (ms)', [
          m.invoke('RetrievalLatency', 'p50'),
          m.invoke('RetrievalLatency', 'p90'),
        ]),
        graph('Knowledge base: passages retrieved', [m.invoke('RetrievedPassages')]),
        graph('Knowledge base: promotion function errors', [
          new cloudwatch.Metric({
            namespace: 'AWS/Lambda',
            metricName: 'Errors',
            dimensionsMap: { FunctionName: props.knowledge.promotionFunctionName },
            statistic: 'Sum',
            period: Duration.minutes(5),
          }),
        ]),
      );
    }
  }
}
