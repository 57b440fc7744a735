/**
 * The log paths that fail silently: S3 server access logs, AWS Config's
 * delivery channel and the isolated network's flow logs. Each reads what the
 * service itself reports and, where it writes objects, looks for one.
 */
import {
  DescribeConfigurationRecorderStatusCommand,
  DescribeDeliveryChannelsCommand,
  DescribeDeliveryChannelStatusCommand,
} from '@aws-sdk/client-config-service';
import { DescribeFlowLogsCommand } from '@aws-sdk/client-ec2';
import { GetBucketLoggingCommand } from '@aws-sdk/client-s3';
import { type CheckDefinition, fail, isOutcome, type Outcome, pass, skip, stack, wait } from './context';
import { age, arnParts, newestObject, ofType, stackResources } from './resources';

/**
 * "Server access log records are delivered on a best-effort basis. Most log
 * records are delivered within a few hours of the time that they are
 * recorded" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html).
 * "A few hours" is read here as six: until a bucket has existed that long,
 * a missing log is WAIT, not FAIL.
 */
export const ACCESS_LOG_DELAY_MS = 6 * 3600_000;

async function accessLogs(context: Parameters<CheckDefinition['run']>[0]): Promise<Outcome> {
  const sources: { bucket: string; target: string; prefix: string; since: number }[] = [];
  for (const kind of ['DataProtection', 'ThreatDetection'] as const) {
    const resources = await stackResources(context, kind);
    if (isOutcome(resources)) {
      if (resources.result === 'FAIL') return resources;
      continue;
    }
    for (const bucket of ofType(resources, 'AWS::S3::Bucket')) {
      const name = bucket.PhysicalResourceId ?? '';
      const { LoggingEnabled } = await context.clients.s3.send(new GetBucketLoggingCommand({ Bucket: name }));
      if (!LoggingEnabled?.TargetBucket) continue;
      sources.push({
        bucket: name,
        target: LoggingEnabled.TargetBucket,
        prefix: LoggingEnabled.TargetPrefix ?? '',
        since: bucket.LastUpdatedTimestamp?.getTime() ?? 0,
      });
    }
  }
  if (sources.length === 0) return skip('no bucket of this app has server access logging on');
  const delivered: string[] = [];
  const waiting: string[] = [];
  const missing: string[] = [];
  for (const source of sources) {
    const log = await newestObject(context, source.target, source.prefix);
    if (log) delivered.push(`${source.bucket} (${age(context, log.LastModified)} ago)`);
    else if (context.now() - source.since < ACCESS_LOG_DELAY_MS) waiting.push(source.bucket);
    else missing.push(`${source.bucket} -> s3://${source.target}/${source.prefix}`);
  }
  const summary = [
    delivered.length > 0 ? `logs delivered for ${delivered.join(', ')}` : '',
    waiting.length > 0 ? `not yet for ${waiting.join(', ')} (set up less than 6 hours ago)` : '',
  ]
    .filter(Boolean)
    .join('; ');
  if (missing.length > 0) {
    return fail(
      `no access log after 6 hours for ${missing.join(', ')}${summary ? `; ${summary}` : ''}`,
      'S3 logs only requests: if nothing used that bucket, make one request (aws s3 ls s3://<bucket>) and look again in a few hours. Otherwise the log bucket policy must let logging.s3.amazonaws.com write for that source bucket (aws:SourceArn); redeploy its stack.',
    );
  }
  if (delivered.length === 0) {
    return wait(`${summary}; S3 delivers access logs within a few hours (best effort): run it again later`);
  }
  return waiting.length > 0 ? wait(summary) : pass(summary);
}

export const LOG_DELIVERY_CHECKS: readonly CheckDefinition[] = [
  { id: 'access-logs', run: accessLogs },
  {
    id: 'config-delivery',
    async run(context) {
      const threat = stack(context, 'ThreatDetection');
      if (isOutcome(threat)) return threat;
      const recorderName = threat.ConfigRecorderName;
      if (!recorderName) return skip('configRecorder is not "create": no recorder of this app');
      const { ConfigurationRecordersStatus } = await context.clients.config.send(
        new DescribeConfigurationRecorderStatusCommand({ ConfigurationRecorderNames: [recorderName] }),
      );
      const recorder = ConfigurationRecordersStatus?.[0];
      if (!recorder?.recording) {
        return fail(
          `recorder ${recorderName} is not recording`,
          `aws configservice start-configuration-recorder --configuration-recorder-name ${recorderName}`,
        );
      }
      if (recorder.lastStatus === 'Failure') {
        return fail(
          `recorder ${recorderName}: ${recorder.lastErrorCode ?? ''} ${recorder.lastErrorMessage ?? ''}`.trim(),
          "The recorder's service-linked role or the delivery channel is refused: see the error, then redeploy the ThreatDetection stack.",
        );
      }
      const resources = await stackResources(context, 'ThreatDetection');
      if (isOutcome(resources)) return resources;
      const channelName = ofType(resources, 'AWS::Config::DeliveryChannel')[0]?.PhysicalResourceId;
      if (!channelName) return fail('the stack has no delivery channel', 'Redeploy the ThreatDetection stack.');
      const [{ DeliveryChannels }, { DeliveryChannelsStatus }] = await Promise.all([
        context.clients.config.send(new DescribeDeliveryChannelsCommand({ DeliveryChannelNames: [channelName] })),
        context.clients.config.send(new DescribeDeliveryChannelStatusCommand({ DeliveryChannelNames: [channelName] })),
      ]);
      const status = DeliveryChannelsStatus?.[0];
      const streams = [
        ['configuration history', status?.configHistoryDeliveryInfo],
        ['configuration snapshot', status?.configSnapshotDeliveryInfo],
      ] as const;
      const failed = streams.filter(([, info]) => info?.lastStatus === 'Failure');
      if (failed.length > 0) {
        return fail(
          failed
            .map(
              ([what, info]) => `${what} delivery failed: ${info?.lastErrorCode ?? ''} ${info?.lastErrorMessage ?? ''}`,
            )
            .join('; '),
          'The Config bucket policy or the project key policy refuses AWS Config (see docs/service-principals.md); fix and redeploy the ThreatDetection stack.',
        );
      }
      const channel = DeliveryChannels?.[0];
      if (!channel?.s3BucketName)
        return fail(`delivery channel ${channelName} not found`, 'Redeploy the ThreatDetection stack.');
      const { account, region } = arnParts(threat.AlertTopicArn ?? '');
      const prefix = `${channel.s3KeyPrefix ? `${channel.s3KeyPrefix}/` : ''}AWSLogs/${account}/Config/${region}/`;
      const object = await newestObject(context, channel.s3BucketName, prefix);
      const succeeded = streams.filter(([, info]) => info?.lastSuccessfulTime);
      const recording = `recorder ${recorderName} recording (last status ${recorder.lastStatus ?? 'unknown'})`;
      if (!object) {
        if (succeeded.length === 0) {
          return wait(
            `${recording}; nothing delivered yet (history files follow changes, snapshots the channel's frequency): run it again in a few hours`,
          );
        }
        return fail(
          `${recording}; Config reports a delivery but s3://${channel.s3BucketName}/${prefix} is empty`,
          'Someone deleted the objects or changed the channel: compare the channel (aws configservice describe-delivery-channels) with the stack.',
        );
      }
      if (recorder.lastStatus === 'Pending') return wait(`${recording}; the recorder's first recording is pending`);
      return pass(`${recording}; newest delivery ${age(context, object.LastModified)} ago (${object.Key})`);
    },
  },
  {
    id: 'flow-logs',
    async run(context) {
      const resources = await stackResources(context, 'DataProtection');
      if (isOutcome(resources)) return resources;
      const ids = ofType(resources, 'AWS::EC2::FlowLog').map((r) => r.PhysicalResourceId ?? '');
      if (ids.length === 0) return skip('isolatedNetwork is off: no flow log');
      const { FlowLogs } = await context.clients.ec2.send(new DescribeFlowLogsCommand({ FlowLogIds: ids }));
      const problems = ids.flatMap((id) => {
        const log = FlowLogs?.find((f) => f.FlowLogId === id);
        if (!log) return [`${id} not found`];
        return [
          ...(log.FlowLogStatus === 'ACTIVE' ? [] : [`${id} is ${log.FlowLogStatus ?? 'unknown'}`]),
          ...(log.DeliverLogsStatus && log.DeliverLogsStatus !== 'SUCCESS'
            ? [`${id} delivery ${log.DeliverLogsStatus}: ${log.DeliverLogsErrorMessage ?? 'no message'}`]
            : []),
          ...(log.DeliverLogsStatus === 'SUCCESS' && log.DeliverLogsErrorMessage
            ? [`${id}: ${log.DeliverLogsErrorMessage}`]
            : []),
        ];
      });
      if (problems.length > 0) {
        // EC2's own words (DescribeFlowLogs, FlowLog.DeliverLogsErrorMessage): "Access error indicates that
        // the IAM role associated with the flow log does not have sufficient permissions to publish to CloudWatch Logs."
        return fail(
          problems.join('; '),
          'Access error: the flow log role cannot write to its log group (or the project key refuses CloudWatch Logs); Rate limited: CloudWatch Logs throttled. Fix the role or key policy and redeploy the DataProtection stack.',
        );
      }
      return pass(`${ids.join(', ')} ACTIVE, delivery SUCCESS`);
    },
  },
];
