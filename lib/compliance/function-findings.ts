import { Validations } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * The findings every pack raises on a Lambda function of ours for the same
 * three reasons, by the rule ids each pack names them with: no dead-letter
 * queue, no reserved concurrency, not in a VPC. One list, so a function that
 * is acknowledged for a reason is acknowledged in every pack that asks.
 */
export const FUNCTION_FINDINGS = {
  deadLetterQueue: ['NIST.800.53.R5-LambdaDLQ', 'HIPAA.Security-LambdaDLQ', 'Serverless-LambdaDLQ'],
  reservedConcurrency: ['NIST.800.53.R5-LambdaConcurrency', 'HIPAA.Security-LambdaConcurrency'],
  outsideVpc: [
    'NIST.800.53.R5-LambdaInsideVPC',
    'HIPAA.Security-LambdaInsideVPC',
    'PCI.DSS.321-LambdaInsideVPC',
    // CT.LAMBDA.PR.3
    'cdk-validator-cfnguard::lambda_inside_vpc_check',
  ],
} as const;

/** CT.LAMBDA.PR.3 on a function that IS in the VPC: the Guard rule cannot resolve imported subnet ids. */
export const IN_VPC_WITH_IMPORTED_SUBNETS =
  'The function IS in the isolated VPC (VpcConfig with subnets and security group, asserted by the stack tests); the subnet IDs come from the data-protection stack as cross-stack references, which the Guard rule cannot resolve.';

/** Why a function is acknowledged for each of the findings it has (leave one out to acknowledge nothing for it). */
export type FunctionFindingReasons = Partial<Record<keyof typeof FUNCTION_FINDINGS, string>> & {
  /** The function runs in the VPC: only CT.LAMBDA.PR.3 is acknowledged, with IN_VPC_WITH_IMPORTED_SUBNETS. */
  readonly inVpc?: boolean;
};

/** Acknowledge, next to the function, each finding it has a reason for, in every pack. */
export function acknowledgeFunctionFindings(fn: lambda.CfnFunction, reasons: FunctionFindingReasons): void {
  const ack = (ids: readonly string[], reason: string) => {
    for (const id of ids) Validations.of(fn).acknowledge({ id, reason });
  };
  if (reasons.deadLetterQueue) ack(FUNCTION_FINDINGS.deadLetterQueue, reasons.deadLetterQueue);
  if (reasons.reservedConcurrency) ack(FUNCTION_FINDINGS.reservedConcurrency, reasons.reservedConcurrency);
  if (reasons.inVpc) ack(['cdk-validator-cfnguard::lambda_inside_vpc_check'], IN_VPC_WITH_IMPORTED_SUBNETS);
  else if (reasons.outsideVpc) ack(FUNCTION_FINDINGS.outsideVpc, reasons.outsideVpc);
}
