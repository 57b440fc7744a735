import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { acknowledgeProjectKeyLogGroup } from '../compliance/acknowledge';
import { acknowledgeFunctionFindings } from '../compliance/function-findings';
import type { InvokeFunction, InvokeFunctionProps } from './invoke-function';

/**
 * The findings the invoke function answers on purpose, acknowledged next to
 * it: no dead-letter queue (it is only invoked synchronously), no reserved
 * concurrency unless configured, and outside a VPC unless isolatedNetwork.
 */
export function acknowledgeInvokeFunctionFindings(construct: InvokeFunction, props: InvokeFunctionProps): void {
  const fn = construct.function.node.defaultChild as lambda.CfnFunction;
  acknowledgeFunctionFindings(fn, {
    deadLetterQueue:
      'Invoked only synchronously, through its function URL: a dead-letter queue applies to asynchronous invocations, which this function never receives. Failures are returned to the caller and logged with the request id.',
    reservedConcurrency:
      props.reservedConcurrency === undefined
        ? 'No reservation by default: Lambda refuses one that leaves fewer than 100 unreserved executions, which fails the deployment in new accounts with a quota of 10. Cost and load stay bounded by maxTokensCap, request size limits and Bedrock quotas; invokeReservedConcurrency turns the cap on.'
        : undefined,
    inVpc: props.vpc !== undefined,
    outsideVpc:
      "Runs on the Lambda-managed network: it calls only Bedrock, S3 and X-Ray, each limited by IAM to this project's model, guardrail and bucket prefix. isolatedNetwork=true runs it in a VPC with no internet route, where this finding is fixed rather than acknowledged; it is off by default because its interface endpoints cost money every hour.",
  });
  acknowledgeLogGroup(construct, props);
}

function acknowledgeLogGroup(construct: InvokeFunction, props: InvokeFunctionProps): void {
  acknowledgeProjectKeyLogGroup(
    construct.logGroup,
    props.logRetention,
    'audit records of every invocation are kept in the data bucket for recordsRetentionDays.',
  );
}
