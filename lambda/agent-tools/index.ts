import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import { boundedClientConfig } from '../shared/custom-resource';
import { createHandler, type Logger as HandlerLogger } from './handler';
import { settingsFromEnvironment } from './settings';

/**
 * Lambda entry point: real clients, created once per execution environment,
 * configured by the standard SDK settings (region, AWS_ENDPOINT_URL_*), and
 * Powertools' JSON logger. Each log line carries the request id itself.
 *
 * Each call (the turn count, the read or write, the audit record) gets one
 * attempt of at most CALL_TIMEOUT_MS, so that the three together end well
 * within the function's 15 seconds: a call that hangs is answered as a store
 * fault and audited, instead of the function timing out unanswered.
 */
const CALL_TIMEOUT_MS = 3_000;
const logger = new Logger({ serviceName: 'agent-tools' });
const log: HandlerLogger = {
  info: (message, fields = {}) => logger.info(message, fields),
  warn: (message, fields = {}) => logger.warn(message, fields),
  error: (message, fields = {}) => logger.error(message, fields),
};

export const handler = createHandler({
  dynamodb: new DynamoDBClient(boundedClientConfig(CALL_TIMEOUT_MS)),
  s3: new S3Client(boundedClientConfig(CALL_TIMEOUT_MS)),
  settings: settingsFromEnvironment(process.env),
  logger: log,
});
