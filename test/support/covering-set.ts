/**
 * A pairwise covering set: rows of values for a set of switches such that
 * every pair of values of every two switches appears together in at least
 * one row, skipping only the pairs a constraint forbids.
 *
 * Built greedily, in the way of IPOG-style pairwise tools (Lei et al., "IPOG:
 * A General Strategy for T-Way Software Testing", 2007) but simpler and fully
 * deterministic: each new row starts from the first pair still uncovered and
 * gives every other switch, in order, the allowed value that covers the most
 * pairs still uncovered. The rows needed grow with the square of the largest
 * number of values and the logarithm of the number of switches, not with the
 * product of all of them (test/compliance/gate-matrix.test.ts checks the
 * property and the size).
 */
export type Value = string | boolean;

export interface Switch {
  readonly name: string;
  readonly values: readonly Value[];
}

/** `when` switch has value `is`, switch `then` may not have value `not`. */
export interface Exclusion {
  readonly when: string;
  readonly is: Value;
  readonly then: string;
  readonly not: Value;
}

type Row = Map<string, Value>;

function forbidden(exclusions: readonly Exclusion[], a: string, va: Value, b: string, vb: Value): boolean {
  return exclusions.some(
    (e) =>
      (e.when === a && e.is === va && e.then === b && e.not === vb) ||
      (e.when === b && e.is === vb && e.then === a && e.not === va),
  );
}

const pairKey = (a: string, va: unknown, b: string, vb: unknown) => JSON.stringify([a, va, b, vb]);

/** Every pair of values of two different switches (first switch first, in order) that no exclusion forbids. */
export function requiredPairs(switches: readonly Switch[], exclusions: readonly Exclusion[]): string[] {
  const pairs: string[] = [];
  switches.forEach((a, i) =>
    switches.slice(i + 1).forEach((b) => {
      for (const va of a.values)
        for (const vb of b.values)
          if (!forbidden(exclusions, a.name, va, b.name, vb)) pairs.push(pairKey(a.name, va, b.name, vb));
    }),
  );
  return pairs;
}

/** The pairs a row covers, in the form of requiredPairs. */
export function pairsOf(switches: readonly Switch[], row: Readonly<Record<string, unknown>>): string[] {
  return switches.flatMap((a, i) =>
    switches.slice(i + 1).map((b) => pairKey(a.name, row[a.name], b.name, row[b.name])),
  );
}

/** The covering set, one record of switch name to value per row. */
export function coveringSet(switches: readonly Switch[], exclusions: readonly Exclusion[]): Record<string, Value>[] {
  const uncovered = new Set(requiredPairs(switches, exclusions));
  const rows: Record<string, Value>[] = [];
  while (uncovered.size > 0) {
    const [a, va, b, vb] = JSON.parse(uncovered.values().next().value as string) as [string, Value, string, Value];
    const row: Row = new Map([
      [a, va],
      [b, vb],
    ]);
    for (const s of switches) {
      if (row.has(s.name)) continue;
      const allowed = s.values.filter((v) => [...row].every(([n, w]) => !forbidden(exclusions, n, w, s.name, v)));
      if (allowed.length === 0)
        throw new Error(`no value of ${s.name} is allowed with ${JSON.stringify(Object.fromEntries(row))}`);
      const gain = (v: Value) =>
        [...row].filter(([n, w]) => uncovered.has(pairKey(n, w, s.name, v)) || uncovered.has(pairKey(s.name, v, n, w)))
          .length;
      row.set(
        s.name,
        allowed.reduce((best, v) => (gain(v) > gain(best) ? v : best)),
      );
    }
    const record = Object.fromEntries(switches.map((s) => [s.name, row.get(s.name) as Value]));
    pairsOf(switches, record).forEach((p) => uncovered.delete(p));
    rows.push(record);
  }
  return rows;
}
