/**
 * OpenTelemetry spans for the function's AWS SDK calls (Bedrock Runtime, S3,
 * Bedrock Agent Runtime), sent to X-Ray the way AWS documents manual
 * instrumentation of a Lambda function "for reduced cold starts": a simple
 * span processor, an X-Ray UDP span exporter to Lambda's X-Ray endpoint, a
 * parent-based always-on sampler, a resource named after the function, and
 * the X-Ray propagator for the invocation's trace header
 * (https://docs.aws.amazon.com/xray/latest/devguide/xray-migration-opentelemetry.html).
 *
 * Lambda's active tracing records the invocation itself; these spans hang
 * under its function segment. The exporter is AWS's own package
 * (@aws/aws-distro-opentelemetry-exporter-xray-udp): nothing here speaks the
 * daemon's protocol. The X-Ray SDKs and daemon protocol the project used
 * before are in maintenance since 25 February 2026
 * (https://docs.aws.amazon.com/xray/latest/devguide/xray-sdk-daemon-timeline.html).
 *
 * Why a middleware and not @opentelemetry/instrumentation-aws-sdk: that
 * package patches the SDK when Node loads it as a module, and esbuild has
 * already inlined the SDK into the bundle, so there is nothing to patch. The
 * middleware makes the spans that package would (span name, kind and the
 * rpc.* and aws.* attributes of the OpenTelemetry conventions for the AWS SDK).
 *
 * Off by default (the inCodeSpans setting): loading the OpenTelemetry SDK
 * costs cold-start time the project's budget does not have (bench/results.md).
 *
 * One span per datagram, sent as the span ends. Version 0.0.2 of the exporter,
 * the only one published, rethrows a failed send from the socket's callback,
 * where nothing can catch it and the process ends; AWS fixed that upstream
 * (aws-observability/aws-otel-js-instrumentation, pull request 289) without a
 * release yet, so quietSends() drops a failed send instead, as the X-Ray SDKs
 * drop what the daemon cannot take.
 */
import { AwsXrayUdpSpanExporter } from '@aws/aws-distro-opentelemetry-exporter-xray-udp';
import {
  type Context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
  type Tracer,
} from '@opentelemetry/api';
import { AWSXRAY_TRACE_ID_HEADER, AWSXRayPropagator } from '@opentelemetry/propagator-aws-xray';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Socket } from 'node:dgram';
import type {
  AbsoluteLocation,
  BuildHandlerOptions,
  BuildMiddleware,
  HandlerExecutionContext,
  MetadataBearer,
} from '@smithy/types';

const propagator = new AWSXRayPropagator();

/**
 * A tracer whose spans go to the X-Ray daemon Lambda runs (the exporter reads
 * AWS_XRAY_DAEMON_ADDRESS), or to `exporter` in tests. The default sampler is
 * parent-based: a span is recorded only when Lambda sampled the invocation.
 */
export function startTracing(env: NodeJS.ProcessEnv = process.env, exporter?: SpanExporter): Tracer {
  const provider = new BasicTracerProvider({
    resource: new Resource({ 'service.name': env.AWS_LAMBDA_FUNCTION_NAME ?? 'guarded-invoke' }),
    spanProcessors: [new SimpleSpanProcessor(exporter ?? quietSends(new AwsXrayUdpSpanExporter()))],
  });
  return provider.getTracer('guarded-invoke');
}

/**
 * The exporter with a socket whose failed sends and errors are dropped: tracing
 * must never fail a request. Reaches into the exporter's socket, which the
 * exact version pinned in package.json has; a test fails if it moves.
 */
export function quietSends(exporter: AwsXrayUdpSpanExporter): AwsXrayUdpSpanExporter {
  const socket = (exporter as unknown as { _udpExporter?: { _socket?: Socket } })._udpExporter?._socket;
  if (!socket) throw new Error('the X-Ray UDP exporter has no socket where 0.0.2 keeps it: check quietSends');
  socket.on('error', () => undefined);
  const send = socket.send.bind(socket) as (message: Buffer, port: number, host: string, done: () => void) => void;
  (socket as unknown as { send: typeof send }).send = (message, port, host) =>
    send(message, port, host, () => undefined);
  return exporter;
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

/** The invocation's span context as the parent of our spans; undefined without a valid header. */
export function invocationContext(header: string | undefined): Context | undefined {
  if (!header) return undefined;
  const parent = propagator.extract(ROOT_CONTEXT, { [AWSXRAY_TRACE_ID_HEADER]: header }, defaultTextMapGetter);
  return trace.getSpanContext(parent) ? parent : undefined;
}

/** The fields of a tracing header other than Root, Parent and Sampled, as they are. */
function otherFields(header: string | undefined): string[] {
  return (header ?? '')
    .split(';')
    .map((field) => field.trim())
    .filter((field) => field.includes('=') && !/^(Root|Parent|Sampled)=/.test(field));
}

/** The part of an SDK v3 client this needs; every generated client has it. */
export interface TraceableClient {
  readonly middlewareStack: {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    add(middleware: BuildMiddleware<any, any>, options: BuildHandlerOptions & AbsoluteLocation): void;
  };
  readonly config: { readonly region: string | (() => Promise<string>) };
}

const strip = (name: string | undefined, suffix: string) =>
  name?.endsWith(suffix) ? name.slice(0, -suffix.length) : (name ?? 'Unknown');

/**
 * One CLIENT span per call of `client`, child of the invocation's segment.
 * In the build step, before retries, so one span covers the call with its
 * retries. The outgoing X-Amzn-Trace-Id names the span as parent, so services
 * that trace (S3) link under it; SigV4 never signs that header. A streamed
 * answer's span ends when its stream ends, so it shows the whole generation.
 * Attributes carry names, ids and status only: AWS error messages can quote
 * the request (a prompt), which the function's log and audit record hold.
 */
export function traceAwsCalls<C extends TraceableClient>(
  client: C,
  tracer: Tracer,
  traceHeader: () => string | undefined = () => currentTraceHeader(),
): C {
  const { region } = client.config;
  const middleware: BuildMiddleware<object, MetadataBearer> =
    (next, context: HandlerExecutionContext) => async (args) => {
      const header = traceHeader();
      const parent = invocationContext(header);
      if (!parent) return next(args);
      const service = strip(context.clientName, 'Client');
      const operation = strip(context.commandName, 'Command');
      const span = tracer.startSpan(
        `${service}.${operation}`,
        {
          kind: SpanKind.CLIENT,
          attributes: {
            'rpc.system': 'aws-api',
            'rpc.service': service,
            'rpc.method': operation,
            'cloud.region': typeof region === 'function' ? await region() : region,
          },
        },
        parent,
      );
      const request = args.request as { headers?: Record<string, string> };
      if (request.headers && span.isRecording()) {
        propagator.inject(trace.setSpan(parent, span), request.headers, defaultTextMapSetter);
        // This propagator writes Root, Parent and Sampled only, and the SDK then
        // adds no header of its own. Other fields Lambda set (Lineage, which its
        // recursive-loop detection reads) go downstream as they came, unless a
        // later propagator writes them itself.
        const injected = request.headers[AWSXRAY_TRACE_ID_HEADER] ?? '';
        const present = new Set(otherFields(injected).map((field) => field.split('=')[0]));
        const others = otherFields(header).filter((field) => !present.has(field.split('=')[0]));
        if (injected && others.length) request.headers[AWSXRAY_TRACE_ID_HEADER] = `${injected};${others.join(';')}`;
      }
      let result: Awaited<ReturnType<typeof next>>;
      try {
        result = await next(args);
      } catch (error) {
        endWith(span, error);
        throw error;
      }
      const output = result.output as MetadataBearer & { stream?: AsyncIterable<unknown> };
      setResponse(span, output.$metadata);
      if (output.stream && Symbol.asyncIterator in output.stream) {
        output.stream = endWhenDone(output.stream, (error) => endWith(span, error));
      } else {
        span.end();
      }
      return result;
    };
  client.middlewareStack.add(middleware, { step: 'build', priority: 'high', name: 'openTelemetrySpan' });
  return client;
}

/**
 * The response's status and request id. Both the current (http.response.*)
 * and the older (http.status_code) attribute name: AWS does not say which one
 * X-Ray reads to flag a throttle (429), an error (4xx) or a fault (5xx).
 */
function setResponse(span: Span, metadata: MetadataBearer['$metadata'] | undefined): void {
  if (metadata?.httpStatusCode !== undefined) {
    span.setAttribute('http.response.status_code', metadata.httpStatusCode);
    span.setAttribute('http.status_code', metadata.httpStatusCode);
  }
  if (metadata?.requestId) span.setAttribute('aws.request_id', metadata.requestId);
  if (metadata?.attempts !== undefined) span.setAttribute('aws.sdk.attempts', metadata.attempts);
}

/** End the span, as failed with the error's name (its AWS error code) when there is an error. */
function endWith(span: Span, error: unknown): void {
  if (error !== undefined) {
    const e = error as { name?: string; $metadata?: MetadataBearer['$metadata'] };
    if (e?.$metadata) setResponse(span, e.$metadata);
    span.setAttribute('error.type', e?.name ?? 'Error');
    span.setStatus({ code: SpanStatusCode.ERROR, message: e?.name ?? 'Error' });
  }
  span.end();
}

/** The same events, then `done` once the consumer finishes, stops early or hits an in-stream error. */
async function* endWhenDone<T>(
  stream: AsyncIterable<T>,
  done: (error: unknown) => void,
): AsyncGenerator<T, void, undefined> {
  let error: unknown;
  try {
    yield* stream;
  } catch (e) {
    error = e;
    throw e;
  } finally {
    done(error);
  }
}
