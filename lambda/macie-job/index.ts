import { Macie2Client } from '@aws-sdk/client-macie2';
import { boundedClientConfig, jsonLogger } from '../shared/custom-resource';
import { CALL_TIMEOUT_MS, createHandlers } from './handler';

/**
 * Lambda entry points, one function each (lib/threat-detection/classification-job-provider.ts):
 * the real Macie client (one attempt per call, and a call that does not
 * answer within CALL_TIMEOUT_MS fails), and JSON log lines.
 */
const handlers = createHandlers({
  macie: new Macie2Client(boundedClientConfig(CALL_TIMEOUT_MS)),
  logger: jsonLogger(),
});

export const onEvent = handlers.onEvent;
export const isComplete = handlers.isComplete;
