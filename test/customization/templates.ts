/**
 * The templates the Customization tests read, from the shared syntheses of
 * the two compliance configurations with modelCustomization on (no construct
 * tree is built for them), and the helpers that find resources in them.
 */
import { stackNames } from '../../lib/shared/names';
import { sharedSynthesis } from '../support/build-app';
import { matrixConfiguration } from '../support/gate-matrix';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Resource = { Type: string; Properties: Record<string, Json>; DeletionPolicy?: string };
export type Template = { Resources: Record<string, Resource>; Outputs?: Record<string, { Value: Json }> };
export type Statement = Record<string, Json>;

export const CUSTOMIZATION = matrixConfiguration('guarded agent and model customization');
/** Customization through an inference profile, in the isolated network, in a throwaway sandbox. */
export const ISOLATED = matrixConfiguration(
  'isolated network in a throwaway sandbox, with the agent and model customization through an inference profile',
);

/** Every configuration here keeps the default app name. */
export const names = stackNames('GuardedGenAi');
export const BASE_MODEL = 'amazon.nova-micro-v1:0:128k';

/** A configuration's templates, from its shared synthesis: no construct tree is built for these tests. */
export function templates(overrides: Readonly<Record<string, unknown>>) {
  const { assembly } = sharedSynthesis(overrides);
  const read = (name: string) => assembly.getStackByName(name).template as Template;
  return {
    assembly,
    customization: read(names.customization),
    dataProtection: read(names.dataProtection),
    guardedInvoke: read(names.guardedInvoke),
  };
}
export const ofType = (t: Template, type: string) => Object.entries(t.Resources).filter(([, r]) => r.Type === type);
export const only = (t: Template, type: string): [string, Resource] => {
  const found = ofType(t, type);
  expect(found).toHaveLength(1);
  return found[0];
};
/** `<bucket ARN>/<key>` as the template writes it. */
export const objectsOf = (bucketId: string, key: string) => ({
  'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, `/${key}`]],
});
export const projectKeyImport = {
  'Fn::ImportValue': expect.stringMatching(/^GuardedGenAi-DataProtection:.*ProjectKey/),
};

/** The data bucket's logical id and its bucket policy's statements. */
export function dataBucketPolicy(t: Template): { bucketId: string; statements: Statement[] } {
  const [bucketId] = ofType(t, 'AWS::S3::Bucket').find(([id]) => id.startsWith('DataBucket')) ?? [''];
  const [, policy] = ofType(t, 'AWS::S3::BucketPolicy').find(
    ([, p]) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: bucketId }),
  ) ?? ['', undefined];
  return { bucketId, statements: (policy?.Properties.PolicyDocument as { Statement: Statement[] }).Statement };
}
