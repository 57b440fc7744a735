/**
 * X-Ray subsegments for the function's AWS SDK calls (Bedrock Runtime, S3,
 * Bedrock Agent Runtime) without an X-Ray SDK.
 *
 * Lambda's active tracing already records the invocation (the AWS::Lambda and
 * AWS::Lambda::Function segments). What it cannot see is the calls the code
 * makes; the Powertools Tracer adds them through aws-xray-sdk-core, which is
 * about a sixth of the bundle and most of what tracing added to cold init
 * (bench/results.md). This module adds one subsegment per SDK call with a
 * small middleware and sends it to the X-Ray daemon Lambda runs, as the X-Ray
 * SDKs do: one UDP datagram per document, fire and forget.
 *
 * Segment document fields:
 *   https://docs.aws.amazon.com/xray/latest/devguide/xray-api-segmentdocuments.html
 * Sending subsegments separately and the daemon header:
 *   https://docs.aws.amazon.com/xray/latest/devguide/xray-api-sendingdata.html
 *   https://github.com/aws/aws-xray-daemon (README, "Sending Segment Documents")
 * _X_AMZN_TRACE_ID and AWS_XRAY_DAEMON_ADDRESS in Lambda:
 *   https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:dgram';
import type {
  AbsoluteLocation,
  BuildHandlerOptions,
  BuildMiddleware,
  HandlerExecutionContext,
  MetadataBearer,
} from '@smithy/types';

/** The daemon protocol's header line, sent before each document. */
export const DAEMON_HEADER = '{"format": "json", "version": 1}\n';

/** The tracing header Lambda gives each invocation, parsed. */
export interface TraceContext {
  readonly root: string;
  /** The Lambda function segment's id: our subsegments' parent. */
  readonly parent: string;
  readonly sampled: boolean;
  /** Other key=value pairs (e.g. Lineage), passed on unchanged downstream. */
  readonly extra: readonly string[];
}

/** Parse `Root=1-...;Parent=...;Sampled=1`; undefined when Root or Parent is missing. */
export function parseTraceHeader(header: string | undefined): TraceContext | undefined {
  if (!header) return undefined;
  const fields = new Map<string, string>();
  const extra: string[] = [];
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at <= 0) continue;
    const key = part.slice(0, at).trim();
    const value = part.slice(at + 1).trim();
    if (key === 'Root' || key === 'Parent' || key === 'Sampled') fields.set(key, value);
    else extra.push(`${key}=${value}`);
  }
  const root = fields.get('Root');
  const parent = fields.get('Parent');
  if (!root || !parent) return undefined;
  return { root, parent, sampled: fields.get('Sampled') === '1', extra };
}

/**
 * The current invocation's tracing header. The Node.js 24 runtime keeps it per
 * invocation in its InvokeStore (the only place when one environment runs
 * several invocations at once); otherwise the runtime sets _X_AMZN_TRACE_ID
 * before each invocation. Same order as the SDK's recursion-detection
 * middleware.
 */
export function currentTraceHeader(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const store = (globalThis as { awslambda?: { InvokeStore?: { getXRayTraceId?: () => string | undefined } } })
    .awslambda?.InvokeStore;
  return store?.getXRayTraceId?.() ?? env._X_AMZN_TRACE_ID;
}

/** What one SDK call did, as the middleware saw it. */
export interface AwsCall {
  /** The client's service, e.g. BedrockRuntime (the X-Ray SDK's naming: client name without "Client"). */
  readonly service: string;
  /** e.g. ConverseStream. */
  readonly operation: string;
  readonly region?: string;
  /** Epoch milliseconds. */
  readonly start: number;
  readonly end: number;
  readonly status?: number;
  readonly requestId?: string;
  readonly attempts?: number;
  /** The error's name (its AWS error code) when the call failed. */
  readonly error?: string;
  /** Whether the SDK classed the failure as the server's (5xx, or no answer). */
  readonly serverFault?: boolean;
}

/** A 64-bit id as 16 hex digits, as X-Ray wants for segments and exceptions. */
export const newId = (): string => randomBytes(8).toString('hex');

/**
 * The subsegment document for one call, sent on its own (type "subsegment",
 * with trace_id and parent_id) to hang under the function segment.
 *
 * Flags follow X-Ray's meaning: error for a 4xx, throttle as well for a 429,
 * fault for a 5xx or a call that got no answer. The exception carries its
 * type only: AWS error messages can quote the request (a prompt), and the
 * function's log and audit record already hold the details.
 */
export function subsegmentDocument(trace: TraceContext, id: string, call: AwsCall): Record<string, unknown> {
  const status = call.status;
  const failed = call.error !== undefined;
  const fault = (status !== undefined && status >= 500) || (failed && (status === undefined || call.serverFault));
  const error = !fault && ((status !== undefined && status >= 400) || failed);
  return {
    type: 'subsegment',
    name: call.service,
    id,
    trace_id: trace.root,
    parent_id: trace.parent,
    start_time: call.start / 1000,
    end_time: call.end / 1000,
    namespace: 'aws',
    aws: {
      operation: call.operation,
      ...(call.region ? { region: call.region } : {}),
      ...(call.requestId ? { request_id: call.requestId } : {}),
      retries: Math.max(0, (call.attempts ?? 1) - 1),
    },
    ...(status !== undefined ? { http: { response: { status } } } : {}),
    ...(error ? { error: true } : {}),
    ...(status === 429 ? { throttle: true } : {}),
    ...(fault ? { fault: true } : {}),
    ...(failed ? { cause: { exceptions: [{ id: newId(), type: call.error, remote: true }] } } : {}),
  };
}

/** One datagram as the daemon reads it: the header line, then the document. */
export const daemonMessage = (document: Record<string, unknown>): string => DAEMON_HEADER + JSON.stringify(document);

/**
 * The daemon's UDP address from AWS_XRAY_DAEMON_ADDRESS: `host:port`, or
 * `udp:host:port tcp:host:port` when the two differ.
 */
export function daemonAddress(value: string | undefined): { host: string; port: number } | undefined {
  if (!value) return undefined;
  const parts = value.trim().split(/\s+/);
  const udp = parts.find((p) => p.startsWith('udp:'))?.slice(4) ?? parts.find((p) => !p.includes('tcp:'));
  const at = udp?.lastIndexOf(':') ?? -1;
  const port = Number(udp?.slice(at + 1));
  if (!udp || at <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) return undefined;
  return { host: udp.slice(0, at), port };
}

let socket: Socket | undefined;

/**
 * Send to the daemon named by AWS_XRAY_DAEMON_ADDRESS; nothing when it is
 * unset (not in Lambda, or tracing off). node:dgram is loaded on the first
 * sampled call, not at cold start. Resolves once the datagram is handed to
 * the socket, so the last call of an invocation (the audit write) is not left
 * queued when Lambda freezes the environment. Errors are dropped: tracing
 * must never fail a request.
 */
export function sendToDaemon(message: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const address = daemonAddress(env.AWS_XRAY_DAEMON_ADDRESS);
  if (!address) return Promise.resolve();
  return new Promise((resolve) => {
    try {
      if (!socket) {
        const dgram = process.getBuiltinModule('node:dgram');
        socket = dgram.createSocket('udp4');
        socket.on('error', () => undefined);
        // Never keep the process (or a test) alive for a trace.
        socket.unref();
      }
      socket.send(message, address.port, address.host, () => resolve());
    } catch {
      // Dropped, as the X-Ray SDK drops what the daemon cannot take.
      resolve();
    }
  });
}

/** The part of an SDK v3 client this needs; every generated client has it. */
export interface TraceableClient {
  readonly middlewareStack: {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    add(middleware: BuildMiddleware<any, any>, options: BuildHandlerOptions & AbsoluteLocation): void;
  };
  readonly config: { readonly region: string | (() => Promise<string>) };
}

export interface TraceOptions {
  /** Where documents go (tests); the daemon by default. */
  readonly emit?: (message: string) => void | Promise<void>;
  /** The invocation's tracing header (tests); currentTraceHeader() by default. */
  readonly traceHeader?: () => string | undefined;
}

const strip = (name: string | undefined, suffix: string) =>
  name?.endsWith(suffix) ? name.slice(0, -suffix.length) : (name ?? 'Unknown');

/**
 * Record each call of `client` as an X-Ray subsegment when the invocation is
 * sampled. In the build step, before retries, so one subsegment covers the
 * call with its retries (aws.retries). The outgoing X-Amzn-Trace-Id names
 * the subsegment as parent, so services that trace (S3) link under it; SigV4
 * never signs that header, so setting it here is safe. A streamed answer's
 * subsegment ends when its stream ends, so it shows the whole generation.
 */
export function traceAwsCalls<C extends TraceableClient>(client: C, options: TraceOptions = {}): C {
  const emit = options.emit ?? ((message: string) => sendToDaemon(message));
  const traceHeader = options.traceHeader ?? (() => currentTraceHeader());
  const { region } = client.config;
  const middleware: BuildMiddleware<object, MetadataBearer> =
    (next, context: HandlerExecutionContext) => async (args) => {
      const trace = parseTraceHeader(traceHeader());
      if (!trace?.sampled) return next(args);
      const id = newId();
      const start = Date.now();
      const request = args.request as { headers?: Record<string, string> };
      if (request.headers) {
        request.headers['X-Amzn-Trace-Id'] = [`Root=${trace.root}`, `Parent=${id}`, 'Sampled=1', ...trace.extra].join(
          ';',
        );
      }
      const service = strip(context.clientName, 'Client');
      const operation = strip(context.commandName, 'Command');
      const record = async (fields: Partial<AwsCall>) => {
        try {
          const call = {
            service,
            operation,
            region: typeof region === 'function' ? await region() : region,
            start,
            end: Date.now(),
            ...fields,
          };
          await emit(daemonMessage(subsegmentDocument(trace, id, call)));
        } catch {
          // Tracing never fails a request.
        }
      };
      let result: Awaited<ReturnType<typeof next>>;
      try {
        result = await next(args);
      } catch (error) {
        await record(failure(error));
        throw error;
      }
      const output = result.output as MetadataBearer & { stream?: AsyncIterable<unknown> };
      const answered = {
        status: output.$metadata?.httpStatusCode,
        requestId: output.$metadata?.requestId,
        attempts: output.$metadata?.attempts,
      };
      if (output.stream && Symbol.asyncIterator in output.stream) {
        output.stream = recordWhenDone(output.stream, (error) =>
          record(error === undefined ? answered : { ...answered, ...failure(error) }),
        );
      } else {
        await record(answered);
      }
      return result;
    };
  client.middlewareStack.add(middleware, { step: 'build', priority: 'high', name: 'xraySubsegment' });
  return client;
}

/** What a thrown SDK error says about the call. */
function failure(error: unknown): Partial<AwsCall> {
  const e = error as { name?: string; $fault?: string; $metadata?: MetadataBearer['$metadata'] };
  const fields: Partial<AwsCall> = {
    error: e?.name ?? 'Error',
    serverFault: e?.$fault === 'server',
    status: e?.$metadata?.httpStatusCode,
    requestId: e?.$metadata?.requestId,
    attempts: e?.$metadata?.attempts,
  };
  // An error inside a stream has no HTTP metadata: keep the response's.
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

/** The same events, then `done` once the consumer finishes, stops early or hits an in-stream error. */
async function* recordWhenDone<T>(
  stream: AsyncIterable<T>,
  done: (error: unknown) => Promise<void>,
): AsyncGenerator<T, void, undefined> {
  let error: unknown;
  try {
    yield* stream;
  } catch (e) {
    error = e;
    throw e;
  } finally {
    await done(error);
  }
}
