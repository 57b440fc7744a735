import * as path from 'node:path';
import type { CfnElement, Stack } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { IConstruct } from 'constructs';

/**
 * The ESM bundle esbuild produced for one function of the app: its asset
 * folder is named after the S3 key of the function's code. Used by the bench
 * and by the tests that run the synthesized bundle.
 */
export function functionBundle(assembly: CloudAssembly, stack: Stack, fn: IConstruct): string {
  const template = assembly.getStackByName(stack.stackName).template as {
    Resources: Record<string, { Properties: { Code?: { S3Key?: unknown } } }>;
  };
  const logicalId = stack.getLogicalId(fn.node.defaultChild as CfnElement);
  const key = template.Resources[logicalId]?.Properties.Code?.S3Key;
  if (typeof key !== 'string') throw new Error(`${fn.node.path} has no bundled code in ${stack.stackName}`);
  return path.join(assembly.directory, `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs');
}
