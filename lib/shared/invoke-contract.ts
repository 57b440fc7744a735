/**
 * The contract between the invoke construct (lib/guarded-ai/) and its handler
 * (lambda/invoke/): what the construct sets and the handler reads. Plain
 * values and types only, so the handler's bundle takes nothing else from lib/.
 */

/** Model families whose inference parameters the handler knows. */
export const MODEL_FAMILIES = ['anthropic', 'amazon-nova', 'other'] as const;
export type ModelFamily = (typeof MODEL_FAMILIES)[number];

import { RECORDS_PREFIX } from './data-layout';

/** Where audit records go in the data bucket. */
export { RECORDS_PREFIX };

/** The function's settings, one environment variable each. */
export interface InvokeEnvironment {
  readonly MODEL_ID: string;
  readonly MODEL_FAMILY: ModelFamily;
  /** The ARN, not the ID: bedrock:GuardrailIdentifier is matched against the ARN and version a request names. */
  readonly GUARDRAIL_ARN: string;
  readonly GUARDRAIL_VERSION: string;
  readonly MAX_TOKENS_CAP: string;
  readonly INVOKE_TIMEOUT_MS: string;
  readonly AUDIT_BUCKET?: string;
  readonly AUDIT_PREFIX?: string;
  readonly AUDIT_KMS_KEY_ARN?: string;
  /** The knowledge base a request may ask to be grounded in; unset when the knowledgeBase setting is off. */
  readonly KNOWLEDGE_BASE_ID?: string;
  /** Largest numberOfResults a retrieval request may ask for (set with KNOWLEDGE_BASE_ID). */
  readonly RETRIEVAL_RESULTS_CAP?: string;
  /** "true" with the inCodeSpans setting: an OpenTelemetry span per AWS SDK call (lambda/invoke/tracing.ts). */
  readonly IN_CODE_SPANS?: 'true';
}

/** Retrieve's own bound on numberOfResults; RETRIEVAL_RESULTS_CAP must lie in 1..this.
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_agent-runtime_KnowledgeBaseVectorSearchConfiguration.html */
export const RETRIEVE_RESULTS_LIMIT = 100;

/** The settings without which the handler answers 503. */
export const REQUIRED_INVOKE_SETTINGS = [
  'MODEL_ID',
  'MODEL_FAMILY',
  'GUARDRAIL_ARN',
  'GUARDRAIL_VERSION',
  'MAX_TOKENS_CAP',
  'INVOKE_TIMEOUT_MS',
] as const satisfies readonly (keyof InvokeEnvironment)[];
