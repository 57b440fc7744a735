/**
 * The contract between the promotion construct (lib/knowledge/) and its
 * handler (lambda/promote/): environment, tags and alert shape. Plain values
 * and types only, so the handler's bundle takes nothing else from lib/.
 */
import { INCOMING_PREFIX, KNOWLEDGE_PREFIX } from './data-layout';

export { INCOMING_PREFIX, KNOWLEDGE_PREFIX };

/** The promotion function's settings, one environment variable each. */
export interface PromotionEnvironment {
  /** The data bucket: the only bucket whose scan results are acted on. */
  readonly DATA_BUCKET: string;
  /** The project key: copies to knowledge/ are encrypted with it explicitly. */
  readonly KMS_KEY_ARN: string;
  /** The ingestion guardrail (ARN): the sensitive-information policy alone, which text documents must pass. */
  readonly GUARDRAIL_ARN: string;
  /** Its published version (same stack: it changes with the policy in one deployment, no import). */
  readonly GUARDRAIL_VERSION: string;
  readonly KNOWLEDGE_BASE_ID: string;
  readonly DATA_SOURCE_ID: string;
  /** The log group of the knowledge base's application logs: where an ingestion alert sends the reader. */
  readonly KNOWLEDGE_BASE_LOG_GROUP: string;
  /** Where refused documents are reported (the alert topic of the threat-detection stack). */
  readonly ALERT_TOPIC_ARN: string;
  /** What happens to a PDF or Office document, which the function cannot read (one of BINARY_DOCUMENT_POLICIES). */
  readonly BINARY_DOCUMENTS: BinaryDocumentPolicy;
}

export const REQUIRED_PROMOTION_SETTINGS = [
  'DATA_BUCKET',
  'KMS_KEY_ARN',
  'GUARDRAIL_ARN',
  'GUARDRAIL_VERSION',
  'KNOWLEDGE_BASE_ID',
  'DATA_SOURCE_ID',
  'KNOWLEDGE_BASE_LOG_GROUP',
  'ALERT_TOPIC_ARN',
  'BINARY_DOCUMENTS',
] as const satisfies readonly (keyof PromotionEnvironment)[];

/** Tag the function sets on an object it refused (left in incoming/), with one of PROMOTION_REFUSALS. */
export const PROMOTION_TAG = 'KnowledgePromotion';

/** Why a document stayed in incoming/. */
export const PROMOTION_REFUSALS = [
  'malware-found',
  // Anything but a COMPLETED scan with NO_THREATS_FOUND: skipped, failed,
  // unsupported or access denied.
  'scan-not-clean',
  'sensitive-information',
  'too-large-to-check',
  // A text format's name (.txt, .md, .html, .csv) on content that is not
  // UTF-8 text: the guardrail would check a garbled reading of it, so what it
  // found would not describe the document.
  'unreadable-text',
  // A PDF, Word or Excel document: the knowledge base indexes its text, but
  // the function cannot read it to screen it (BINARY_DOCUMENTS=refuse).
  'binary-not-screened',
  // A name the knowledge base does not index (no extension, .json, .bak, a
  // trailing space), or a PDF or Office name on other content (an image
  // named .pdf, a PDF named .docx or .txt): not indexed, or not as what it is.
  'unsupported-format',
  // The guardrail reported that it evaluated fewer characters than it was
  // sent: part of the text was not screened.
  'screen-incomplete',
  // A <document>.metadata.json file: the knowledge base reads it as the
  // metadata of another document, not as a document.
  'metadata-sidecar',
  // A PDF or Office document promoted unscreened (binaryDocuments) that is
  // larger than the knowledge base ingests: it would be copied and never indexed.
  'too-large-to-index',
] as const;
export type PromotionRefusal = (typeof PROMOTION_REFUSALS)[number];

/**
 * PDF and Office documents, which the function cannot read: "refuse" them
 * (the default), or "promote-unscreened" on the malware verdict alone.
 */
export const BINARY_DOCUMENT_POLICIES = ['refuse', 'promote-unscreened'] as const;
export type BinaryDocumentPolicy = (typeof BINARY_DOCUMENT_POLICIES)[number];

/**
 * The formats the knowledge base indexes, as the name's extension says
 * ("The file must be in one of the following supported formats": Plain text
 * .txt, Markdown .md, HTML .html, Word .doc/.docx, CSV .csv, Excel
 * .xls/.xlsx, PDF .pdf; https://docs.aws.amazon.com/bedrock/latest/userguide/knowledge-base-ds.html).
 * A file under any other name is not indexed, so it is refused rather than
 * promoted (lambda/promote/content.ts).
 */
export const TEXT_FORMAT_EXTENSIONS = ['txt', 'md', 'html', 'csv'] as const;
export const BINARY_FORMAT_EXTENSIONS = ['pdf', 'doc', 'docx', 'xls', 'xlsx'] as const;
export type BinaryFormat = (typeof BINARY_FORMAT_EXTENSIONS)[number];

/**
 * Largest file a knowledge base ingests: 50 MB
 * (https://docs.aws.amazon.com/bedrock/latest/userguide/knowledge-base-ds.html,
 * the ingestion job's file size quota).
 */
export const KNOWLEDGE_BASE_MAX_FILE_BYTES = 50 * 1024 * 1024;

/** The sidecar suffix the knowledge base reads as another document's metadata. */
export const METADATA_SIDECAR_SUFFIX = '.metadata.json';

/**
 * User metadata on every object in knowledge/: the version of the incoming/
 * object it was promoted from (S3 returns metadata keys in lower case). It
 * makes promotion idempotent, and lets `npm run ingest -- --wait` tell that
 * its upload was promoted.
 */
export const SOURCE_VERSION_METADATA = 'promoted-from-version';
