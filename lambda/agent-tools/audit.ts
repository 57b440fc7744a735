import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { TextDigest } from './parameters';
import { type AuditSettings, auditObject } from '../shared/audit-object';

/**
 * One audit record per tool call, refused ones included: who (the session's
 * customer), which tool, the parameters after validation, the outcome and
 * whether the call was confirmed. Never the user's words: no inputText, and a
 * note only as its length and digest.
 */

export type { AuditSettings };

export type Outcome = 'done' | 'refused' | 'failed';

/** Why a call ended as it did: a short code, never free text. */
export type Reason =
  | 'done'
  | 'malformed-event'
  | 'unknown-function'
  | 'turn-limit'
  | 'no-turn'
  | 'no-customer'
  | 'parameters-too-large'
  | 'undeclared-parameter'
  | 'invalid-parameter'
  | 'confirmation-missing'
  | 'confirmation-mismatch'
  | 'replayed'
  | 'no-plan'
  | 'invalid-item'
  | 'store-error'
  | 'misconfigured'
  | 'internal-error';

/**
 * A read needs no confirmation. For a write, 'missing' also covers a call
 * refused before its confirmation was looked at: none was used.
 */
export type ConfirmationState = 'not-required' | 'confirmed' | 'missing' | 'mismatch' | 'replayed';

export interface ToolCallRecord {
  readonly time: string;
  readonly requestId: string;
  readonly sessionId: string | null;
  readonly agent: { readonly id: string; readonly alias: string; readonly version: string } | null;
  readonly actionGroup: string;
  readonly function: string;
  /** The session's customer, when it had a valid one. */
  readonly customerId: string | null;
  /** The parameters as checked; null when they were not (refused before, or not valid). */
  readonly parameters: Readonly<Record<string, string | boolean | TextDigest>> | null;
  readonly outcome: Outcome;
  readonly reason: Reason;
  readonly confirmation: ConfirmationState;
  /** The confirmation spent (or found already spent): Bedrock's invocation id, to match with the caller's log. */
  readonly confirmationId?: string;
}

/** <prefix>YYYY/MM/DD/<request id>.json: one object per call. */
export function auditKey(settings: AuditSettings, record: Pick<ToolCallRecord, 'time' | 'requestId'>): string {
  return `${settings.prefix}${record.time.slice(0, 10).replace(/-/g, '/')}/${record.requestId}.json`;
}

export async function writeAuditRecord(
  s3: Pick<S3Client, 'send'>,
  settings: AuditSettings,
  record: ToolCallRecord,
): Promise<void> {
  await s3.send(new PutObjectCommand(auditObject(settings, auditKey(settings, record), record)));
}
