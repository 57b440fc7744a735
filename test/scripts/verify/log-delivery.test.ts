import { ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { DescribeTrailsCommand, GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import {
  DescribeConfigurationRecorderStatusCommand,
  DescribeDeliveryChannelStatusCommand,
} from '@aws-sdk/client-config-service';
import { DescribeFlowLogsCommand } from '@aws-sdk/client-ec2';
import { HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { buckets, fake, flowLogId, keyArn, mocks, recorderName, RESOURCES, verify } from './harness';

const hoursAgo = (n: number) => new Date(fake.clock - n * 3600_000);
const noObjectsUnder = (prefix: string) =>
  mocks.s3.on(ListObjectsV2Command).callsFake(({ Prefix }: { Prefix: string }) => ({
    Contents: Prefix.startsWith(prefix) ? [] : [{ Key: `${Prefix}x`, LastModified: new Date(fake.clock) }],
  }));

describe('trail-delivery', () => {
  const run = async () => (await verify({ only: ['trail-delivery'] }))['trail-delivery'];

  test('deliveries and a digest => PASS, naming how the digest is encrypted', async () => {
    mocks.s3.on(HeadObjectCommand).resolves({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn });
    expect(await run()).toMatchObject({
      result: 'PASS',
      detail: expect.stringContaining(`encrypted aws:kms ${keyArn}`),
    });
    const listed = mocks.s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input);
    expect(listed).toEqual([
      expect.objectContaining({
        Bucket: buckets.trail,
        Prefix: 'AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/',
      }),
    ]);
  });

  test.each([
    ['LatestDeliveryError', 'log files to S3: AccessDenied'],
    ['LatestDigestDeliveryError', 'digest files to S3: AccessDenied'],
    ['LatestCloudWatchLogsDeliveryError', 'events to CloudWatch Logs: AccessDenied'],
  ])('%s set while IsLogging is true => FAIL naming it', async (field, named) => {
    mocks.cloudTrail.on(GetTrailStatusCommand).resolves({ IsLogging: true, [field]: 'AccessDenied' });
    expect(await run()).toMatchObject({
      result: 'FAIL',
      detail: `delivery failing: ${named}`,
      fix: expect.stringContaining('key policy'),
    });
  });

  test('no digest an hour and more after logging started => FAIL; within the first hour => WAIT', async () => {
    noObjectsUnder('AWSLogs/');
    expect(await run()).toMatchObject({ result: 'FAIL', detail: expect.stringContaining('no digest file') });
    mocks.cloudTrail.on(GetTrailStatusCommand).resolves({
      IsLogging: true,
      StartLoggingTime: hoursAgo(0.5),
      LatestDeliveryTime: hoursAgo(0.1),
      LatestCloudWatchLogsDeliveryTime: hoursAgo(0.1),
    });
    expect(await run()).toMatchObject({ result: 'WAIT', detail: expect.stringContaining('after the first hour') });
  });

  test('nothing delivered: WAIT for 15 minutes, FAIL after', async () => {
    mocks.cloudTrail.on(GetTrailStatusCommand).resolves({ IsLogging: true, StartLoggingTime: hoursAgo(0.1) });
    expect(await run()).toMatchObject({ result: 'WAIT' });
    mocks.cloudTrail.on(GetTrailStatusCommand).resolves({ IsLogging: true, StartLoggingTime: hoursAgo(1) });
    expect(await run()).toMatchObject({
      result: 'FAIL',
      detail: expect.stringContaining('no log file delivered yet; no event delivered to CloudWatch Logs yet'),
    });
  });

  test('validation switched off, or logging stopped => FAIL', async () => {
    mocks.cloudTrail
      .on(DescribeTrailsCommand)
      .resolves({ trailList: [{ S3BucketName: buckets.trail, LogFileValidationEnabled: false }] });
    expect(await run()).toMatchObject({ result: 'FAIL', detail: expect.stringContaining('validation is off') });
    mocks.cloudTrail.on(GetTrailStatusCommand).resolves({ IsLogging: false });
    expect(await run()).toMatchObject({ result: 'FAIL', fix: expect.stringContaining('start-logging') });
  });
});

describe('access-logs', () => {
  const run = async () => (await verify({ only: ['access-logs'] }))['access-logs'];

  test('each logged bucket has a log under its target prefix => PASS', async () => {
    expect(await run()).toMatchObject({ result: 'PASS' });
    const listed = mocks.s3
      .commandCalls(ListObjectsV2Command)
      .map((c) => [c.args[0].input.Bucket, c.args[0].input.Prefix]);
    expect(listed).toEqual(
      expect.arrayContaining([
        [buckets.dataAccessLogs, 'data-bucket/'],
        [buckets.threatAccessLogs, 'cloudtrail/'],
        [buckets.threatAccessLogs, 'guardduty-findings/'],
      ]),
    );
  });

  test('no log after 6 hours => FAIL naming the bucket; a bucket set up less than 6 hours ago => WAIT', async () => {
    noObjectsUnder('cloudtrail/');
    expect(await run()).toMatchObject({
      result: 'FAIL',
      detail: expect.stringContaining(`${buckets.trail} -> s3://${buckets.threatAccessLogs}/cloudtrail/`),
      fix: expect.stringContaining('logging.s3.amazonaws.com'),
    });
    const young = RESOURCES['GuardedGenAi-ThreatDetection'].map((r) =>
      r.PhysicalResourceId === buckets.trail ? { ...r, LastUpdatedTimestamp: hoursAgo(2) } : r,
    );
    mocks.cloudformation
      .on(ListStackResourcesCommand, { StackName: 'GuardedGenAi-ThreatDetection' })
      .resolves({ StackResourceSummaries: young });
    expect(await run()).toMatchObject({
      result: 'WAIT',
      detail: expect.stringContaining(`not yet for ${buckets.trail}`),
    });
  });
});

describe('config-delivery', () => {
  const run = async () => (await verify({ only: ['config-delivery'] }))['config-delivery'];

  test('recording, delivered, an object under AWSLogs/<account>/Config/<region>/ => PASS', async () => {
    expect(await run()).toMatchObject({ result: 'PASS' });
    expect(mocks.s3.commandCalls(ListObjectsV2Command)[0].args[0].input).toMatchObject({
      Bucket: buckets.config,
      Prefix: 'AWSLogs/111122223333/Config/eu-west-1/',
    });
  });

  test('recorder stopped, or failing => FAIL', async () => {
    mocks.config
      .on(DescribeConfigurationRecorderStatusCommand)
      .resolves({ ConfigurationRecordersStatus: [{ name: recorderName, recording: false }] });
    expect(await run()).toMatchObject({ result: 'FAIL', fix: expect.stringContaining('start-configuration-recorder') });
    mocks.config.on(DescribeConfigurationRecorderStatusCommand).resolves({
      ConfigurationRecordersStatus: [
        { name: recorderName, recording: true, lastStatus: 'Failure', lastErrorCode: 'AccessDenied' },
      ],
    });
    expect(await run()).toMatchObject({ result: 'FAIL', detail: expect.stringContaining('AccessDenied') });
  });

  test('a delivery failed => FAIL with its error', async () => {
    mocks.config.on(DescribeDeliveryChannelStatusCommand).resolves({
      DeliveryChannelsStatus: [
        {
          configHistoryDeliveryInfo: {
            lastStatus: 'Failure',
            lastErrorCode: 'KMSAccessDeniedException',
            lastErrorMessage: 'no access to the key',
          },
        },
      ],
    });
    expect(await run()).toMatchObject({
      result: 'FAIL',
      detail: 'configuration history delivery failed: KMSAccessDeniedException no access to the key',
    });
  });

  test('nothing delivered yet => WAIT; a reported delivery with an empty bucket => FAIL', async () => {
    noObjectsUnder('AWSLogs/');
    expect(await run()).toMatchObject({ result: 'FAIL', detail: expect.stringContaining('is empty') });
    mocks.config.on(DescribeDeliveryChannelStatusCommand).resolves({
      DeliveryChannelsStatus: [{ configHistoryDeliveryInfo: { lastStatus: 'Not_Applicable' } }],
    });
    expect(await run()).toMatchObject({ result: 'WAIT' });
  });
});

describe('flow-logs', () => {
  const run = async () => (await verify({ only: ['flow-logs'] }))['flow-logs'];

  test('ACTIVE and delivering => PASS; asks for the stack’s flow log by id', async () => {
    expect(await run()).toMatchObject({ result: 'PASS' });
    expect(mocks.ec2.commandCalls(DescribeFlowLogsCommand)[0].args[0].input).toEqual({ FlowLogIds: [flowLogId] });
  });

  test('delivery FAILED with "Access error" => FAIL saying the role cannot write', async () => {
    mocks.ec2.on(DescribeFlowLogsCommand).resolves({
      FlowLogs: [
        {
          FlowLogId: flowLogId,
          FlowLogStatus: 'ACTIVE',
          DeliverLogsStatus: 'FAILED',
          DeliverLogsErrorMessage: 'Access error',
        },
      ],
    });
    expect(await run()).toMatchObject({
      result: 'FAIL',
      detail: `${flowLogId} delivery FAILED: Access error`,
      fix: expect.stringContaining('role'),
    });
  });

  test('isolatedNetwork off (no flow log in the stack) => SKIP', async () => {
    mocks.cloudformation.on(ListStackResourcesCommand, { StackName: 'GuardedGenAi-DataProtection' }).resolves({
      StackResourceSummaries: RESOURCES['GuardedGenAi-DataProtection'].filter(
        (r) => r.ResourceType !== 'AWS::EC2::FlowLog',
      ),
    });
    expect(await run()).toMatchObject({ result: 'SKIP', detail: expect.stringContaining('isolatedNetwork is off') });
    expect(mocks.ec2.commandCalls(DescribeFlowLogsCommand)).toHaveLength(0);
  });
});
