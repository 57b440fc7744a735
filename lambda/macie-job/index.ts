import { Macie2Client } from '@aws-sdk/client-macie2';
import { jsonLogger, singleAttemptClientConfig } from '../shared/custom-resource';
import { CALL_TIMEOUT_MS, createHandler } from './handler';

/**
 * Lambda entry point: the real Macie client (one attempt per call, bounded by
 * CALL_TIMEOUT_MS: the handler retries), `fetch` for the response, and JSON
 * log lines.
 */
export const handler = createHandler({
  macie: new Macie2Client(singleAttemptClientConfig(CALL_TIMEOUT_MS)),
  fetch,
  logger: jsonLogger(),
});
