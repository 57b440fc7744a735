import * as path from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { acknowledgeWildcardResource } from '../compliance/acknowledge';
import { acknowledgeDeployTimeFunction } from '../compliance/deploy-time-function';
import { esmBundling } from '../esm-bundling';
import { arnInAccount } from '../shared/names';

/** The handlers' own timeout: one request, its retries included (well below the framework's 15 minutes). */
export const JOB_HANDLER_TIMEOUT = Duration.minutes(2);
/** How often the framework asks whether the job exists yet. */
export const JOB_QUERY_INTERVAL = Duration.seconds(10);
/**
 * How long the framework polls before it answers "Operation timed out":
 * longer than the handler's readiness window (READINESS_WINDOW_MS, 5 minutes),
 * so that a create that never gets ready fails with its own error first.
 */
export const JOB_TOTAL_TIMEOUT = Duration.minutes(6);
/** CloudFormation's wait for an answer: onEvent, then the whole poll, then a minute to spare. */
export const JOB_SERVICE_TIMEOUT = JOB_HANDLER_TIMEOUT.plus(JOB_TOTAL_TIMEOUT).plus(Duration.minutes(1));

/**
 * Create, find and cancel classification jobs, nothing else.
 *
 * CreateClassificationJob authorizes only the classification-job resource
 * type, whose id Macie assigns on creation; it has no condition key for the
 * custom data identifiers, allow lists or buckets the request names, so IAM
 * cannot limit a job to ours. ListClassificationJobs has no resource type at
 * all (Service Authorization Reference for Amazon Macie:
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonmacie.html).
 * The request is fixed in the template, and the role can be used only by
 * the job's handlers.
 */
export function jobProviderPolicy(scope: Construct, role: iam.IRole): iam.ManagedPolicy {
  const jobs = arnInAccount(Stack.of(scope), 'macie2', 'classification-job/*');
  const policy = new iam.ManagedPolicy(scope, 'JobProviderPolicy', {
    roles: [role],
    statements: [
      new iam.PolicyStatement({
        sid: 'CreateClassificationJobs',
        actions: ['macie2:CreateClassificationJob'],
        resources: [jobs],
      }),
      new iam.PolicyStatement({
        sid: 'CancelJobs',
        actions: ['macie2:UpdateClassificationJob', 'macie2:DescribeClassificationJob'],
        resources: [jobs],
      }),
      new iam.PolicyStatement({
        sid: 'FindJobsByName',
        actions: ['macie2:ListClassificationJobs'],
        resources: ['*'],
      }),
    ],
  });
  acknowledgeWildcardResource(
    policy,
    jobs,
    'Macie assigns the job id when the job is created, so no policy can name it beforehand; the role can only create, read and cancel classification jobs, in this account and region.',
  );
  acknowledgeWildcardResource(
    policy,
    '*',
    'ListClassificationJobs has no resource type; it lists job summaries, so that a Delete can find the job created under its client token.',
  );
  return policy;
}

/**
 * The job's two handlers, from one bundle (lambda/macie-job/): onEvent
 * answers each request, isComplete creates the job once Macie is ready.
 */
export function jobHandlerFunctions(
  scope: Construct,
  role: iam.Role,
  logGroup: logs.ILogGroup,
  policies: iam.ManagedPolicy[],
): { onEvent: NodejsFunction; isComplete: NodejsFunction } {
  const handler = (id: string, exported: 'onEvent' | 'isComplete', description: string) => {
    const fn = new NodejsFunction(scope, id, {
      description,
      entry: path.join(__dirname, '..', '..', 'lambda', 'macie-job', 'index.ts'),
      handler: exported,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: JOB_HANDLER_TIMEOUT,
      // Immutable: the managed policies above are all it gets.
      role: role.withoutPolicyUpdates(),
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: { NODE_OPTIONS: '--enable-source-maps' },
      bundling: esmBundling('macie-job'),
    });
    // The function must not run before its permissions exist.
    fn.node.addDependency(...policies);
    acknowledgeDeployTimeFunction(
      fn.node.defaultChild as lambda.CfnFunction,
      'creates, updates or deletes the Macie job (its role may create, read and cancel classification jobs)',
      'the Macie API',
    );
    return fn;
  };
  return {
    onEvent: handler('JobOnEvent', 'onEvent', 'Macie classification job custom resource: onEvent (checks, cancels)'),
    isComplete: handler(
      'JobIsComplete',
      'isComplete',
      'Macie classification job custom resource: isComplete (creates the job once Macie is ready)',
    ),
  };
}
