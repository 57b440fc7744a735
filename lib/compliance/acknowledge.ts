import { Stack, Validations } from 'aws-cdk-lib';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
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
