import { z } from 'zod';

/** The kinds of value a setting can take, each read leniently from `-c` strings. */

export interface Setting<S extends z.ZodType> {
  readonly schema: S;
  /** What a user may give, in words, for error messages. */
  readonly allowed: string;
  /** What the setting changes. */
  readonly description: string;
}

export function setting<S extends z.ZodType>(schema: S, allowed: string, description: string): Setting<S> {
  return { schema, allowed, description };
}

/** `-c` hands numbers over as strings such as "30" or "0.75". */
export function asNumber(value: unknown): unknown {
  return typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
}

/** A whole number within a range. */
export function wholeNumber(min: number, max: number, fallback: number) {
  return z.preprocess(asNumber, z.number().int().min(min).max(max).default(fallback));
}

/** A number within a range. */
export function fraction(min: number, max: number, fallback: number) {
  return z.preprocess(asNumber, z.number().min(min).max(max).default(fallback));
}

/** Retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/**
 * A Bedrock model: a foundation-model id (`amazon.nova-micro-v1:0`) or a
 * cross-region inference profile id (`us.`, `eu.`, `apac.` or `global.` before it).
 */
export const MODEL_ID_PATTERN = /^(?:(us|eu|apac|global)\.)?([a-z0-9-]+)\.([a-z0-9][a-z0-9-]*)(:[0-9]+)?$/;

/** A boolean; `-c` strings "true" and "false" are read as booleans. */
export function onOff(fallback: boolean) {
  return z.preprocess(
    (value) => (value === 'true' ? true : value === 'false' ? false : value),
    z.boolean().default(fallback),
  );
}

/** Account-level services: create them, attach to what the account already runs, or leave them alone. */
export function serviceSwitch(fallback: 'create' | 'existing' | 'off') {
  return z.enum(['create', 'existing', 'off']).default(fallback);
}
export const SERVICE_SWITCH_ALLOWED = '"create", "existing" or "off"';

/** GuardDuty protection plans (detector features) that CloudFormation can turn on. */
export const GUARDDUTY_FEATURES = [
  'S3_DATA_EVENTS',
  'EKS_AUDIT_LOGS',
  'EBS_MALWARE_PROTECTION',
  'RDS_LOGIN_EVENTS',
  'LAMBDA_NETWORK_LOGS',
  'RUNTIME_MONITORING',
  'EKS_RUNTIME_MONITORING',
] as const;
export type GuardDutyFeature = (typeof GUARDDUTY_FEATURES)[number];

export const DEFAULT_GUARDDUTY_FEATURES: readonly GuardDutyFeature[] = [
  'S3_DATA_EVENTS',
  'LAMBDA_NETWORK_LOGS',
  'EBS_MALWARE_PROTECTION',
  'RDS_LOGIN_EVENTS',
  'EKS_AUDIT_LOGS',
  'RUNTIME_MONITORING',
];

/**
 * Embedding models the knowledge base accepts: Amazon Titan Text Embeddings V2,
 * whose output length is chosen per request (1024, 512 or 256).
 * https://docs.aws.amazon.com/bedrock/latest/userguide/titan-embedding-models.html
 */
export const EMBEDDING_MODEL_IDS = ['amazon.titan-embed-text-v2:0'] as const;
export const EMBEDDING_DIMENSIONS = [1024, 512, 256] as const;

/** Bedrock knowledge-base chunking strategies, in the project's spelling. */
export const CHUNKING_STRATEGIES = ['fixed-size', 'semantic', 'hierarchical', 'none'] as const;

/** Largest child passage for hierarchical chunking: its parent (five times larger) must fit Titan V2's 8192 tokens. */
export const HIERARCHICAL_CHILD_MAX_TOKENS = 1600;
