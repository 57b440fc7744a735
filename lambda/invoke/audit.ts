import type { S3Client } from '@aws-sdk/client-s3';
import { loadS3 } from './lazy';
import type { GuardrailOutcome, Usage } from './converse';
import type { InferenceParameters } from './request';
import { type AuditSettings, auditObject } from '../shared/audit-object';

export type { AuditSettings };

/** One invocation, as the notes' audit-trail and data-lineage ideas ask: who asked what, what came back, what the guardrail did. */
export interface AuditRecord {
  readonly requestId: string;
  readonly time: string;
  readonly modelId: string;
  readonly template: string;
  readonly parameters: InferenceParameters;
  readonly grounded: boolean;
  readonly stream: boolean;
  /** Whether the request asked for an answer grounded in the knowledge base. */
  readonly knowledgeBase: boolean;
  /** Locations of the documents whose passages were given to the model (never the passages): data lineage. */
  readonly citedDocuments: readonly string[];
  readonly status: number;
  readonly stopReason?: string;
  readonly guardrail?: GuardrailOutcome;
  readonly usage?: Usage;
  readonly latencyMs: number;
  /** The prompt, or a marker when the guardrail refused it (it may hold what the guardrail blocks). */
  readonly prompt: string;
  /** The answer as the guardrail left it (masked or replaced by the blocked message). */
  readonly response?: string;
  readonly error?: string;
}

/** Text stored instead of a prompt the guardrail refused. */
export const WITHHELD = '[withheld: refused by the guardrail]';

/** records/invocations/YYYY/MM/DD/<request id>.json: one object per invocation, never overwritten. */
export function auditKey(settings: AuditSettings, record: Pick<AuditRecord, 'time' | 'requestId'>): string {
  const day = record.time.slice(0, 10).replace(/-/g, '/');
  return `${settings.prefix}invocations/${day}/${record.requestId}.json`;
}

export async function writeAuditRecord(s3: S3Client, settings: AuditSettings, record: AuditRecord): Promise<void> {
  // Loaded on first use, after the first answer has been sent: the S3 client
  // is the largest module in the bundle, and a cold start need not wait for it.
  const { PutObjectCommand } = loadS3();
  await s3.send(new PutObjectCommand(auditObject(settings, auditKey(settings, record), record)));
}
