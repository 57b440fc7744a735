import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { S3Client } from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Logger as HandlerLogger } from '../promote/errors';
import { createHandler } from './handler';
import { settingsFromEnvironment } from './settings';

/**
 * Lambda entry point: real clients, created once per execution environment,
 * configured only by the standard SDK settings (region, AWS_ENDPOINT_URL_*).
 *
 * Every call is bounded: a connection within 3 s and an answer within 30 s,
 * and the request timeout throws (without throwOnRequestTimeout,
 * @smithy/node-http-handler only warns, and a call that never answers holds
 * the run until Lambda ends it without an answer to the caller). The SDK's
 * retries stay on; ApplyGuardrail, rate limited in text units per second,
 * uses the adaptive retry mode with a few more attempts, as the promotion
 * function does.
 */
const requestHandler = { connectionTimeout: 3_000, requestTimeout: 30_000, throwOnRequestTimeout: true };

const logger = new Logger({ serviceName: 'training-approval' });
const log: HandlerLogger = {
  info: (message, fields = {}) => logger.info(message, fields),
  warn: (message, fields = {}) => logger.warn(message, fields),
  error: (message, fields = {}) => logger.error(message, fields),
};

export const handler = createHandler({
  s3: new S3Client({ requestHandler }),
  bedrock: new BedrockRuntimeClient({ retryMode: 'adaptive', maxAttempts: 6, requestHandler }),
  settings: settingsFromEnvironment(process.env),
  logger: log,
});
