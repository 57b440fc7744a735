/**
 * How close a mistyped name is to a known one, for "did you mean" hints in
 * the configuration errors of synth and in the commands' usage errors. Pure:
 * no dependency, so bin/, lib/ and scripts/ can all use it.
 */

/** Levenshtein distance: how many single-character edits turn `a` into `b`. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}

/** The known name nearest to `typed`, when it is close enough to be a typo (a third of its length, at least 1). */
export function nearest(typed: string, known: readonly string[]): string | undefined {
  return known
    .map((k) => ({ k, d: editDistance(typed.toLowerCase(), k.toLowerCase()) }))
    .filter(({ k, d }) => d <= Math.max(1, Math.floor(k.length / 3)))
    .sort((a, b) => a.d - b.d)[0]?.k;
}
