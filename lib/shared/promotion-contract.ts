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
}

export const REQUIRED_PROMOTION_SETTINGS = [
  'DATA_BUCKET',
  'KMS_KEY_ARN',
  'GUARDRAIL_ARN',
  'GUARDRAIL_VERSION_PARAMETER',
  'KNOWLEDGE_BASE_ID',
  'DATA_SOURCE_ID',
  'ALERT_TOPIC_ARN',
] as const satisfies readonly (keyof PromotionEnvironment)[];

/** Tag the function sets on an object it refused (left in incoming/), with one of PROMOTION_REFUSALS. */
export const PROMOTION_TAG = 'KnowledgePromotion';

/** Why a document stayed in incoming/. */
export const PROMOTION_REFUSALS = [
  'malware-found',
  'scan-not-clean',
  'sensitive-information',
  'too-large-to-check',
  // A text file that is not valid UTF-8: the guardrail would check a garbled
  // reading of it, so what it found would not describe the document.
  'unreadable-text',
] as const;
export type PromotionRefusal = (typeof PROMOTION_REFUSALS)[number];

/** Extensions whose text is checked with the guardrail; other formats are promoted on the malware verdict alone. */
export const TEXT_EXTENSIONS = ['.txt', '.md', '.markdown'] as const;

/**
 * User metadata on every object in knowledge/: the version of the incoming/
 * object it was promoted from (S3 returns metadata keys in lower case). It
 * makes promotion idempotent, and lets `npm run ingest -- --wait` tell that
 * its upload was promoted.
 */
export const SOURCE_VERSION_METADATA = 'promoted-from-version';
