import {
  BINARY_DOCUMENT_POLICIES,
  type BinaryDocumentPolicy,
  type PromotionEnvironment,
  REQUIRED_PROMOTION_SETTINGS,
} from '../../lib/shared/promotion-contract';
import { missingEnvironment } from '../shared/environment';

/** The promotion function's settings, read once from its environment (lib/shared/promotion-contract.ts). */
export interface PromotionSettings {
  readonly dataBucket: string;
  readonly kmsKeyArn: string;
  readonly guardrailArn: string;
  /** The ingestion guardrail's published version, to check text with. */
  readonly guardrailVersion: string;
  readonly knowledgeBaseId: string;
  readonly dataSourceId: string;
  /** Where the knowledge base's application logs name each document an ingestion job failed or ignored. */
  readonly knowledgeBaseLogGroup: string;
  readonly alertTopicArn: string;
  /** PDF and Office documents: refused, or promoted on the malware verdict alone. */
  readonly binaryDocuments: BinaryDocumentPolicy;
}

/** The settings, or an Error naming every missing variable (the handler then fails every record). */
export function settingsFromEnvironment(env: NodeJS.ProcessEnv): PromotionSettings | Error {
  const missing = missingEnvironment(env, REQUIRED_PROMOTION_SETTINGS);
  if (missing) return missing;
  const e = env as unknown as PromotionEnvironment;
  if (!(BINARY_DOCUMENT_POLICIES as readonly string[]).includes(e.BINARY_DOCUMENTS)) {
    return new Error(
      `BINARY_DOCUMENTS: got "${String(e.BINARY_DOCUMENTS).slice(0, 40)}", allowed: ${BINARY_DOCUMENT_POLICIES.join(', ')}`,
    );
  }
  const guardrailVersion = guardrailVersionFrom(e.GUARDRAIL_VERSION);
  if (guardrailVersion instanceof Error) return guardrailVersion;
  return {
    dataBucket: e.DATA_BUCKET,
    kmsKeyArn: e.KMS_KEY_ARN,
    guardrailArn: e.GUARDRAIL_ARN,
    guardrailVersion,
    knowledgeBaseId: e.KNOWLEDGE_BASE_ID,
    dataSourceId: e.DATA_SOURCE_ID,
    knowledgeBaseLogGroup: e.KNOWLEDGE_BASE_LOG_GROUP,
    alertTopicArn: e.ALERT_TOPIC_ARN,
    binaryDocuments: e.BINARY_DOCUMENTS,
  };
}

/**
 * A published guardrail version as ApplyGuardrail accepts it (a number from 1
 * to 99999999; DRAFT is never what the stack publishes), or an Error saying
 * what the environment holds instead.
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ApplyGuardrail.html
 */
export function guardrailVersionFrom(value: string): string | Error {
  if (/^[1-9][0-9]{0,7}$/.test(value)) return value;
  return new Error(
    `GUARDRAIL_VERSION: got "${value.slice(0, 20)}", allowed: a published version number (1 to 99999999)`,
  );
}
