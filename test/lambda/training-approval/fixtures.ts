/**
 * Shared test data for the training-data approval function: settings as the
 * stack sets them, function URL events with the IAM authorizer's caller,
 * training files in the Nova conversation format, and one mock of each
 * client for every part of the folder (aws-sdk-client-mock replaces `send`
 * on the client's prototype, so two mocks of one client would fight).
 */
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { S3Client } from '@aws-sdk/client-s3';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { ApprovalSettings } from '../../../lambda/training-approval/settings';
import { functionUrlEvent } from '../../../tools/local-aws/lambda-runtime';

export const s3 = mockClient(S3Client);
export const bedrock = mockClient(BedrockRuntimeClient);

export const ACCOUNT = '111111111111';
export const BUCKET = `guarded-ai-data-${ACCOUNT}-us-east-1`;
export const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
export const GUARDRAIL_ARN = `arn:aws:bedrock:us-east-1:${ACCOUNT}:guardrail/tr4ining0dat`;
export const BASE_MODEL = 'amazon.nova-micro-v1:0:128k';
export const VERSION = 'NpeIP.i5R7OBO0bChPbGTmSsym5UohWS';
export const OTHER_VERSION = '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY';
export const BATCH = 'support-tone-1';
/** The caller as Lambda's IAM authorizer names an assumed role. */
export const USER_ARN = `arn:aws:sts::${ACCOUNT}:assumed-role/GuardedGenAi-Operator/jane`;
/** 2026-11-29T10:00:00Z */
export const NOW = Date.UTC(2026, 10, 29, 10, 0, 0);

export const SETTINGS: ApprovalSettings = {
  dataBucket: BUCKET,
  kmsKeyArn: KEY_ARN,
  guardrailArn: GUARDRAIL_ARN,
  guardrailVersion: '2',
  baseModel: BASE_MODEL,
};

/** The environment the stack gives the function (lib/shared/customization-contract.ts). */
export const ENVIRONMENT = {
  DATA_BUCKET: BUCKET,
  KMS_KEY_ARN: KEY_ARN,
  GUARDRAIL_ARN,
  GUARDRAIL_VERSION: '2',
  BASE_MODEL,
};

/**
 * A function URL event (payload format 2.0) for AuthType AWS_IAM: the body
 * base64-encoded, as Lambda delivers a JSON body, and the caller in
 * requestContext.authorizer.iam.
 */
export function approvalEvent(body: unknown, options: { method?: string; userArn?: string | null } = {}) {
  const event = functionUrlEvent(body);
  const iam = {
    accessKey: 'ASIA5EXAMPLE7EXAMPLE',
    accountId: ACCOUNT,
    callerId: 'AROA5EXAMPLEROLEID:jane',
    cognitoIdentity: null,
    principalOrgId: null,
    userArn: options.userArn === undefined ? USER_ARN : options.userArn,
    userId: 'AROA5EXAMPLEROLEID:jane',
  };
  return {
    ...event,
    requestContext: {
      ...event.requestContext,
      http: { ...event.requestContext.http, method: options.method ?? 'POST' },
      ...(options.userArn === null ? {} : { authorizer: { iam } }),
    },
  } as LambdaFunctionURLEvent;
}

/** A valid record in the format of AWS's example, with its own text. */
export function conversation(question: string, answer: string, system?: string): Record<string, unknown> {
  return {
    schemaVersion: 'bedrock-conversation-2024',
    ...(system === undefined ? {} : { system: [{ text: system }] }),
    messages: [
      { role: 'user', content: [{ text: question }] },
      { role: 'assistant', content: [{ text: answer }] },
    ],
  };
}

/** `count` valid records, numbered, one a line, with a final newline. */
export function trainingFile(
  count = 10,
  record = (i: number) =>
    conversation(`How do I reset token ${i}?`, `Open the settings page and choose reset for token ${i}.`),
) {
  return Array.from({ length: count }, (_, i) => JSON.stringify(record(i + 1))).join('\n') + '\n';
}

/** A GetObject body as the SDK returns it (the two methods code uses), and a destroy the test can watch. */
export function body(content: string | Uint8Array) {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  const destroy = jest.fn();
  return {
    transformToByteArray: async () => bytes,
    transformToString: async () => new TextDecoder().decode(bytes),
    destroy,
  } as never;
}

// The promotion function's log recorder: both functions log through the same Logger shape.
export { type LogLine, recorder } from '../promote/fixtures';
