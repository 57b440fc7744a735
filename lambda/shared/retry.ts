/**
 * Retry with capped exponential backoff and jitter, bounded by a deadline.
 *
 * Lambda's own time limit is the outer bound: the caller passes the moment by
 * which it must stop trying, so that it still has time to tell CloudFormation
 * the outcome. Jitter spreads the calls of several deployments that start
 * together (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/).
 */
export interface RetryOptions {
  /** Epoch milliseconds after which no new attempt starts. */
  readonly deadline: number;
  /** Whether an error is worth another attempt. */
  readonly isTransient: (error: unknown) => boolean;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** A number in [0, 1). */
  readonly random: () => number;
  /** @default 1000 */
  readonly baseDelayMs?: number;
  /** @default 30000 */
  readonly maxDelayMs?: number;
  /** Called before each wait, to log what is being retried. */
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

/** The last error of a call that did not succeed, and how many attempts were made. */
export class RetriesExhausted extends Error {
  constructor(
    public readonly lastError: unknown,
    public readonly attempts: number,
    public readonly transient: boolean,
  ) {
    const tries = `${attempts} attempt${attempts === 1 ? '' : 's'}`;
    super(`${describeError(lastError)} (${transient ? `${tries}, still failing when time ran out` : tries})`);
    this.name = 'RetriesExhausted';
  }
}

/** Wait before attempt `attempt + 1`: half of the capped exponential delay, plus a random part of the other half. */
export function backoffDelay(attempt: number, random: () => number, baseDelayMs = 1000, maxDelayMs = 30_000): number {
  const capped = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
  return Math.round(capped / 2 + random() * (capped / 2));
}

export async function withRetry<T>(call: () => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const transient = options.isTransient(error);
      const delay = backoffDelay(attempt, options.random, options.baseDelayMs, options.maxDelayMs);
      if (!transient || options.now() + delay > options.deadline) {
        throw new RetriesExhausted(error, attempt, transient);
      }
      options.onRetry?.(error, attempt, delay);
      await options.sleep(delay);
    }
  }
}

/** `Name: message` of an SDK or other error. */
export function describeError(error: unknown): string {
  if (error instanceof RetriesExhausted) return error.message;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
