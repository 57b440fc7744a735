import { backoffDelay, RetriesExhausted, withRetry } from '../../../lambda/shared/retry';

describe('backoffDelay', () => {
  test('doubles from the base up to the cap, with jitter between half and all of it', () => {
    const low = () => 0;
    const high = () => 0.999999;
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelay(n, low))).toEqual([
      500, 1000, 2000, 4000, 8000, 15000, 15000, 15000,
    ]);
    expect([1, 2, 6, 8].map((n) => backoffDelay(n, high))).toEqual([1000, 2000, 30000, 30000]);
  });
});

describe('withRetry', () => {
  function clock() {
    let now = 0;
    return { now: () => now, sleep: async (ms: number) => void (now += ms), random: () => 0.5 };
  }

  test('never sleeps past the deadline: the last error comes back with the number of attempts', async () => {
    const c = clock();
    const call = jest.fn().mockRejectedValue(new Error('busy'));
    const outcome = withRetry(call, { ...c, deadline: 10_000, isTransient: () => true });
    await expect(outcome).rejects.toBeInstanceOf(RetriesExhausted);
    await expect(outcome).rejects.toMatchObject({ attempts: call.mock.calls.length, transient: true });
    // 750 + 1500 + 3000 = 5250 ms slept; the next wait (6000 ms) would end after the deadline.
    expect(c.now()).toBe(5250);
    expect(call).toHaveBeenCalledTimes(4);
  });

  test('a permanent error is not retried', async () => {
    const c = clock();
    const call = jest.fn().mockRejectedValue(new Error('bad request'));
    await expect(withRetry(call, { ...c, deadline: 60_000, isTransient: () => false })).rejects.toMatchObject({
      attempts: 1,
      transient: false,
      message: 'Error: bad request (1 attempt)',
    });
    expect(c.now()).toBe(0);
  });
});
