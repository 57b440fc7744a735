import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { type ApprovalRequest, BATCH_PATTERN } from '../../lib/shared/customization-contract';
import { ApprovalFailure } from './errors';

/** Largest accepted request body, after base64 decoding: a batch name and a version id. */
export const MAX_BODY_BYTES = 4 * 1024;

/** Longest version id accepted (S3's are 32 characters; the cap only keeps nonsense out of the logs). */
export const MAX_VERSION_ID_CHARS = 1024;

const FIELDS = ['batch', 'versionId'] as const;

export interface ParsedRequest extends ApprovalRequest {
  /** The IAM principal that signed the request, as the function URL's IAM authorizer reports it. */
  readonly requestedBy: string;
}

/** The IAM authorizer's part of a function URL event with AuthType AWS_IAM (payload format 2.0). */
interface IamAuthorizer {
  readonly authorizer?: { readonly iam?: { readonly userArn?: unknown } };
}

const bad = (message: string) => new ApprovalFailure(400, message);

/**
 * Read a function URL event (payload format 2.0) into the approval request,
 * or throw the ApprovalFailure that names the problem. Only POST is
 * answered, and only a request with an IAM caller: "If your function URL
 * uses the AWS_IAM auth type, you must sign each HTTP request using AWS
 * Signature Version 4 (SigV4)"; Lambda checks the signature before the
 * function runs and names the caller in requestContext.authorizer.iam
 * (https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html).
 */
export function parseApprovalRequest(event: LambdaFunctionURLEvent): ParsedRequest {
  const method = event.requestContext?.http?.method;
  if (method !== 'POST') {
    throw new ApprovalFailure(405, `Use POST, not ${method ?? 'an unknown method'}.`, undefined, { allow: 'POST' });
  }
  const userArn = (event.requestContext as IamAuthorizer).authorizer?.iam?.userArn;
  if (typeof userArn !== 'string' || userArn === '') {
    // Only a function URL without IAM auth gets here: refuse rather than approve for nobody.
    throw new ApprovalFailure(403, 'The request carries no IAM caller: the function URL must use AWS_IAM auth.');
  }
  if (event.body === undefined || event.body === null || event.body === '') {
    throw bad('The request body is empty; send {"batch": "...", "versionId": "..."}.');
  }
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  if (raw.byteLength > MAX_BODY_BYTES) throw bad(`The request body is larger than ${MAX_BODY_BYTES} bytes.`);
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw bad('The request body is not valid JSON.');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw bad('The request body must be a JSON object {"batch": "...", "versionId": "..."}.');
  }
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((key) => !(FIELDS as readonly string[]).includes(key));
  if (unknown.length > 0) {
    const names = unknown.map((key) => JSON.stringify(key.slice(0, 40))).join(', ');
    throw bad(`Unknown field(s): ${names}. Allowed: ${FIELDS.join(', ')}.`);
  }
  const { batch, versionId } = fields;
  if (typeof batch !== 'string' || !BATCH_PATTERN.test(batch)) {
    throw bad(`"batch" must match ${BATCH_PATTERN}: lowercase letters and digits, single hyphens between them.`);
  }
  if (typeof versionId !== 'string' || versionId.trim() === '' || versionId.length > MAX_VERSION_ID_CHARS) {
    throw bad('"versionId" must be the version id S3 returned for the upload of the training file.');
  }
  return { batch, versionId, requestedBy: userArn };
}
