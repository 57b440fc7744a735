import { BedrockClient } from '@aws-sdk/client-bedrock';
import { jsonLogger, singleAttemptClientConfig } from '../shared/custom-resource';
import { CALL_TIMEOUT_MS, createHandler } from './handler';

/**
 * Lambda entry point: the real Bedrock (control-plane) client (one attempt
 * per call, bounded by CALL_TIMEOUT_MS: the handler retries), `fetch` for the
 * response, and JSON log lines.
 */
export const handler = createHandler({
  bedrock: new BedrockClient(singleAttemptClientConfig(CALL_TIMEOUT_MS)),
  fetch,
  logger: jsonLogger(),
});
