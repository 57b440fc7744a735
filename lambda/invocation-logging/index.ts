import { BedrockClient } from '@aws-sdk/client-bedrock';
import { CALL_TIMEOUT_MS, createHandler, type Logger } from './handler';

/**
 * Lambda entry point: the real Bedrock (control-plane) client, `fetch` for
 * the response, and JSON log lines (the function's log format is JSON).
 *
 * The SDK's own retries are off (one attempt per call): the handler retries,
 * with a backoff that knows the Lambda deadline. Each call is bounded so a
 * hung connection cannot eat the time left for the response.
 */
const bedrock = new BedrockClient({
  maxAttempts: 1,
  requestHandler: { connectionTimeout: 5_000, requestTimeout: CALL_TIMEOUT_MS - 5_000 },
});

const line =
  (level: 'info' | 'warn' | 'error') =>
  (message: string, fields: Record<string, unknown> = {}): void =>
    console[level](JSON.stringify({ message, ...fields }));
const logger: Logger = { info: line('info'), warn: line('warn'), error: line('error') };

export const handler = createHandler({ bedrock, fetch, logger });
