import type { LoggingConfig } from '@aws-sdk/client-bedrock';

/** Names as the operations stack makes them, shared by the handler's unit and bundle tests. */
export const ACCOUNT = '111111111111';
export const LOG_GROUP = 'GuardedGenAi-Operations-ModelInvocations';
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/GuardedGenAi-Operations-InvocationLoggingRole-1A2B3C4D5E6F`;
export const BUCKET = 'guardedgenai-dataprotection-databucket-1a2b3c4d5e6f';

/** What the handler puts: text only, both destinations, large bodies next to the records. */
export const OURS: LoggingConfig = {
  cloudWatchConfig: {
    logGroupName: LOG_GROUP,
    roleArn: ROLE_ARN,
    largeDataDeliveryS3Config: { bucketName: BUCKET, keyPrefix: 'model-invocations' },
  },
  s3Config: { bucketName: BUCKET, keyPrefix: 'model-invocations' },
  textDataDeliveryEnabled: true,
  imageDataDeliveryEnabled: false,
  embeddingDataDeliveryEnabled: false,
  videoDataDeliveryEnabled: false,
  audioDataDeliveryEnabled: false,
};
