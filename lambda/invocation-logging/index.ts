import { BedrockClient } from '@aws-sdk/client-bedrock';
import { boundedClientConfig, jsonLogger } from '../shared/custom-resource';
import { CALL_TIMEOUT_MS, createHandler } from './handler';

/**
 * Lambda entry point, the onEvent handler of lib/operations/model-invocation-logging.ts:
 * the real Bedrock (control-plane) client (one attempt per call, and a call
 * that does not answer within CALL_TIMEOUT_MS fails), and JSON log lines.
 */
export const handler = createHandler({
  bedrock: new BedrockClient(boundedClientConfig(CALL_TIMEOUT_MS)),
  logger: jsonLogger(),
});
