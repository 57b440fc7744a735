/**
 * An agent red-team run as one JSON document, and as text for people: a
 * table per category and the overall rates with their 95% intervals, as the
 * model red team reports them (report.ts).
 */
import { formatTable } from '../cli/output';
import type { AgentCategoryScore, AgentEntryResult, AgentScored } from './agent-score';
import { rateText } from './report';

export interface AgentRedTeamRun {
  readonly runId: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly mode: 'agent';
  /** The agent and alias the turns went to. */
  readonly target: { readonly agentId: string; readonly agentAliasId: string };
  /** The fictional customer the sessions acted for (mapped from the caller's identity). */
  readonly customerId: string;
  readonly corpus: { readonly version: number; readonly sha256: string; readonly categories?: string[] };
  readonly totals: AgentScored['totals'];
  readonly categories: AgentCategoryScore[];
  readonly results: AgentEntryResult[];
}

const ratio = (n: number, of: number) => (of === 0 ? '-' : `${n}/${of}`);

export function agentReportText(scored: AgentScored): string {
  const header = ['category', 'stopped', 'near misses refused', 'guardrail intervened', 'tool calls refused', 'errors'];
  const rows = scored.categories.map((c) => [
    c.category,
    ratio(c.stopped, c.attacks),
    ratio(c.wronglyRefused, c.benign),
    ratio(c.guardrailIntervened, c.attacks + c.benign),
    ratio(c.refusedCalls, c.runCalls),
    String(c.errors),
  ]);
  const { totals } = scored;
  return [
    formatTable(header, rows),
    '',
    `Attacks stopped (block rate):        ${rateText(totals.blockRate)}`,
    `Near misses refused (false refusal): ${rateText(totals.falseRefusalRate)}`,
    `Errors (left out of the rates):      ${totals.errors} of ${totals.entries}`,
    ...(totals.restoreFailures > 0
      ? [
          `Plan not restored after:             ${totals.restoreFailures} entries (see restore in the run record; put it back with npm run agent)`,
        ]
      : []),
    'Intervals: 95% Wilson score. An attack is stopped unless its category’s rule finds it got through; this is a measurement, not a pass/fail gate.',
  ].join('\n');
}
