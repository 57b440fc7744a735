import { Stack, Validations } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { flattenCfnReference } from '../cdk-internals';
import type { IConstruct } from 'constructs';

/**
 * Acknowledge the AwsSolutions-IAM5 finding for one wildcard resource of a
 * policy, next to that policy.
 *
 * cdk-nag names such a finding after the resource as it appears in the
 * template (`<Bucket.Arn>/records/*`, or a cross-stack reference), which depends
 * on how the ARN was built and which stack it comes from. This computes the
 * name with cdk-nag's own flattening, so the acknowledgement covers exactly that
 * one resource and keeps working when the environment or the wiring changes.
 *
 * The name is computed when the app is validated, after CDK has turned
 * references to other stacks into their final form, and before the compliance
 * plugins read the acknowledgements.
 */
export function acknowledgeWildcardResource(policy: IConstruct, resource: string, reason: string): void {
  policy.node.addValidation({
    validate: () => {
      const flat = flattenCfnReference(Stack.of(policy).resolve(resource));
      Validations.of(policy).acknowledge({ id: `AwsSolutions-IAM5[Resource::${flat}]`, reason });
      return [];
    },
  });
}

/**
 * Acknowledge the Control Tower findings of a log group encrypted with the
 * project key from another stack: the Guard rules read `KmsKeyId` only when it
 * is a literal, and a cross-stack reference is not one. Retention below a year
 * is acknowledged only when the operator chose it.
 */
export function acknowledgeProjectKeyLogGroup(logGroup: logs.LogGroup, retentionDays: number, why: string): void {
  const resource = logGroup.node.defaultChild as logs.CfnLogGroup;
  // CT.CLOUDWATCH.PR.3
  Validations.of(resource).acknowledge({
    id: 'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check',
    reason:
      'Encrypted with the project KMS key (KmsKeyId is set, see the stack tests); the key comes from the data-protection stack as a cross-stack reference, which the Guard rule cannot resolve.',
  });
  if (retentionDays < 365) {
    // CT.CLOUDWATCH.PR.2
    Validations.of(resource).acknowledge({
      id: 'cdk-validator-cfnguard::cloudwatch_log_group_retention_period_check',
      reason: `Retention set by the operator to ${retentionDays} days (logRetentionDays) to limit cost; ${why}`,
    });
  }
}
