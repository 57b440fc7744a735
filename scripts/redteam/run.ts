/**
 * Sends every entry to a target with a bounded number in flight, waits out
 * throttling (Retry-After, else exponential backoff with full jitter), and
 * records an error per entry rather than stopping the run.
 */
import type { CorpusEntry } from './corpus';
import { type Observation, type Target, Throttled } from './targets';

export const DEFAULT_CONCURRENCY = 4;
export const MAX_CONCURRENCY = 16;
/** Tries per entry when throttled (the first try included). */
export const MAX_ATTEMPTS = 6;
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_CAP_MS = 30_000;
/** Answers kept in the run record are cut here: enough to review, not a transcript. */
const KEPT_TEXT_CHARS = 1_000;

/** One entry's result, as written in the run's JSON. */
export interface EntryResult {
  readonly id: string;
  readonly category: CorpusEntry['category'];
  readonly kind: CorpusEntry['kind'];
  readonly nearMissOf?: CorpusEntry['nearMissOf'];
  readonly canary?: string;
  readonly expected: CorpusEntry['expected'];
  /** Absent when the entry failed with an error. */
  readonly observed?: Observation;
  readonly error?: string;
  readonly attempts: number;
  readonly latencyMs: number;
}

export interface RunOptions {
  readonly concurrency: number;
  readonly maxAttempts?: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly now?: () => number;
  /** Called after each entry finishes. */
  readonly onResult?: (result: EntryResult, done: number, total: number) => void;
}

/**
 * Full jitter: a random wait up to base * 2^(attempt-1), capped; spreads the
 * retries of concurrent workers apart.
 * https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1)));
}

async function runOne(entry: CorpusEntry, target: Target, options: RunOptions): Promise<EntryResult> {
  const now = options.now ?? Date.now;
  const maxAttempts = options.maxAttempts ?? MAX_ATTEMPTS;
  const base = {
    id: entry.id,
    category: entry.category,
    kind: entry.kind,
    ...(entry.nearMissOf ? { nearMissOf: entry.nearMissOf } : {}),
    ...(entry.canary ? { canary: entry.canary } : {}),
    expected: entry.expected,
  };
  const started = now();
  for (let attempt = 1; ; attempt++) {
    try {
      const observed = await target(entry);
      const text =
        observed.text.length > KEPT_TEXT_CHARS ? `${observed.text.slice(0, KEPT_TEXT_CHARS)}…` : observed.text;
      return { ...base, observed: { ...observed, text }, attempts: attempt, latencyMs: now() - started };
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      if (error instanceof Throttled && attempt < maxAttempts) {
        await options.sleep(error.retryAfterMs ?? backoffMs(attempt, options.random));
        continue;
      }
      return { ...base, error: message, attempts: attempt, latencyMs: now() - started };
    }
  }
}

/** Results in corpus order, whatever order they finished in. */
export async function runEntries(
  entries: readonly CorpusEntry[],
  target: Target,
  options: RunOptions,
): Promise<EntryResult[]> {
  const concurrency = Math.max(1, Math.min(MAX_CONCURRENCY, Math.floor(options.concurrency)));
  const results: EntryResult[] = new Array(entries.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < entries.length) {
      const index = next++;
      results[index] = await runOne(entries[index], target, options);
      options.onResult?.(results[index], ++done, entries.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, entries.length) }, worker));
  return results;
}
