/**
 * Documented refusals: where AWS says a policy for a service on a path may
 * carry no Condition, or not certain keys ("You can't use `Condition` blocks
 * in Amazon SNS topic policies for EventBridge"). A statement that breaks one
 * looks careful and refuses every request of the service, silently; the
 * harness treats it as a failed test rather than as a policy to evaluate.
 */
import { SERVICE_REQUESTS, type ServiceRequestId, type ServiceRequestRow } from './service-requests';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Statement = Record<string, Json>;

export const list = (value: Json | undefined): string[] =>
  value === undefined || value === null ? [] : Array.isArray(value) ? value.map(String) : [String(value)];

/** IAM action patterns: case-insensitive, `*` and `?` wildcards. */
export function actionMatches(pattern: string, action: string): boolean {
  const regex = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${regex}$`, 'i').test(action);
}

/** Whether `statement` lets `service` do one of `actions`: an Allow that names the service principal. */
function grantsService(statement: Statement, service: string, actions: readonly string[]): boolean {
  if (statement.Effect !== 'Allow' || statement.Action === undefined) return false;
  const principal = statement.Principal;
  const services =
    principal && typeof principal === 'object' && !Array.isArray(principal) ? list(principal.Service) : [];
  if (!services.includes(service)) return false;
  return list(statement.Action).some((pattern) => actions.some((action) => actionMatches(pattern, action)));
}

/** The condition keys a statement uses. */
function conditionKeys(statement: Statement): string[] {
  const condition = statement.Condition;
  if (!condition || typeof condition !== 'object' || Array.isArray(condition)) return [];
  return Object.values(condition).flatMap((block) =>
    block && typeof block === 'object' && !Array.isArray(block) ? Object.keys(block) : [],
  );
}

/**
 * Why `statement` breaks the refusal of row `id`, or undefined when it does
 * not (a statement for another principal or action is not the row's concern).
 */
export function breaksRefusal(id: ServiceRequestId, statement: Statement): string | undefined {
  const row: ServiceRequestRow = SERVICE_REQUESTS[id];
  const refusal = row.refuses;
  if (!refusal || typeof row.principal !== 'string' || row.principal === 'caller') return undefined;
  if (!grantsService(statement, row.principal, row.actions)) return undefined;
  const keys = conditionKeys(statement);
  const refused =
    refusal.keys === 'any'
      ? keys
      : keys.filter((key) => (refusal.keys as readonly string[]).some((k) => k.toLowerCase() === key.toLowerCase()));
  if (refused.length === 0) return undefined;
  return (
    `${id}: statement ${JSON.stringify(statement.Sid ?? '(no Sid)')} lets ${row.principal} in only under ${refused.join(', ')}, ` +
    `but AWS says "${refusal.quote}" (${refusal.citation})`
  );
}

/** Every refusal a set of resource policies breaks, each named by where the policy is. */
export function refusalViolations(policies: readonly { where: string; statements: readonly Statement[] }[]): string[] {
  const refusing = (Object.keys(SERVICE_REQUESTS) as ServiceRequestId[]).filter(
    (id) => (SERVICE_REQUESTS[id] as ServiceRequestRow).refuses,
  );
  return policies.flatMap(({ where, statements }) =>
    statements.flatMap((statement) =>
      refusing.flatMap((id) => {
        const reason = breaksRefusal(id, statement);
        return reason ? [`${where}: ${reason}`] : [];
      }),
    ),
  );
}
