/**
 * Bedrock's documented errors, each said once with what to do about it. The
 * exceptions CreateModelCustomizationJob may throw are AccessDenied,
 * Conflict, InternalServer, ResourceNotFound, ServiceQuotaExceeded,
 * Throttling, TooManyTags and Validation
 * (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_CreateModelCustomizationJob.html#API_CreateModelCustomizationJob_Errors);
 * the deployment and deletion operations throw a subset of them. The SDK has
 * already retried throttling and server errors by the time one arrives here.
 */

export interface ErrorContext {
  /** What was being done, for the first line: "starting the fine-tuning job". */
  readonly action: string;
  readonly region: string;
  readonly customizationStack: string;
  readonly operatorPolicyArn?: string;
  readonly roleArn?: string;
  readonly baseModel?: string;
  /** The request, one line per part, shown with a validation error. */
  readonly request?: readonly string[];
}

/** Bedrock's exception names (the SDK's error classes carry them as `name`). */
export const DOCUMENTED_EXCEPTIONS = [
  'AccessDeniedException',
  'ConflictException',
  'InternalServerException',
  'ResourceNotFoundException',
  'ServiceQuotaExceededException',
  'ThrottlingException',
  'TooManyTagsException',
  'ValidationException',
] as const;
type Documented = (typeof DOCUMENTED_EXCEPTIONS)[number];

function policy(c: ErrorContext): string {
  return c.operatorPolicyArn
    ? `the managed policy ${c.operatorPolicyArn} (output OperatorPolicyArn of ${c.customizationStack})`
    : `the managed policy in the OperatorPolicyArn output of ${c.customizationStack}`;
}

const ADVICE: Record<Documented, (c: ErrorContext) => string> = {
  AccessDeniedException: (c) =>
    `your credentials may not do this: attach ${policy(c)} to your role or user.${c.roleArn ? ` Starting a job also needs iam:PassRole on ${c.roleArn}.` : ''} If the message names a KMS key, the project key's policy does not let you (or Bedrock, for you) use it.`,
  ConflictException: () =>
    'it conflicts with what exists: a job, custom model or deployment of the same name, or one still changing state. Look with npm run customize -- status, wait a minute and run again (new names carry the time to the second).',
  InternalServerException: () =>
    'Bedrock failed on its side, and nothing says whether the request took effect. Look with npm run customize -- status before you run it again in a few minutes.',
  ResourceNotFoundException: (c) =>
    `Bedrock cannot find something the request names${c.baseModel ? `: the base model ${c.baseModel} in ${c.region}` : ''}${c.roleArn ? `, the job role ${c.roleArn}` : ''}, or the model. Check that ${c.customizationStack} is deployed in ${c.region} with this version of the app.`,
  ServiceQuotaExceededException: (c) =>
    `a service quota stops it (such as concurrent customization jobs, custom models or deployments per account, or training records). The quotas of a new account may be lower than the defaults ("the quotas that apply to your account might be lower than the default values", https://docs.aws.amazon.com/bedrock/latest/userguide/quotas.html): see them in Service Quotas (aws service-quotas list-service-quotas --service-code bedrock --region ${c.region}), request an increase there, or delete custom models and deployments you no longer need (npm run customize -- delete).`,
  ThrottlingException: () =>
    'Bedrock throttled the request, after the SDK had already retried it: wait a minute and run again.',
  TooManyTagsException: () =>
    'Bedrock refused the tags: this command puts two on each resource (project and, on a job and its model, training-manifest-sha256); default tags or a tag policy of the account may add more than Bedrock allows.',
  ValidationException: (c) =>
    `Bedrock refused the request; its message names the field it refused.${c.request ? `\nThe request asked for:\n  ${c.request.join('\n  ')}` : ''}`,
};

/** The message for a documented Bedrock error, or undefined for any other error (the caller rethrows it). */
export function explainBedrockError(error: unknown, context: ErrorContext): string | undefined {
  if (!(error instanceof Error) || !(DOCUMENTED_EXCEPTIONS as readonly string[]).includes(error.name)) {
    return undefined;
  }
  const advice = ADVICE[error.name as Documented](context);
  return `Bedrock refused ${context.action} (${error.name}: ${error.message})\n${advice}`;
}
