/**
 * trail-delivery: the trail does not only log, it delivers. `IsLogging` stays
 * true while every delivery fails; the failures are in GetTrailStatus's
 * Latest*Error fields ("Displays any Amazon S3 error that CloudTrail
 * encountered when attempting to deliver log files to the designated bucket",
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetTrailStatus.html).
 * And the digest files of log-file validation must exist: AWS pages disagree
 * on how digests are encrypted (review, core F5), and a bucket policy that
 * refuses them would silently switch validation off.
 */
import { DescribeTrailsCommand, GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { type CheckDefinition, fail, isOutcome, pass, skip, stack, wait } from './context';
import { age, arnParts, newestObject } from './resources';

/**
 * How long after logging starts a missing first delivery is WAIT rather than
 * FAIL. Our choice: no AWS delivery-latency figure could be retrieved here,
 * and 15 minutes is well past what a trail with traffic takes in practice.
 */
export const FIRST_LOG_DELAY_MS = 15 * 60_000;

/**
 * "Each digest file contains the names of the log files that were delivered
 * to your Amazon S3 bucket during the last hour"
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html):
 * one digest an hour, so the first exists an hour after logging starts (plus the delivery delay).
 */
export const FIRST_DIGEST_DELAY_MS = 60 * 60_000 + FIRST_LOG_DELAY_MS;

export const TRAIL_CHECKS: readonly CheckDefinition[] = [
  {
    id: 'trail-delivery',
    async run(context) {
      const threat = stack(context, 'ThreatDetection');
      if (isOutcome(threat)) return threat;
      const trailArn = threat.TrailArn;
      if (!trailArn) return skip('cloudTrail is false');
      const status = await context.clients.cloudTrail.send(new GetTrailStatusCommand({ Name: trailArn }));
      const errors = [
        ['log files to S3', status.LatestDeliveryError],
        ['digest files to S3', status.LatestDigestDeliveryError],
        ['events to CloudWatch Logs', status.LatestCloudWatchLogsDeliveryError],
      ].filter((e): e is [string, string] => !!e[1]);
      if (errors.length > 0) {
        return fail(
          `delivery failing: ${errors.map(([what, error]) => `${what}: ${error}`).join('; ')}`,
          'AccessDenied on S3 or KMS: the trail bucket policy or the project key policy refuses CloudTrail (see docs/service-principals.md); CloudWatch Logs: the trail role or the log group. Fix, redeploy the ThreatDetection stack; the error clears at the next good delivery.',
        );
      }
      if (!status.IsLogging) {
        return fail(
          'the trail is not logging, so nothing is delivered',
          `aws cloudtrail start-logging --name ${trailArn}`,
        );
      }
      const started = status.StartLoggingTime?.getTime() ?? 0;
      const loggingFor = context.now() - started;
      const { trailList } = await context.clients.cloudTrail.send(
        new DescribeTrailsCommand({ trailNameList: [trailArn], includeShadowTrails: false }),
      );
      const trail = trailList?.[0];
      if (!trail?.S3BucketName) return fail(`trail ${trailArn} not found`, 'Redeploy the ThreatDetection stack.');
      const missing = [
        ...(status.LatestDeliveryTime ? [] : ['no log file delivered yet']),
        ...(trail.CloudWatchLogsLogGroupArn && !status.LatestCloudWatchLogsDeliveryTime
          ? ['no event delivered to CloudWatch Logs yet']
          : []),
      ];
      if (missing.length > 0) {
        if (loggingFor < FIRST_LOG_DELAY_MS) {
          return wait(`logging for ${age(context, started)}: ${missing.join('; ')}; run it again in 15 minutes`);
        }
        return fail(
          `logging for ${age(context, started)} and ${missing.join('; ')}`,
          'Delivery errors are empty, so CloudTrail has not tried: make one API call (any aws command), wait 15 minutes and run it again.',
        );
      }
      const delivered = `log files delivered ${age(context, status.LatestDeliveryTime)} ago${status.LatestCloudWatchLogsDeliveryTime ? `, CloudWatch Logs ${age(context, status.LatestCloudWatchLogsDeliveryTime)} ago` : ''}`;
      if (!trail.LogFileValidationEnabled) {
        return fail(
          `${delivered}; log file validation is off`,
          'Someone turned validation off: redeploy the ThreatDetection stack (EnableLogFileValidation).',
        );
      }
      const { account, region } = arnParts(trailArn);
      const prefix = `${trail.S3KeyPrefix ? `${trail.S3KeyPrefix}/` : ''}AWSLogs/${account}/CloudTrail-Digest/${region}/`;
      const digest = await newestObject(context, trail.S3BucketName, prefix);
      if (!digest?.Key) {
        if (loggingFor < FIRST_DIGEST_DELAY_MS) {
          return wait(
            `${delivered}; no digest file yet (one an hour; logging for ${age(context, started)}): run it again after the first hour`,
          );
        }
        return fail(
          `${delivered}; no digest file under s3://${trail.S3BucketName}/${prefix} after ${age(context, started)} of logging`,
          `Log-file validation writes nothing: the bucket policy may refuse the digests' encryption (AWS pages disagree: SSE-S3 or SSE-KMS). Read LatestDigestDeliveryError (aws cloudtrail get-trail-status --name ${trailArn}); if it is empty, compare the bucket policy's encryption statements with a digest PutObject in CloudTrail.`,
        );
      }
      // How AWS encrypted the digest settles which of the documented answers holds today.
      const head = await context.clients.s3.send(
        new HeadObjectCommand({ Bucket: trail.S3BucketName, Key: digest.Key }),
      );
      const encryption = `${head.ServerSideEncryption ?? 'unencrypted'}${head.SSEKMSKeyId ? ` ${head.SSEKMSKeyId}` : ''}`;
      return pass(`${delivered}; newest digest ${age(context, digest.LastModified)} ago, encrypted ${encryption}`);
    },
  },
];
