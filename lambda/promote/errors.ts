/** Shared error handling: names, "not found" answers, and the log form of an error. */

/** A record that cannot be finished now but is expected to be later (not an error: logged at info). */
export class RetryLater extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RetryLater';
  }
}

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export function errorName(error: unknown): string {
  const name = (error as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' ? name : 'Error';
}

/** S3's answers for a key or version that does not exist (HeadObject has no body, so only the status says it). */
export function isNotFound(error: unknown): boolean {
  const name = errorName(error);
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  return name === 'NotFound' || name === 'NoSuchKey' || name === 'NoSuchVersion' || status === 404;
}

/** Name, HTTP status and message of an AWS error: AWS error messages describe the request, not the document. */
export function describeError(error: unknown): Record<string, unknown> {
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  const message = error instanceof Error ? error.message.slice(0, 300) : String(error).slice(0, 300);
  return { errorName: errorName(error), httpStatusCode: status, errorMessage: message };
}
