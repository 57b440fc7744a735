import type { BedrockAgentRuntimeClient } from '@aws-sdk/client-bedrock-agent-runtime';
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { S3Client } from '@aws-sdk/client-s3';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { type AuditRecord, type AuditSettings, WITHHELD, writeAuditRecord } from './audit';
import {
  type Answer,
  buildConverseInput,
  buildConverseStreamInput,
  converse,
  converseStream,
  type ModelSettings,
  type StreamEvent,
} from './converse';
import { HttpError, toHttpError, type Upstream } from './errors';
import {
  type InvokeEnvironment,
  MODEL_FAMILIES,
  RECORDS_PREFIX,
  REQUIRED_INVOKE_SETTINGS,
  RETRIEVE_RESULTS_LIMIT,
} from '../../lib/shared/invoke-contract';
import { type InvokeRequest, parseRequest } from './request';
import {
  type Citation,
  citedDocuments,
  NO_PASSAGES_ANSWER,
  NO_PASSAGES_STOP_REASON,
  type Retrieval,
  retrieve,
  retrieveInput,
} from './retrieve';
import { end, type ResponseStream, sse, type StreamingHandler, write } from './streaming';
import { missingEnvironment } from '../shared/environment';

export interface HandlerSettings extends ModelSettings {
  /** Where audit records go; undefined when auditing is switched off. */
  readonly audit?: AuditSettings;
  /** Give up on Bedrock after this long, leaving time to answer before Lambda's own timeout. */
  readonly timeoutMs: number;
  /** The knowledge base requests may be grounded in; undefined when the deployment has none. */
  readonly knowledgeBase?: KnowledgeBaseSettings;
}

export interface KnowledgeBaseSettings {
  readonly knowledgeBaseId: string;
  /** Largest numberOfResults a request may ask for. */
  readonly resultsCap: number;
}

/** The few logging and metric calls the handler makes (Powertools Logger and Metrics fit). */
export interface Observability {
  readonly logger: {
    info(message: string, ...extra: Record<string, unknown>[]): void;
    error(message: string, ...extra: Record<string, unknown>[]): void;
    appendKeys(keys: Record<string, unknown>): void;
    resetKeys?(): void;
  };
  readonly metrics: {
    addMetric(name: string, unit: 'Count' | 'Milliseconds', value: number): void;
    publishStoredMetrics(): void;
  };
}

export interface Dependencies extends Observability {
  readonly bedrock: BedrockRuntimeClient;
  /** The S3 client, created on first use (after the first answer is sent). */
  readonly s3: () => Promise<S3Client>;
  /** The Bedrock Agent Runtime client, created by the first request that asks for retrieval. */
  readonly agentRuntime: () => Promise<BedrockAgentRuntimeClient>;
  /** Settings, or the reason they are unusable (reported as 503 to callers, in full to the log). */
  readonly settings: HandlerSettings | Error;
  readonly now?: () => number;
}

const JSON_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' };

/** Read the function's settings from its environment (set by the stack). */
export function settingsFromEnvironment(env: NodeJS.ProcessEnv): HandlerSettings | Error {
  const missing = missingEnvironment(env, REQUIRED_INVOKE_SETTINGS);
  if (missing) return missing;
  const settings = env as unknown as InvokeEnvironment;
  if (!(MODEL_FAMILIES as readonly string[]).includes(settings.MODEL_FAMILY)) {
    return new Error(`bad MODEL_FAMILY ${settings.MODEL_FAMILY}`);
  }
  const { AUDIT_BUCKET, AUDIT_PREFIX, AUDIT_KMS_KEY_ARN } = settings;
  if (AUDIT_BUCKET && !AUDIT_KMS_KEY_ARN) return new Error('AUDIT_BUCKET without AUDIT_KMS_KEY_ARN');
  const knowledgeBase = knowledgeBaseSettings(settings);
  if (knowledgeBase instanceof Error) return knowledgeBase;
  return {
    modelId: settings.MODEL_ID,
    modelFamily: settings.MODEL_FAMILY,
    guardrailIdentifier: settings.GUARDRAIL_ARN,
    guardrailVersion: settings.GUARDRAIL_VERSION,
    maxTokensCap: Number(settings.MAX_TOKENS_CAP),
    timeoutMs: Number(settings.INVOKE_TIMEOUT_MS),
    audit:
      AUDIT_BUCKET && AUDIT_KMS_KEY_ARN
        ? { bucket: AUDIT_BUCKET, prefix: AUDIT_PREFIX ?? RECORDS_PREFIX, kmsKeyArn: AUDIT_KMS_KEY_ARN }
        : undefined,
    knowledgeBase,
  };
}

function knowledgeBaseSettings({
  KNOWLEDGE_BASE_ID: id,
  RETRIEVAL_RESULTS_CAP: cap,
}: InvokeEnvironment): KnowledgeBaseSettings | undefined | Error {
  const resultsCap = Number(cap);
  if (cap !== undefined && !(/^\d+$/.test(cap) && resultsCap >= 1 && resultsCap <= RETRIEVE_RESULTS_LIMIT)) {
    return new Error(`bad RETRIEVAL_RESULTS_CAP ${cap}: a whole number from 1 to ${RETRIEVE_RESULTS_LIMIT}`);
  }
  if (!id) return undefined;
  // Knowledge base IDs are up to 10 letters and digits (Retrieve's path parameter).
  if (!/^[0-9a-zA-Z]{1,10}$/.test(id)) return new Error(`bad KNOWLEDGE_BASE_ID ${id}`);
  if (cap === undefined) return new Error('KNOWLEDGE_BASE_ID without RETRIEVAL_RESULTS_CAP');
  return { knowledgeBaseId: id, resultsCap };
}

/**
 * The invoke function, for the Lambda response-streaming contract. It answers
 * both modes through one Function URL: a JSON document (`"stream": false`) or
 * server-sent events (`text/event-stream`, the default).
 */
export function createHandler(deps: Dependencies): StreamingHandler<LambdaFunctionURLEvent> {
  const now = deps.now ?? Date.now;
  const { logger, metrics } = deps;

  return async (event, responseStream, context) => {
    const requestId = context.awsRequestId;
    const started = now();
    logger.appendKeys({ requestId });
    metrics.addMetric('Invocations', 'Count', 1);
    const outcome = await answer(event, responseStream, requestId, started).catch(async (error: unknown) => {
      // Nothing may escape as a Lambda error (a bare 502 with no body), and the
      // stream must always end: answer with a 500 if nothing was sent yet.
      logger.error('unexpected failure', { error });
      const internal = new HttpError(
        500,
        'internal',
        'Something went wrong. Retry, and report the request id if it persists.',
      );
      if (!responseStream.writableEnded) {
        if (!startedResponses.has(responseStream)) {
          await sendJson(responseStream, internal.status, internal.toBody(requestId)).catch(() => undefined);
        } else {
          responseStream.end();
        }
      }
      return { status: 500, error: internal.code } as Outcome;
    });
    const latencyMs = now() - started;

    metrics.addMetric('Latency', 'Milliseconds', latencyMs);
    if (outcome.status >= 400) metrics.addMetric(outcome.status >= 500 ? 'ServerErrors' : 'ClientErrors', 'Count', 1);
    // Bedrock (or the knowledge base) throttled us after the SDK's retries: a
    // metric of our own, because Bedrock's per-ModelId metrics may not be
    // recorded under the id we call (an inference profile).
    if (outcome.error === 'throttled') metrics.addMetric('Throttled', 'Count', 1);
    if (outcome.answer?.guardrail.intervened) metrics.addMetric('GuardrailInterventions', 'Count', 1);
    if (outcome.answer) {
      metrics.addMetric('InputTokens', 'Count', outcome.answer.usage.inputTokens);
      metrics.addMetric('OutputTokens', 'Count', outcome.answer.usage.outputTokens);
    }
    if (outcome.retrieval) {
      metrics.addMetric('RetrievalLatency', 'Milliseconds', outcome.retrieval.latencyMs);
      metrics.addMetric('RetrievedPassages', 'Count', outcome.retrieval.citations.length);
    }
    // Never the prompt or the answer at INFO: categories, counts and timings only.
    logger.info('invocation', {
      status: outcome.status,
      template: outcome.request?.template,
      stream: outcome.request?.stream,
      grounded: outcome.request?.groundingSource !== undefined,
      knowledgeBase: outcome.request?.knowledgeBase,
      passages: outcome.retrieval?.citations.length,
      stopReason: outcome.answer?.stopReason,
      guardrail: outcome.answer?.guardrail,
      usage: outcome.answer?.usage,
      latencyMs,
      error: outcome.error,
    });

    // The answer has been sent; auditing must never take it back.
    const settings = deps.settings;
    if (!(settings instanceof Error) && settings.audit) {
      try {
        await writeAuditRecord(
          await deps.s3(),
          settings.audit,
          auditRecord(settings, requestId, started, latencyMs, outcome),
        );
      } catch (error) {
        metrics.addMetric('AuditWriteFailures', 'Count', 1);
        logger.error('audit record not written', { error });
      }
    }
    metrics.publishStoredMetrics();
    logger.resetKeys?.();
  };

  interface Outcome {
    status: number;
    /** The request as sent to the model (with the retrieved grounding source, if any). */
    request?: InvokeRequest;
    answer?: Answer;
    /** What retrieval returned, when it succeeded. */
    retrieval?: Retrieval;
    error?: string;
  }

  async function answer(
    event: LambdaFunctionURLEvent,
    stream: ResponseStream,
    requestId: string,
    started: number,
  ): Promise<Outcome> {
    const settings = deps.settings;
    if (settings instanceof Error) {
      logger.error('function misconfigured', { error: settings });
      const error = new HttpError(
        503,
        'not_configured',
        'The service is not configured. Operator: see the function log.',
      );
      await sendJson(stream, error.status, error.toBody(requestId), error.headers);
      return { status: error.status, error: error.code };
    }

    let request: InvokeRequest;
    try {
      request = parseRequest(event, settings);
    } catch (error) {
      const httpError = toHttpError(error);
      await sendJson(stream, httpError.status, httpError.toBody(requestId), httpError.headers);
      return { status: httpError.status, error: httpError.code };
    }

    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), settings.timeoutMs);
    const call: Call = { stream, request, settings, signal: abort.signal, requestId, started };
    try {
      if (request.knowledgeBase) return await knowledgeBaseAnswer(call);
      return request.stream ? await streamAnswer(call) : await jsonAnswer(call);
    } finally {
      clearTimeout(timer);
    }
  }

  /** One valid request on its way to Bedrock. */
  interface Call {
    /** When the request arrived (for latencyMs). */
    started: number;
    stream: ResponseStream;
    request: InvokeRequest;
    settings: HandlerSettings;
    signal: AbortSignal;
    requestId: string;
  }

  /**
   * Retrieve passages, then answer through the ordinary grounded path.
   *
   * Why this resists indirect prompt injection (instructions planted in an
   * indexed document): the passages travel only in the guardContent block
   * qualified `grounding_source`, i.e. as reference data for the guardrail's
   * contextual grounding and relevance checks, next to the prompt qualified
   * `query`. They are never concatenated into the system prompt or a
   * template's instructions, which stay ours and tell the model to treat the
   * user message as data. And the guardrail checks the answer against them:
   * an answer that obeys a planted instruction instead of answering the query
   * from the sources scores as ungrounded or irrelevant and is blocked.
   * https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-use-converse-api.html
   * https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-contextual-grounding-check.html
   */
  async function knowledgeBaseAnswer(call: Call): Promise<Outcome> {
    const { stream, request, settings, signal, requestId } = call;
    if (!settings.knowledgeBase || request.numberOfResults === undefined) {
      throw new Error('knowledge-base request without a knowledge base (parseRequest should have refused it)');
    }
    let retrieval: Retrieval;
    try {
      const input = retrieveInput(settings.knowledgeBase.knowledgeBaseId, request.prompt, request.numberOfResults);
      retrieval = await retrieve(await deps.agentRuntime(), input, signal, now);
    } catch (error) {
      return failBeforeStreaming(stream, request, error, requestId, 'knowledge-base');
    }
    if (retrieval.citations.length === 0) return noPassagesAnswer(call, retrieval);
    const grounded: Call = { ...call, request: { ...request, groundingSource: retrieval.groundingSource } };
    return request.stream ? streamAnswer(grounded, retrieval) : jsonAnswer(grounded, retrieval);
  }

  /** Nothing matched: a fixed answer, without calling the model (an ungrounded answer is what RAG is here to avoid). */
  async function noPassagesAnswer({ stream, request, requestId, started }: Call, retrieval: Retrieval) {
    const answer: Answer = {
      text: NO_PASSAGES_ANSWER,
      stopReason: NO_PASSAGES_STOP_REASON,
      guardrail: { intervened: false, inputRefused: false, policies: [] },
      usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 },
    };
    if (request.stream) {
      const body = startResponse(stream, 200, SSE_HEADERS(requestId));
      const { text, ...metadata } = answer;
      await write(body, sse('text', { text }));
      await write(body, sse('citations', { citations: [] }));
      await write(body, sse('metadata', { ...metadata, latencyMs: now() - started, requestId }));
      await end(body);
    } else {
      await sendJson(stream, 200, { ...answer, citations: [], latencyMs: now() - started, requestId });
    }
    return { status: 200, request, answer, retrieval };
  }

  async function jsonAnswer(
    { stream, request, settings, signal, requestId, started }: Call,
    retrieval?: Retrieval,
  ): Promise<Outcome> {
    try {
      const result = await converse(deps.bedrock, buildConverseInput(request, settings), signal);
      const citations = retrieval ? { citations: citationsFor(result, retrieval) } : {};
      await sendJson(stream, 200, { ...result, ...citations, latencyMs: now() - started, requestId });
      return { status: 200, request, answer: result, retrieval };
    } catch (error) {
      return { ...(await failBeforeStreaming(stream, request, error, requestId)), retrieval };
    }
  }

  async function streamAnswer(
    { stream, request, settings, signal, requestId, started }: Call,
    retrieval?: Retrieval,
  ): Promise<Outcome> {
    const events = converseStream(deps.bedrock, buildConverseStreamInput(request, settings), signal);
    // Wait for the first event before committing to a status: failures before
    // the model starts answering (throttling, access) still get their own
    // status code and a JSON body.
    let first: IteratorResult<StreamEvent>;
    try {
      first = await events.next();
    } catch (error) {
      return { ...(await failBeforeStreaming(stream, request, error, requestId)), retrieval };
    }

    const body = startResponse(stream, 200, SSE_HEADERS(requestId));
    let text = '';
    try {
      for (let next = first; !next.done; next = await events.next()) {
        const event = next.value;
        if (event.type === 'text') {
          text += event.text;
          await write(body, sse('text', { text: event.text }));
        } else {
          const { stopReason, guardrail, usage } = event;
          const metadata = { stopReason, guardrail, usage };
          const answer = { ...metadata, text };
          if (retrieval) await write(body, sse('citations', { citations: citationsFor(answer, retrieval) }));
          await write(body, sse('metadata', { ...metadata, latencyMs: now() - started, requestId }));
          await end(body);
          return { status: 200, request, answer, retrieval };
        }
      }
      throw new Error('stream ended without metadata');
    } catch (error) {
      // Headers are gone: the failure is reported in-band and the stream ended,
      // never silently cut.
      const httpError = toHttpError(error);
      logger.error('stream failed midway', { error, status: httpError.status });
      await write(body, sse('error', httpError.toBody(requestId)));
      await end(body);
      return { status: httpError.status, request, retrieval, error: httpError.code };
    }
  }

  async function failBeforeStreaming(
    stream: ResponseStream,
    request: InvokeRequest,
    error: unknown,
    requestId: string,
    upstream: Upstream = 'model',
  ): Promise<Outcome> {
    const httpError = toHttpError(error, undefined, upstream);
    logger.error('bedrock call failed', { error, status: httpError.status, upstream });
    await sendJson(stream, httpError.status, httpError.toBody(requestId), httpError.headers);
    return { status: httpError.status, request, error: httpError.code };
  }
}

const SSE_HEADERS = (requestId: string) => ({
  'content-type': 'text/event-stream',
  'cache-control': 'no-store',
  'x-request-id': requestId,
});

/**
 * The citations the caller sees. When the guardrail intervened (refused the
 * prompt, blocked or masked the answer) they are withheld: the passages are
 * not screened on the way out, and returning them would hand over what the
 * guardrail just kept back. The audit record still lists the documents.
 */
function citationsFor(answer: Answer, retrieval: Retrieval): readonly Citation[] {
  return answer.guardrail.intervened ? [] : retrieval.citations;
}

/** Streams whose HTTP status and headers have been written (they can be written once only). */
const startedResponses = new WeakSet<ResponseStream>();

function startResponse(stream: ResponseStream, statusCode: number, headers: Record<string, string>): ResponseStream {
  startedResponses.add(stream);
  return awslambda.HttpResponseStream.from(stream, { statusCode, headers });
}

async function sendJson(
  stream: ResponseStream,
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const out = startResponse(stream, statusCode, { ...JSON_HEADERS, ...headers });
  await write(out, JSON.stringify(body));
  await end(out);
}

function auditRecord(
  settings: HandlerSettings,
  requestId: string,
  started: number,
  latencyMs: number,
  outcome: { status: number; request?: InvokeRequest; answer?: Answer; retrieval?: Retrieval; error?: string },
): AuditRecord {
  const { request, answer, retrieval } = outcome;
  return {
    requestId,
    time: new Date(started).toISOString(),
    modelId: settings.modelId,
    template: request?.template ?? 'none',
    parameters: request?.parameters ?? {},
    grounded: request?.groundingSource !== undefined,
    stream: request?.stream ?? false,
    knowledgeBase: request?.knowledgeBase ?? false,
    citedDocuments: retrieval ? citedDocuments(retrieval.citations) : [],
    status: outcome.status,
    stopReason: answer?.stopReason,
    guardrail: answer?.guardrail,
    usage: answer?.usage,
    latencyMs,
    prompt: request ? (answer?.guardrail.inputRefused ? WITHHELD : request.prompt) : '[invalid request]',
    response: answer?.text,
    error: outcome.error,
  };
}
