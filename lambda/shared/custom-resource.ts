import { describeError, withRetry } from './retry';

/**
 * What the project's custom-resource handlers share. They run behind
 * aws-cdk-lib's Provider framework (lib/compliance/custom-resource-provider.ts),
 * which answers CloudFormation itself: a handler returns `{ PhysicalResourceId,
 * Data }` or throws, and the framework PUTs SUCCESS or FAILED, also when the
 * handler times out. What is left to the handler: refuse what it does not
 * understand, keep every AWS call bounded, log no properties, and throw
 * errors whose message fits CloudFormation's response.
 */

/** The request types CloudFormation sends (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-requesttypes.html). */
export type RequestType = 'Create' | 'Update' | 'Delete';

/** The fields of a request the handlers read; anything else may be absent or malformed. */
export interface CustomResourceEvent {
  readonly RequestType?: unknown;
  readonly RequestId?: string;
  readonly LogicalResourceId?: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties?: Record<string, unknown>;
  readonly OldResourceProperties?: Record<string, unknown>;
}

/** What an onEvent handler returns to the framework. */
export interface OnEventResult {
  /** Omitted on Delete: the framework then answers with the event's own id. */
  readonly PhysicalResourceId?: string;
  readonly Data?: Record<string, string>;
  /** Any other field is passed on to the isComplete handler. */
  readonly [passedOn: string]: unknown;
}

/** Properties of the event that the handler cannot use: never worth a retry. */
export class InvalidPropertiesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidPropertiesError';
  }
}

/** The request type, or an error: an unknown one is never treated as a Create. */
export function requestTypeOf(event: CustomResourceEvent): RequestType {
  const type = event.RequestType;
  if (type === 'Create' || type === 'Update' || type === 'Delete') return type;
  const shown = typeof type === 'string' ? JSON.stringify(type.slice(0, 40)) : typeof type;
  throw new InvalidPropertiesError(`unknown RequestType ${shown}: only Create, Update and Delete are handled`);
}

/**
 * Bytes the message of a thrown error may take as JSON. CloudFormation
 * rejects a response body over 4,096 bytes ("The total size of the response
 * body can't exceed 4096 bytes", https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html);
 * the framework puts the message into the body's Reason with a line naming
 * the log group, next to the stack's ARN, the request id, the logical and
 * physical ids and Data (test/lambda/shared/provider-framework.test.ts
 * measures the whole body).
 */
export const MAX_MESSAGE_BYTES = 2_000;

/** `text` on one line, cut so that its JSON string takes at most `maxBytes` bytes of UTF-8. */
export function boundedMessage(text: string, maxBytes = MAX_MESSAGE_BYTES): string {
  const line = text.replace(/\s*[\r\n]+\s*/g, ' ');
  const size = (s: string) => Buffer.byteLength(JSON.stringify(s), 'utf8');
  if (size(line) <= maxBytes) return line;
  const marker = ' [cut]';
  // Whole code points only (a lone surrogate would be escaped to six bytes).
  const points = Array.from(line);
  let low = 0;
  let high = points.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (size(points.slice(0, mid).join('') + marker) <= maxBytes) low = mid;
    else high = mid - 1;
  }
  return points.slice(0, low).join('') + marker;
}

/**
 * The error a handler throws for CloudFormation: its message bounded, and its
 * stack that message alone. Lambda's Node.js runtime reports a thrown error
 * as `errorMessage` plus `trace`, the stack split into lines, and the
 * framework appends `trace` after the first line to the Reason: a one-line
 * stack adds nothing to it.
 */
export class CustomResourceFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(boundedMessage(message), options);
    this.name = 'CustomResourceFailure';
    this.stack = `${this.name}: ${this.message}`;
  }
}

/**
 * SDK client settings for a call bounded by `callTimeoutMs` (connection plus
 * request). `throwOnRequestTimeout`: without it @smithy/node-http-handler only
 * logs a warning when the request timeout passes, and a call that never
 * answers holds the function until Lambda ends it. One attempt per call:
 * the handler retries, with a backoff that knows its deadline.
 */
export function boundedClientConfig(callTimeoutMs: number) {
  const connectionTimeout = Math.min(5_000, Math.floor(callTimeoutMs / 3));
  return {
    maxAttempts: 1,
    requestHandler: {
      connectionTimeout,
      requestTimeout: callTimeoutMs - connectionTimeout,
      throwOnRequestTimeout: true,
    },
  };
}

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

/**
 * What is logged of a request: its ids, never its properties (a NoEcho
 * parameter passed as a property would be written in clear) nor its
 * pre-signed response URL (whoever holds it can answer for the resource).
 */
export function requestSummary(event: CustomResourceEvent): Record<string, unknown> {
  const short = (value: unknown) => (typeof value === 'string' ? value.slice(0, 256) : typeof value);
  return {
    requestType: short(event.RequestType),
    requestId: short(event.RequestId),
    logicalResourceId: short(event.LogicalResourceId),
    physicalResourceId: short(event.PhysicalResourceId),
  };
}

/** What every handler needs besides its service client. */
export interface CustomResourceDependencies {
  readonly logger: Logger;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

/** Lambda's context, as far as the handlers use it. */
export interface DeadlineContext {
  getRemainingTimeInMillis(): number;
}

/**
 * The clock (`now`), retries on it (`retrying`), and `handler`, which turns
 * `handle` into a Lambda handler: the request type checked first, the request
 * logged without its properties, `handle` given a deadline that leaves time
 * for a call under way (`callTimeoutMs`) and a second to spare, and any error
 * rethrown as a CustomResourceFailure that says what failed.
 */
export function customResource(deps: CustomResourceDependencies) {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = deps.random ?? Math.random;
  const { logger } = deps;

  const retrying = <T>(
    deadline: number,
    isTransient: (error: unknown) => boolean,
    call: () => Promise<T>,
    fields: Record<string, unknown> = {},
  ): Promise<T> =>
    withRetry(call, {
      deadline,
      isTransient,
      now,
      sleep,
      random,
      onRetry: (error, attempt, delayMs) =>
        logger.warn('Retrying after a transient error', { ...fields, error: describeError(error), attempt, delayMs }),
    });

  const handler =
    <E extends CustomResourceEvent, R>(
      callTimeoutMs: number,
      handle: (event: E, type: RequestType, deadline: number) => Promise<R>,
    ) =>
    async (event: E, context: DeadlineContext): Promise<R> => {
      logger.info('Custom resource request', requestSummary(event));
      const deadline = now() + context.getRemainingTimeInMillis() - callTimeoutMs - 1_000;
      let type: RequestType | undefined;
      try {
        type = requestTypeOf(event);
        return await handle(event, type, deadline);
      } catch (error) {
        const described = `${type ?? 'Request'} failed: ${describeFailure(error)}`;
        const failure = new CustomResourceFailure(described, { cause: error });
        // The whole error here; the reason CloudFormation shows may be cut.
        logger.error('Custom resource request failed', { error: described });
        throw failure;
      }
    };

  return { now, retrying, handler };
}

/** An error as the reason shows it: a message the handler wrote as it is, an SDK error with its name. */
function describeFailure(error: unknown): string {
  if (error instanceof CustomResourceFailure || error instanceof InvalidPropertiesError) return error.message;
  return describeError(error);
}
