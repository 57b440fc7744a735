/**
 * alerts: a GuardDuty sample finding reaches the alert topic, and nothing
 * fails on the way (rule invocations, dead-lettering, SNS notifications).
 *
 * Rerunnable. GuardDuty aggregates: "If GuardDuty detects a new activity
 * related to the same security issue, then instead of creating a new finding,
 * GuardDuty will update the original finding"
 * (https://docs.aws.amazon.com/guardduty/latest/ug/finding-aggregation.html);
 * "Any new active findings that GuardDuty generates are automatically exported
 * within about 5 minutes [...] The frequency that you select applies to the
 * exporting of new occurrences of existing findings to EventBridge"
 * (https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_exportfindings.html);
 * and "Archived findings, including new instances of suppressed findings,
 * aren't exported" (same page, earlier version). So each run raises a sample
 * of a type no earlier run used (a new finding, published within about five
 * minutes); once every type has been used, it takes the one updated longest
 * ago, unarchives it, and needs a wait of the detector's publishing frequency
 * plus five minutes, which the failure names. Samples are not archived
 * afterwards: the export to S3 (findings-export, later in the run) must still
 * see the finding active.
 */
import {
  CreateSampleFindingsCommand,
  type Finding,
  GetDetectorCommand,
  GetFindingsCommand,
  ListFindingsCommand,
  UnarchiveFindingsCommand,
} from '@aws-sdk/client-guardduty';
import { ListSubscriptionsByTopicCommand, type Subscription } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { type CheckDefinition, fail, isOutcome, pass, poll, skip, stack, type VerifyContext } from './context';
import { metricSum } from './resources';

/**
 * Sample types GuardDuty's finding-types table lists as High severity (7-8.9),
 * at or above the default alertSeverity of 7
 * (https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_finding-types-active.html).
 */
export const SAMPLE_FINDING_TYPES = [
  'Backdoor:EC2/C&CActivity.B!DNS',
  'Backdoor:EC2/C&CActivity.B',
  'Backdoor:EC2/DenialOfService.Tcp',
  'Backdoor:EC2/DenialOfService.Udp',
  'Backdoor:EC2/DenialOfService.Dns',
  'Backdoor:EC2/DenialOfService.UdpOnTcpPorts',
  'Backdoor:EC2/DenialOfService.UnusualProtocol',
  'CryptoCurrency:EC2/BitcoinTool.B',
  'CryptoCurrency:EC2/BitcoinTool.B!DNS',
] as const;

const FREQUENCY_MS: Record<string, number> = {
  FIFTEEN_MINUTES: 15 * 60_000,
  ONE_HOUR: 3600_000,
  SIX_HOURS: 6 * 3600_000,
};

/** The sample findings of our types the detector holds (archived or not; GuardDuty keeps findings 90 days). */
async function earlierSamples(context: VerifyContext, detectorId: string): Promise<Finding[]> {
  const ids: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await context.clients.guardDuty.send(
      new ListFindingsCommand({
        DetectorId: detectorId,
        FindingCriteria: {
          Criterion: {
            'service.additionalInfo.sample': { Equals: ['true'] },
            type: { Equals: [...SAMPLE_FINDING_TYPES] },
          },
        },
        NextToken,
      }),
    );
    ids.push(...(page.FindingIds ?? []));
    NextToken = page.NextToken;
  } while (NextToken && ids.length < 200);
  const findings: Finding[] = [];
  for (let i = 0; i < ids.length; i += 50) {
    const { Findings } = await context.clients.guardDuty.send(
      new GetFindingsCommand({ DetectorId: detectorId, FindingIds: ids.slice(i, i + 50) }),
    );
    findings.push(...(Findings ?? []));
  }
  return findings;
}

/**
 * The topic's confirmed subscriptions. Until the recipient confirms, SNS lists
 * an e-mail subscription with the SubscriptionArn "PendingConfirmation" and
 * delivers nothing to it ("the subscription ARN is returned as
 * PendingConfirmation", https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html).
 */
export async function confirmedSubscriptions(context: VerifyContext, topicArn: string): Promise<Subscription[]> {
  const all: Subscription[] = [];
  let NextToken: string | undefined;
  do {
    const page = await context.clients.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken }));
    all.push(...(page.Subscriptions ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return all.filter((s) => s.SubscriptionArn?.startsWith('arn:'));
}

/** The sample to raise: a type never used (a new finding), else the one updated longest ago, unarchived. */
export async function chooseSample(
  context: VerifyContext,
  detectorId: string,
): Promise<{ type: string; fresh: boolean; publishAfterMs: number }> {
  const earlier = await earlierSamples(context, detectorId);
  const unused = SAMPLE_FINDING_TYPES.find((type) => !earlier.some((f) => f.Type === type));
  if (unused) return { type: unused, fresh: true, publishAfterMs: 5 * 60_000 };
  const oldest = [...earlier].sort((a, b) => Date.parse(a.UpdatedAt ?? '') - Date.parse(b.UpdatedAt ?? ''))[0];
  const archived = earlier.filter((f) => f.Type === oldest.Type && f.Service?.Archived).map((f) => f.Id ?? '');
  if (archived.length > 0) {
    await context.clients.guardDuty.send(
      new UnarchiveFindingsCommand({ DetectorId: detectorId, FindingIds: archived }),
    );
  }
  const { FindingPublishingFrequency } = await context.clients.guardDuty.send(
    new GetDetectorCommand({ DetectorId: detectorId }),
  );
  const frequency = FREQUENCY_MS[FindingPublishingFrequency ?? 'SIX_HOURS'] ?? FREQUENCY_MS.SIX_HOURS;
  return { type: oldest.Type ?? SAMPLE_FINDING_TYPES[0], fresh: false, publishAfterMs: frequency + 5 * 60_000 };
}

export const ALERTS_CHECK: CheckDefinition = {
  id: 'alerts',
  slow: true,
  async run(context, state) {
    const threat = stack(context, 'ThreatDetection');
    if (isOutcome(threat)) return threat;
    const detectorId = threat.GuardDutyDetectorId;
    if (!detectorId) return skip('guardDuty is off: no detector to raise sample findings');
    const topicName = (threat.AlertTopicArn ?? '').split(':').pop() ?? '';
    const rules = (threat.AlertRuleNames ?? '').split(',').filter(Boolean);
    // An alert nobody receives is not an alert: refuse before raising a
    // finding that would only be published to no one.
    const confirmed = await confirmedSubscriptions(context, threat.AlertTopicArn ?? '');
    if (confirmed.length === 0) {
      return fail(
        `the alert topic ${topicName} has no confirmed subscription: every finding and alarm reaches nobody`,
        'Set an address (npm run config -- set alertEmail=you@example.com), deploy the ThreatDetection stack (npx cdk deploy --all), then open the "AWS Notification - Subscription Confirmation" e-mail and confirm it. A subscription of your own (SQS, a chat webhook through Lambda) counts as well.',
      );
    }
    const sample = await chooseSample(context, detectorId);
    const started = context.now();
    state.sampleFindingAt = started;
    await context.clients.guardDuty.send(
      new CreateSampleFindingsCommand({ DetectorId: detectorId, FindingTypes: [sample.type] }),
    );
    const topic = [{ Name: 'TopicName', Value: topicName }];
    const published = await poll(
      context,
      `the sample finding ${sample.type} on the alert topic`,
      started + context.timeoutMs,
      30_000,
      async () => {
        const n = await metricSum(context, 'AWS/SNS', 'NumberOfMessagesPublished', topic, started);
        return n > 0 ? n : undefined;
      },
    );
    const failedRules: string[] = [];
    for (const rule of rules) {
      const dimension = [{ Name: 'RuleName', Value: rule }];
      for (const metric of ['FailedInvocations', 'InvocationsFailedToBeSentToDlq']) {
        const n = await metricSum(context, 'AWS/Events', metric, dimension, started);
        if (n > 0) failedRules.push(`${rule} ${metric} ${n}`);
      }
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
    const waited = Math.round(context.timeoutMs / 1000);
    const problems = [
      ...(published === undefined ? [`nothing published to ${topicName} within ${waited} s`] : []),
      ...(failedRules.length > 0 ? [`failed rule deliveries: ${failedRules.join(', ')}`] : []),
      ...(failedNotifications > 0 ? [`${failedNotifications} notifications failed`] : []),
      ...(deadLetters > 0 ? [`${deadLetters} messages in the dead-letter queue`] : []),
    ];
    if (problems.length > 0) {
      const needed = Math.ceil(sample.publishAfterMs / 1000);
      const tooShort =
        published === undefined && context.timeoutMs < sample.publishAfterMs
          ? ` Every sample type was used before, so this run updated ${sample.type}: GuardDuty exports updates at the detector's publishing frequency; run it again with --timeout ${needed}.`
          : '';
      return fail(
        `${problems.join('; ')} (sample ${sample.type}, ${sample.fresh ? 'a new finding' : 'an update'})`,
        `Failed invocations or dead letters usually mean the topic policy or the alert key policy refuses EventBridge (AWS documents no Condition on this path: look for one added by hand, or a disabled key); read a message from the dead-letter queue for the error. InvocationsFailedToBeSentToDlq: the dead-letter queue refuses EventBridge too. Nothing published: the finding may be below alertSeverity, or GuardDuty is slow (about 5 minutes for a new finding).${tooShort}`,
      );
    }
    return pass(
      `sample ${sample.type} (${sample.fresh ? 'new finding' : 'update'}) published to the topic; ${delivered > 0 ? `${delivered} notifications delivered` : `no notification delivered yet to the ${confirmed.length} confirmed subscription(s)`}; no failed or undeliverable rule invocations; dead-letter queue empty`,
    );
  },
};
