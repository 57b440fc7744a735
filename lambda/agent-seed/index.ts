import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { boundedClientConfig, jsonLogger } from '../shared/custom-resource';
import { CALL_TIMEOUT_MS, createHandler } from './handler';

/**
 * Lambda entry point, the onEvent handler of lib/agent/plan-store.ts: the real
 * DynamoDB client (one attempt per call, and a call that does not answer
 * within CALL_TIMEOUT_MS fails), and JSON log lines.
 */
export const handler = createHandler({
  dynamodb: new DynamoDBClient(boundedClientConfig(CALL_TIMEOUT_MS)),
  logger: jsonLogger(),
});
