/**
 * invocation-logs: Bedrock's model-invocation logging, when this app turned
 * it on, still points at this app's log group and bucket, and delivers: a
 * model call of this run shows up as a CloudWatch Logs event and an S3
 * object, and Bedrock's delivery-failure metrics stayed at zero for a day.
 *
 * The metrics: "For each delivery success or failure attempt, the following
 * Amazon CloudWatch metrics are emitted under the namespace AWS/Bedrock, and
 * Across all model IDs dimension: ModelInvocationLogsCloudWatchDeliverySuccess,
 * ModelInvocationLogsCloudWatchDeliveryFailure, ModelInvocationLogsS3DeliverySuccess,
 * ModelInvocationLogsS3DeliveryFailure, ModelInvocationLargeDataS3DeliverySuccess,
 * ModelInvocationLargeDataS3DeliveryFailure"
 * (https://docs.aws.amazon.com/bedrock/latest/userguide/monitoring.html).
 */
import { GetModelInvocationLoggingConfigurationCommand } from '@aws-sdk/client-bedrock';
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { type CheckDefinition, fail, isOutcome, pass, poll, skip, stack } from './context';
import { ask } from './invoke-checks';
import { age, arnParts, metricSum, newestObject } from './resources';

export const DELIVERY_FAILURE_METRICS = [
  'ModelInvocationLogsCloudWatchDeliveryFailure',
  'ModelInvocationLogsS3DeliveryFailure',
  'ModelInvocationLargeDataS3DeliveryFailure',
] as const;

export const OPERATIONS_CHECKS: readonly CheckDefinition[] = [
  {
    id: 'invocation-logs',
    slow: true,
    async run(context, state) {
      const operations = stack(context, 'Operations');
      if (isOutcome(operations)) return operations;
      const logGroup = operations.InvocationLogGroupName;
      if (!logGroup) return skip('invocationLogging is off: this app does not set up Bedrock invocation logging');
      const data = stack(context, 'DataProtection');
      if (isOutcome(data)) return data;
      const { loggingConfig } = await context.clients.bedrock.send(
        new GetModelInvocationLoggingConfigurationCommand({}),
      );
      const actual = {
        logGroup: loggingConfig?.cloudWatchConfig?.logGroupName,
        bucket: loggingConfig?.s3Config?.bucketName,
      };
      if (actual.logGroup !== logGroup || actual.bucket !== data.DataBucketName) {
        return fail(
          `the account's invocation logging goes to log group ${actual.logGroup ?? 'none'} and bucket ${actual.bucket ?? 'none'}, not ${logGroup} and ${data.DataBucketName}`,
          'It is one setting per account and region, and someone replaced it: set it back by redeploying the Operations stack, or turn invocationLogging off if another team owns it.',
        );
      }
      // A model call of this run; one of our own when no invoke check ran.
      if (state.requests.length === 0) {
        const answer = await ask(context, state, 'invocation-logs', {
          prompt: 'In one sentence: why is the sky blue?',
          stream: false,
        });
        if (isOutcome(answer)) return answer;
      }
      const sentAt = Math.min(...state.requests.map((r) => r.sentAt));
      const { account } = arnParts(data.ProjectKeyArn ?? '');
      // Bedrock writes under <prefix>/AWSLogs/<account>/BedrockModelInvocationLogs/ (the bucket policy of
      // https://docs.aws.amazon.com/bedrock/latest/userguide/model-invocation-logging.html); deeper folders are not documented.
      const keyPrefix = loggingConfig?.s3Config?.keyPrefix;
      const prefix = `${keyPrefix ? `${keyPrefix.replace(/\/$/, '')}/` : ''}AWSLogs/${account}/BedrockModelInvocationLogs/`;
      const after = (o: { LastModified?: Date }) => (o.LastModified?.getTime() ?? 0) >= sentAt - 60_000;
      let event = false;
      let object: Awaited<ReturnType<typeof newestObject>>;
      await poll(context, 'the invocation logs', sentAt + context.timeoutMs, 30_000, async () => {
        if (!event) {
          const { events } = await context.clients.cloudWatchLogs.send(
            new FilterLogEventsCommand({ logGroupName: logGroup, startTime: sentAt - 60_000, limit: 1 }),
          );
          event = (events ?? []).length > 0;
        }
        object ??= await newestObject(context, data.DataBucketName, prefix, after);
        return event && object ? true : undefined;
      });
      const failures: string[] = [];
      for (const metric of DELIVERY_FAILURE_METRICS) {
        const n = await metricSum(context, 'AWS/Bedrock', metric, [], context.now() - 24 * 3600_000);
        if (n > 0) failures.push(`${metric} ${n}`);
      }
      const waited = Math.round(context.timeoutMs / 1000);
      const problems = [
        ...(event ? [] : [`no event in ${logGroup} within ${waited} s of the call`]),
        ...(object ? [] : [`no object under s3://${data.DataBucketName}/${prefix} within ${waited} s`]),
        ...(failures.length > 0 ? [`delivery failures in the last 24 h: ${failures.join(', ')}`] : []),
      ];
      if (problems.length > 0) {
        return fail(
          problems.join('; '),
          'CloudWatch Logs: the delivery role (Operations stack) must write to the log group and the project key must let CloudWatch Logs encrypt. S3: the data bucket policy must let bedrock.amazonaws.com write under model-invocations/ and the project key must let Bedrock encrypt. S3 delivery is batched: a missing object alone may need a longer --timeout.',
        );
      }
      return pass(
        `logging is this app's; an event in ${logGroup} and an object ${age(context, object?.LastModified)} old under ${prefix}; no delivery failures in 24 h`,
      );
    },
  },
];
