/** The threat-detection checks: GuardDuty, alert delivery (a sample finding end to end), and Access Analyzer. */
import { GetAnalyzerCommand } from '@aws-sdk/client-accessanalyzer';
import { GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import {
  ArchiveFindingsCommand,
  CreateSampleFindingsCommand,
  GetDetectorCommand,
  ListFindingsCommand,
} from '@aws-sdk/client-guardduty';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { type CheckDefinition, fail, isOutcome, pass, poll, skip, stack, type VerifyContext } from './context';

/** A high-severity (8) finding type, above the default alertSeverity of 7. */
export const SAMPLE_FINDING_TYPE = 'Backdoor:EC2/C&CActivity.B!DNS';

async function metricSum(
  context: VerifyContext,
  namespace: string,
  metric: string,
  dimension: { Name: string; Value: string },
  since: number,
): Promise<number> {
  const { Datapoints } = await context.clients.cloudWatch.send(
    new GetMetricStatisticsCommand({
      Namespace: namespace,
      MetricName: metric,
      Dimensions: [dimension],
      StartTime: new Date(since - 5 * 60_000),
      EndTime: new Date(context.now() + 60_000),
      Period: 60,
      Statistics: ['Sum'],
    }),
  );
  return (Datapoints ?? []).reduce((sum, d) => sum + (d.Sum ?? 0), 0);
}

async function archiveSampleFindings(context: VerifyContext, detectorId: string, since: number): Promise<void> {
  const { FindingIds } = await context.clients.guardDuty.send(
    new ListFindingsCommand({
      DetectorId: detectorId,
      FindingCriteria: {
        Criterion: {
          'service.additionalInfo.sample': { Equals: ['true'] },
          type: { Equals: [SAMPLE_FINDING_TYPE] },
          updatedAt: { GreaterThanOrEqual: since - 60_000 },
        },
      },
    }),
  );
  if (FindingIds && FindingIds.length > 0) {
    await context.clients.guardDuty.send(new ArchiveFindingsCommand({ DetectorId: detectorId, FindingIds }));
  }
}

export const THREAT_CHECKS: readonly CheckDefinition[] = [
  {
    id: 'guardduty',
    async run(context) {
      const threat = stack(context, 'ThreatDetection');
      if (isOutcome(threat)) return threat;
      if (!threat.GuardDutyDetectorId) return skip('guardDuty is off');
      const detector = await context.clients.guardDuty.send(
        new GetDetectorCommand({ DetectorId: threat.GuardDutyDetectorId }),
      );
      if (detector.Status !== 'ENABLED') {
        return fail(
          `detector ${threat.GuardDutyDetectorId} is ${detector.Status ?? 'unknown'}`,
          `Enable it: aws guardduty update-detector --detector-id ${threat.GuardDutyDetectorId} --enable`,
        );
      }
      const wanted = (threat.GuardDutyFeatures ?? '').split(',').filter(Boolean);
      const enabled = new Set((detector.Features ?? []).filter((f) => f.Status === 'ENABLED').map((f) => f.Name));
      const missing = wanted.filter((f) => !enabled.has(f as never));
      if (missing.length > 0) {
        return fail(
          `features not enabled: ${missing.join(', ')}`,
          'Redeploy the ThreatDetection stack; a delegated GuardDuty administrator may manage features for this account.',
        );
      }
      return pass(`detector enabled${wanted.length > 0 ? ` with ${wanted.join(', ')}` : ''}`);
    },
  },
  {
    id: 'alerts',
    slow: true,
    async run(context) {
      const threat = stack(context, 'ThreatDetection');
      if (isOutcome(threat)) return threat;
      const detectorId = threat.GuardDutyDetectorId;
      if (!detectorId) return skip('guardDuty is off: no detector to raise sample findings');
      const topicName = (threat.AlertTopicArn ?? '').split(':').pop() ?? '';
      const rules = (threat.AlertRuleNames ?? '').split(',').filter(Boolean);
      const started = context.now();
      await context.clients.guardDuty.send(
        new CreateSampleFindingsCommand({ DetectorId: detectorId, FindingTypes: [SAMPLE_FINDING_TYPE] }),
      );
      try {
        const topic = { Name: 'TopicName', Value: topicName };
        const published = await poll(
          context,
          'the sample finding on the alert topic',
          started + context.timeoutMs,
          30_000,
          async () => {
            const n = await metricSum(context, 'AWS/SNS', 'NumberOfMessagesPublished', topic, started);
            return n > 0 ? n : undefined;
          },
        );
        const failedRules: string[] = [];
        for (const rule of rules) {
          const n = await metricSum(
            context,
            'AWS/Events',
            'FailedInvocations',
            { Name: 'RuleName', Value: rule },
            started,
          );
          if (n > 0) failedRules.push(`${rule} (${n})`);
        }
        const failedNotifications = await metricSum(context, 'AWS/SNS', 'NumberOfNotificationsFailed', topic, started);
        const delivered = await metricSum(context, 'AWS/SNS', 'NumberOfNotificationsDelivered', topic, started);
        const { Attributes } = await context.clients.sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: threat.AlertDeadLetterQueueUrl,
            AttributeNames: ['ApproximateNumberOfMessages'],
          }),
        );
        const deadLetters = Number(Attributes?.ApproximateNumberOfMessages ?? 0);
        const problems = [
          ...(published === undefined
            ? [`nothing published to ${topicName} within ${context.timeoutMs / 1000} s`]
            : []),
          ...(failedRules.length > 0 ? [`failed rule invocations: ${failedRules.join(', ')}`] : []),
          ...(failedNotifications > 0 ? [`${failedNotifications} notifications failed`] : []),
          ...(deadLetters > 0 ? [`${deadLetters} messages in the dead-letter queue`] : []),
        ];
        if (problems.length > 0) {
          return fail(
            problems.join('; '),
            'Failed invocations or dead letters usually mean the topic policy or the alert key policy refuses EventBridge (AWS documents no Condition on this path: look for one added by hand, or a disabled key); read a message from the dead-letter queue for the error. Nothing published: run again with a longer --timeout (GuardDuty takes up to 5 minutes).',
          );
        }
        return pass(
          `sample finding published to the topic; ${delivered > 0 ? `${delivered} notifications delivered` : 'no subscription delivered (alertEmail empty or unconfirmed)'}; no failed invocations; dead-letter queue empty`,
        );
      } finally {
        // Sample findings cannot be deleted; archive the ones this run made.
        await archiveSampleFindings(context, detectorId, started).catch((error: unknown) =>
          context.progress(
            `could not archive sample findings: ${error instanceof Error ? error.message : String(error)}`,
          ),
        );
      }
    },
  },
  {
    id: 'access-analyzer',
    async run(context) {
      const threat = stack(context, 'ThreatDetection');
      if (isOutcome(threat)) return threat;
      const arns = [threat.ExternalAccessAnalyzerArn, threat.UnusedAccessAnalyzerArn].filter((a): a is string => !!a);
      if (arns.length === 0)
        return skip('no analyzer created by this app (accessAnalyzer/unusedAccessAnalyzer off or existing)');
      const states = await Promise.all(
        arns.map(async (arn) => {
          const analyzerName = arn.split('/').pop() ?? arn;
          const { analyzer } = await context.clients.accessAnalyzer.send(new GetAnalyzerCommand({ analyzerName }));
          return { analyzerName, status: analyzer?.status ?? 'unknown', reason: analyzer?.statusReason?.code };
        }),
      );
      const inactive = states.filter((s) => s.status !== 'ACTIVE');
      if (inactive.length > 0) {
        return fail(
          inactive.map((s) => `${s.analyzerName} is ${s.status}${s.reason ? ` (${s.reason})` : ''}`).join('; '),
          'A CREATING analyzer needs a few minutes; FAILED: see its status reason in the IAM console.',
        );
      }
      return pass(`${states.map((s) => s.analyzerName).join(', ')} ACTIVE`);
    },
  },
];
