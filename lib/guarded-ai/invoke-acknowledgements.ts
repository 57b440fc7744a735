import { Validations } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { acknowledgeProjectKeyLogGroup } from '../compliance/acknowledge';
import type { InvokeFunction, InvokeFunctionProps } from './invoke-function';

/**
 * The findings the invoke function answers on purpose, acknowledged next to
 * it: no dead-letter queue (it is only invoked synchronously), no reserved
 * concurrency unless configured, and outside a VPC unless isolatedNetwork.
 */
export function acknowledgeInvokeFunctionFindings(construct: InvokeFunction, props: InvokeFunctionProps): void {
  const fn = construct.function.node.defaultChild as lambda.CfnFunction;
  const ack = (scope: Construct, id: string, reason: string) => Validations.of(scope).acknowledge({ id, reason });
  const noDlq =
    'Invoked only synchronously, through its function URL: a dead-letter queue applies to asynchronous invocations, which this function never receives. Failures are returned to the caller and logged with the request id.';
  for (const id of ['NIST.800.53.R5-LambdaDLQ', 'HIPAA.Security-LambdaDLQ', 'Serverless-LambdaDLQ']) ack(fn, id, noDlq);
  if (props.reservedConcurrency === undefined) {
    const noReservation =
      'No reservation by default: Lambda refuses one that leaves fewer than 100 unreserved executions, which fails the deployment in new accounts with a quota of 10. Cost and load stay bounded by maxTokensCap, request size limits and Bedrock quotas; invokeReservedConcurrency turns the cap on.';
    for (const id of ['NIST.800.53.R5-LambdaConcurrency', 'HIPAA.Security-LambdaConcurrency'])
      ack(fn, id, noReservation);
  }
  if (props.vpc) {
    // CT.LAMBDA.PR.3
    ack(
      fn,
      'cdk-validator-cfnguard::lambda_inside_vpc_check',
      'The function IS in the isolated VPC (VpcConfig with subnets and security group, asserted by the stack tests); the subnet IDs come from the data-protection stack as cross-stack references, which the Guard rule cannot resolve.',
    );
    return acknowledgeLogGroup(construct, props);
  }
  const noVpc =
    "Runs on the Lambda-managed network: it calls only Bedrock, S3 and X-Ray, each limited by IAM to this project's model, guardrail and bucket prefix. isolatedNetwork=true runs it in a VPC with no internet route, where this finding is fixed rather than acknowledged; it is off by default because its interface endpoints cost money every hour.";
  for (const id of [
    'NIST.800.53.R5-LambdaInsideVPC',
    'HIPAA.Security-LambdaInsideVPC',
    'PCI.DSS.321-LambdaInsideVPC',
    // CT.LAMBDA.PR.3
    'cdk-validator-cfnguard::lambda_inside_vpc_check',
  ]) {
    ack(fn, id, noVpc);
  }
  acknowledgeLogGroup(construct, props);
}

function acknowledgeLogGroup(construct: InvokeFunction, props: InvokeFunctionProps): void {
  acknowledgeProjectKeyLogGroup(
    construct.logGroup,
    props.logRetention,
    'audit records of every invocation are kept in the data bucket for recordsRetentionDays.',
  );
}
