/**
 * Every condition key a policy requires of an AWS service must be one AWS
 * documents that service sending on that path (a cited row of
 * service-requests.ts), or an assumption written down in the register
 * (lib/shared/assumptions.ts). A key that is neither is a silent failure
 * waiting to happen: the service never sends it, the Allow never matches, and
 * nothing reports it. `uncoveredConditionKeys` finds such keys in a set of
 * resource policies (bucket, key, topic, queue, log-group and trust policies).
 */
import { ASSUMPTIONS, type Assumption, type AssumptionId } from '../../lib/shared/assumptions';
import { actionMatches, list, type Statement } from './refusals';
import { SERVICE_REQUESTS, type ServiceRequestRow, type Subject } from './service-requests';

/** The service principals a statement names. */
function servicesOf(statement: Statement): string[] {
  const principal = statement.Principal;
  return principal && typeof principal === 'object' && !Array.isArray(principal) ? list(principal.Service) : [];
}

/** The condition keys a statement uses (operator blocks flattened). */
export function conditionKeysOf(statement: Statement): string[] {
  const condition = statement.Condition;
  if (!condition || typeof condition !== 'object' || Array.isArray(condition)) return [];
  return Object.values(condition).flatMap((block) =>
    block && typeof block === 'object' && !Array.isArray(block) ? Object.keys(block) : [],
  );
}

/** Where a key is accounted for: a cited row, or a register entry (through a row, or directly). */
export type Cover = { kind: 'cited'; row: string } | { kind: 'register'; id: AssumptionId; row?: string };

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * How `key`, required of `service` for one of `actions`, is covered, or
 * undefined when nothing covers it. A row covers it when its principal is the
 * service (in `region`), one of its actions matches, and its context has the
 * key: cited unless the row lists the key as uncited (or has no citation), in
 * which case the register entry the row names covers it. A register entry
 * also covers the keys it lists for a principal directly.
 */
export function coverOf(service: string, actions: readonly string[], key: string, region: string): Cover | undefined {
  const subject: Subject = { source: '<source>', account: '<account>', region };
  const rows = Object.entries(SERVICE_REQUESTS as Record<string, ServiceRequestRow>).filter(([, row]) => {
    if (row.principal === 'caller') return false;
    const principal = typeof row.principal === 'function' ? row.principal(subject) : row.principal;
    return principal === service && row.actions.some((a) => actions.some((pattern) => actionMatches(pattern, a)));
  });
  let viaRegister: Cover | undefined;
  for (const [id, row] of rows) {
    if (!Object.keys(row.context(subject)).some((k) => same(k, key))) continue;
    const uncited = row.citation === null || (row.uncitedKeys ?? []).some((k) => same(k, key));
    if (!uncited) return { kind: 'cited', row: id };
    if (row.register && row.register in ASSUMPTIONS) viaRegister ??= { kind: 'register', id: row.register, row: id };
  }
  if (viaRegister) return viaRegister;
  for (const [id, entry] of Object.entries(ASSUMPTIONS) as [AssumptionId, Assumption][]) {
    for (const cover of entry.covers ?? []) {
      if (cover.principal === service && cover.keys.some((k) => same(k, key))) {
        return { kind: 'register', id };
      }
    }
  }
  return undefined;
}

/**
 * Each condition key of a service-principal statement that neither a cited
 * row nor a register entry covers, as `<where> <Sid>: <service> <key> (actions)`.
 */
export function uncoveredConditionKeys(
  policies: readonly { where: string; statements: readonly Statement[] }[],
  region: string,
): string[] {
  return policies.flatMap(({ where, statements }) =>
    statements.flatMap((statement) => {
      const actions = list(statement.Action);
      const keys = conditionKeysOf(statement);
      return servicesOf(statement).flatMap((service) =>
        keys
          .filter((key) => coverOf(service, actions, key, region) === undefined)
          .map(
            (key) =>
              `${where} ${JSON.stringify(statement.Sid ?? '(no Sid)')}: ${service} is required to send ${key} for ${actions.join(', ')}, ` +
              'which no cited row of test/support/service-requests.ts and no entry of lib/shared/assumptions.ts covers',
          ),
      );
    }),
  );
}
