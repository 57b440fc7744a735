/**
 * The setup the wire-level tests share: local servers that speak the real
 * protocols, the standard SDK endpoint settings pointing at them (exactly as in
 * Lambda; only the URLs differ), and handlers built with the real clients, a
 * recording logger and a metrics counter. Registers its own jest hooks, so call
 * it once at the top of a test file.
 */
import { BedrockAgentRuntimeClient } from '@aws-sdk/client-bedrock-agent-runtime';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { S3Client } from '@aws-sdk/client-s3';
import { createHandler, type HandlerSettings } from '../../../../lambda/invoke/handler';
import { AgentRuntimeServer } from '../../../../tools/local-aws/agent-runtime-server';
import { BedrockServer } from '../../../../tools/local-aws/bedrock-server';
import { installLambdaRuntime } from '../../../../tools/local-aws/lambda-runtime';
import { S3Stub } from '../../../../tools/local-aws/s3-stub';

export type Handler = ReturnType<typeof createHandler>;

/** The settings of a deployment without a knowledge base. */
export const WIRE_SETTINGS: HandlerSettings = {
  modelId: 'amazon.nova-micro-v1:0',
  modelFamily: 'amazon-nova',
  guardrailIdentifier: 'arn:aws:bedrock:eu-west-1:111111111111:guardrail/gr123abc',
  guardrailVersion: '3',
  maxTokensCap: 1024,
  timeoutMs: 10_000,
  audit: {
    bucket: 'data-bucket',
    prefix: 'records/',
    kmsKeyArn: 'arn:aws:kms:eu-west-1:111111111111:key/project',
  },
};

export interface WireHarness {
  readonly bedrock: BedrockServer;
  readonly s3: S3Stub;
  /** Every log line since the file started (never cleared: tests check the whole run). */
  readonly logs: { level: string; message: string; extra: Record<string, unknown>[] }[];
  /** Metric totals of the current test (new before each: read it as harness.metrics). */
  readonly metrics: Record<string, number>;
  /** A handler with its own clients; only after the harness's beforeAll. */
  makeHandler(settings: HandlerSettings): Handler;
  /** The last audit record written to S3, parsed (null if none). */
  lastAudit(): ReturnType<typeof JSON.parse>;
}

export interface RetrievalHarness extends WireHarness {
  readonly agentRuntime: AgentRuntimeServer;
  /** How many agent runtime clients the handlers have created so far. */
  readonly clientsCreated: number;
}

/** Plain requests only: the handler's agent runtime client must never be asked for. */
export function useWireHarness(): WireHarness;
/** Knowledge-base requests too: an Agent Runtime stand-in, and one lazily created client per handler. */
export function useWireHarness(options: { knowledgeBase: true }): RetrievalHarness;
export function useWireHarness(options: { knowledgeBase?: boolean } = {}): WireHarness | RetrievalHarness {
  const agentRuntime = options.knowledgeBase ? new AgentRuntimeServer() : undefined;
  const bedrock = new BedrockServer();
  const s3 = new S3Stub();
  const logs: WireHarness['logs'] = [];
  let metrics: Record<string, number> = {};
  let clientsCreated = 0;
  let s3Endpoint: string | undefined;

  const agentRuntimeClient = (): (() => Promise<BedrockAgentRuntimeClient>) => {
    if (!agentRuntime) {
      return () => Promise.reject(new Error('plain requests never create the agent runtime client'));
    }
    // One client per handler, created on first use (as index.ts does per execution environment).
    let client: Promise<BedrockAgentRuntimeClient> | undefined;
    return () =>
      (client ??= (async () => {
        clientsCreated++;
        return new BedrockAgentRuntimeClient({});
      })());
  };

  const makeHandler = (settings: HandlerSettings): Handler => {
    if (s3Endpoint === undefined) throw new Error('makeHandler before the wire harness started');
    const endpoint = s3Endpoint;
    return createHandler({
      bedrock: new BedrockRuntimeClient({}),
      s3: async () => new S3Client({ endpoint, forcePathStyle: true }),
      agentRuntime: agentRuntimeClient(),
      settings,
      logger: {
        info: (message, ...extra) => logs.push({ level: 'INFO', message, extra }),
        error: (message, ...extra) => logs.push({ level: 'ERROR', message, extra }),
        appendKeys: () => undefined,
      },
      metrics: {
        addMetric: (name, _unit, value) => {
          metrics[name] = (metrics[name] ?? 0) + value;
        },
        publishStoredMetrics: () => undefined,
      },
    });
  };

  beforeAll(async () => {
    installLambdaRuntime();
    if (agentRuntime) process.env.AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME = await agentRuntime.start();
    process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME = await bedrock.start();
    process.env.AWS_REGION = 'eu-west-1';
    process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'test-secret';
    s3Endpoint = await s3.start();
  });

  afterAll(async () => {
    await agentRuntime?.stop();
    await bedrock.stop();
    await s3.stop();
  });

  beforeEach(() => {
    agentRuntime?.reset();
    bedrock.reset();
    s3.objects.length = 0;
    s3.failWith = undefined;
    metrics = {};
  });

  // One object with getters, so that tests holding it read the current values.
  return {
    bedrock,
    s3,
    logs,
    get metrics() {
      return metrics;
    },
    makeHandler,
    lastAudit: () => JSON.parse(s3.objects.at(-1)?.body ?? 'null'),
    // Undefined for plain requests, where the overload's type does not show them.
    agentRuntime,
    get clientsCreated() {
      return clientsCreated;
    },
  };
}
