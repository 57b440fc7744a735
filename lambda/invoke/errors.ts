/**
 * An error that becomes an HTTP response: a status, a stable machine-readable
 * code, and a message written for the caller (or, for 5xx, for the operator).
 * Nothing else about the failure (stack, ARNs, upstream text) ever reaches the
 * client; the full error is logged with the request id instead.
 */
export class HttpError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    public readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }

  /** The JSON body sent to the client. */
  public toBody(requestId: string): { error: { code: string; message: string; requestId: string } } {
    return { error: { code: this.code, message: this.message, requestId } };
  }
}

/** Bedrock exception names and what the caller (or operator) is told. */
const UPSTREAM: Record<string, (retryAfterSeconds: number) => HttpError> = {
  ThrottlingException: (s) =>
    new HttpError(429, 'throttled', `The model is busy. Retry in ${s} seconds.`, { 'retry-after': String(s) }),
  ServiceQuotaExceededException: (s) =>
    new HttpError(429, 'throttled', `The model quota is exhausted for now. Retry in ${s} seconds.`, {
      'retry-after': String(s),
    }),
  ModelTimeoutException: () => new HttpError(504, 'model_timeout', 'The model took too long to answer.'),
  ModelNotReadyException: () => new HttpError(503, 'model_not_ready', 'The model is not ready. Retry shortly.'),
  ServiceUnavailableException: () =>
    new HttpError(503, 'unavailable', 'The model service is unavailable. Retry shortly.'),
  InternalServerException: () => new HttpError(502, 'upstream_error', 'The model service failed to answer.'),
  ModelErrorException: () => new HttpError(502, 'upstream_error', 'The model failed to answer.'),
  ModelStreamErrorException: () => new HttpError(502, 'upstream_error', 'The model failed while answering.'),
  AccessDeniedException: () =>
    new HttpError(
      503,
      'not_configured',
      'This service may not use its model. Operator: check that model access is granted in the Bedrock console for this region, that the function role allows the model or inference profile with this guardrail, and that no SCP denies Bedrock in this region.',
    ),
  ResourceNotFoundException: () =>
    new HttpError(
      503,
      'not_configured',
      'The configured model, inference profile or guardrail does not exist here. Operator: check the modelId setting and the region, then run npm run preflight.',
    ),
  ValidationException: () =>
    new HttpError(
      400,
      'rejected_by_model',
      'The model rejected the request parameters. Try fewer tokens or other parameters.',
    ),
};

/**
 * Bedrock Agent Runtime exception names (Retrieve) whose meaning differs from
 * the model's: the caller is told the knowledge base, not the model, failed.
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_agent-runtime_Retrieve.html#API_agent-runtime_Retrieve_Errors
 */
const KNOWLEDGE_BASE: Record<string, (retryAfterSeconds: number) => HttpError> = {
  ThrottlingException: (s) =>
    new HttpError(429, 'throttled', `The knowledge base is busy. Retry in ${s} seconds.`, {
      'retry-after': String(s),
    }),
  ServiceQuotaExceededException: (s) =>
    new HttpError(429, 'throttled', `The knowledge base quota is exhausted for now. Retry in ${s} seconds.`, {
      'retry-after': String(s),
    }),
  AccessDeniedException: () =>
    new HttpError(
      503,
      'knowledge_base_unavailable',
      'The knowledge base is unavailable. Operator: check that the function role may call bedrock:Retrieve on this knowledge base, and that the knowledge base role may use its embedding model, vector index and key.',
    ),
  ResourceNotFoundException: () =>
    new HttpError(
      503,
      'knowledge_base_unavailable',
      'The knowledge base is unavailable: the configured one does not exist here. Operator: check KNOWLEDGE_BASE_ID and the region.',
    ),
  DependencyFailedException: () =>
    new HttpError(
      503,
      'knowledge_base_unavailable',
      'The knowledge base is unavailable: a service it depends on failed. Operator: see the function log.',
    ),
  ServiceUnavailableException: () =>
    new HttpError(503, 'unavailable', 'The knowledge base service is unavailable. Retry shortly.'),
  BadGatewayException: () => new HttpError(502, 'upstream_error', 'The knowledge base failed to answer.'),
  InternalServerException: () => new HttpError(502, 'upstream_error', 'The knowledge base failed to answer.'),
  ValidationException: () =>
    new HttpError(
      400,
      'rejected_by_knowledge_base',
      'The knowledge base rejected the query. Try a shorter prompt or fewer results.',
    ),
};

/** Which Bedrock service a failure came from. */
export type Upstream = 'model' | 'knowledge-base';

/** Turn anything thrown while calling Bedrock into the HttpError the client gets. */
export function toHttpError(error: unknown, retryAfterSeconds = 5, upstream: Upstream = 'model'): HttpError {
  if (error instanceof HttpError) return error;
  const name = error instanceof Error ? error.name : '';
  if (name === 'AbortError' || name === 'TimeoutError') {
    return new HttpError(504, 'timeout', 'No answer arrived in time. Try a shorter answer (maxTokens) or retry.');
  }
  if (upstream === 'knowledge-base') {
    const known = KNOWLEDGE_BASE[name];
    return known
      ? known(retryAfterSeconds)
      : new HttpError(502, 'upstream_error', 'The knowledge base failed to answer.');
  }
  const known = UPSTREAM[name];
  return known ? known(retryAfterSeconds) : new HttpError(502, 'upstream_error', 'The model service failed to answer.');
}
