import type { Stack } from 'aws-cdk-lib';
import type { ServiceKeyUse } from '../data-protection/project-key';
import { arnInAccount } from '../shared/names';

/**
 * The AWS services the knowledge stack lets use the project key.
 *
 * - S3 Vectors maintains the index in the background with its own service
 *   principal, which must be able to decrypt; AWS documents the statement with
 *   the vector bucket as source and the two encryption-context keys it sets
 *   (their values are not documented, so only their presence is required).
 *   https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-vectors-data-encryption.html
 *
 * EventBridge, which queues scan results for the ingestion stack, is not
 * among them: those queues are on the alert key (document-promotion.ts),
 * since AWS documents only an unconditioned key statement for it.
 */
export function knowledgeKeyUses(scope: Stack): ServiceKeyUse[] {
  return [
    {
      sid: 'S3VectorsMaintainsTheIndex',
      service: 'indexing.s3vectors.amazonaws.com',
      actions: ['kms:Decrypt'],
      sourceArn: arnInAccount(scope, 's3vectors', 'bucket/*'),
      encryptionContextKeys: ['aws:s3vectors:arn', 'aws:s3vectors:resource-id'],
    },
  ];
}
