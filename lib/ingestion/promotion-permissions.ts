import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { INCOMING_PREFIX, KNOWLEDGE_PREFIX } from '../shared/data-layout';
import { logAndTraceStatements } from '../compliance/function-permissions';
import { keyThroughS3ForUploadsStatement } from '../data-protection/prefix-write';
import { guardrailUseStatements } from '../guarded-ai/guardrail-use';

export interface PromotionPermissionsProps {
  readonly dataBucket: s3.IBucket;
  readonly key: kms.IKey;
  /** The ingestion guardrail. */
  readonly guardrailArn: string;
  /** The key that encrypts the guardrails, and nothing else. */
  readonly guardrailKeyArn: string;
  readonly knowledgeBaseArn: string;
  readonly alertTopic: sns.ITopic;
  /** The key that encrypts the alert topic (and nothing but alerts). */
  readonly alertKeyArn: string;
  readonly queue: sqs.IQueue;
  readonly logGroupArn: string;
}

/**
 * Everything the promotion function may do, and the reason for each wildcard
 * resource among them: read and tag what was dropped in incoming/, write
 * knowledge/, check text with the ingestion guardrail, start ingestion into
 * the one knowledge base, report on the alert topic, and consume its own
 * queue.
 */
export function promotionPermissions(props: PromotionPermissionsProps): {
  statements: iam.PolicyStatement[];
  wildcards: [string, string][];
} {
  const bucket = props.dataBucket;
  const incoming = bucket.arnForObjects(`${INCOMING_PREFIX}*`);
  const knowledge = bucket.arnForObjects(`${KNOWLEDGE_PREFIX}*`);
  const telemetry = logAndTraceStatements(props.logGroupArn);
  const statements = [
    new iam.PolicyStatement({
      sid: 'ReadAndTagTheScannedVersion',
      actions: ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectVersionTagging', 's3:PutObjectVersionTagging'],
      resources: [incoming],
    }),
    // The function lists a key before HeadObject of it (a HEAD of a missing
    // key answers 403 to a caller who may not list the whole bucket), and
    // only under the two prefixes it works in.
    new iam.PolicyStatement({
      sid: 'ListOnlyIncomingAndPromotedDocuments',
      actions: ['s3:ListBucket'],
      resources: [bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${INCOMING_PREFIX}*`, `${KNOWLEDGE_PREFIX}*`] } },
    }),
    new iam.PolicyStatement({
      sid: 'WritePromotedDocuments',
      actions: ['s3:GetObject', 's3:PutObject'],
      resources: [knowledge],
    }),
    keyThroughS3ForUploadsStatement(bucket, props.key, incoming),
    // The ingestion guardrail; the project key stays usable only through S3 and SQS.
    ...guardrailUseStatements(props.guardrailArn, props.guardrailKeyArn, 'CheckTextWithTheGuardrail'),
    // Ingestion jobs have no resource type of their own: they are authorised
    // on the knowledge base they belong to.
    new iam.PolicyStatement({
      sid: 'IngestIntoOneKnowledgeBase',
      actions: ['bedrock:StartIngestionJob', 'bedrock:ListIngestionJobs'],
      resources: [props.knowledgeBaseArn],
    }),
    new iam.PolicyStatement({
      sid: 'ReportRefusals',
      actions: ['sns:Publish'],
      resources: [props.alertTopic.topicArn],
    }),
    // The statement SNS documents for a publisher to an encrypted topic: the
    // two actions on the topic's key, with no condition
    // (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html).
    // No page shows kms:ViaService or the aws:sns:topicArn encryption context
    // on that request, and none is needed: the alert key encrypts events only
    // (alerts, dead letters, scan results), never project data. The same
    // kms:Decrypt reads the function's own queue, which is on that key: the
    // SQS page shows a consumer with a plain kms:Decrypt on the queue's key
    // (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html).
    new iam.PolicyStatement({
      sid: 'UseTheAlertKey',
      // GenerateDataKey* as the page writes it, so whichever of the two SNS calls is allowed.
      actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      resources: [props.alertKeyArn],
    }),
    new iam.PolicyStatement({
      sid: 'ConsumeOwnQueue',
      actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'],
      resources: [props.queue.queueArn],
    }),
    ...telemetry.statements,
  ];
  const wildcards: [string, string][] = [
    ...telemetry.wildcards,
    [incoming, 'Every document dropped under incoming/ must be read and tagged, whatever its key; nothing else is.'],
    [knowledge, 'Promoted documents keep their relative key under knowledge/; the function writes nowhere else.'],
  ];
  return { statements, wildcards };
}
