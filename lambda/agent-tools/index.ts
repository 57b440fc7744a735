import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import { createHandler, type Logger as HandlerLogger } from './handler';
import { settingsFromEnvironment } from './settings';

/**
 * Lambda entry point: real clients, created once per execution environment,
 * configured only by the standard SDK settings (region, AWS_ENDPOINT_URL_*),
 * and Powertools' JSON logger. Each log line carries the request id itself.
 */
const logger = new Logger({ serviceName: 'agent-tools' });
const log: HandlerLogger = {
  info: (message, fields = {}) => logger.info(message, fields),
  warn: (message, fields = {}) => logger.warn(message, fields),
  error: (message, fields = {}) => logger.error(message, fields),
};

export const handler = createHandler({
  dynamodb: new DynamoDBClient({}),
  s3: new S3Client({}),
  settings: settingsFromEnvironment(process.env),
  logger: log,
});
