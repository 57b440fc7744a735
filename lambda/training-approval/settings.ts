import {
  REQUIRED_TRAINING_APPROVAL_SETTINGS,
  type TrainingApprovalEnvironment,
} from '../../lib/shared/customization-contract';
import { BASE_MODELS, isBaseModel } from '../../lib/shared/training-data';
import { guardrailVersionFrom } from '../promote/settings';
import { missingEnvironment } from '../shared/environment';

/** The approval function's settings, read once from its environment (lib/shared/customization-contract.ts). */
export interface ApprovalSettings {
  readonly dataBucket: string;
  readonly kmsKeyArn: string;
  /** The training-data guardrail: its sensitive-information policy alone. */
  readonly guardrailArn: string;
  /** Its published version. */
  readonly guardrailVersion: string;
  /** The customization base model the data is checked for (a CUSTOMIZABLE_MODELS value). */
  readonly baseModel: string;
}

/** The settings, or an Error naming what is missing or wrong (the handler then answers 500 to every request). */
export function settingsFromEnvironment(env: NodeJS.ProcessEnv): ApprovalSettings | Error {
  const missing = missingEnvironment(env, REQUIRED_TRAINING_APPROVAL_SETTINGS);
  if (missing) return missing;
  const e = env as unknown as TrainingApprovalEnvironment;
  if (!isBaseModel(e.BASE_MODEL)) {
    return new Error(`BASE_MODEL: got "${e.BASE_MODEL.slice(0, 60)}", allowed: ${BASE_MODELS.join(', ')}`);
  }
  const guardrailVersion = guardrailVersionFrom(e.GUARDRAIL_VERSION);
  if (guardrailVersion instanceof Error) return guardrailVersion;
  return {
    dataBucket: e.DATA_BUCKET,
    kmsKeyArn: e.KMS_KEY_ARN,
    guardrailArn: e.GUARDRAIL_ARN,
    guardrailVersion,
    baseModel: e.BASE_MODEL,
  };
}
