import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { createHandler, settingsFromEnvironment } from './handler';
import { loadAgentRuntime, loadS3 } from './lazy';

/**
 * Lambda entry point: real clients and Powertools around the handler.
 *
 * Clients take their endpoints from the standard SDK configuration only
 * (region, AWS_ENDPOINT_URL_*), so the same bundle runs against AWS or a local
 * test server. Created once per execution environment and reused.
 */
const logger = new Logger({ serviceName: 'guarded-invoke' });
const metrics = new Metrics({ namespace: 'GuardedGenAi', serviceName: 'guarded-invoke' });
const tracer = new Tracer({ serviceName: 'guarded-invoke' });

/** Run `create` the first time, then return the same promise. */
function once<T>(create: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= create());
}

export const handler = awslambda.streamifyResponse(
  createHandler({
    bedrock: tracer.captureAWSv3Client(new BedrockRuntimeClient({})),
    s3: once(async () => tracer.captureAWSv3Client(new (loadS3().S3Client)({}))),
    // Only requests that ask for retrieval load this client, so a plain
    // request's cold start stays what it was.
    agentRuntime: once(async () => tracer.captureAWSv3Client(new (loadAgentRuntime().BedrockAgentRuntimeClient)({}))),
    settings: settingsFromEnvironment(process.env),
    logger,
    metrics: {
      addMetric: (name, unit, value) =>
        metrics.addMetric(name, unit === 'Count' ? MetricUnit.Count : MetricUnit.Milliseconds, value),
      publishStoredMetrics: () => metrics.publishStoredMetrics(),
    },
  }),
);
