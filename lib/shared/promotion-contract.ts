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
  /** The project guardrail (ARN) whose sensitive-information policy text documents must pass. */
  readonly GUARDRAIL_ARN: string;
  /**
   * The SSM parameter holding the guardrail's published version: read at run
   * time, never imported (lib/shared/names.ts `guardrailVersionParameterName`).
   */
  readonly GUARDRAIL_VERSION_PARAMETER: string;
  readonly KNOWLEDGE_BASE_ID: string;
  readonly DATA_SOURCE_ID: string;
  /** Where refused documents are reported (the alert topic of the threat-detection stack). */
  readonly ALERT_TOPIC_ARN: string;
  /** What happens to a PDF or Office document, which the function cannot read (one of BINARY_DOCUMENT_POLICIES). */
  readonly BINARY_DOCUMENTS: BinaryDocumentPolicy;
}

export const REQUIRED_PROMOTION_SETTINGS = [
  'DATA_BUCKET',
  'KMS_KEY_ARN',
  'GUARDRAIL_ARN',
  'GUARDRAIL_VERSION_PARAMETER',
  'KNOWLEDGE_BASE_ID',
  'DATA_SOURCE_ID',
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
  // Content that is not valid UTF-8 under a name the knowledge base reads as
  // text: the guardrail would check a garbled reading of it, so what it found
  // would not describe the document.
  'unreadable-text',
  // A PDF, Word or Excel document: the knowledge base indexes its text, but
  // the function cannot read it to screen it (BINARY_DOCUMENTS=refuse).
  'binary-not-screened',
  // Binary content that is none of the document formats the knowledge base
  // indexes, or one under another format's name (an image, an archive, a PDF
  // named .docx): it would not be indexed, or not as what it is.
  'unsupported-format',
  // A <document>.metadata.json file: the knowledge base reads it as the
  // metadata of another document, not as a document.
  'metadata-sidecar',
] as const;
export type PromotionRefusal = (typeof PROMOTION_REFUSALS)[number];

/**
 * PDF and Office documents, which the function cannot read: "refuse" them
 * (the default), or "promote-unscreened" on the malware verdict alone.
 */
export const BINARY_DOCUMENT_POLICIES = ['refuse', 'promote-unscreened'] as const;
export type BinaryDocumentPolicy = (typeof BINARY_DOCUMENT_POLICIES)[number];

/**
 * The knowledge base's text formats (Plain text, Markdown, HTML, CSV), as
 * names end: a file so named is indexed as text, so text under such a name
 * that is not UTF-8 is refused rather than promoted unscreened. Whether a
 * file is screened does not depend on its name: every file whose content is
 * text is screened (lambda/promote/content.ts).
 * https://docs.aws.amazon.com/bedrock/latest/userguide/knowledge-base-ds.html
 */
export const TEXT_FORMAT_EXTENSIONS = ['.txt', '.md', '.markdown', '.html', '.htm', '.csv'] as const;

/** The sidecar suffix the knowledge base reads as another document's metadata. */
export const METADATA_SIDECAR_SUFFIX = '.metadata.json';

/**
 * User metadata on every object in knowledge/: the version of the incoming/
 * object it was promoted from (S3 returns metadata keys in lower case). It
 * makes promotion idempotent, and lets `npm run ingest -- --wait` tell that
 * its upload was promoted.
 */
export const SOURCE_VERSION_METADATA = 'promoted-from-version';
