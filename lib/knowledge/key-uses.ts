import type { Stack } from 'aws-cdk-lib';
import type { ServiceKeyUse } from '../data-protection/project-key';
import { arnInAccount, promotionDeadLetterQueueName, promotionQueueName } from '../shared/names';

/**
 * The AWS services the knowledge and ingestion stacks let use the project key.
 *
 * - S3 Vectors maintains the index in the background with its own service
 *   principal, which must be able to decrypt; AWS documents the statement with
 *   the vector bucket as source and the two encryption-context keys it sets
 *   (their values are not documented, so only their presence is required).
 *   https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-vectors-data-encryption.html
 * - EventBridge delivers scan results to the encrypted promotion queue (and
 *   what it cannot deliver to its dead-letter queue); like
 *   the alert queue, SQS names the queue in the encryption context, and
 *   EventBridge documents no source context for KMS.
 */
export function knowledgeKeyUses(scope: Stack, ingestionStackName: string): ServiceKeyUse[] {
  return [
    {
      sid: 'S3VectorsMaintainsTheIndex',
      service: 'indexing.s3vectors.amazonaws.com',
      actions: ['kms:Decrypt'],
      sourceArn: arnInAccount(scope, 's3vectors', 'bucket/*'),
      encryptionContextKeys: ['aws:s3vectors:arn', 'aws:s3vectors:resource-id'],
    },
    {
      sid: 'EventBridgeQueuesScanResults',
      service: 'events.amazonaws.com',
      actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      encryptionContext: { 'aws:sqs:arn': arnInAccount(scope, 'sqs', promotionQueueName(ingestionStackName)) },
    },
    {
      sid: 'EventBridgeDeadLettersScanResults',
      service: 'events.amazonaws.com',
      actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      encryptionContext: {
        'aws:sqs:arn': arnInAccount(scope, 'sqs', promotionDeadLetterQueueName(ingestionStackName)),
      },
    },
  ];
}
