import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { GetObjectTaggingCommand, PutObjectTaggingCommand, type S3Client, type Tag } from '@aws-sdk/client-s3';
import { PROMOTION_TAG, type PromotionRefusal } from '../../lib/shared/promotion-contract';
import { isNotFound, type Logger } from './errors';
import type { Source } from './promote';

/** S3 allows 10 tags per object (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html). */
export const MAX_OBJECT_TAGS = 10;

export interface Refusal {
  readonly reason: PromotionRefusal;
  /** Scan status and result status, and GuardDuty's reasons, for scan-not-clean. */
  readonly scanStatus?: string;
  readonly scanResultStatus?: string;
  readonly statusReasons?: readonly string[];
  /** The format found, for binary-not-screened and unsupported-format. */
  readonly format?: string;
  /** Threat names GuardDuty reported, for malware-found. */
  readonly threats?: readonly string[];
  /** Entity types and regex names the guardrail blocked, for sensitive-information; never the matched text. */
  readonly entityTypes?: readonly string[];
  readonly regexNames?: readonly string[];
}

export interface RefuseSettings {
  readonly alertTopicArn: string;
}

/** SNS subjects must be under 100 ASCII characters (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html). */
export function alertSubject(reason: PromotionRefusal): string {
  return `Knowledge base: document refused (${reason})`;
}

/** The subject of an ingestion outcome that needs a look (under 100 ASCII characters). */
export function ingestionAlertSubject(outcome: { readonly kind: 'failed-documents' | 'job-failed' }): string {
  return outcome.kind === 'failed-documents'
    ? 'Knowledge base: ingestion job finished with failed documents'
    : 'Knowledge base: ingestion job failed or was stopped';
}

/** Publish one alert: a subject a person reads in the mail list, and the facts as JSON (never document text). */
export async function publishAlert(
  sns: Pick<SNSClient, 'send'>,
  topicArn: string,
  subject: string,
  facts: Record<string, unknown>,
): Promise<void> {
  await sns.send(new PublishCommand({ TopicArn: topicArn, Subject: subject, Message: JSON.stringify(facts) }));
}

/**
 * Leave the object in incoming/, tag the scanned version with the reason and
 * alert once. The alert goes out before the tag: the tag marks the refusal as
 * done, so a failure in between repeats the alert rather than losing it.
 */
export async function refuse(
  s3: Pick<S3Client, 'send'>,
  sns: Pick<SNSClient, 'send'>,
  source: Source,
  refusal: Refusal,
  settings: RefuseSettings,
  logger: Logger,
): Promise<'refused' | 'already-refused'> {
  const target = { Bucket: source.bucket, Key: source.key, VersionId: source.versionId };
  let tags: Tag[] | undefined;
  try {
    tags = (await s3.send(new GetObjectTaggingCommand(target))).TagSet ?? [];
  } catch (error) {
    if (!isNotFound(error)) throw error;
    logger.warn('The refused version is gone; alerting without a tag', { key: source.key });
  }
  if (tags?.some((tag) => tag.Key === PROMOTION_TAG && tag.Value === refusal.reason)) return 'already-refused';

  // Malware is already reported by the threat-detection stack's MalwareFound
  // rule for every object of the bucket; a second alert would page twice.
  if (refusal.reason !== 'malware-found') {
    await publishAlert(sns, settings.alertTopicArn, alertSubject(refusal.reason), {
      bucket: source.bucket,
      key: source.key,
      versionId: source.versionId,
      ...refusal,
    });
  }
  if (!tags) return 'refused';
  // PutObjectTagging replaces the whole set: keep GuardDuty's scan-status tag and any other.
  const merged = [...tags.filter((tag) => tag.Key !== PROMOTION_TAG), { Key: PROMOTION_TAG, Value: refusal.reason }];
  if (merged.length > MAX_OBJECT_TAGS) {
    logger.warn('The refused version already has the most tags S3 allows; not tagged', { key: source.key });
    return 'refused';
  }
  await s3.send(new PutObjectTaggingCommand({ ...target, Tagging: { TagSet: merged } }));
  return 'refused';
}
