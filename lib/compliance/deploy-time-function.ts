import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { acknowledgeProjectKeyLogGroup, acknowledgeWildcardResource } from './acknowledge';

export interface FunctionLogsProps {
  /** The function's execution role: it may write to this log group and no other. */
  readonly role: iam.IRole;
  readonly key: kms.IKey;
  readonly retention: logs.RetentionDays;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** Why a retention under a year is enough, should the operator choose one. */
  readonly whyShortRetentionIsEnough: string;
}

/**
 * A log group of the app, encrypted with the project key, kept as long as the
 * operator chose, with the Control Tower acknowledgements that go with it.
 */
export function projectKeyLogGroup(
  scope: Construct,
  id: string,
  props: Pick<FunctionLogsProps, 'key' | 'retention' | 'removalPolicy' | 'whyShortRetentionIsEnough'>,
): logs.LogGroup {
  const logGroup = new logs.LogGroup(scope, id, {
    encryptionKey: props.key,
    retention: props.retention,
    removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
  });
  acknowledgeProjectKeyLogGroup(logGroup, props.retention, props.whyShortRetentionIsEnough);
  return logGroup;
}

/**
 * The log group of a function of ours, encrypted with the project key, and
 * the customer-managed policy that lets its role write there and nowhere else
 * (instead of AWS's managed basic-execution policy, which reaches every log
 * group of the account). Created directly in `scope` under the given ids, so
 * existing log groups keep their logical ids.
 */
export function functionLogs(
  scope: Construct,
  ids: { readonly logGroup: string; readonly policy: string },
  props: FunctionLogsProps,
): { logGroup: logs.LogGroup; policy: iam.ManagedPolicy } {
  const logGroup = projectKeyLogGroup(scope, ids.logGroup, props);
  const policy = new iam.ManagedPolicy(scope, ids.policy, {
    roles: [props.role],
    statements: [
      new iam.PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    ],
  });
  acknowledgeWildcardResource(
    policy,
    logGroup.logGroupArn,
    'The ":*" suffix of a log group ARN covers its log streams, whose names Lambda chooses; no other log group is reachable.',
  );
  return { logGroup, policy };
}

/**
 * Acknowledge, next to a deploy-time function (a custom-resource handler),
 * the findings that are about request-serving functions: it has one caller,
 * CloudFormation, which learns every outcome from the response; it runs once
 * per deployment; and it reaches nothing but `reaches`.
 */
export function acknowledgeDeployTimeFunction(fn: lambda.CfnFunction, job: string, reaches: string): void {
  const deployTimeOnly = `Deploy-time custom resource: it runs only when CloudFormation ${job}, and holds no data.`;
  const noQueue = 'Its only caller is CloudFormation, which learns every outcome from the response.';
  const once = 'It runs once per deployment that touches its resource.';
  const network = `It reaches only ${reaches} and the CloudFormation response URL.`;
  for (const [id, why] of [
    ['NIST.800.53.R5-LambdaDLQ', noQueue],
    ['HIPAA.Security-LambdaDLQ', noQueue],
    ['Serverless-LambdaDLQ', noQueue],
    ['NIST.800.53.R5-LambdaConcurrency', once],
    ['HIPAA.Security-LambdaConcurrency', once],
    ['NIST.800.53.R5-LambdaInsideVPC', network],
    ['HIPAA.Security-LambdaInsideVPC', network],
    ['PCI.DSS.321-LambdaInsideVPC', network],
    ['Serverless-LambdaTracing', `CloudTrail records its calls to ${reaches}, and its log group every attempt.`],
    // CT.LAMBDA.PR.3
    ['cdk-validator-cfnguard::lambda_inside_vpc_check', network],
  ]) {
    Validations.of(fn).acknowledge({ id, reason: `${deployTimeOnly} ${why}` });
  }
}
