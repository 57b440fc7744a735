import type { ApprovalCheck } from '../../lib/shared/customization-contract';
import { errorName, RetryLater } from '../promote/errors';

/**
 * An answer other than approval: a status, a message for the caller, the
 * checks that ran (the failed one last) and any headers. Thrown anywhere in
 * the function and turned into the response by the handler; its message
 * never holds record text, only line numbers, names and counts.
 */
export class ApprovalFailure extends Error {
  constructor(
    public readonly status: number,
    message: string,
    public readonly checks?: readonly ApprovalCheck[],
    public readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'ApprovalFailure';
  }
}

/** Seconds a caller is asked to wait before asking again after throttling or a run that ran out of time. */
export const RETRY_AFTER_SECONDS = 60;

/**
 * AWS errors that another request a little later can get past: throttling
 * (Bedrock's ThrottlingException and ServiceQuotaExceededException, S3's
 * SlowDown) and a service that is briefly unavailable. The SDK has already
 * retried each of them.
 */
const TRY_AGAIN = new Set([
  'ThrottlingException',
  'ServiceQuotaExceededException',
  'TooManyRequestsException',
  'SlowDown',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalServerException',
  'InternalError',
  'RequestTimeout',
  'TimeoutError',
]);

/** Whether the request may succeed if sent again later, unchanged. */
export function isTryAgain(error: unknown): boolean {
  if (error instanceof RetryLater) return true;
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  return TRY_AGAIN.has(errorName(error)) || status === 429 || status === 503;
}

/**
 * The failure the caller is told of: an ApprovalFailure as it is; a
 * transient AWS error as 503 with Retry-After; anything else as a 500 with a
 * generic message (the handler logs the error's name and AWS's message,
 * which describes the request, not the data).
 */
export function toFailure(error: unknown): ApprovalFailure {
  if (error instanceof ApprovalFailure) return error;
  if (isTryAgain(error)) {
    const why =
      error instanceof RetryLater
        ? 'The checks did not finish within this run'
        : 'A service the approval depends on is busy or briefly unavailable';
    return new ApprovalFailure(503, `${why}; nothing was approved. Try again in a minute.`, undefined, {
      'retry-after': String(RETRY_AFTER_SECONDS),
    });
  }
  return new ApprovalFailure(
    500,
    'The approval function failed; nothing was approved. Operator: see the function log for this request.',
  );
}

/** S3's answers for a key or version that is not there (and a delete marker, which has no content). */
export function isMissing(error: unknown): boolean {
  const name = errorName(error);
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  return (
    name === 'NoSuchKey' ||
    name === 'NoSuchVersion' ||
    name === 'NotFound' ||
    name === 'MethodNotAllowed' ||
    status === 404
  );
}
