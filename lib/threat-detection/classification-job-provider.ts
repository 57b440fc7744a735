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

/**
 * How long the job provider may keep retrying. IAM changes and a new Macie
 * session usually take effect within seconds; minutes cover the slow cases
 * without holding a failing deployment for long.
 */
export const JOB_PROVIDER_TIMEOUT = Duration.minutes(5);

/**
 * Create and cancel classification jobs, nothing else.
 *
 * CreateClassificationJob authorizes only the classification-job resource
 * type, whose id Macie assigns on creation; it has no condition key for the
 * custom data identifiers, allow lists or buckets the request names, so IAM
 * cannot limit a job to ours (Service Authorization Reference for Amazon
 * Macie: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonmacie.html).
 * The request is fixed in the template, and the role can be used only by
 * this function.
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
        actions: ['macie2:UpdateClassificationJob'],
        resources: [jobs],
      }),
    ],
  });
  acknowledgeWildcardResource(
    policy,
    jobs,
    'Macie assigns the job id when the job is created, so no policy can name it beforehand; the role can only create and cancel classification jobs, in this account and region.',
  );
  return policy;
}

/**
 * Our own small function rather than CDK's AwsCustomResource: that one
 * cannot retry the create while IAM and a new Macie session settle, and the
 * cr.Provider framework would add functions with AWS managed policies.
 */
export function jobProviderFunction(
  scope: Construct,
  role: iam.Role,
  logGroup: logs.ILogGroup,
  policies: iam.ManagedPolicy[],
): NodejsFunction {
  const fn = new NodejsFunction(scope, 'JobProvider', {
    description: 'CloudFormation custom resource: creates and cancels the Macie classification job',
    entry: path.join(__dirname, '..', '..', 'lambda', 'macie-job', 'index.ts'),
    handler: 'handler',
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: 256,
    timeout: JOB_PROVIDER_TIMEOUT,
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
    'creates, updates or deletes the Macie job (its role may create and cancel classification jobs)',
    'the Macie API',
  );
  return fn;
}
