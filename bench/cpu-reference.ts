import { createHash } from 'node:crypto';

/**
 * A fixed amount of single-threaded work of the kind the test suite does
 * (building, serializing and hashing large JSON documents, as a synthesis
 * does with templates), timed in the same run as the suite, so that the
 * suite's time can be reported as a multiple of it: a slow machine, or a slow
 * day on the same machine, makes both slower and leaves the multiple alone.
 *
 * Never change the work: the history in bench/results.md compares multiples.
 */
function work(): string {
  // A deterministic "template" of 3,000 resources (a linear congruential generator, no randomness).
  let seed = 42;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  const resources: Record<string, unknown> = {};
  for (let i = 0; i < 3000; i++) {
    resources[`Resource${i}${next().toString(36)}`] = {
      Type: `AWS::Service${next() % 40}::Thing`,
      Properties: {
        Name: { 'Fn::Join': ['-', [{ Ref: 'AWS::StackName' }, `part${next()}`]] },
        Tags: Array.from({ length: 8 }, (_, t) => ({ Key: `k${t}`, Value: `v${next()}` })),
      },
    };
  }
  const hash = createHash('sha256');
  for (let round = 0; round < 40; round++) {
    const text = JSON.stringify({ round, Resources: resources });
    const parsed = JSON.parse(text) as { Resources: Record<string, { Type: string }> };
    hash.update(
      Object.values(parsed.Resources)
        .filter((r) => r.Type.endsWith('7::Thing'))
        .length.toString(),
    );
    hash.update(text.replace(/part(\d+)/g, 'p$1'));
  }
  return hash.digest('hex');
}

/** The reference's time in ms: the best of five runs after one to warm up. */
export function cpuReferenceMs(): number {
  work();
  const times = Array.from({ length: 5 }, () => {
    const t = performance.now();
    work();
    return performance.now() - t;
  });
  return Math.min(...times);
}
