/**
 * An EventBridge event-pattern matcher for tests, so that rules can be checked
 * against sample events offline (the TestEventPattern API needs an account).
 *
 * It implements the subset of the pattern language the project's rules use,
 * following https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html:
 * exact values (strings, numbers, booleans, null), `numeric` comparisons,
 * `prefix`, `anything-but` and `exists`; nested objects; and event arrays,
 * which match when any element matches. Any other operator throws, so a rule
 * that starts using one cannot pass unchecked.
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const COMPARE: Record<string, (a: number, b: number) => boolean> = {
  '=': (a, b) => a === b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

function matchesOne(rule: Json, value: Json | undefined): boolean {
  if (rule === null || typeof rule !== 'object') return value !== undefined && rule === value;
  if (Array.isArray(rule)) throw new Error('nested arrays are not a valid pattern');
  const [operator, argument] = Object.entries(rule)[0];
  switch (operator) {
    case 'numeric': {
      if (typeof value !== 'number') return false;
      const terms = argument as (string | number)[];
      for (let i = 0; i < terms.length; i += 2) {
        const compare = COMPARE[terms[i] as string];
        if (!compare) throw new Error(`unknown numeric operator ${String(terms[i])}`);
        if (!compare(value, terms[i + 1] as number)) return false;
      }
      return true;
    }
    case 'prefix':
      return typeof value === 'string' && value.startsWith(argument as string);
    case 'anything-but':
      return value !== undefined && !(Array.isArray(argument) ? argument : [argument]).includes(value as Json);
    case 'exists':
      return (value !== undefined) === argument;
    default:
      throw new Error(`the test matcher does not implement "${operator}"`);
  }
}

/** Whether `event` matches `pattern` (both as they appear in the template and on the bus). */
export function matchesPattern(pattern: Record<string, Json>, event: Record<string, Json>): boolean {
  return Object.entries(pattern).every(([key, rule]) => {
    const value = event[key];
    if (rule !== null && typeof rule === 'object' && !Array.isArray(rule)) {
      return value !== null && typeof value === 'object' && !Array.isArray(value) && matchesPattern(rule, value);
    }
    const candidates = Array.isArray(value) ? value : [value];
    const rules = rule as Json[];
    const existsFalse = rules.some((r) => r !== null && typeof r === 'object' && 'exists' in r && r.exists === false);
    if (value === undefined) return existsFalse;
    return rules.some((r) => candidates.some((candidate) => matchesOne(r, candidate)));
  });
}

/**
 * The text an input transformer makes of `event`: each `<name>` of the
 * template replaced by the value at its JSON path (`$.detail.severity`).
 *
 * A path the event lacks (or holds null at) throws instead of rendering
 * anything: AWS documents only that such a variable "isn't created and will
 * not appear in the output"
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html),
 * not whether the alert is still delivered, so a message must not depend on it.
 */
export function renderInputTransformer(
  transformer: { InputPathsMap: Record<string, string>; InputTemplate: string },
  event: Record<string, Json>,
): string {
  const valueAt = (path: string): Json | undefined =>
    path
      .replace(/^\$\.?/, '')
      .split('.')
      .filter((part) => part.length > 0)
      .reduce<Json | undefined>(
        (node, part) => (node !== null && typeof node === 'object' && !Array.isArray(node) ? node[part] : undefined),
        event,
      );
  return transformer.InputTemplate.replace(/<([A-Za-z0-9_-]+)>/g, (whole, name: string) => {
    const path = transformer.InputPathsMap[name];
    if (path === undefined) return whole;
    const value = valueAt(path);
    if (value === undefined || value === null) {
      const which = `${String(event['detail-type'])} event ${String(event.id)}`;
      throw new Error(
        `input transformer variable <${name}>: ${path} is ${value === null ? 'null' : 'missing'} in the ${which}`,
      );
    }
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  });
}
