import type { CloudFormationCustomResourceEvent, CloudFormationCustomResourceResponse, Context } from 'aws-lambda';
import { describeError, withRetry } from './retry';

/**
 * What the project's Lambda-backed CloudFormation custom resources have in
 * common: the response each function PUTs to the pre-signed URL of the event
 * itself (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html),
 * the time kept back for it, and retries bounded by that deadline (errors
 * are classified in sdk-errors.ts). Each handler keeps its own API calls.
 */

/** Longest one response PUT may take before it is abandoned and tried again. */
export const RESPONSE_TIMEOUT_MS = 5_000;

/** The response is PUT up to this many times, waiting 1 s, then 2 s, in between. */
const RESPONSE_ATTEMPTS = 3;

/**
 * Time kept back from the Lambda timeout: a call started just before the
 * retry deadline may still run its full timeout (`callTimeoutMs`), and the
 * response then needs up to three PUTs with their waits (1 s and 2 s).
 * Without the answer CloudFormation would wait for the custom resource's
 * service timeout instead.
 */
export function responseMargin(callTimeoutMs: number): number {
  return callTimeoutMs + RESPONSE_ATTEMPTS * RESPONSE_TIMEOUT_MS + 3_000 + 2_000;
}

/**
 * SDK client settings for a call bounded by `callTimeoutMs` (connection plus
 * request). The SDK's own retries are off (one attempt per call): the handler
 * retries, with a backoff that knows the Lambda deadline, and a hung
 * connection cannot eat the time left for the response.
 */
export function singleAttemptClientConfig(callTimeoutMs: number) {
  const connectionTimeout = 5_000;
  return {
    maxAttempts: 1,
    requestHandler: { connectionTimeout, requestTimeout: callTimeoutMs - connectionTimeout },
  };
}

/** The CloudFormation response body is limited to 4 KiB; the reason is the only long part. */
const MAX_REASON_LENGTH = 2000;

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** JSON log lines, one per call (the functions' log format is JSON). */
export function jsonLogger(): Logger {
  const line =
    (level: 'info' | 'warn' | 'error') =>
    (message: string, fields: Record<string, unknown> = {}): void =>
      console[level](JSON.stringify({ message, ...fields }));
  return { info: line('info'), warn: line('warn'), error: line('error') };
}

/** What every custom resource handler needs besides its service client. */
export interface CustomResourceDependencies {
  /** PUTs the response; `fetch` in Lambda. */
  readonly fetch: (
    url: string,
    init: { method: 'PUT'; headers: Record<string, string>; body: string },
  ) => Promise<{ ok: boolean; status: number }>;
  readonly logger: Logger;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

/** What a request came to: the resource's id and, optionally, attributes for Fn::GetAtt. */
export interface Outcome {
  readonly physicalResourceId: string;
  readonly data?: Record<string, string>;
}

export interface CustomResourceOptions {
  /** The longest one service call may take (see responseMargin). */
  readonly callTimeoutMs: number;
  /** Carries out the request by `deadline` (epoch milliseconds); throws to answer FAILED. */
  readonly handle: (event: CloudFormationCustomResourceEvent, deadline: number) => Promise<Outcome>;
  /** The PhysicalResourceId of a FAILED answer. */
  readonly failedPhysicalId: (event: CloudFormationCustomResourceEvent) => string;
  /** The error as the FAILED answer's reason gives it, after "<RequestType> failed: ". */
  readonly describeFailure: (error: unknown) => string;
}

/** Properties of the event that the handler cannot use: never worth a retry. */
export class InvalidPropertiesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidPropertiesError';
  }
}

/** The dependencies with their defaults: the real clock, timers and randomness. */
function withDefaults(deps: CustomResourceDependencies): Required<CustomResourceDependencies> {
  return {
    fetch: deps.fetch,
    logger: deps.logger,
    now: deps.now ?? Date.now,
    sleep: deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
    random: deps.random ?? Math.random,
  };
}

/** withRetry on the dependencies' clock, logging each retry with `fields`. */
function retrier(deps: Required<CustomResourceDependencies>) {
  return <T>(
    deadline: number,
    isTransient: (error: unknown) => boolean,
    call: () => Promise<T>,
    fields: Record<string, unknown> = {},
  ): Promise<T> =>
    withRetry(call, {
      deadline,
      isTransient,
      now: deps.now,
      sleep: deps.sleep,
      random: deps.random,
      onRetry: (error, attempt, delayMs) =>
        deps.logger.warn('Retrying after a transient error', {
          ...fields,
          error: describeError(error),
          attempt,
          delayMs,
        }),
    });
}

/** PUTs the response to the event's pre-signed URL, up to three times. */
async function respond(
  deps: Required<CustomResourceDependencies>,
  event: CloudFormationCustomResourceEvent,
  response: CloudFormationCustomResourceResponse,
): Promise<void> {
  const body = JSON.stringify(response);
  // The pre-signed URL is signed without a content type: send none.
  for (let attempt = 1; ; attempt++) {
    try {
      const init = {
        method: 'PUT' as const,
        headers: { 'content-type': '' },
        body,
        signal: AbortSignal.timeout(RESPONSE_TIMEOUT_MS),
      };
      const result = await deps.fetch(event.ResponseURL, init);
      if (result.ok) return;
      throw new Error(`HTTP ${result.status}`);
    } catch (error) {
      if (attempt >= RESPONSE_ATTEMPTS) throw error;
      deps.logger.warn('Retrying the response to CloudFormation', { error: describeError(error), attempt });
      await deps.sleep(1000 * attempt);
    }
  }
}

/**
 * The Lambda handler of a custom resource: logs the request (without its
 * URL), runs `handle` with a deadline that leaves time for the answer, and
 * answers SUCCESS or FAILED on the pre-signed URL.
 */
function customResourceHandler(deps: Required<CustomResourceDependencies>, options: CustomResourceOptions) {
  const { now, logger } = deps;
  const margin = responseMargin(options.callTimeoutMs);
  return async (event: CloudFormationCustomResourceEvent, context: Pick<Context, 'getRemainingTimeInMillis'>) => {
    const deadline = now() + context.getRemainingTimeInMillis() - margin;
    // The pre-signed URL lets anyone who holds it answer for this function.
    logger.info('Custom resource request', { event: { ...event, ResponseURL: '(not logged)' } });
    const ids = { StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId };
    let response: CloudFormationCustomResourceResponse;
    try {
      const outcome = await options.handle(event, deadline);
      response = { Status: 'SUCCESS', PhysicalResourceId: outcome.physicalResourceId, ...ids, Data: outcome.data };
    } catch (error) {
      const reason = `${event.RequestType} failed: ${options.describeFailure(error)}`.slice(0, MAX_REASON_LENGTH);
      logger.error('Custom resource request failed', { reason });
      response = { Status: 'FAILED', Reason: reason, PhysicalResourceId: options.failedPhysicalId(event), ...ids };
    }
    await respond(deps, event, response);
  };
}

/**
 * What a handler builds on: the clock (`now`), retries on it (`retrying`),
 * and `handler`, the Lambda handler around the handler's own `handle`.
 */
export function customResource(deps: CustomResourceDependencies) {
  const runtime = withDefaults(deps);
  return {
    now: runtime.now,
    retrying: retrier(runtime),
    handler: (options: CustomResourceOptions) => customResourceHandler(runtime, options),
  };
}
