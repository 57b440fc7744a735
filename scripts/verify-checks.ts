/**
 * The checks of `npm run verify`, in the order they run (scripts/verify/ holds
 * one file per group): each a small function over injected clients (tests use
 * aws-sdk-client-mock and a fake Function URL), with a timeout, cleaning up
 * whatever it creates.
 */
import {
  type CheckDefinition,
  type CheckResult,
  fail,
  type Outcome,
  QUICK_TIMEOUT_MS,
  type RunState,
  skip,
  type VerifyContext,
} from './verify/context';
import { type Colour, colour } from './cli/output';
import { AGENT_CHECK } from './verify/agent-checks';
import { ALARM_CHECKS } from './verify/alarm-checks';
import { DATA_CHECKS } from './verify/data-checks';
import { FINDINGS_EXPORT_CHECK } from './verify/export-checks';
import { GOVERNANCE_CHECKS } from './verify/governance-checks';
import { INVOKE_CHECKS } from './verify/invoke-checks';
import { KNOWLEDGE_CHECKS } from './verify/knowledge-checks';
import { LOG_DELIVERY_CHECKS } from './verify/log-delivery-checks';
import { OPERATIONS_CHECKS } from './verify/operations-checks';
import { THREAT_CHECKS } from './verify/threat-checks';
import { TRACE_CHECKS } from './verify/trace-checks';
import { TRAIL_CHECKS } from './verify/trail-checks';

export * from './verify/context';
export { type InvokeAnswer, readAnswer, TEST_CARD_NUMBER } from './verify/invoke-checks';
export { KNOWLEDGE_QUESTION } from './verify/knowledge-checks';
export { deleteAllVersions, eicar, recordsBucketDataEvents } from './verify/data-checks';
export { SAMPLE_FINDING_TYPES } from './verify/alert-checks';
export { ALARM_TEST_REASON } from './verify/alarm-checks';
export { DELIVERY_FAILURE_METRICS } from './verify/operations-checks';

const ORDER = [
  'guardrail',
  'benign',
  'denied-topic',
  'card-number',
  'enforcement',
  'knowledge',
  'agent',
  'ingestion-outcome',
  'audit-records',
  'in-code-spans',
  'invocation-logs',
  'guardduty',
  'malware',
  'macie',
  'cloudtrail',
  'trail-delivery',
  'access-logs',
  'config-delivery',
  'flow-logs',
  'alerts',
  'findings-export',
  'alarm-delivery',
  'rule-dead-letters',
  'access-analyzer',
];
const BY_ID = new Map(
  [
    ...INVOKE_CHECKS,
    ...TRACE_CHECKS,
    ...GOVERNANCE_CHECKS,
    ...KNOWLEDGE_CHECKS,
    ...OPERATIONS_CHECKS,
    ...DATA_CHECKS,
    ...TRAIL_CHECKS,
    ...LOG_DELIVERY_CHECKS,
    ...THREAT_CHECKS,
    FINDINGS_EXPORT_CHECK,
    ...ALARM_CHECKS,
    AGENT_CHECK,
  ].map((c) => [c.id, c]),
);

/**
 * Every check, in run order: the audit and invocation-log checks read the
 * invoke checks' requests; the findings export waits for the alert check's
 * sample finding; access logs come after the checks that use the buckets.
 */
export const CHECKS: readonly CheckDefinition[] = ORDER.map((id) => {
  const check = BY_ID.get(id);
  if (!check) throw new Error(`no check ${id}`);
  return check;
});

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${Math.round(ms / 1000)} s`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function failure(error: unknown): Outcome {
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  if (/AccessDenied|UnauthorizedOperation|AuthorizationError/.test(name)) {
    return fail(
      message,
      'Your credentials lack a permission this check needs: run it with a role that can read the service.',
    );
  }
  return fail(`${name ? `${name}: ` : ''}${message}`, 'Run it again; if it persists, check the service console.');
}

/** Run the selected checks in order (the audit check reads the invoke checks' requests). */
export async function runChecks(
  context: VerifyContext,
  selection: { only?: readonly string[]; skip?: readonly string[] } = {},
): Promise<CheckResult[]> {
  const state: RunState = { requests: [] };
  const results: CheckResult[] = [];
  for (const check of CHECKS) {
    const selected = (!selection.only || selection.only.includes(check.id)) && !selection.skip?.includes(check.id);
    if (!selected) {
      results.push({ id: check.id, ...skip('not selected (--only/--skip)') });
      continue;
    }
    const limit = check.slow ? context.timeoutMs + QUICK_TIMEOUT_MS : QUICK_TIMEOUT_MS;
    const outcome = await withTimeout(check.run(context, state), limit, check.id).catch(failure);
    results.push({ id: check.id, ...outcome });
  }
  return results;
}

/** The table: check, result, and what it found or what to do. */
export function table(results: readonly CheckResult[], paint: Colour = colour(false)): string {
  const width = Math.max(5, ...results.map((r) => r.id.length));
  const lines = [`  ${'CHECK'.padEnd(width)}  RESULT  DETAIL / WHAT TO DO`];
  const mark = { PASS: paint.ok, FAIL: paint.bad, SKIP: paint.dim, WAIT: paint.dim };
  for (const r of results) {
    lines.push(`  ${r.id.padEnd(width)}  ${mark[r.result](r.result.padEnd(6))}  ${r.detail}`);
    if (r.result === 'FAIL' && r.fix) lines.push(`  ${''.padEnd(width)}          -> ${r.fix}`);
  }
  return lines.join('\n');
}
