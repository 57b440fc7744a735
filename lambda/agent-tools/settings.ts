import type { AgentToolsEnvironment } from '../../lib/shared/agent-contract';
import type { AuditSettings } from './audit';

/** The executor's settings, read once from its environment (AgentToolsEnvironment in lib/shared/agent-contract.ts). */
export interface AgentToolsSettings {
  readonly tableName: string;
  readonly audit: AuditSettings;
}

const REQUIRED: readonly (keyof AgentToolsEnvironment)[] = [
  'TABLE_NAME',
  'AUDIT_BUCKET',
  'AUDIT_PREFIX',
  'AUDIT_KMS_KEY_ARN',
];

/** The settings, or an Error naming what is wrong (the handler then refuses every call). */
export function settingsFromEnvironment(env: NodeJS.ProcessEnv): AgentToolsSettings | Error {
  const missing = REQUIRED.filter((name) => !env[name]);
  if (missing.length > 0) return new Error(`missing environment: ${missing.join(', ')}`);
  const e = env as unknown as AgentToolsEnvironment;
  if (!e.AUDIT_PREFIX.endsWith('/')) return new Error('AUDIT_PREFIX must end with "/"');
  if (!/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-zA-Z-]+$/.test(e.AUDIT_KMS_KEY_ARN)) {
    return new Error('AUDIT_KMS_KEY_ARN must be the ARN of a KMS key');
  }
  return {
    tableName: e.TABLE_NAME,
    audit: { bucket: e.AUDIT_BUCKET, prefix: e.AUDIT_PREFIX, kmsKeyArn: e.AUDIT_KMS_KEY_ARN },
  };
}
