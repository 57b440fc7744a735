/**
 * For the unit tests of the custom resource handlers (lambda/shared/custom-resource.ts):
 * the handler on a fake clock, with the responses it PUTs to CloudFormation's
 * pre-signed URL recorded instead of sent.
 */
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import type { CustomResourceDependencies } from '../../../lambda/shared/custom-resource';

type Handler = (
  event: CloudFormationCustomResourceEvent,
  context: { getRemainingTimeInMillis(): number },
) => Promise<void>;

/** A handler factory given everything but its service client. */
export type MakeHandler = (deps: CustomResourceDependencies) => Handler;

export interface RecordedPut {
  readonly url: string;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: Record<string, unknown>;
}

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** The handler with a fake clock (sleeping advances it) and a recorder of the responses PUT to CloudFormation. */
export function customResourceHarness(make: MakeHandler, lambdaTimeoutMs = 300_000) {
  let clock = 1_800_000_000_000;
  const sleeps: number[] = [];
  const puts: RecordedPut[] = [];
  const fetch = jest.fn(
    async (url: string, init: { method: string; headers: Record<string, string>; body: string }) => {
      puts.push({ url, method: init.method, headers: init.headers, body: JSON.parse(init.body) });
      return { ok: true, status: 200 };
    },
  );
  const start = clock;
  const handler = make({
    fetch,
    logger: silent,
    now: () => clock,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    random: () => 0.5,
  });
  const context = { getRemainingTimeInMillis: () => lambdaTimeoutMs - (clock - start) };
  return {
    run: (event: CloudFormationCustomResourceEvent) => handler(event, context),
    puts,
    fetch,
    sleeps,
    elapsed: () => clock - start,
  };
}

/**
 * Runs `event` while the pre-signed URL answers 503 once, then 200, logging
 * to a recorder: the URLs PUT to, and everything logged, as one string.
 */
export async function runWithFlakyResponseUrl(make: MakeHandler, event: CloudFormationCustomResourceEvent) {
  const logged: string[] = [];
  const record = (message: string, fields?: Record<string, unknown>) =>
    logged.push(JSON.stringify({ message, fields }));
  const fetch = jest
    .fn()
    .mockResolvedValueOnce({ ok: false, status: 503 })
    .mockResolvedValueOnce({ ok: true, status: 200 });
  const handler = make({ fetch, logger: { info: record, warn: record, error: record }, sleep: async () => undefined });
  await handler(event, { getRemainingTimeInMillis: () => 300_000 });
  return { urls: fetch.mock.calls.map(([url]) => url as string), logged: logged.join('\n') };
}

/**
 * The response PUT that answers `event`: to its pre-signed URL, with no
 * content type (the URL was signed without one), and the event's ids next to
 * `body`, as CloudFormation matches them.
 */
export function responseTo(event: CloudFormationCustomResourceEvent, body: Record<string, unknown>): RecordedPut {
  return {
    url: event.ResponseURL,
    method: 'PUT',
    headers: { 'content-type': '' },
    body: { ...body, StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId },
  };
}
