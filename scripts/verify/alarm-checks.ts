/**
 * alarm-delivery: a CloudWatch alarm of the app reaches the alert topic
 * (SetAlarmState to ALARM, then the alarm's own action history says whether
 * CloudWatch could publish). rule-dead-letters: no rule of the app failed to
 * deliver, or to dead-letter, in the last day.
 */
import {
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  type MetricAlarm,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { type CheckDefinition, fail, isOutcome, pass, poll, skip, stack } from './context';
import { errorText, metricSum, ofType, stackResources } from './resources';

export const ALARM_TEST_REASON = 'npm run verify: testing that this alarm reaches the alert topic';

/**
 * "EventBridge only sends this metric to CloudWatch if it isn't zero"
 * (FailedInvocations, https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html):
 * no datapoint reads as zero.
 */
const RULE_FAILURE_METRICS = ['FailedInvocations', 'InvocationsFailedToBeSentToDlq'] as const;

export const ALARM_CHECKS: readonly CheckDefinition[] = [
  {
    id: 'alarm-delivery',
    slow: true,
    async run(context) {
      const operations = stack(context, 'Operations');
      if (isOutcome(operations)) return operations;
      const threat = stack(context, 'ThreatDetection');
      if (isOutcome(threat)) return threat;
      const names = (operations.AlarmNames ?? '').split(',').filter(Boolean);
      if (names.length === 0) return skip('the Operations stack has no alarms');
      const topicArn = threat.AlertTopicArn ?? '';
      const { MetricAlarms } = await context.clients.cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: names }));
      const notifying = (MetricAlarms ?? []).filter((a) => (a.AlarmActions ?? []).includes(topicArn));
      if (notifying.length === 0) {
        return fail(
          `none of ${names.join(', ')} notifies ${topicArn}`,
          'Redeploy the Operations stack: its alarms publish to the alert topic.',
        );
      }
      const alarm: MetricAlarm | undefined = notifying.find((a) => a.StateValue === 'OK');
      if (!alarm?.AlarmName) {
        return skip(`every alarm is in ${notifying[0].StateValue ?? 'another state'}: not raising a test alarm on top`);
      }
      const alarmName = alarm.AlarmName;
      const started = context.now();
      await context.clients.cloudWatch.send(
        new SetAlarmStateCommand({ AlarmName: alarmName, StateValue: 'ALARM', StateReason: ALARM_TEST_REASON }),
      );
      try {
        const action = await poll(
          context,
          `the action of alarm ${alarmName}`,
          started + context.timeoutMs,
          15_000,
          async () => {
            const { AlarmHistoryItems } = await context.clients.cloudWatch.send(
              new DescribeAlarmHistoryCommand({
                AlarmName: alarmName,
                HistoryItemType: 'Action',
                StartDate: new Date(started - 60_000),
              }),
            );
            // Only this run's ALARM transition has an action in this window (the alarm was OK before).
            const item = AlarmHistoryItems?.find((i) => (i.Timestamp?.getTime() ?? 0) >= started - 1000);
            return item ? (item.HistorySummary ?? 'an action without a summary') : undefined;
          },
        );
        if (action === undefined) {
          return fail(
            `alarm ${alarmName} set to ALARM; no action on ${topicArn} recorded within ${Math.round(context.timeoutMs / 1000)} s`,
            'CloudWatch records every alarm action in the alarm history: look at it in the console; run again with a longer --timeout.',
          );
        }
        // The history summary is CloudWatch's own sentence; a failed publish says it failed, with the error.
        if (/fail/i.test(action)) {
          return fail(
            `alarm ${alarmName}: ${action}`,
            'CloudWatch could not publish: the topic policy must let cloudwatch.amazonaws.com publish for this alarm (aws:SourceArn) and the alert key must let CloudWatch use it (kms:GenerateDataKey*, kms:Decrypt).',
          );
        }
        const topic = [{ Name: 'TopicName', Value: topicArn.split(':').pop() ?? '' }];
        const failed = await metricSum(context, 'AWS/SNS', 'NumberOfNotificationsFailed', topic, started);
        if (failed > 0) {
          return fail(
            `alarm ${alarmName} published, but ${failed} notifications failed`,
            'A subscriber refused the message (an unconfirmed or bouncing e-mail, or the subscription dead-letter queue): see the topic in the SNS console.',
          );
        }
        return pass(`alarm ${alarmName} set to ALARM and back to OK; CloudWatch: "${action}"`);
      } finally {
        // Its next evaluation would put it back too; OK now means no second e-mail later.
        await context.clients.cloudWatch
          .send(
            new SetAlarmStateCommand({
              AlarmName: alarmName,
              StateValue: 'OK',
              StateReason: 'npm run verify: test over (the next evaluation sets the real state)',
            }),
          )
          .catch((error: unknown) => context.progress(`could not set ${alarmName} back to OK: ${errorText(error)}`));
      }
    },
  },
  {
    id: 'rule-dead-letters',
    async run(context) {
      const rules: string[] = [];
      const queues: string[] = [];
      for (const kind of ['ThreatDetection', 'Ingestion'] as const) {
        const outputs = stack(context, kind);
        if (isOutcome(outputs)) continue;
        const resources = await stackResources(context, kind);
        if (isOutcome(resources)) continue;
        // A rule's physical id is its name, or "bus|name" on a custom bus.
        rules.push(
          ...ofType(resources, 'AWS::Events::Rule').map((r) => (r.PhysicalResourceId ?? '').split('|').pop() ?? ''),
        );
        queues.push(
          ...[outputs.AlertDeadLetterQueueUrl, outputs.PromotionDeadLetterQueueUrl].filter((q): q is string => !!q),
        );
      }
      if (rules.length === 0) return skip('no EventBridge rule deployed by this app');
      const since = context.now() - 24 * 3600_000;
      const failures: string[] = [];
      for (const rule of rules) {
        for (const metric of RULE_FAILURE_METRICS) {
          const n = await metricSum(context, 'AWS/Events', metric, [{ Name: 'RuleName', Value: rule }], since);
          if (n > 0) failures.push(`${rule} ${metric} ${n}`);
        }
      }
      const waiting: string[] = [];
      for (const QueueUrl of queues) {
        const { Attributes } = await context.clients.sqs.send(
          new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
        );
        const n = Number(Attributes?.ApproximateNumberOfMessages ?? 0);
        if (n > 0) waiting.push(`${n} in ${QueueUrl.split('/').pop()}`);
      }
      if (failures.length > 0 || waiting.length > 0) {
        return fail(
          [
            failures.length > 0 ? `in the last 24 h: ${failures.join(', ')}` : '',
            waiting.length > 0 ? `dead letters waiting: ${waiting.join(', ')}` : '',
          ]
            .filter(Boolean)
            .join('; '),
          'FailedInvocations: the target refused (its resource policy or key policy); InvocationsFailedToBeSentToDlq: the dead-letter queue refused too, so those events are lost. Read a dead letter (aws sqs receive-message) for the error attributes, fix the policy, redeploy.',
        );
      }
      return pass(
        `${rules.length} rules: no failed or undeliverable invocations in the last 24 h; dead-letter queues empty (the dead-letter path itself is not exercised, see docs/preflight-and-verify.md)`,
      );
    },
  },
];
