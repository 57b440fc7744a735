/**
 * Upload to incoming/, then follow each document until the promotion function
 * has decided: copied to knowledge/ (promoted) or tagged with the reason and
 * left in incoming/ (refused), or the wait ran out.
 */
import {
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { SOURCE_VERSION_METADATA } from '../../lib/shared/promotion-contract';
import * as fs from 'node:fs';
import { PROMOTION_TAG, type PromotionRefusal } from '../../lib/shared/promotion-contract';
import { type Colour, colour, formatTable } from '../cli/output';
import { contentType, type Document, incomingKey, knowledgeKey } from './documents';
import { MALWARE_SCAN_TAG } from '../../lib/shared/data-layout';

type Send<C extends { send: unknown }> = Pick<C, 'send'>;

/**
 * A copy of an earlier upload of the same file names another version in its
 * metadata, so it does not count as this upload's promotion.
 */
export { SOURCE_VERSION_METADATA };

/** The tag GuardDuty Malware Protection for S3 sets on each object it scanned. */
export const SCAN_STATUS_TAG = MALWARE_SCAN_TAG;

export interface Uploaded {
  readonly file: string;
  readonly key: string;
  /** The data bucket is versioned: the promotion is followed for this version. */
  readonly versionId?: string;
}

export interface Destination {
  readonly bucket: string;
  readonly keyArn: string;
}

/**
 * Put one document under incoming/, asking explicitly for SSE-KMS with the
 * project key and an S3 Bucket Key: the bucket policy refuses any other
 * encryption, and saying it here makes the upload fail loudly rather than
 * depend on the bucket's default.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/specifying-kms-encryption.html
 */
export async function uploadDocument(
  s3: Send<S3Client>,
  destination: Destination,
  document: Document,
  read: (file: string) => Buffer = (file) => fs.readFileSync(file),
): Promise<Uploaded> {
  const key = incomingKey(document);
  const type = contentType(document.file);
  const { VersionId } = await s3.send(
    new PutObjectCommand({
      Bucket: destination.bucket,
      Key: key,
      Body: read(document.file),
      ...(type ? { ContentType: type } : {}),
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: destination.keyArn,
      BucketKeyEnabled: true,
    }),
  );
  return { file: document.file, key, versionId: VersionId };
}

export type PromotionResult = 'promoted' | 'refused' | 'timeout';

export interface PromotionOutcome {
  readonly file: string;
  readonly key: string;
  readonly versionId?: string;
  readonly result: PromotionResult;
  readonly detail: string;
}

/** What each refusal reason means, in a few words. */
const REFUSALS: Record<PromotionRefusal, string> = {
  'malware-found': 'GuardDuty found malware in it',
  'scan-not-clean': 'the malware scan did not come back clean (unsupported, failed or access denied)',
  'sensitive-information': "the guardrail's sensitive-information policy blocks its text",
  'too-large-to-check': 'its text is too large for the guardrail check',
  'unreadable-text': 'named as a text format but not valid UTF-8 text, so its text cannot be checked',
  'binary-not-screened':
    'a PDF or Office document, whose text cannot be screened (convert it to text or Markdown, or see the binaryDocuments setting)',
  'unsupported-format':
    'a name the knowledge base does not index (it indexes .txt, .md, .html, .csv, .pdf, .doc, .docx, .xls, .xlsx), or a PDF or Office name on other content',
  'screen-incomplete': 'the guardrail evaluated only part of its text',
  'metadata-sidecar': 'a .metadata.json file, which the knowledge base would read as metadata of another document',
  'too-large-to-index': 'larger than the 50 MB a knowledge base ingests',
};

export function refusalText(reason: string): string {
  const meaning = (REFUSALS as Record<string, string | undefined>)[reason];
  return meaning ? `${reason}: ${meaning}` : reason;
}

function missing(error: unknown): boolean {
  return error instanceof Error && /^(NoSuchKey|NoSuchVersion|NotFound)$/.test(error.name);
}

/** The incoming version's tags (none when it is gone). */
async function incomingTags(s3: Send<S3Client>, bucket: string, uploaded: Uploaded): Promise<Map<string, string>> {
  try {
    const { TagSet } = await s3.send(
      new GetObjectTaggingCommand({ Bucket: bucket, Key: uploaded.key, VersionId: uploaded.versionId }),
    );
    return new Map((TagSet ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
  } catch (error) {
    if (missing(error)) return new Map();
    throw error;
  }
}

/**
 * Is there a copy in knowledge/ made from this upload? Listed first (the
 * caller may list knowledge/ only), so that a missing copy is an empty list
 * rather than HeadObject's 403 for callers without s3:ListBucket.
 */
async function promotedCopy(s3: Send<S3Client>, bucket: string, uploaded: Uploaded): Promise<string | undefined> {
  const key = knowledgeKey(uploaded.key);
  const { Contents } = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, MaxKeys: 1 }));
  if (!Contents?.some((c) => c.Key === key)) return undefined;
  const { Metadata } = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  const source = Metadata?.[SOURCE_VERSION_METADATA];
  if (uploaded.versionId && source !== uploaded.versionId) return undefined;
  return key;
}

export interface WaitOptions {
  readonly timeoutMs: number;
  readonly intervalMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
  readonly progress: (message: string) => void;
}

/** Poll every document until each is promoted or refused, or the deadline passes. */
export async function waitForPromotion(
  s3: Send<S3Client>,
  bucket: string,
  uploads: readonly Uploaded[],
  options: WaitOptions,
): Promise<PromotionOutcome[]> {
  const deadline = options.now() + options.timeoutMs;
  const decided = new Map<string, PromotionOutcome>();
  const scans = new Map<string, string>();
  let pending = [...uploads];
  for (;;) {
    const still: Uploaded[] = [];
    for (const uploaded of pending) {
      const tags = await incomingTags(s3, bucket, uploaded);
      const scan = tags.get(SCAN_STATUS_TAG);
      if (scan) scans.set(uploaded.key, scan);
      const reason = tags.get(PROMOTION_TAG);
      const copy = reason ? undefined : await promotedCopy(s3, bucket, uploaded);
      if (reason) decided.set(uploaded.key, { ...uploaded, result: 'refused', detail: refusalText(reason) });
      else if (copy) decided.set(uploaded.key, { ...uploaded, result: 'promoted', detail: `s3://${bucket}/${copy}` });
      else still.push(uploaded);
    }
    pending = still;
    if (pending.length === 0 || options.now() >= deadline) break;
    options.progress(
      `${uploads.length - pending.length} of ${uploads.length} decided; waiting for ${pending.length} (${Math.max(0, Math.round((deadline - options.now()) / 1000))} s left)`,
    );
    await options.sleep(Math.min(options.intervalMs, Math.max(0, deadline - options.now())));
  }
  for (const uploaded of pending) {
    const scan = scans.get(uploaded.key);
    decided.set(uploaded.key, {
      ...uploaded,
      result: 'timeout',
      detail: `not decided within ${Math.round(options.timeoutMs / 1000)} s (${scan ? `malware scan: ${scan}` : 'not scanned yet'})`,
    });
  }
  return uploads.map((u) => decided.get(u.key) as PromotionOutcome);
}

/** DOCUMENT, RESULT, DETAIL: one row per upload. */
export function outcomeTable(outcomes: readonly PromotionOutcome[], paint: Colour = colour(false)): string {
  const mark = { promoted: paint.ok, refused: paint.bad, timeout: paint.warn };
  return formatTable(
    ['DOCUMENT', 'RESULT', 'DETAIL'],
    outcomes.map((o) => [o.key, mark[o.result](o.result), o.detail]),
  );
}
