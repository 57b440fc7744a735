import { GetModelInvocationLoggingConfigurationCommand } from '@aws-sdk/client-bedrock';
import { GetIngestionJobCommand, ListIngestionJobsCommand } from '@aws-sdk/client-bedrock-agent';
import { ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import {
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  GetMetricStatisticsCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateSampleFindingsCommand,
  DescribePublishingDestinationCommand,
  GetDetectorCommand,
  GetFindingsCommand,
  ListFindingsCommand,
  UnarchiveFindingsCommand,
} from '@aws-sdk/client-guardduty';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ListSubscriptionsByTopicCommand } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { ALARM_TEST_REASON, DELIVERY_FAILURE_METRICS, SAMPLE_FINDING_TYPES } from '../../../scripts/verify-checks';
import { alarms, buckets, detectorId, fake, mocks, RESOURCES, scanResultsRule, topicArn, verify } from './harness';

const earlierSample = (type: string, updatedAt: string, archived: boolean) => ({
  Id: `f-${type}`,
  Type: type,
  UpdatedAt: updatedAt,
  Service: { Archived: archived, Count: 1 },
});

describe('alerts, rerunnable', () => {
  test('a type an earlier run used is not raised again: the next unused one is', async () => {
    mocks.guardDuty.on(ListFindingsCommand).resolves({ FindingIds: ['f1', 'f2'] });
    mocks.guardDuty.on(GetFindingsCommand).resolves({
      Findings: SAMPLE_FINDING_TYPES.slice(0, 2).map((t) => earlierSample(t, '2026-06-01T11:50:00Z', true)) as never,
    });
    expect((await verify({ only: ['alerts'] })).alerts).toMatchObject({ result: 'PASS' });
    expect(mocks.guardDuty.commandCalls(CreateSampleFindingsCommand)[0].args[0].input.FindingTypes).toEqual([
      SAMPLE_FINDING_TYPES[2],
    ]);
    expect(mocks.guardDuty.commandCalls(UnarchiveFindingsCommand)).toHaveLength(0);
  });

  test('every type used => the one updated longest ago, unarchived; a short --timeout names the one needed', async () => {
    mocks.guardDuty.on(ListFindingsCommand).resolves({ FindingIds: SAMPLE_FINDING_TYPES.map((t) => `f-${t}`) });
    mocks.guardDuty.on(GetFindingsCommand).resolves({
      Findings: SAMPLE_FINDING_TYPES.map((t, i) =>
        earlierSample(t, `2026-05-${String(10 + i).padStart(2, '0')}T00:00:00Z`, true),
      ) as never,
    });
    mocks.guardDuty
      .on(GetDetectorCommand)
      .resolves({ Status: 'ENABLED', FindingPublishingFrequency: 'FIFTEEN_MINUTES' } as never);
    mocks.cloudWatch.on(GetMetricStatisticsCommand).resolves({ Datapoints: [] });
    const result = (await verify({ only: ['alerts'] })).alerts;
    expect(mocks.guardDuty.commandCalls(UnarchiveFindingsCommand)[0].args[0].input).toEqual({
      DetectorId: detectorId,
      FindingIds: [`f-${SAMPLE_FINDING_TYPES[0]}`],
    });
    expect(result).toMatchObject({
      result: 'FAIL',
      detail: expect.stringContaining('an update'),
      // 15 minutes of publishing frequency + 5 minutes, longer than the 300 s of the test.
      fix: expect.stringContaining('--timeout 1200'),
    });
  });

  test.each([
    ['no subscription at all (alertEmail empty)', []],
    [
      'only a subscription still pending confirmation',
      [{ SubscriptionArn: 'PendingConfirmation', Protocol: 'email', TopicArn: topicArn }],
    ],
  ])('%s => FAIL before any sample finding is raised', async (_case, subscriptions) => {
    mocks.sns.on(ListSubscriptionsByTopicCommand).resolves({ Subscriptions: subscriptions });
    expect((await verify({ only: ['alerts'] })).alerts).toMatchObject({
      result: 'FAIL',
      detail: expect.stringContaining('no confirmed subscription'),
      fix: expect.stringContaining('alertEmail'),
    });
    expect(mocks.guardDuty.commandCalls(CreateSampleFindingsCommand)).toHaveLength(0);
  });

  test('InvocationsFailedToBeSentToDlq on an alert rule => FAIL (the dead-letter queue refuses too)', async () => {
    mocks.cloudWatch.on(GetMetricStatisticsCommand).callsFake(({ MetricName }: { MetricName: string }) => ({
      Datapoints: ['NumberOfMessagesPublished', 'InvocationsFailedToBeSentToDlq'].includes(MetricName)
        ? [{ Sum: 1 }]
        : [],
    }));
    expect((await verify({ only: ['alerts'] })).alerts).toMatchObject({
      result: 'FAIL',
      detail: expect.stringContaining('InvocationsFailedToBeSentToDlq 1'),
    });
  });
});

describe('findings-export', () => {
  const run = async (only = ['findings-export']) => (await verify({ only }))['findings-export'];

  test('PUBLISHING and an object newer than the sample finding => PASS', async () => {
    expect(await run(['alerts', 'findings-export'])).toMatchObject({ result: 'PASS' });
    expect(mocks.s3.commandCalls(ListObjectsV2Command).at(-1)?.args[0].input).toMatchObject({
      Bucket: buckets.findings,
      Prefix: 'guardduty/',
    });
  });

  test('UNABLE_TO_PUBLISH_FIX_DESTINATION_PROPERTY => FAIL naming the bucket and key policies', async () => {
    mocks.guardDuty.on(DescribePublishingDestinationCommand).resolves({
      DestinationId: 'd1',
      DestinationType: 'S3',
      Status: 'UNABLE_TO_PUBLISH_FIX_DESTINATION_PROPERTY',
      PublishingFailureStartTimestamp: Date.UTC(2026, 5, 1),
      DestinationProperties: { DestinationArn: `arn:aws:s3:::${buckets.findings}/guardduty/` },
    });
    expect(await run()).toMatchObject({
      result: 'FAIL',
      detail: expect.stringContaining('UNABLE_TO_PUBLISH_FIX_DESTINATION_PROPERTY since 2026-06-01'),
      fix: expect.stringContaining('GenerateDataKey'),
    });
  });

  test('the sample finding not exported within the wait => FAIL; without the alert check => WAIT', async () => {
    mocks.s3.on(ListObjectsV2Command).resolves({ Contents: [] });
    expect(await run(['alerts', 'findings-export'])).toMatchObject({ result: 'FAIL' });
    expect(await run()).toMatchObject({
      result: 'WAIT',
      detail: expect.stringContaining('--only alerts,findings-export'),
    });
  });

  test('findingsExport off (no publishing destination in the stack) => SKIP', async () => {
    mocks.cloudformation.on(ListStackResourcesCommand, { StackName: 'GuardedGenAi-ThreatDetection' }).resolves({
      StackResourceSummaries: RESOURCES['GuardedGenAi-ThreatDetection'].filter(
        (r) => r.ResourceType !== 'AWS::GuardDuty::PublishingDestination',
      ),
    });
    expect(await run()).toMatchObject({ result: 'SKIP', detail: 'findingsExport is off' });
  });
});

describe('alarm-delivery', () => {
  const run = async () => (await verify({ only: ['alarm-delivery'] }))['alarm-delivery'];

  test('sets an OK alarm to ALARM, sees CloudWatch publish, sets it back to OK', async () => {
    expect(await run()).toMatchObject({
      result: 'PASS',
      detail: expect.stringContaining('Successfully executed action'),
    });
    expect(mocks.cloudWatch.commandCalls(SetAlarmStateCommand).map((c) => c.args[0].input)).toEqual([
      { AlarmName: alarms[0], StateValue: 'ALARM', StateReason: ALARM_TEST_REASON },
      expect.objectContaining({ AlarmName: alarms[0], StateValue: 'OK' }),
    ]);
  });

  test('the action failed (the topic or its key refuses CloudWatch) => FAIL, and the alarm is still set back', async () => {
    mocks.cloudWatch.on(DescribeAlarmHistoryCommand).callsFake(() => ({
      AlarmHistoryItems: [
        {
          Timestamp: new Date(fake.clock),
          HistorySummary: `Failed to execute action ${topicArn}. Received error: "CloudWatch Alarms does not have authorization to access the SNS topic encryption key."`,
        },
      ],
    }));
    expect(await run()).toMatchObject({ result: 'FAIL', fix: expect.stringContaining('cloudwatch.amazonaws.com') });
    expect(mocks.cloudWatch.commandCalls(SetAlarmStateCommand)).toHaveLength(2);
  });

  test('no action recorded within the wait, or notifications failing => FAIL', async () => {
    mocks.cloudWatch.on(DescribeAlarmHistoryCommand).resolves({ AlarmHistoryItems: [] });
    expect(await run()).toMatchObject({ result: 'FAIL', detail: expect.stringContaining('no action') });
    mocks.cloudWatch.reset();
    mocks.cloudWatch.on(SetAlarmStateCommand).resolves({});
    mocks.cloudWatch.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [{ AlarmName: alarms[0], StateValue: 'OK', AlarmActions: [topicArn] }],
    });
    mocks.cloudWatch.on(DescribeAlarmHistoryCommand).callsFake(() => ({
      AlarmHistoryItems: [
        { Timestamp: new Date(fake.clock), HistorySummary: `Successfully executed action ${topicArn}` },
      ],
    }));
    mocks.cloudWatch.on(GetMetricStatisticsCommand).resolves({ Datapoints: [{ Sum: 1 }] });
    expect(await run()).toMatchObject({ result: 'FAIL', detail: expect.stringContaining('1 notifications failed') });
  });

  test('no alarm notifies the topic => FAIL; every alarm already in ALARM => SKIP, nothing set', async () => {
    mocks.cloudWatch.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: alarms.map((AlarmName) => ({ AlarmName, StateValue: 'OK', AlarmActions: [] })),
    });
    expect(await run()).toMatchObject({ result: 'FAIL' });
    mocks.cloudWatch.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: alarms.map((AlarmName) => ({ AlarmName, StateValue: 'ALARM', AlarmActions: [topicArn] })),
    });
    expect(await run()).toMatchObject({ result: 'SKIP' });
    expect(mocks.cloudWatch.commandCalls(SetAlarmStateCommand)).toHaveLength(0);
  });
});

describe('rule-dead-letters', () => {
  const run = async () => (await verify({ only: ['rule-dead-letters'] }))['rule-dead-letters'];

  test('the scan-result rule (generated name, found in the Ingestion stack) failed to dead-letter => FAIL', async () => {
    mocks.cloudWatch.on(GetMetricStatisticsCommand).callsFake(({ MetricName, Dimensions }) => ({
      Datapoints:
        MetricName === 'InvocationsFailedToBeSentToDlq' && Dimensions[0].Value === scanResultsRule ? [{ Sum: 3 }] : [],
    }));
    expect(await run()).toMatchObject({
      result: 'FAIL',
      detail: `in the last 24 h: ${scanResultsRule} InvocationsFailedToBeSentToDlq 3`,
      fix: expect.stringContaining('lost'),
    });
  });

  test('a dead letter waiting => FAIL; none => PASS over every rule', async () => {
    mocks.sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '2' } });
    expect(await run()).toMatchObject({
      result: 'FAIL',
      detail: expect.stringContaining('dead letters waiting: 2 in'),
    });
    mocks.sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '0' } });
    expect(await run()).toMatchObject({ result: 'PASS', detail: expect.stringContaining('3 rules') });
  });
});

describe('invocation-logs', () => {
  const run = async (only = ['invocation-logs']) => (await verify({ only }))['invocation-logs'];

  test('no invoke check ran => makes one call itself, then finds the event and the object', async () => {
    expect(await run()).toMatchObject({ result: 'PASS' });
    expect(fake.invoke).toHaveBeenCalledTimes(1);
    expect(mocks.s3.commandCalls(ListObjectsV2Command)[0].args[0].input.Prefix).toBe(
      'model-invocations/AWSLogs/111122223333/BedrockModelInvocationLogs/',
    );
  });

  test('the account logging configuration points elsewhere => FAIL before calling anything', async () => {
    mocks.bedrock
      .on(GetModelInvocationLoggingConfigurationCommand)
      .resolves({ loggingConfig: { cloudWatchConfig: { logGroupName: 'someone-else', roleArn: 'r' } } });
    expect(await run()).toMatchObject({ result: 'FAIL', detail: expect.stringContaining('someone-else') });
    expect(fake.invoke).not.toHaveBeenCalled();
  });

  test('no event, no object, or a delivery-failure metric => FAIL naming each', async () => {
    mocks.cloudWatchLogs.on(FilterLogEventsCommand).resolves({ events: [] });
    mocks.s3.on(ListObjectsV2Command).resolves({ Contents: [] });
    mocks.cloudWatch.on(GetMetricStatisticsCommand).callsFake(({ MetricName }: { MetricName: string }) => ({
      Datapoints: MetricName === DELIVERY_FAILURE_METRICS[1] ? [{ Sum: 4 }] : [],
    }));
    const result = await run(['benign', 'invocation-logs']);
    expect(result).toMatchObject({ result: 'FAIL' });
    expect(result.detail).toContain('no event in');
    expect(result.detail).toContain('no object under');
    expect(result.detail).toContain('ModelInvocationLogsS3DeliveryFailure 4');
  });

  test('invocationLogging off (no log group output) => SKIP', async () => {
    mocks.cloudformation.on(ListStackResourcesCommand).resolves({ StackResourceSummaries: [] });
    const { DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
    mocks.cloudformation.on(DescribeStacksCommand, { StackName: 'GuardedGenAi-Operations' }).resolves({
      Stacks: [
        { StackName: 'GuardedGenAi-Operations', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: [] },
      ],
    });
    expect(await run()).toMatchObject({ result: 'SKIP', detail: expect.stringContaining('invocationLogging is off') });
  });
});

describe('ingestion-outcome', () => {
  const run = async () => (await verify({ only: ['ingestion-outcome'] }))['ingestion-outcome'];
  const job = (status: string, failed = 0, failureReasons?: string[]) =>
    mocks.bedrockAgent.on(GetIngestionJobCommand).resolves({
      ingestionJob: {
        knowledgeBaseId: 'KB12345678',
        dataSourceId: 'DS12345678',
        ingestionJobId: 'JOB1234567',
        status,
        failureReasons,
        startedAt: new Date(),
        updatedAt: new Date(),
        statistics: { numberOfNewDocumentsIndexed: 3, numberOfDocumentsFailed: failed },
      } as never,
    });

  test('COMPLETE with failed documents => FAIL (the job "succeeded" but documents are not searchable)', async () => {
    job('COMPLETE', 2);
    expect(await run()).toMatchObject({ result: 'FAIL', detail: expect.stringContaining('2 documents failed') });
  });

  test('FAILED => FAIL with its reasons; STOPPED => FAIL', async () => {
    job('FAILED', 0, ['AccessDenied on the vector index']);
    expect(await run()).toMatchObject({
      result: 'FAIL',
      detail: expect.stringContaining('AccessDenied on the vector index'),
    });
    job('STOPPED');
    expect(await run()).toMatchObject({ result: 'FAIL', fix: expect.stringContaining('stopped') });
  });

  test('running => WAIT; no job yet => SKIP saying to ingest', async () => {
    mocks.bedrockAgent.on(ListIngestionJobsCommand).resolves({
      ingestionJobSummaries: [
        {
          knowledgeBaseId: 'KB12345678',
          dataSourceId: 'DS12345678',
          ingestionJobId: 'JOB2',
          status: 'IN_PROGRESS',
          startedAt: new Date(),
          updatedAt: new Date(),
        },
      ],
    });
    expect(await run()).toMatchObject({ result: 'WAIT' });
    mocks.bedrockAgent.on(ListIngestionJobsCommand).resolves({ ingestionJobSummaries: [] });
    expect(await run()).toMatchObject({ result: 'SKIP', detail: expect.stringContaining('npm run ingest') });
  });
});
