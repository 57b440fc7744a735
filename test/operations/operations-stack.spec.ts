import * as fs from 'node:fs';
import * as path from 'node:path';
import { type CfnElement, Duration, Stack } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ALARM_IDS, type AlarmId, OperationalAlarms } from '../../lib/operations/operational-alarms';
import { ServiceMetrics } from '../../lib/operations/service-metrics';
import { INVOCATION_LOG_STREAM } from '../../lib/operations/model-invocation-logging';
import { MODEL_INVOCATIONS_PREFIX } from '../../lib/shared/data-layout';
import { alertDeadLetterQueueName, scanResultRuleName, stackNames } from '../../lib/shared/names';
import { THREAT_DETECTION_OFF } from '../../tools/configurations';
import { synthesize, TEST_ENV, testApp } from '../support/build-app';
import { matrixConfiguration } from '../support/gate-matrix';
import { PolicyWorld } from '../support/iam-harness';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Resource = { Type: string; Properties: Record<string, Json>; DependsOn?: string[] };
type Statement = {
  Sid?: string;
  Effect: string;
  Principal?: Json;
  Action: Json;
  Resource?: Json;
  Condition?: Record<string, Record<string, Json>>;
};

const { account, region }: { account: string; region: string } = TEST_ENV;
/** CloudWatch alarm names: 1 to 255 characters, https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html */
const ALARM_NAME_MAX_LENGTH = 255;
const PRICES = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'prices.json'), 'utf8'))
  .prices as Record<string, number>;

/** One configuration: its project, a world that resolves references, and the templates (resolved where asked). */
function synth(overrides: Record<string, unknown> = {}) {
  const project = synthesize(overrides);
  const { assembly, config } = project;
  const world = new PolicyWorld(assembly, TEST_ENV);
  const templateOf = (stack: Stack) =>
    assembly.getStackByName(stack.stackName).template as {
      Resources: Record<string, Resource>;
      Outputs?: Record<string, Json>;
    };
  const names = stackNames(config.appName);
  const resources = (stack: Stack, type: string) =>
    Object.entries(templateOf(stack).Resources).filter(([, r]) => r.Type === type);
  const resolved = <T>(stack: Stack, value: Json) => world.resolve(value, stack.stackName) as T;
  return { ...project, world, names, templateOf, resources, resolved };
}
type Synth = ReturnType<typeof synth>;

interface MetricView {
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: Record<string, string>;
  readonly stat: string;
  readonly period: number;
}
interface AlarmView {
  readonly logicalId: string;
  readonly name: string;
  readonly description: string;
  readonly threshold: number;
  readonly comparison: string;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm?: number;
  readonly treatMissingData: string;
  readonly alarmActions: string[];
  readonly okActions: string[];
  /** The expression the alarm evaluates, when it is a math expression. */
  readonly expression?: string;
  /** Its one metric, or the metrics of the expression by id. */
  readonly metrics: Record<string, MetricView>;
}

/** The Operations alarms of a configuration, resolved, by name. */
function alarmsOf(s: Synth): Map<string, AlarmView> {
  const views = new Map<string, AlarmView>();
  for (const [logicalId, resource] of s.resources(s.stacks.operations, 'AWS::CloudWatch::Alarm')) {
    const p = s.resolved<Record<string, Json>>(s.stacks.operations, resource.Properties as Json);
    const dims = (d: Json) =>
      Object.fromEntries(((d ?? []) as { Name: string; Value: string }[]).map((x) => [x.Name, x.Value]));
    let metrics: Record<string, MetricView> = {};
    let expression: string | undefined;
    if (p.Metrics) {
      for (const m of p.Metrics as Record<string, Json>[]) {
        if (m.Expression !== undefined) {
          expect(m.ReturnData).toBe(true);
          expression = m.Expression as string;
          continue;
        }
        const stat = m.MetricStat as { Metric: Record<string, Json>; Stat: string; Period: number };
        expect(m.ReturnData).toBe(false);
        metrics[m.Id as string] = {
          namespace: stat.Metric.Namespace as string,
          name: stat.Metric.MetricName as string,
          dimensions: dims(stat.Metric.Dimensions),
          stat: stat.Stat,
          period: stat.Period,
        };
      }
    } else {
      metrics = {
        metric: {
          namespace: p.Namespace as string,
          name: p.MetricName as string,
          dimensions: dims(p.Dimensions),
          stat: (p.ExtendedStatistic ?? p.Statistic) as string,
          period: p.Period as number,
        },
      };
    }
    views.set(p.AlarmName as string, {
      logicalId,
      name: p.AlarmName as string,
      description: p.AlarmDescription as string,
      threshold: p.Threshold as number,
      comparison: p.ComparisonOperator as string,
      evaluationPeriods: p.EvaluationPeriods as number,
      datapointsToAlarm: p.DatapointsToAlarm as number | undefined,
      treatMissingData: p.TreatMissingData as string,
      alarmActions: p.AlarmActions as string[],
      okActions: p.OKActions as string[],
      expression,
      metrics,
    });
  }
  return views;
}

/** An IAM ArnLike pattern (`*` any run, `?` one character) as a RegExp. */
function arnLike(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

function statementsOf(s: Synth, stack: Stack, type: string, property: string): Statement[] {
  return s
    .resources(stack, type)
    .flatMap(([, r]) => s.resolved<{ Statement: Statement[] }>(stack, r.Properties[property] as Json).Statement);
}
const bucketStatements = (s: Synth) =>
  statementsOf(s, s.stacks.dataProtection, 'AWS::S3::BucketPolicy', 'PolicyDocument');
const keyStatements = (s: Synth) => statementsOf(s, s.stacks.dataProtection, 'AWS::KMS::Key', 'KeyPolicy');

const defaults = synth();
const threatOff = synth(THREAT_DETECTION_OFF);
const longest = synth(matrixConfiguration('longest app name'));
const budget = synth(matrixConfiguration('smaller daily token budget'));
const claude = synth(matrixConfiguration('inference profile'));
const shorterRecords = synth(matrixConfiguration('object lock, shorter records retention'));
const existing = synth({ modelInvocationLogging: 'existing' });
const loggingOff = synth({ modelInvocationLogging: 'off' });

/** What every configuration's invoke function is called, and the topic alarms go to. */
function targets(s: Synth) {
  const fn = s.stacks.guardedInvoke.invoke.function;
  const { alerts } = s.stacks.threatDetection;
  return {
    functionName: s.world.valueOf(fn.functionName, fn),
    logGroupName: s.world.valueOf(s.stacks.guardedInvoke.invoke.logGroup.logGroupName, fn),
    topicArn: s.world.valueOf(alerts.topic.topicArn, alerts),
    invoke: { service: 'guarded-invoke' },
  };
}

/** A math alarm that fires on any of its metrics: their sum (a missing point as 0) at 1 or more, quiet metrics not breaching. */
function expectAnyOfSum(a: { expression?: string; metrics: Record<string, unknown>; treatMissingData?: string }): void {
  expect((a.expression ?? '').split(' + ').sort()).toEqual(
    Object.keys(a.metrics)
      .map((k) => `FILL(${k}, 0)`)
      .sort(),
  );
  expect(a).toMatchObject({ threshold: 1, comparison: 'GreaterThanOrEqualToThreshold', evaluationPeriods: 1 });
  expect(a.treatMissingData).toBe('notBreaching');
}

describe('OperationsStack', () => {
  test('normalized snapshot (default configuration)', () => {
    expect(defaults.templateOf(defaults.stacks.operations)).toMatchSnapshot();
  });

  describe('alarms', () => {
    const alarms = alarmsOf(defaults);
    const t = targets(defaults);
    const alarm = (id: AlarmId, s: Synth = defaults, views = alarms): AlarmView => {
      const found = views.get(`${s.names.operations}-${id}`);
      if (!found) throw new Error(`no alarm ${s.names.operations}-${id}`);
      return found;
    };
    const invokeMetric = (name: string, stat = 'Sum', period = 300): MetricView => ({
      namespace: 'GuardedGenAi',
      name,
      dimensions: t.invoke,
      stat,
      period,
    });

    test('one alarm named <app>-Operations-<id> for each id, and no other', () => {
      expect([...alarms.keys()].sort()).toEqual(ALARM_IDS.map((id) => `GuardedGenAi-Operations-${id}`).sort());
    });

    test.each(ALARM_IDS)('%s notifies the alert topic on ALARM and on OK, and links its runbook section', (id) => {
      const a = alarm(id);
      expect(a.alarmActions).toEqual([t.topicArn]);
      expect(a.okActions).toEqual([t.topicArn]);
      expect(t.topicArn).toBe(`arn:aws:sns:${region}:${account}:GuardedGenAi-ThreatDetection-alerts`);
      expect(a.description).toContain(`docs/runbook.md#${id}`);
      expect(a.description).toMatch(/First check: /);
      // Quiet periods (no requests) are not an outage.
      expect(a.treatMissingData).toBe('notBreaching');
    });

    test('server-error-rate: more than 5 % server errors of at least 5 requests, in 2 of 3 five-minute periods', () => {
      const a = alarm('server-error-rate');
      expect(a.expression).toBe('IF(FILL(requests, 0) >= 5, 100 * FILL(errors, 0) / requests, 0)');
      expect(a.metrics).toEqual({ requests: invokeMetric('Invocations'), errors: invokeMetric('ServerErrors') });
      expect(a).toMatchObject({
        threshold: 5,
        comparison: 'GreaterThanThreshold',
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
      });
    });

    test('throttles: Lambda throttles of this function and its own 429s after Bedrock throttled it, 5 or more in 5 minutes', () => {
      const a = alarm('throttles');
      // FILLed: a throttle of one kind alone must still count. The function's
      // own Throttled count, not AWS/Bedrock's per-ModelId metric, whose id for
      // an inference-profile call AWS does not document.
      expect(a.expression).toBe('FILL(lambda, 0) + FILL(upstream, 0)');
      expect(a.metrics).toEqual({
        lambda: {
          namespace: 'AWS/Lambda',
          name: 'Throttles',
          dimensions: { FunctionName: t.functionName },
          stat: 'Sum',
          period: 300,
        },
        upstream: {
          namespace: 'GuardedGenAi',
          name: 'Throttled',
          dimensions: { service: 'guarded-invoke' },
          stat: 'Sum',
          period: 300,
        },
      });
      expect(a).toMatchObject({ threshold: 5, comparison: 'GreaterThanOrEqualToThreshold', evaluationPeriods: 1 });
      expect(a.datapointsToAlarm).toBeUndefined();
    });

    test('latency-near-timeout: p99 above 80 % of the time the deployed function waits for Bedrock', () => {
      const a = alarm('latency-near-timeout');
      // The timeout the function is deployed with (its environment), not a copy of the constant.
      const fn = Object.values(defaults.templateOf(defaults.stacks.guardedInvoke).Resources).find(
        (r) =>
          r.Type === 'AWS::Lambda::Function' &&
          ((r.Properties.Environment as { Variables?: Record<string, string> })?.Variables?.INVOKE_TIMEOUT_MS ??
            undefined) !== undefined,
      );
      const timeoutMs = Number(
        (fn?.Properties.Environment as { Variables: Record<string, string> }).Variables.INVOKE_TIMEOUT_MS,
      );
      expect(timeoutMs).toBe(defaults.stacks.guardedInvoke.invoke.answerTimeout.toMilliseconds());
      expect(a.expression).toBeUndefined();
      expect(a.metrics).toEqual({ metric: invokeMetric('Latency', 'p99') });
      expect(a).toMatchObject({
        threshold: Math.round(timeoutMs * 0.8),
        comparison: 'GreaterThanThreshold',
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
      });
      expect(a.threshold).toBe(88000);
    });

    test('guardrail-interventions: more than 20 % of at least 10 requests in 15 minutes', () => {
      const a = alarm('guardrail-interventions');
      expect(a.expression).toBe('IF(FILL(requests, 0) >= 10, 100 * FILL(interventions, 0) / requests, 0)');
      expect(a.metrics).toEqual({
        requests: invokeMetric('Invocations', 'Sum', 900),
        interventions: invokeMetric('GuardrailInterventions', 'Sum', 900),
      });
      expect(a).toMatchObject({ threshold: 20, comparison: 'GreaterThanThreshold', evaluationPeriods: 1 });
    });

    test('audit-write-failures: any failed audit write in 5 minutes', () => {
      const a = alarm('audit-write-failures');
      expect(a.expression).toBeUndefined();
      expect(a.metrics).toEqual({ metric: invokeMetric('AuditWriteFailures') });
      expect(a).toMatchObject({ threshold: 1, comparison: 'GreaterThanOrEqualToThreshold', evaluationPeriods: 1 });
    });

    test('token-budget: input plus output tokens of a day above dailyTokenBudget (default 1,000,000)', () => {
      const a = alarm('token-budget');
      expect(a.expression).toBe('FILL(input, 0) + FILL(output, 0)');
      expect(a.metrics).toEqual({
        input: invokeMetric('InputTokens', 'Sum', 86400),
        output: invokeMetric('OutputTokens', 'Sum', 86400),
      });
      expect(a).toMatchObject({ threshold: 1_000_000, comparison: 'GreaterThanThreshold', evaluationPeriods: 1 });
      expect(defaults.config.dailyTokenBudget).toBe(1_000_000);
    });

    test('token-budget follows the dailyTokenBudget setting', () => {
      const a = alarm('token-budget', budget, alarmsOf(budget));
      expect(budget.config.dailyTokenBudget).toBe(250_000);
      expect(a.threshold).toBe(250_000);
      expect(a.description).toContain('250000');
      // Nothing else about the alarms changes.
      expect(alarm('server-error-rate', budget, alarmsOf(budget)).threshold).toBe(5);
    });

    // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html: FailedInvocations
    // counts "invocations that failed permanently", InvocationsFailedToBeSentToDlq the ones the
    // dead-letter queue could not take either (lost); "EventBridge only sends this metric
    // to CloudWatch if it isn't zero", hence FILL and missing data as not breaching.
    test('alert-dead-letter-failures: InvocationsFailedToBeSentToDlq of every alert rule (by its real name), summed, 1 or more', () => {
      const a = alarm('alert-dead-letter-failures');
      const ruleNames = defaults
        .resources(defaults.stacks.threatDetection, 'AWS::Events::Rule')
        .map(([, r]) => r.Properties.Name as string)
        .filter((n) => typeof n === 'string' && n.startsWith('GuardedGenAi-ThreatDetection-'));
      // GuardDuty, malware scans and external access by default.
      expect(ruleNames.length).toBeGreaterThanOrEqual(3);
      expect([...defaults.stacks.threatDetection.alerts.ruleNames].sort()).toEqual([...ruleNames].sort());
      const watched = Object.values(a.metrics);
      expect(watched.map((m) => m.dimensions.RuleName).sort()).toEqual([...ruleNames].sort());
      for (const m of watched) {
        expect(m).toEqual({
          namespace: 'AWS/Events',
          name: 'InvocationsFailedToBeSentToDlq',
          dimensions: { RuleName: m.dimensions.RuleName },
          stat: 'Sum',
          period: 300,
        });
      }
      // The sum of all of them.
      expectAnyOfSum(a);
    });

    // Why no alarm reads FailedInvocations: a delivery that fails for good goes to the rule's
    // dead-letter queue, whose depth the dead-letters alarm watches, or fails to get there, which
    // alert-dead-letter-failures watches. That holds only while every alert rule's every target
    // dead-letters into the queue the dead-letters alarm reads.
    test('no alarm bills FailedInvocations: every alert target dead-letters into the queue the dead-letters alarm watches', () => {
      const queueName = alertDeadLetterQueueName('GuardedGenAi-ThreatDetection');
      const [dlq] = defaults
        .resources(defaults.stacks.threatDetection, 'AWS::SQS::Queue')
        .filter(([, q]) => q.Properties.QueueName === queueName);
      expect(dlq).toBeDefined();
      const rules = defaults
        .resources(defaults.stacks.threatDetection, 'AWS::Events::Rule')
        .filter(([, r]) => String(r.Properties.Name).startsWith('GuardedGenAi-ThreatDetection-'));
      for (const [, rule] of rules) {
        const targets = rule.Properties.Targets as { DeadLetterConfig?: { Arn: unknown } }[];
        expect(targets.length).toBeGreaterThan(0);
        for (const t of targets) expect(t.DeadLetterConfig?.Arn).toEqual({ 'Fn::GetAtt': [dlq[0], 'Arn'] });
      }
      expect(Object.values(alarm('dead-letters').metrics).map((m) => m.dimensions.QueueName)).toEqual([queueName]);
      const billed = [...alarmsOf(defaults).values()].flatMap((a) => Object.values(a.metrics).map((m) => m.name));
      expect(billed).toContain('InvocationsFailedToBeSentToDlq');
      expect(billed).not.toContain('FailedInvocations');
    });

    // A scan result EventBridge gives up on lands in the promotion dead-letter queue (the
    // ingestion stack's promotion-failures alarm); only one it could not dead-letter is lost.
    test('scan-result-delivery-failures: InvocationsFailedToBeSentToDlq of the scan-result rule, by its name', () => {
      const a = alarm('scan-result-delivery-failures');
      const rule = scanResultRuleName(stackNames('GuardedGenAi').ingestion);
      expect(rule).toBe('GuardedGenAi-Ingestion-scan-results');
      expect(Object.values(a.metrics)).toEqual([
        {
          namespace: 'AWS/Events',
          name: 'InvocationsFailedToBeSentToDlq',
          dimensions: { RuleName: rule },
          stat: 'Sum',
          period: 300,
        },
      ]);
      // One metric: a plain alarm on it, no expression (what the free allowance surely covers).
      expect(a.expression).toBeUndefined();
      expect(a).toMatchObject({ threshold: 1, comparison: 'GreaterThanOrEqualToThreshold', evaluationPeriods: 1 });
      expect(a.treatMissingData).toBe('notBreaching');
    });

    // https://docs.aws.amazon.com/bedrock/latest/userguide/monitoring.html: "For each delivery
    // success or failure attempt, the following Amazon CloudWatch metrics are emitted under the
    // namespace AWS/Bedrock, and Across all model IDs dimension" (no dimension).
    test('invocation-log-delivery-failures: the three delivery-failure metrics of AWS/Bedrock, no dimension, summed', () => {
      const a = alarm('invocation-log-delivery-failures');
      expect(Object.values(a.metrics).sort((x, y) => x.name.localeCompare(y.name))).toEqual(
        [
          'ModelInvocationLargeDataS3DeliveryFailure',
          'ModelInvocationLogsCloudWatchDeliveryFailure',
          'ModelInvocationLogsS3DeliveryFailure',
        ].map((name) => ({ namespace: 'AWS/Bedrock', name, dimensions: {}, stat: 'Sum', period: 300 })),
      );
      expect((a.expression ?? '').split(' + ')).toHaveLength(3);
      expect(a).toMatchObject({ threshold: 1, comparison: 'GreaterThanOrEqualToThreshold', evaluationPeriods: 1 });
    });

    test('with no alert rules (threat detection all off) there are no alert-delivery alarms, the others stay', () => {
      const names = [...alarmsOf(threatOff).keys()].sort();
      expect(threatOff.stacks.threatDetection.alerts.ruleNames).toEqual([]);
      // No knowledge base either (it waits for GuardDuty's malware scan): no scan-result rule to watch.
      const absent: readonly AlarmId[] = ['alert-dead-letter-failures', 'scan-result-delivery-failures'];
      expect(names).toEqual(
        ALARM_IDS.filter((id) => !absent.includes(id))
          .map((id) => `GuardedGenAi-Operations-${id}`)
          .sort(),
      );
      expect(JSON.stringify(threatOff.templateOf(threatOff.stacks.operations))).not.toMatch(
        /FailedInvocations|InvocationsFailedToBeSentToDlq/,
      );
    });

    describe.each([
      ['default', defaults],
      ['longest app name', longest],
      ['threat detection all off', threatOff],
    ] as const)('%s: the alert topic admits every alarm (and no other app)', (_, s) => {
      const topicPolicy = () =>
        statementsOf(s, s.stacks.threatDetection, 'AWS::SNS::TopicPolicy', 'PolicyDocument').filter(
          (st) => st.Sid === 'OnlyOurAlarmsPublish',
        );

      test('alarm names fit CloudWatch and match the topic policy pattern alarm:<app>-*', () => {
        const views = [...alarmsOf(s).values()];
        expect(views.length).toBeGreaterThanOrEqual(ALARM_IDS.length - 3);
        const [statement] = topicPolicy();
        expect(topicPolicy()).toHaveLength(1);
        expect(statement.Principal).toEqual({ Service: 'cloudwatch.amazonaws.com' });
        const pattern = statement.Condition?.ArnLike?.['aws:SourceArn'] as string;
        expect(pattern).toBe(`arn:aws:cloudwatch:${region}:${account}:alarm:${s.config.appName}-*`);
        for (const v of views) {
          expect(v.name.length).toBeLessThanOrEqual(ALARM_NAME_MAX_LENGTH);
          expect(v.name.startsWith(`${s.config.appName}-Operations-`)).toBe(true);
          expect(arnLike(pattern).test(`arn:aws:cloudwatch:${region}:${account}:alarm:${v.name}`)).toBe(true);
        }
        expect(
          arnLike(pattern).test(`arn:aws:cloudwatch:${region}:${account}:alarm:OtherCopy-Operations-throttles`),
        ).toBe(false);
      });
    });

    test('an alarm reads at most 10 metrics (a hard CloudWatch limit): 11 alert rules fail the synthesis, not the deployment', () => {
      const stack = new Stack(testApp(), 'Limits');
      const props = {
        metrics: new ServiceMetrics({ functionName: 'f', modelId: 'm' }),
        topic: new sns.Topic(stack, 'Topic'),
        answerTimeout: Duration.seconds(60),
        dailyTokenBudget: 1,
        deadLetterQueueNames: ['q'],
      };
      const rules = (n: number) => Array.from({ length: n }, (_, i) => `rule-${i}`);
      expect(() => new OperationalAlarms(stack, 'Ten', { ...props, alertRuleNames: rules(10) })).not.toThrow();
      expect(() => new OperationalAlarms(stack, 'Eleven', { ...props, alertRuleNames: rules(11) })).toThrow(
        /would read 11 metrics; an alarm reads at most 10/,
      );
    });

    test('the longest app name gives the longest names, still far below the limit', () => {
      const names = [...alarmsOf(longest).keys()];
      const longestId = [...ALARM_IDS].sort((a, b) => b.length - a.length)[0];
      expect(names).toContain(`${'A'.repeat(25)}-Operations-${longestId}`);
      expect(Math.max(...names.map((n) => n.length))).toBe(25 + `-Operations-${longestId}`.length);
      expect(Math.max(...names.map((n) => n.length))).toBeLessThanOrEqual(255);
    });
  });

  describe('dashboard', () => {
    type Widget = {
      type: string;
      width: number;
      height: number;
      x: number;
      y: number;
      properties: Record<string, Json>;
    };
    const widgetsOf = (s: Synth): Widget[] => {
      const dashboards = s.resources(s.stacks.operations, 'AWS::CloudWatch::Dashboard');
      expect(dashboards).toHaveLength(1);
      const body = s.resolved<string>(s.stacks.operations, dashboards[0][1].Properties.DashboardBody);
      return (JSON.parse(body) as { widgets: Widget[] }).widgets;
    };
    const byTitle = (widgets: Widget[], title: string): Widget => {
      const found = widgets.filter((w) => w.properties.title === title);
      expect({ title, count: found.length }).toEqual({ title, count: 1 });
      return found[0];
    };
    /** A graph's lines: metrics as "namespace name dim=value stat [period] [id]", expressions as "= expression". */
    const linesOf = (w: Widget): string[] =>
      (w.properties.metrics as Json[][]).map((line) => {
        const options = (typeof line[line.length - 1] === 'object' ? line[line.length - 1] : {}) as Record<
          string,
          Json
        >;
        if (options.expression !== undefined) {
          return `= ${options.expression as string}${options.period ? ` @${options.period as number}` : ''}`;
        }
        const parts = line.filter((p) => typeof p === 'string') as string[];
        const [namespace, name, ...dims] = parts;
        const dimText = [];
        for (let i = 0; i < dims.length; i += 2) dimText.push(`${dims[i]}=${dims[i + 1]}`);
        return [
          namespace,
          name,
          ...dimText,
          options.stat as string,
          ...(options.period ? [`@${options.period as number}`] : []),
          ...(options.id ? [`as ${options.id as string}`] : []),
          ...(options.yAxis === 'right' ? ['(right)'] : []),
        ].join(' ');
      });

    const widgets = widgetsOf(defaults);
    const t = targets(defaults);
    const fn = `FunctionName=${t.functionName}`;
    const inv = 'GuardedGenAi';
    const svc = 'service=guarded-invoke';

    test('a text widget first, full width, saying what each row means and what normal looks like', () => {
      const [text] = widgets;
      expect(text).toMatchObject({ type: 'text', x: 0, y: 0, width: 24 });
      const markdown = text.properties.markdown as string;
      for (const row of [
        '**Alarms**',
        '**Traffic and errors**',
        '**Guardrail**',
        '**Tokens and cost**',
        '**Delivery**',
      ]) {
        expect(markdown).toContain(row);
      }
      expect(markdown).toContain('docs/runbook.md');
      expect(markdown).toMatch(/Normal: /);
      expect(markdown).toContain('amazon.nova-micro-v1:0');
    });

    test('then the alarm status widget, listing every alarm of the stack', () => {
      const status = widgets[1];
      expect(status.type).toBe('alarm');
      const alarmArns = [...alarmsOf(defaults).values()].map(
        (a) => `arn:aws:cloudwatch:${region}:${account}:alarm:${a.name}`,
      );
      expect([...(status.properties.alarms as string[])].sort()).toEqual(alarmArns.sort());
      expect(alarmArns).toHaveLength(ALARM_IDS.length);
      expect(status.y).toBeGreaterThan(widgets[0].y);
    });

    test('requests, latency p50/p90/p99 and errors of the invoke function', () => {
      expect(linesOf(byTitle(widgets, 'Requests'))).toEqual([
        `${inv} Invocations ${svc} Sum`,
        `AWS/Lambda ConcurrentExecutions ${fn} Maximum`,
      ]);
      expect(linesOf(byTitle(widgets, 'Latency (ms)'))).toEqual([
        `${inv} Latency ${svc} p50`,
        `${inv} Latency ${svc} p90`,
        `${inv} Latency ${svc} p99`,
      ]);
      expect(linesOf(byTitle(widgets, 'Errors'))).toEqual([
        `${inv} ClientErrors ${svc} Sum`,
        `${inv} ServerErrors ${svc} Sum`,
        `AWS/Lambda Errors ${fn} Sum`,
      ]);
    });

    test('errors by status and code: a Logs Insights query over the invoke function log group', () => {
      const log = widgets.filter((w) => w.type === 'log');
      expect(log).toHaveLength(1);
      const query = log[0].properties.query as string;
      expect(t.logGroupName).toMatch(/^GuardedGenAi-GuardedInvoke-/);
      expect(query.startsWith(`SOURCE '${t.logGroupName}' | `)).toBe(true);
      expect(query).toContain('filter message = "invocation" and status >= 400');
      expect(query).toContain('stats count(*) as requests by status, error');
      expect(log[0].properties.region).toBe(region);
    });

    test('throttles of Lambda (this function), the function (429s) and Bedrock (this model)', () => {
      expect(linesOf(byTitle(widgets, 'Throttles'))).toEqual([
        `AWS/Lambda Throttles ${fn} Sum`,
        `${inv} Throttled ${svc} Sum`,
        'AWS/Bedrock InvocationThrottles ModelId=amazon.nova-micro-v1:0 Sum',
      ]);
    });

    test('guardrail interventions, and their rate per 100 requests', () => {
      expect(linesOf(byTitle(widgets, 'Guardrail interventions'))).toEqual([
        `${inv} GuardrailInterventions ${svc} Sum`,
      ]);
      expect(linesOf(byTitle(widgets, 'Guardrail intervention rate (%)'))).toEqual([
        '= 100 * interventions / requests',
        `${inv} GuardrailInterventions ${svc} Sum as interventions`,
        `${inv} Invocations ${svc} Sum as requests`,
      ]);
    });

    // F15: Bedrock's own guardrail metrics, every guardrail and caller of the account
    // (monitoring-guardrails-cw-metrics.html: "Choose the AWS/Bedrock/Guardrails namespace",
    // dimensions "GuardrailArn, GuardrailVersion", metrics Invocations and InvocationsIntervened).
    test("the account's guardrails: interventions and calls per guardrail version, as AWS names them", () => {
      const search = (metric: string) =>
        `= SEARCH('{AWS/Bedrock/Guardrails,GuardrailArn,GuardrailVersion} MetricName="${metric}"', 'Sum', 300)`;
      expect(
        linesOf(byTitle(widgets, 'Guardrails of the account: calls and interventions (AWS/Bedrock/Guardrails)')),
      ).toEqual([search('InvocationsIntervened'), search('Invocations')]);
    });

    test('tokens per hour, and their cost at the Nova Micro list prices of docs/prices.json', () => {
      expect(linesOf(byTitle(widgets, 'Tokens per hour'))).toEqual([
        `${inv} InputTokens ${svc} Sum @3600`,
        `${inv} OutputTokens ${svc} Sum @3600`,
      ]);
      const input = PRICES.novaMicroInputPerMillionTokens;
      const output = PRICES.novaMicroOutputPerMillionTokens;
      expect(input).toBeGreaterThan(0);
      expect(output).toBeGreaterThan(input);
      expect(linesOf(byTitle(widgets, 'Estimated model cost per hour (USD)'))).toEqual([
        `= (input * ${input} + output * ${output}) / 1000000 @3600`,
        `${inv} InputTokens ${svc} Sum @3600 as input`,
        `${inv} OutputTokens ${svc} Sum @3600 as output`,
      ]);
    });

    test('no cost widget for a model docs/prices.json has no price for (Claude through an inference profile)', () => {
      const claudeWidgets = widgetsOf(claude);
      expect(claude.config.modelId).toMatch(/anthropic\.claude/);
      expect(claudeWidgets.filter((w) => String(w.properties.title).startsWith('Estimated'))).toEqual([]);
      expect(claudeWidgets.some((w) => w.properties.title === 'Tokens per hour')).toBe(true);
      expect(claudeWidgets[0].properties.markdown).toContain('no price known');
      expect(JSON.stringify(claudeWidgets)).not.toContain('1000000');
    });

    test('delivery: FailedInvocations of each alert rule by name, and the alert dead-letter queue depth', () => {
      const ruleNames = [...defaults.stacks.threatDetection.alerts.ruleNames];
      expect(ruleNames.length).toBeGreaterThanOrEqual(3);
      const queue = alertDeadLetterQueueName('GuardedGenAi-ThreatDetection');
      expect(linesOf(byTitle(widgets, 'Delivery: failed alert deliveries and dead letters'))).toEqual([
        ...ruleNames.map((name) => `AWS/Events FailedInvocations RuleName=${name} Sum`),
        `AWS/SQS ApproximateNumberOfMessagesVisible QueueName=${queue} Maximum (right)`,
      ]);
      expect(linesOf(byTitle(widgets, 'Audit-write failures'))).toEqual([`${inv} AuditWriteFailures ${svc} Sum`]);
    });

    test('knowledge-base rows with the knowledge base (retrieval and the promotion function), none without', () => {
      const promotion = defaults.stacks.ingestion?.promotion.function;
      if (!promotion) throw new Error('the default configuration has the knowledge base');
      const promotionName = defaults.world.valueOf(promotion.functionName, promotion);
      const knowledge = widgets.filter((w) => String(w.properties.title).startsWith('Knowledge base:'));
      expect(knowledge.map(linesOf)).toEqual([
        [`${inv} RetrievalLatency ${svc} p50`, `${inv} RetrievalLatency ${svc} p90`],
        [`${inv} RetrievedPassages ${svc} Sum`],
        [`AWS/Lambda Errors FunctionName=${promotionName} Sum`],
      ]);
      expect(threatOff.config.knowledgeBase).toBe(false);
      const without = widgetsOf(threatOff);
      expect(without.filter((w) => String(w.properties.title).startsWith('Knowledge base:'))).toEqual([]);
      expect(JSON.stringify(without)).not.toContain('Retriev');
    });

    test('delivery of scan results (with the knowledge base) and of invocation logs (when this app configures them)', () => {
      const rule = scanResultRuleName(stackNames('GuardedGenAi').ingestion);
      expect(linesOf(byTitle(widgets, 'Delivery: scan results to the promotion queue'))).toEqual([
        `AWS/Events FailedInvocations RuleName=${rule} Sum`,
        `AWS/Events InvocationsFailedToBeSentToDlq RuleName=${rule} Sum`,
      ]);
      expect(linesOf(byTitle(widgets, 'Delivery: model-invocation logs (failures)'))).toEqual([
        'AWS/Bedrock ModelInvocationLogsCloudWatchDeliveryFailure Sum',
        'AWS/Bedrock ModelInvocationLogsS3DeliveryFailure Sum',
        'AWS/Bedrock ModelInvocationLargeDataS3DeliveryFailure Sum',
        'AWS/Bedrock ModelInvocationLogsCloudWatchDeliverySuccess Sum (right)',
      ]);
      const titles = (s: Synth) => widgetsOf(s).map((w) => w.properties.title);
      expect(titles(threatOff)).not.toContain('Delivery: scan results to the promotion queue');
      expect(titles(existing)).not.toContain('Delivery: model-invocation logs (failures)');
    });

    test('without alert rules the delivery graph still shows the dead-letter queue', () => {
      expect(linesOf(byTitle(widgetsOf(threatOff), 'Delivery: failed alert deliveries and dead letters'))).toEqual([
        `AWS/SQS ApproximateNumberOfMessagesVisible QueueName=${alertDeadLetterQueueName('GuardedGenAi-ThreatDetection')} Maximum (right)`,
      ]);
    });

    test('every metric line names the region of the deployment, and rows do not overlap', () => {
      const cells = new Set<string>();
      for (const w of widgets) {
        if (w.type === 'metric' || w.type === 'log') expect(w.properties.region).toBe(region);
        for (let x = w.x; x < w.x + w.width; x++) {
          for (let y = w.y; y < w.y + w.height; y++) {
            const cell = `${x},${y}`;
            expect(cells.has(cell)).toBe(false);
            cells.add(cell);
          }
        }
        expect(w.x + w.width).toBeLessThanOrEqual(24);
      }
    });
  });

  describe('Bedrock model-invocation logging (modelInvocationLogging "create", the default)', () => {
    const s = defaults;
    const ops = s.stacks.operations;
    const logging = ops.invocationLogging;
    if (!logging) throw new Error('the default configuration turns invocation logging on');
    const logGroupName = s.world.valueOf(logging.logGroup.logGroupName, logging);
    const deliveryRoleArn = s.world.arnOf(logging.deliveryRole);
    const keyArn = s.world.arnOf(s.stacks.dataProtection.key);
    const bucketArn = s.world.arnOf(s.stacks.dataProtection.dataBucket.bucket);
    const bedrockOfThisAccount = {
      StringEquals: { 'aws:SourceAccount': account },
      ArnLike: { 'aws:SourceArn': `arn:aws:bedrock:${region}:${account}:*` },
    };
    const logicalId = (c: { node: { defaultChild?: unknown } } & object) =>
      ops.getLogicalId((c.node.defaultChild ?? c) as never);
    /** Every statement of every policy attached to a role (inline, managed, or through AWS::IAM::Policy). */
    const roleStatements = (roleId: string): Statement[] =>
      Object.values(s.templateOf(ops).Resources)
        .filter((r) => r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy')
        .filter((r) => JSON.stringify(r.Properties.Roles ?? []).includes(`"Ref":"${roleId}"`))
        .flatMap((r) => s.resolved<{ Statement: Statement[] }>(ops, r.Properties.PolicyDocument).Statement);

    test('one Custom::ModelInvocationLogging with the log group, the delivery role and the data bucket under model-invocations', () => {
      const found = s.resources(ops, 'Custom::ModelInvocationLogging');
      expect(found).toHaveLength(1);
      const props = s.resolved<Record<string, Json>>(ops, found[0][1].Properties as Json);
      expect(props).toEqual({
        ServiceToken: s.world.arnOf(logging.framework.entry),
        ServiceTimeout: expect.any(String),
        LogGroupName: logGroupName,
        RoleArn: deliveryRoleArn,
        BucketName: bucketArn.replace('arn:aws:s3:::', ''),
        KeyPrefix: 'model-invocations',
      });
      expect(MODEL_INVOCATIONS_PREFIX).toBe('model-invocations/');
      // Turned on only once Bedrock may write to the log group (it checks).
      const deliveryPolicyId = s
        .resources(ops, 'AWS::IAM::ManagedPolicy')
        .find(([, r]) => JSON.stringify(r.Properties.Roles).includes(logicalId(logging.deliveryRole)))?.[0];
      expect(found[0][1].DependsOn).toContain(deliveryPolicyId);
      // Its timeout covers the handler's retries: the framework answers as soon as the handler ends.
      expect(Number(props.ServiceTimeout)).toBeGreaterThan(
        (s.templateOf(ops).Resources[logicalId(logging.handler)].Properties.Timeout as number) ?? 0,
      );
    });

    // "Modifying service token is not allowed" (CloudFormation, on an update
    // that changes it: https://github.com/aws-cloudformation/cloudformation-coverage-roadmap/issues/802).
    test("the framework's entry function has the logical id of the function that served the resource before", () => {
      const entry = logging.framework.entry.node.defaultChild as CfnElement;
      expect(ops.resolve(entry.logicalId)).toBe('InvocationLoggingProvider62CB870A');
    });

    test('the framework: its role may invoke the handler and write its log group, nothing else; it logs at FATAL only', () => {
      const handlerArn = s.world.arnOf(logging.handler);
      const statements = roleStatements(logicalId(logging.framework.frameworkRole));
      expect(statements.filter((st) => st.Sid !== 'WriteOwnLogs')).toEqual([
        {
          Sid: 'InvokeOnEventHandler',
          Effect: 'Allow',
          Action: ['lambda:GetFunction', 'lambda:InvokeFunction'],
          Resource: handlerArn,
        },
      ]);
      expect(statements).toHaveLength(2);
      const role = s.templateOf(ops).Resources[logicalId(logging.framework.frameworkRole)];
      expect(role.Properties.Policies).toBeUndefined();
      // No AWS managed policy (CDK's default role would carry AWSLambdaBasicExecutionRole).
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      // Its log lines carry each request's properties: at FATAL, Lambda writes none of them.
      const entry =
        s.templateOf(ops).Resources[ops.resolve((logging.framework.entry.node.defaultChild as CfnElement).logicalId)];
      expect(entry.Properties.LoggingConfig).toMatchObject({ ApplicationLogLevel: 'FATAL', LogFormat: 'JSON' });
      expect(entry.Properties.Timeout).toBeGreaterThan(
        s.templateOf(ops).Resources[logicalId(logging.handler)].Properties.Timeout as number,
      );
    });

    test('the log group is encrypted with the project key and kept logRetentionDays', () => {
      const group = s.templateOf(ops).Resources[logicalId(logging.logGroup)];
      const props = s.resolved<Record<string, Json>>(ops, group.Properties as Json);
      expect(props.KmsKeyId).toBe(keyArn);
      expect(props.RetentionInDays).toBe(s.config.logRetentionDays);
      // Named by CloudFormation after the stack, so the key policy's logs statement (log-group:<app>-*) covers it.
      expect(logGroupName.startsWith('GuardedGenAi-Operations-')).toBe(true);
    });

    test('the delivery role: Bedrock of this account only', () => {
      const role = s.templateOf(ops).Resources[logicalId(logging.deliveryRole)];
      const trust = s.resolved<{ Statement: Statement[] }>(ops, role.Properties.AssumeRolePolicyDocument).Statement;
      expect(trust).toEqual([
        {
          Effect: 'Allow',
          Principal: { Service: 'bedrock.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: bedrockOfThisAccount,
        },
      ]);
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      expect(role.Properties.Policies).toBeUndefined();
    });

    test(`its only permission: create and write the stream ${INVOCATION_LOG_STREAM} of its log group`, () => {
      expect(INVOCATION_LOG_STREAM).toBe('aws/bedrock/modelinvocations');
      expect(roleStatements(logicalId(logging.deliveryRole))).toEqual([
        {
          Sid: 'WriteInvocationLogs',
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: `arn:aws:logs:${region}:${account}:log-group:${logGroupName}:log-stream:aws/bedrock/modelinvocations`,
        },
      ]);
    });

    test('the provider role: the three logging actions (on *, they have no resource), and passing the delivery role to Bedrock only', () => {
      const providerLogs = s.world.valueOf(logging.handler.logGroup.logGroupName, logging.handler);
      const statements = roleStatements(logicalId(logging.providerRole));
      expect(statements).toEqual(
        expect.arrayContaining([
          {
            Sid: 'ConfigureInvocationLogging',
            Effect: 'Allow',
            Action: [
              'bedrock:DeleteModelInvocationLoggingConfiguration',
              'bedrock:GetModelInvocationLoggingConfiguration',
              'bedrock:PutModelInvocationLoggingConfiguration',
            ],
            Resource: '*',
          },
          {
            Sid: 'HandTheDeliveryRoleToBedrockOnly',
            Effect: 'Allow',
            Action: 'iam:PassRole',
            Resource: deliveryRoleArn,
            Condition: { StringEquals: { 'iam:PassedToService': 'bedrock.amazonaws.com' } },
          },
        ]),
      );
      // And its own log group; nothing more.
      expect(statements).toHaveLength(3);
      const own = statements.find((st) => st.Sid === 'WriteOwnLogs');
      expect(own?.Resource).toBe(`arn:aws:logs:${region}:${account}:log-group:${providerLogs}:*`);
      const trust = s.resolved<{ Statement: Statement[] }>(
        ops,
        s.templateOf(ops).Resources[logicalId(logging.providerRole)].Properties.AssumeRolePolicyDocument,
      ).Statement;
      expect(trust).toEqual([
        { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ]);
    });

    test('the data bucket lets Bedrock of this account put objects only under its documented key path', () => {
      const statements = bucketStatements(s).filter((st) => JSON.stringify(st.Principal).includes('bedrock'));
      expect(statements).toEqual([
        {
          Sid: 'BedrockDeliversInvocationLogs',
          Effect: 'Allow',
          Principal: { Service: 'bedrock.amazonaws.com' },
          Action: 's3:PutObject',
          Resource: `${bucketArn}/model-invocations/AWSLogs/${account}/BedrockModelInvocationLogs/*`,
          Condition: bedrockOfThisAccount,
        },
      ]);
    });

    test('the project key lets Bedrock of this account generate data keys (for the SSE-KMS bucket), nothing else', () => {
      expect(keyStatements(s).filter((st) => JSON.stringify(st.Principal).includes('bedrock'))).toEqual([
        {
          Sid: 'BedrockEncryptsInvocationLogs',
          Effect: 'Allow',
          Principal: { Service: 'bedrock.amazonaws.com' },
          Action: 'kms:GenerateDataKey',
          Resource: '*',
          Condition: bedrockOfThisAccount,
        },
      ]);
    });

    test.each([
      ['default', defaults],
      ['shorter records retention', shorterRecords],
    ] as const)('%s: model-invocations/ expires with the audit records (recordsRetentionDays)', (_, c) => {
      const bucket = c.templateOf(c.stacks.dataProtection).Resources[
        c.stacks.dataProtection.getLogicalId(c.stacks.dataProtection.dataBucket.bucket.node.defaultChild as never)
      ];
      const rules = (bucket.Properties.LifecycleConfiguration as { Rules: Record<string, Json>[] }).Rules;
      const rule = rules.filter((r) => r.Prefix === MODEL_INVOCATIONS_PREFIX);
      expect(rule).toEqual([
        {
          Id: 'expire-model-invocations',
          Prefix: 'model-invocations/',
          ExpirationInDays: c.config.recordsRetentionDays,
          Status: 'Enabled',
        },
      ]);
      expect(rules.find((r) => r.Prefix === 'records/')?.ExpirationInDays).toBe(c.config.recordsRetentionDays);
    });

    test('the shorter records retention really is another value', () => {
      expect(shorterRecords.config.recordsRetentionDays).toBe(30);
      expect(defaults.config.recordsRetentionDays).toBe(90);
    });

    test('outputs name the log group, the dashboard and the alarms', () => {
      const outputs = s.templateOf(ops).Outputs as Record<string, { Value: Json }>;
      expect(s.resolved(ops, outputs.InvocationLogGroupName.Value)).toBe(logGroupName);
      expect(outputs.DashboardName.Value).toEqual({ Ref: logicalId(ops.dashboard.dashboard) });
      expect(s.resolved<string>(ops, outputs.AlarmNames.Value).split(',').sort()).toEqual(
        ALARM_IDS.map((id) => `GuardedGenAi-Operations-${id}`).sort(),
      );
    });
  });

  describe.each([
    ['existing', existing],
    ['off', loggingOff],
  ] as const)('modelInvocationLogging "%s": nothing of ours is created or allowed', (value, s) => {
    test('no custom resource, log group, role or function in the Operations stack: alarms and dashboard only', () => {
      expect(s.config.modelInvocationLogging).toBe(value);
      expect(s.stacks.operations.invocationLogging).toBeUndefined();
      const types = new Set(Object.values(s.templateOf(s.stacks.operations).Resources).map((r) => r.Type));
      expect([...types].sort()).toEqual(['AWS::CloudWatch::Alarm', 'AWS::CloudWatch::Dashboard']);
      expect(s.templateOf(s.stacks.operations).Outputs).not.toHaveProperty('InvocationLogGroupName');
      // The delivery of someone else's configuration is theirs to watch.
      expect([...alarmsOf(s).keys()].sort()).toEqual(
        ALARM_IDS.filter((id) => id !== 'invocation-log-delivery-failures')
          .map((id) => `GuardedGenAi-Operations-${id}`)
          .sort(),
      );
    });

    test('no Bedrock statement in the bucket or key policy, no model-invocations/ lifecycle rule', () => {
      expect(bucketStatements(s).filter((st) => JSON.stringify(st).includes('bedrock'))).toEqual([]);
      expect(keyStatements(s).filter((st) => st.Sid === 'BedrockEncryptsInvocationLogs')).toEqual([]);
      expect(JSON.stringify(keyStatements(s))).not.toContain('bedrock.amazonaws.com');
      expect(JSON.stringify(s.templateOf(s.stacks.dataProtection))).not.toContain('model-invocations');
    });
  });

  test('the same for "existing" and "off": the app does not touch the account setting either way', () => {
    expect(existing.templateOf(existing.stacks.operations)).toEqual(
      loggingOff.templateOf(loggingOff.stacks.operations),
    );
    expect(existing.templateOf(existing.stacks.dataProtection)).toEqual(
      loggingOff.templateOf(loggingOff.stacks.dataProtection),
    );
  });
});
