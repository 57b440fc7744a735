import { Stack, Validations } from 'aws-cdk-lib';
import { autoDeleteObjectsProvider } from '../cdk-internals';

/** Longest name Lambda accepts for a function. https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html */
const FUNCTION_NAME_MAX_LENGTH = 64;

/** The name of a stack's bucket-emptying function (throwaway sandboxes only). */
export function autoDeleteFunctionName(stackName: string): string {
  const name = `${stackName}-EmptyBuckets`;
  if (name.length > FUNCTION_NAME_MAX_LENGTH) {
    throw new Error(
      `function name ${name} has ${name.length} characters, allowed: at most ${FUNCTION_NAME_MAX_LENGTH}`,
    );
  }
  return name;
}

/** Stacks whose auto-delete provider has been hardened already (it is shared by the stack's buckets). */
const hardenedProviders = new WeakSet<object>();

/**
 * `autoDeleteObjects` adds CDK's own provider Lambda (one per stack) that
 * empties the buckets when the stack is deleted; it exists only in throwaway
 * sandbox mode. CDK gives its role the AWS managed policy
 * AWSLambdaBasicExecutionRole (logs on every log group of the account); the
 * project uses no AWS managed policies, so it is replaced by an inline policy
 * limited to the function's own log group. Its S3 permissions come
 * from the bucket policies of this stack's buckets only.
 */
export function hardenAutoDeleteProvider(stack: Stack): void {
  const found = autoDeleteObjectsProvider(stack);
  if (!found || hardenedProviders.has(found.provider)) {
    return;
  }
  const { provider, role, handler } = found;
  hardenedProviders.add(provider);
  // A fixed function name, so that the log permission below can name its
  // log group: a generated one cuts the stack name short (64 characters in
  // all), and no pattern built from the whole stack name would match it.
  const functionName = autoDeleteFunctionName(stack.stackName);
  handler.addPropertyOverride('FunctionName', functionName);
  const logGroups = `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:/aws/lambda/${functionName}`;
  role.addPropertyDeletionOverride('ManagedPolicyArns');
  role.addPropertyOverride('Policies', [
    {
      PolicyName: 'WriteOwnLogs',
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: [logGroups, `${logGroups}:log-stream:*`],
          },
        ],
      },
    },
  ]);
  Validations.of(provider).acknowledge({
    // CT.LAMBDA.PR.3
    id: 'cdk-validator-cfnguard::lambda_inside_vpc_check',
    reason:
      'CDK-owned bucket-emptying provider, present only with removalPolicy "destroy" (throwaway sandbox). It runs once at stack deletion, calls only S3 for the buckets of this stack (their bucket policies are its only S3 permission) and holds no data.',
  });
}
