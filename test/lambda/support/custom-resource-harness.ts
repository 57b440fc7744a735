/**
 * For the unit tests of the custom resource handlers (lambda/shared/custom-resource.ts):
 * the handlers on a fake clock, each run recorded as the answer the Provider
 * framework makes of it: SUCCESS with what the handler returned, or FAILED
 * with the message of what it threw. (What the framework then PUTs, bytes
 * and all, is test/lambda/shared/provider-framework.test.ts's business.)
 */
import type { CustomResourceDependencies, DeadlineContext } from '../../../lambda/shared/custom-resource';

type Handler = (event: never, context: DeadlineContext) => Promise<unknown>;

export interface Answer {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason?: string;
  readonly PhysicalResourceId?: string;
  readonly Data?: Record<string, string>;
  readonly [other: string]: unknown;
}

/**
 * The handlers `make` builds, with a fake clock (sleeping advances it), a log
 * recorder, and `run`, which invokes one handler as Lambda would.
 */
export function customResourceHarness<H extends Record<string, Handler>>(
  make: (deps: CustomResourceDependencies) => H,
  lambdaTimeoutMs = 120_000,
) {
  let clock = 1_800_000_000_000;
  const start = clock;
  const sleeps: number[] = [];
  const answers: Answer[] = [];
  const logged: string[] = [];
  const record = (message: string, fields?: Record<string, unknown>) =>
    logged.push(JSON.stringify({ message, fields }));
  const handlers = make({
    logger: { info: record, warn: record, error: record },
    now: () => clock,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    random: () => 0.5,
  });
  return {
    /** Invokes handler `name` with a fresh Lambda timeout; records and returns the answer. */
    run: async (name: keyof H, event: unknown): Promise<Answer> => {
      const invoked = clock;
      const context = { getRemainingTimeInMillis: () => lambdaTimeoutMs - (clock - invoked) };
      let answer: Answer;
      try {
        const returned = (await handlers[name](event as never, context)) as Record<string, unknown>;
        answer = { Status: 'SUCCESS', ...returned };
      } catch (error) {
        answer = { Status: 'FAILED', Reason: (error as Error).message, thrown: error };
      }
      answers.push(answer);
      return answer;
    },
    answers,
    sleeps,
    now: () => clock,
    advance: (ms: number) => (clock += ms),
    elapsed: () => clock - start,
    /** Everything logged so far, one JSON line per call. */
    logged: () => logged.join('\n'),
  };
}
