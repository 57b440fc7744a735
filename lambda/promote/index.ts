import { BedrockAgentClient } from '@aws-sdk/client-bedrock-agent';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Logger as HandlerLogger } from './errors';
import { createHandler } from './handler';
import { settingsFromEnvironment } from './settings';

/**
 * Lambda entry point: real clients, created once per execution environment,
 * configured only by the standard SDK settings (region, AWS_ENDPOINT_URL_*).
 *
 * ApplyGuardrail is rate limited in text units per second: its client uses
 * the SDK's adaptive retry mode, which also slows its own sending down after
 * throttling, with a few more attempts than the default three.
 */
const logger = new Logger({ serviceName: 'knowledge-promotion' });
const log: HandlerLogger = {
  info: (message, fields = {}) => logger.info(message, fields),
  warn: (message, fields = {}) => logger.warn(message, fields),
  error: (message, fields = {}) => logger.error(message, fields),
};

export const handler = createHandler({
  s3: new S3Client({}),
  bedrock: new BedrockRuntimeClient({ retryMode: 'adaptive', maxAttempts: 6 }),
  agent: new BedrockAgentClient({}),
  sns: new SNSClient({}),
  settings: settingsFromEnvironment(process.env),
  logger: log,
});
