/**
 * Shared test data for the promotion function: settings as the stack sets
 * them, scan-result events in GuardDuty's shape, SQS records around them, and
 * a log recorder.
 */
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { malwareScanResult } from '../../threat-detection/sample-events';
import type { PromotionSettings } from '../../../lambda/promote/settings';

export const ACCOUNT = '111111111111';
export const BUCKET = `guarded-ai-data-${ACCOUNT}-eu-west-1`;
export const VERSION = 'NpeIP.i5R7OBO0bChPbGTmSsym5UohWS';
export const NEWER_VERSION = '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY';

export const SETTINGS: PromotionSettings = {
  dataBucket: BUCKET,
  kmsKeyArn: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
  // The ingestion guardrail and the version the stack published.
  guardrailArn: `arn:aws:bedrock:eu-west-1:${ACCOUNT}:guardrail/gr123abc`,
  guardrailVersion: '3',
  knowledgeBaseId: 'KB12345678',
  dataSourceId: 'DS12345678',
  knowledgeBaseLogGroup: 'GuardedGenAi-Knowledge-ApplicationLogsLogGroup8A1B2C3D-aBcDeFgH1234',
  alertTopicArn: `arn:aws:sns:eu-west-1:${ACCOUNT}:GuardedGenAi-ThreatDetection-alerts`,
  binaryDocuments: 'refuse',
};

/** What the text check is given: the guardrail and its version. */
export const CHECK_SETTINGS = SETTINGS;

/** The environment the stack gives the function (lib/shared/promotion-contract.ts). */
export const ENVIRONMENT = {
  DATA_BUCKET: SETTINGS.dataBucket,
  KMS_KEY_ARN: SETTINGS.kmsKeyArn,
  GUARDRAIL_ARN: SETTINGS.guardrailArn,
  GUARDRAIL_VERSION: SETTINGS.guardrailVersion,
  KNOWLEDGE_BASE_ID: SETTINGS.knowledgeBaseId,
  DATA_SOURCE_ID: SETTINGS.dataSourceId,
  KNOWLEDGE_BASE_LOG_GROUP: SETTINGS.knowledgeBaseLogGroup,
  ALERT_TOPIC_ARN: SETTINGS.alertTopicArn,
  BINARY_DOCUMENTS: SETTINGS.binaryDocuments,
};

/** A GuardDuty scan result for one object (the documented event, with this test's bucket, key and verdict). */
export function scanResult(
  key: string,
  status = 'NO_THREATS_FOUND',
  options: { bucket?: string; versionId?: string; threats?: string[] } = {},
) {
  const event = malwareScanResult(options.bucket ?? BUCKET, status) as Record<string, unknown> & {
    detail: Record<string, Record<string, unknown>>;
  };
  event.detail.s3ObjectDetails = {
    ...event.detail.s3ObjectDetails,
    objectKey: key,
    versionId: options.versionId ?? VERSION,
  };
  if (options.threats) {
    event.detail.scanResultDetails = {
      scanResultStatus: status,
      threats: options.threats.map((name) => ({ name })),
    };
  }
  return event;
}

let sequence = 0;
export function record(body: unknown): SQSRecord {
  sequence += 1;
  return {
    messageId: `0c8a3e5e-6a3b-4f0e-9d7c-${String(sequence).padStart(12, '0')}`,
    receiptHandle: `AQEB${sequence}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1730234458000',
      SenderId: 'AIDAIENQZJOLO23YVJ4VO',
      ApproximateFirstReceiveTimestamp: '1730234458100',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:eu-west-1:${ACCOUNT}:GuardedGenAi-Ingestion-promotions`,
    awsRegion: 'eu-west-1',
  };
}

export const sqsEvent = (...bodies: unknown[]): SQSEvent => ({ Records: bodies.map(record) });

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  message: string;
  fields?: Record<string, unknown>;
}

export function recorder() {
  const lines: LogLine[] = [];
  const at =
    (level: LogLine['level']) =>
    (message: string, fields?: Record<string, unknown>): void =>
      void lines.push({ level, message, fields });
  return { lines, logger: { info: at('info'), warn: at('warn'), error: at('error') } };
}

/** A GetObject body as the SDK returns it (only the method the handler uses). */
export function body(text: string | Uint8Array) {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  return { transformToByteArray: async () => bytes } as never;
}
