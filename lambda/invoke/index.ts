import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { createHandler, settingsFromEnvironment } from './handler';
import { loadAgentRuntime, loadS3, loadTracing } from './lazy';
import type { TraceableClient } from './tracing';

/**
 * Lambda entry point: real clients and Powertools around the handler.
 *
 * Clients take their endpoints from the standard SDK configuration only
 * (region, AWS_ENDPOINT_URL_*), so the same bundle runs against AWS or a local
 * test server. Created once per execution environment and reused.
 *
 * Tracing: Lambda's active tracing records every invocation. With in-code
 * spans on (IN_CODE_SPANS, the inCodeSpans setting), tracing.ts adds an
 * OpenTelemetry span per SDK call; off, the OpenTelemetry SDK is not in the
 * bundle, which keeps it out of the cold start (bench/results.md).
 */
const logger = new Logger({ serviceName: 'guarded-invoke' });
const metrics = new Metrics({ namespace: 'GuardedGenAi', serviceName: 'guarded-invoke' });
// The one place IN_CODE_SPANS is read: without in-code spans the bundle
// defines it as "false" at build time, so loadTracing() is dead code and the
// OpenTelemetry SDK is not in the bundle at all.
const traced: <C extends TraceableClient>(client: C) => C =
  process.env.IN_CODE_SPANS === 'true' ? spansOrNone(loadTracing) : (client) => client;

/**
 * The middleware that makes the spans, or none (with a warning) when the
 * tracing module cannot start: tracing must never fail a request, or the
 * function's initialisation.
 */
function spansOrNone(load: typeof loadTracing): <C extends TraceableClient>(client: C) => C {
  try {
    const tracing = load();
    const tracer = tracing.startTracing();
    return (client) => tracing.traceAwsCalls(client, tracer);
  } catch (error) {
    logger.warn('in-code spans are off: the tracing module did not start', { error });
    return (client) => client;
  }
}

/** Run `create` the first time, then return the same promise. */
function once<T>(create: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= create());
}

export const handler = awslambda.streamifyResponse(
  createHandler({
    bedrock: traced(new BedrockRuntimeClient({})),
    s3: once(async () => traced(new (loadS3().S3Client)({}))),
    // Only requests that ask for retrieval load this client, so a plain
    // request's cold start stays what it was.
    agentRuntime: once(async () => traced(new (loadAgentRuntime().BedrockAgentRuntimeClient)({}))),
    settings: settingsFromEnvironment(process.env),
    logger,
    metrics: {
      addMetric: (name, unit, value) =>
        metrics.addMetric(name, unit === 'Count' ? MetricUnit.Count : MetricUnit.Milliseconds, value),
      publishStoredMetrics: () => metrics.publishStoredMetrics(),
    },
  }),
);
