import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { createHandler, settingsFromEnvironment } from './handler';
import { loadAgentRuntime, loadS3 } from './lazy';
import { traceAwsCalls } from './xray';

/**
 * Lambda entry point: real clients and Powertools around the handler.
 *
 * Clients take their endpoints from the standard SDK configuration only
 * (region, AWS_ENDPOINT_URL_*), so the same bundle runs against AWS or a local
 * test server. Created once per execution environment and reused.
 *
 * Tracing: Lambda's active tracing records the invocation; xray.ts adds a
 * subsegment per SDK call. The Powertools Tracer did the same through the
 * X-Ray SDK at about 10 ms more cold init (bench/results.md).
 */
const logger = new Logger({ serviceName: 'guarded-invoke' });
const metrics = new Metrics({ namespace: 'GuardedGenAi', serviceName: 'guarded-invoke' });

/** Run `create` the first time, then return the same promise. */
function once<T>(create: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= create());
}

export const handler = awslambda.streamifyResponse(
  createHandler({
    bedrock: traceAwsCalls(new BedrockRuntimeClient({})),
    s3: once(async () => traceAwsCalls(new (loadS3().S3Client)({}))),
    // Only requests that ask for retrieval load this client, so a plain
    // request's cold start stays what it was.
    agentRuntime: once(async () => traceAwsCalls(new (loadAgentRuntime().BedrockAgentRuntimeClient)({}))),
    settings: settingsFromEnvironment(process.env),
    logger,
    metrics: {
      addMetric: (name, unit, value) =>
        metrics.addMetric(name, unit === 'Count' ? MetricUnit.Count : MetricUnit.Milliseconds, value),
      publishStoredMetrics: () => metrics.publishStoredMetrics(),
    },
  }),
);
