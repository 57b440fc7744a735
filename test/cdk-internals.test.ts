import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cr from 'aws-cdk-lib/custom-resources';
import { autoDeleteObjectsProvider, awsCustomResourceProvider, flattenCfnReference } from '../lib/cdk-internals';
import { testApp } from './support/build-app';

/**
 * The project hardens and acknowledges CDK-owned constructs it can only find
 * by CDK's private ids, and names cdk-nag findings with cdk-nag's private
 * helper. If an upgrade moves one of them, these fail instead of the
 * hardening silently not happening.
 */
describe('CDK and cdk-nag internals the project relies on', () => {
  test('the bucket-emptying provider of autoDeleteObjects is found, with its role and function', () => {
    const stack = new Stack(testApp(), 'S');
    expect(autoDeleteObjectsProvider(stack)).toBeUndefined();
    new s3.Bucket(stack, 'B', { removalPolicy: RemovalPolicy.DESTROY, autoDeleteObjects: true });
    const found = autoDeleteObjectsProvider(stack);
    expect(found?.role.cfnResourceType).toBe('AWS::IAM::Role');
    expect(found?.handler.cfnResourceType).toBe('AWS::Lambda::Function');
  });

  test('the function behind AwsCustomResource is found', () => {
    const stack = new Stack(testApp(), 'S');
    expect(awsCustomResourceProvider(stack)).toBeUndefined();
    new cr.AwsCustomResource(stack, 'C', {
      onCreate: { service: 'IAM', action: 'listRoles', physicalResourceId: cr.PhysicalResourceId.of('x') },
      role: new iam.Role(stack, 'R', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }),
      timeout: Duration.minutes(1),
      installLatestAwsSdk: false,
    });
    expect(awsCustomResourceProvider(stack)?.cfnResourceType).toBe('AWS::Lambda::Function');
  });

  test("cdk-nag's flattening names a resource as its findings do", () => {
    expect(flattenCfnReference({ 'Fn::GetAtt': ['Bucket83908E77', 'Arn'] })).toBe('<Bucket83908E77.Arn>');
    expect(flattenCfnReference({ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['B', 'Arn'] }, '/records/*']] })).toBe(
      '<B.Arn>/records/*',
    );
  });
});
