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
import { HttpError, toHttpError } from './errors';
import {
  type InvokeEnvironment,
  MODEL_FAMILIES,
  RECORDS_PREFIX,
  REQUIRED_INVOKE_SETTINGS,
} from '../../lib/shared/invoke-contract';
import { type InvokeRequest, parseRequest } from './request';
import { end, type ResponseStream, sse, type StreamingHandler, write } from './streaming';

export interface HandlerSettings extends ModelSettings {
  /** Where audit records go; undefined when auditing is switched off. */
  readonly audit?: AuditSettings;
  /** Give up on Bedrock after this long, leaving time to answer before Lambda's own timeout. */
  readonly timeoutMs: number;
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
  /** Settings, or the reason they are unusable (reported as 503 to callers, in full to the log). */
  readonly settings: HandlerSettings | Error;
  readonly now?: () => number;
}

const JSON_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' };

/** Read the function's settings from its environment (set by the stack). */
export function settingsFromEnvironment(env: NodeJS.ProcessEnv): HandlerSettings | Error {
  const missing = REQUIRED_INVOKE_SETTINGS.filter((name) => !env[name]);
  if (missing.length > 0) {
    return new Error(
      `missing environment: ${REQUIRED_INVOKE_SETTINGS.join(', ')} are all required (missing ${missing.join(', ')})`,
    );
  }
  const settings = env as unknown as InvokeEnvironment;
  if (!(MODEL_FAMILIES as readonly string[]).includes(settings.MODEL_FAMILY)) {
    return new Error(`bad MODEL_FAMILY ${settings.MODEL_FAMILY}`);
  }
  const { AUDIT_BUCKET, AUDIT_PREFIX, AUDIT_KMS_KEY_ARN } = settings;
  if (AUDIT_BUCKET && !AUDIT_KMS_KEY_ARN) return new Error('AUDIT_BUCKET without AUDIT_KMS_KEY_ARN');
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
  };
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
    if (outcome.answer?.guardrail.intervened) metrics.addMetric('GuardrailInterventions', 'Count', 1);
    if (outcome.answer) {
      metrics.addMetric('InputTokens', 'Count', outcome.answer.usage.inputTokens);
      metrics.addMetric('OutputTokens', 'Count', outcome.answer.usage.outputTokens);
    }
    // Never the prompt or the answer at INFO: categories, counts and timings only.
    logger.info('invocation', {
      status: outcome.status,
      template: outcome.request?.template,
      stream: outcome.request?.stream,
      grounded: outcome.request?.groundingSource !== undefined,
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
    request?: InvokeRequest;
    answer?: Answer;
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

  async function jsonAnswer({ stream, request, settings, signal, requestId, started }: Call): Promise<Outcome> {
    try {
      const result = await converse(deps.bedrock, buildConverseInput(request, settings), signal);
      await sendJson(stream, 200, { ...result, latencyMs: now() - started, requestId });
      return { status: 200, request, answer: result };
    } catch (error) {
      return failBeforeStreaming(stream, request, error, requestId);
    }
  }

  async function streamAnswer({ stream, request, settings, signal, requestId, started }: Call): Promise<Outcome> {
    const events = converseStream(deps.bedrock, buildConverseStreamInput(request, settings), signal);
    // Wait for the first event before committing to a status: failures before
    // the model starts answering (throttling, access) still get their own
    // status code and a JSON body.
    let first: IteratorResult<StreamEvent>;
    try {
      first = await events.next();
    } catch (error) {
      return failBeforeStreaming(stream, request, error, requestId);
    }

    const body = startResponse(stream, 200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      'x-request-id': requestId,
    });
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
          await write(body, sse('metadata', { ...metadata, latencyMs: now() - started, requestId }));
          await end(body);
          return { status: 200, request, answer: { ...metadata, text } };
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
      return { status: httpError.status, request, error: httpError.code };
    }
  }

  async function failBeforeStreaming(
    stream: ResponseStream,
    request: InvokeRequest,
    error: unknown,
    requestId: string,
  ) {
    const httpError = toHttpError(error);
    logger.error('bedrock call failed', { error, status: httpError.status });
    await sendJson(stream, httpError.status, httpError.toBody(requestId), httpError.headers);
    return { status: httpError.status, request, error: httpError.code };
  }
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
  outcome: { status: number; request?: InvokeRequest; answer?: Answer; error?: string },
): AuditRecord {
  const { request, answer } = outcome;
  return {
    requestId,
    time: new Date(started).toISOString(),
    modelId: settings.modelId,
    template: request?.template ?? 'none',
    parameters: request?.parameters ?? {},
    grounded: request?.groundingSource !== undefined,
    stream: request?.stream ?? false,
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
