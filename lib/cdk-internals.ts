/**
 * Every place the project reaches into CDK or cdk-nag beyond their public
 * API, in one module. test/cdk-internals.test.ts fails loudly when an upgrade
 * moves one of them, instead of a hardening step silently doing nothing.
 */
import { CfnResource, type Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
// cdk-nag names a finding after a resource as the template spells it; its own
// flattening is the only way to compute that name for an acknowledgement.
export { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';

/** The id CDK gives the bucket-emptying provider of `autoDeleteObjects` (one per stack). */
const AUTO_DELETE_PROVIDER_ID = 'Custom::S3AutoDeleteObjectsCustomResourceProvider';

/** The id of the function behind every AwsCustomResource of a stack (CDK's PROVIDER_FUNCTION_UUID, without dashes). */
const AWS_CUSTOM_RESOURCE_PROVIDER_ID = 'AWS679f53fac002430cb0da5b7982bd2287';

/** The bucket-emptying provider of `stack`, with its role and function, once a bucket has asked for it. */
export function autoDeleteObjectsProvider(
  stack: Stack,
): { readonly provider: IConstruct; readonly role: CfnResource; readonly handler: CfnResource } | undefined {
  const provider = stack.node.tryFindChild(AUTO_DELETE_PROVIDER_ID);
  const role = provider?.node.tryFindChild('Role');
  const handler = provider?.node.tryFindChild('Handler');
  if (!provider || !(role instanceof CfnResource) || !(handler instanceof CfnResource)) return undefined;
  return { provider, role, handler };
}

/** The function behind every AwsCustomResource of `stack`, once one exists. */
export function awsCustomResourceProvider(stack: Stack): lambda.CfnFunction | undefined {
  const fn = stack.node.tryFindChild(AWS_CUSTOM_RESOURCE_PROVIDER_ID)?.node.defaultChild;
  return fn instanceof lambda.CfnFunction ? fn : undefined;
}
