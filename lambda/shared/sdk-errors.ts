/**
 * Classification of AWS SDK v3 errors, for the custom resources' retries:
 * the error's name (https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/handling-exceptions.html),
 * and which errors another attempt can get past whatever the service.
 */

/** Errors of the network or the SDK itself rather than of the request. */
const NETWORK = new Set(['TimeoutError', 'RequestTimeout', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']);

/** The error's name, or its code for a network error of Node (ECONNRESET and the like). */
export function errorName(error: unknown): string {
  if (typeof error !== 'object' || error === null) return '';
  const { name, code } = error as { name?: unknown; code?: unknown };
  return typeof code === 'string' && NETWORK.has(code) ? code : typeof name === 'string' ? name : '';
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : '';
}

/**
 * Throttling, server-side and network errors: worth another attempt for any
 * call. `transient` names the service's own errors of that kind.
 */
export function isTransientSdkError(error: unknown, transient: ReadonlySet<string>): boolean {
  const name = errorName(error);
  if (transient.has(name) || NETWORK.has(name)) return true;
  const meta = error as { $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  const status = meta?.$metadata?.httpStatusCode ?? 0;
  return meta?.$retryable !== undefined || status === 429 || status >= 500;
}
