import { type PromotionEnvironment, REQUIRED_PROMOTION_SETTINGS } from '../../lib/shared/promotion-contract';

/** The promotion function's settings, read once from its environment (lib/shared/promotion-contract.ts). */
export interface PromotionSettings {
  readonly dataBucket: string;
  readonly kmsKeyArn: string;
  readonly guardrailArn: string;
  readonly guardrailVersion: string;
  readonly knowledgeBaseId: string;
  readonly dataSourceId: string;
  readonly alertTopicArn: string;
}

/** The settings, or an Error naming every missing variable (the handler then fails every record). */
export function settingsFromEnvironment(env: NodeJS.ProcessEnv): PromotionSettings | Error {
  const missing = REQUIRED_PROMOTION_SETTINGS.filter((name) => !env[name]);
  if (missing.length > 0) {
    return new Error(
      `missing environment: ${REQUIRED_PROMOTION_SETTINGS.join(', ')} are all required (missing ${missing.join(', ')})`,
    );
  }
  const e = env as unknown as PromotionEnvironment;
  return {
    dataBucket: e.DATA_BUCKET,
    kmsKeyArn: e.KMS_KEY_ARN,
    guardrailArn: e.GUARDRAIL_ARN,
    guardrailVersion: e.GUARDRAIL_VERSION,
    knowledgeBaseId: e.KNOWLEDGE_BASE_ID,
    dataSourceId: e.DATA_SOURCE_ID,
    alertTopicArn: e.ALERT_TOPIC_ARN,
  };
}
