import type { LoggingConfig } from '@aws-sdk/client-bedrock';
import { CustomResourceFailure, InvalidPropertiesError } from '../shared/custom-resource';
import { describeError, RetriesExhausted } from '../shared/retry';
import { errorName } from '../shared/sdk-errors';

/**
 * The configuration the invocation-logging custom resource puts, and how it
 * reads the one in place: its destinations, whether it is ours, and what a
 * failure tells the operator to check.
 */

/** The resource's properties, as the construct passes them (CloudFormation passes strings). */
export interface Destinations {
  readonly logGroupName: string;
  readonly roleArn: string;
  readonly bucketName: string;
  /** Without a trailing slash: Bedrock adds one before `AWSLogs/`. */
  readonly keyPrefix: string;
  /** Where bodies over 100 KB and binary data go from the CloudWatch destination; defaults to keyPrefix. */
  readonly largeDataKeyPrefix: string;
}

/** The calls of the handler, for messages. */
export type Operation =
  | 'GetModelInvocationLoggingConfiguration'
  | 'PutModelInvocationLoggingConfiguration'
  | 'DeleteModelInvocationLoggingConfiguration';

/** A prefix as Bedrock uses it: no slash at either end (it joins `<prefix>/AWSLogs/...`). */
export function normalizePrefix(prefix: string | undefined): string {
  return (prefix ?? '').replace(/^\/+|\/+$/g, '');
}

export function parseDestinations(properties: Record<string, unknown> | undefined): Destinations {
  const value = (key: string, required: boolean): string => {
    const v = properties?.[key];
    if (v === undefined && !required) return '';
    if (typeof v !== 'string' || v.length === 0) throw new InvalidPropertiesError(`the ${key} property is missing`);
    return v;
  };
  const logGroupName = value('LogGroupName', true);
  const roleArn = value('RoleArn', true);
  const bucketName = value('BucketName', true);
  const keyPrefix = normalizePrefix(value('KeyPrefix', true));
  const largeData = normalizePrefix(value('LargeDataKeyPrefix', false));
  return { logGroupName, roleArn, bucketName, keyPrefix, largeDataKeyPrefix: largeData || keyPrefix };
}

/**
 * Our configuration: text only. Images, embeddings, video and audio are off:
 * the service sends and receives text, and binary data would only add
 * objects nobody reviews (every flag is listed, because an omitted one is not
 * guaranteed to mean off).
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_LoggingConfig.html
 */
export function loggingConfig(d: Destinations): LoggingConfig {
  return {
    cloudWatchConfig: {
      logGroupName: d.logGroupName,
      roleArn: d.roleArn,
      largeDataDeliveryS3Config: { bucketName: d.bucketName, keyPrefix: d.largeDataKeyPrefix },
    },
    s3Config: { bucketName: d.bucketName, keyPrefix: d.keyPrefix },
    textDataDeliveryEnabled: true,
    imageDataDeliveryEnabled: false,
    embeddingDataDeliveryEnabled: false,
    videoDataDeliveryEnabled: false,
    audioDataDeliveryEnabled: false,
  };
}

/** Whether Bedrock has any destination configured (Get answers an empty object when logging is off). */
export function isConfigured(config: LoggingConfig | undefined): config is LoggingConfig {
  return Boolean(config?.cloudWatchConfig?.logGroupName || config?.s3Config?.bucketName);
}

/**
 * Whose the configuration is: `ours` only when BOTH destinations are the ones
 * we set (our log group, and our bucket under our prefix); `partly` when one
 * is and the other is not (someone repointed or removed one destination of
 * the account-wide setting since: that part is theirs now); `foreign`
 * otherwise. The setting is one per account and region, so anything short of
 * both would let a delete or an overwrite take someone's destination with it.
 * https://docs.aws.amazon.com/bedrock/latest/userguide/model-invocation-logging.html
 */
export type Ownership = 'ours' | 'partly' | 'foreign';

export function ownership(config: LoggingConfig, d: Destinations): Ownership {
  const logGroup = config.cloudWatchConfig?.logGroupName === d.logGroupName;
  const s3 = config.s3Config;
  const bucket = s3?.bucketName === d.bucketName && normalizePrefix(s3?.keyPrefix) === normalizePrefix(d.keyPrefix);
  if (logGroup && bucket) return 'ours';
  return logGroup || bucket ? 'partly' : 'foreign';
}

/** Ours: both destinations are ours (see ownership). */
export function isOurs(config: LoggingConfig, d: Destinations): boolean {
  return ownership(config, d) === 'ours';
}

/** Where the configuration in place writes, for messages. */
export function describeConfig(config: LoggingConfig): string {
  const parts: string[] = [];
  if (config.cloudWatchConfig?.logGroupName) parts.push(`log group ${config.cloudWatchConfig.logGroupName}`);
  if (config.s3Config?.bucketName) {
    parts.push(`s3://${config.s3Config.bucketName}/${normalizePrefix(config.s3Config.keyPrefix)}`);
  }
  return parts.join(' and ');
}

/** What to check, by operation and error: the reason CloudFormation shows. */
export function explain(operation: Operation, error: unknown, d?: Destinations): string {
  const last = error instanceof RetriesExhausted ? error.lastError : error;
  const name = errorName(last);
  const what = describeError(error);
  if (name === 'AccessDeniedException') {
    const passRole =
      operation === 'PutModelInvocationLoggingConfiguration'
        ? ` and iam:PassRole on ${d?.roleArn ?? 'the logging role'} (condition iam:PassedToService bedrock.amazonaws.com)`
        : '';
    return (
      `${operation}: ${what}. Check that the custom resource function's role allows bedrock:${operation}` +
      ` (resource "*")${passRole}, and that no SCP or permissions boundary denies it.`
    );
  }
  if (name === 'ValidationException' && d) {
    return (
      `${operation}: ${what}. Bedrock could not use a destination. Check that log group ${d.logGroupName} exists;` +
      ` that role ${d.roleArn} trusts bedrock.amazonaws.com for this account (aws:SourceAccount, aws:SourceArn` +
      ` arn:aws:bedrock:<region>:<account>:*) and allows logs:CreateLogStream and logs:PutLogEvents on its` +
      ` log-stream:aws/bedrock/modelinvocations; that the log group's KMS key lets logs.<region>.amazonaws.com use it;` +
      ` that bucket ${d.bucketName}'s policy lets bedrock.amazonaws.com s3:PutObject under` +
      ` ${d.keyPrefix}/AWSLogs/<account>/BedrockModelInvocationLogs/*; and that the bucket's KMS key lets` +
      ` bedrock.amazonaws.com kms:GenerateDataKey.`
    );
  }
  return `${operation}: ${what}`;
}

/** Why a configuration in place is not ours, for messages: what it writes to, and which part is ours if any. */
export function notOursBecause(current: LoggingConfig, d: Destinations): string {
  const where = describeConfig(current) || 'no destination';
  return ownership(current, d) === 'partly'
    ? `writes to ${where}: only one of its two destinations is this app's (log group ${d.logGroupName}, ` +
        `s3://${d.bucketName}/${normalizePrefix(d.keyPrefix)}), so the other was changed by someone since`
    : `writes to ${where}, which this app did not configure`;
}

export class ForeignConfigurationError extends CustomResourceFailure {
  constructor(current: LoggingConfig, d: Destinations) {
    super(
      `Model invocation logging in this account and Region already ${notOursBecause(current, d)}. ` +
        `It is left as it is (it may be someone's audit trail): deploy with ` +
        `modelInvocationLogging=existing to use it, or =off.`,
    );
    this.name = 'ForeignConfigurationError';
  }
}
