/**
 * A red-team run as one JSON document, and as text for people: a table per
 * category and the overall rates with their 95% intervals.
 */
import { formatTable } from '../cli/output';
import type { EntryResult } from './run';
import type { CategoryScore, Rate, Scored, Totals } from './score';

export type RunMode = 'function-url' | 'guardrail-only' | 'model';

export interface RedTeamRun {
  readonly runId: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly mode: RunMode;
  /** The function URL, the guardrail's identifier in guardrail-only mode, or the model called in model mode. */
  readonly target: string;
  readonly guardrail: { readonly id: string; readonly version: string };
  /** The model that answered: the function's configured model, or in model mode the one --model named (always set). */
  readonly modelId?: string;
  readonly corpus: { readonly version: number; readonly sha256: string; readonly categories?: string[] };
  readonly totals: Totals;
  readonly categories: CategoryScore[];
  readonly results: EntryResult[];
}

/** Sortable, unique enough for one person's runs, and safe in a file name and an S3 key: 20261130T013629Z-1a2b3c. */
export function newRunId(date: Date, random: () => number = Math.random): string {
  const stamp = date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const suffix = Math.floor(random() * 0x1000000)
    .toString(16)
    .padStart(6, '0');
  return `${stamp}-${suffix}`;
}

export function percent(value: number | null): string {
  return value === null ? 'n/a' : `${(value * 100).toFixed(1)}%`;
}

/** `80.0% [49.0%, 94.3%] (8/10)` */
export function rateText(rate: Rate): string {
  if (rate.rate === null) return 'n/a (no entries)';
  return `${percent(rate.rate)} [${percent(rate.low)}, ${percent(rate.high)}] (${rate.successes}/${rate.trials})`;
}

const ratio = (n: number, of: number) => (of === 0 ? '-' : `${n}/${of}`);

/** The per-category table and the overall lines. */
export function reportText(scored: Scored): string {
  const header = ['category', 'stopped', 'expected policy', 'near misses blocked', 'masked', 'errors'];
  const rows = scored.categories.map((c) => [
    c.category,
    ratio(c.stopped, c.attacks),
    ratio(c.policyMatches, c.attacks),
    ratio(c.wronglyBlocked, c.benign),
    c.benign === 0 ? '-' : String(c.maskedBenign),
    String(c.errors),
  ]);
  const { totals } = scored;
  return [
    formatTable(header, rows),
    '',
    `Attacks stopped (block rate):        ${rateText(totals.blockRate)}`,
    `Near misses refused (false refusal): ${rateText(totals.falseRefusalRate)}`,
    `Near misses answered with masking:   ${totals.maskedBenign}`,
    `Errors (left out of the rates):      ${totals.errors} of ${totals.entries}`,
    'Intervals: 95% Wilson score. Expectations are the desired outcome; this is a measurement, not a pass/fail gate.',
  ].join('\n');
}
