import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { SecureBucket, SecureBucketProps } from '../../lib/data-protection/secure-bucket';
import { CDK_JSON_CONTEXT, testApp } from '../support/build-app';

function setup(context: Record<string, unknown> = CDK_JSON_CONTEXT) {
  const stack = new Stack(testApp({ context }), 'Test', { env: { account: '111111111111', region: 'eu-west-1' } });
  const key = new kms.Key(stack, 'Key');
  const logs = new SecureBucket(stack, 'Logs', {
    encryption: { kind: 's3-managed', reason: 'log target' },
    accessLogsOmittedReason: 'log bucket',
    objectLockOmittedReason: 'log target',
    noncurrentVersionRetention: Duration.days(1),
  });
  const props: SecureBucketProps = {
    encryption: { kind: 'kms', key },
    serverAccessLogs: { bucket: logs.bucket, prefix: 'x/' },
    objectLockOmittedReason: 'test',
    noncurrentVersionRetention: Duration.days(1),
  };
  return { stack, key, logs, props };
}

describe('SecureBucket', () => {
  test('log delivery by ACL (feature flag off) => construction fails with the flag to set', () => {
    // The log bucket itself has no access logs, so setup() still succeeds.
    const { stack, props } = setup({ ...CDK_JSON_CONTEXT, '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': false });
    expect(() => new SecureBucket(stack, 'B', props)).toThrow(/serverAccessLogsUseBucketPolicy/);
  });

  test('no access logs without a stated reason => construction fails', () => {
    const { stack, props } = setup();
    expect(() => new SecureBucket(stack, 'B', { ...props, serverAccessLogs: undefined })).toThrow(
      /give serverAccessLogs, or accessLogsOmittedReason/,
    );
  });

  test('no object lock without a stated reason => construction fails', () => {
    const { stack, props } = setup();
    expect(() => new SecureBucket(stack, 'B', { ...props, objectLockOmittedReason: undefined })).toThrow(
      /give objectLockRetention, or objectLockOmittedReason/,
    );
  });

  test('object lock with DESTROY => construction fails', () => {
    const { stack, props } = setup();
    expect(
      () =>
        new SecureBucket(stack, 'B', {
          ...props,
          objectLockRetention: Duration.days(1),
          removalPolicy: RemovalPolicy.DESTROY,
        }),
    ).toThrow(/Object Lock keeps versions/);
  });

  test('the s3-managed variant gets no KMS deny statements (there is no key to insist on)', () => {
    const { stack, logs } = setup();
    expect(logs.encryptionKey).toBeUndefined();
    const statements = JSON.stringify(Template.fromStack(stack).findResources('AWS::S3::BucketPolicy'));
    expect(statements.match(/DenyOtherKmsKeys/g)).toBeNull();
  });

  test.each(['', 'records', '/records/', 'records/*', 'a//b/', '*'])('prefix %j is refused', (prefix) => {
    const { stack, props } = setup();
    const bucket = new SecureBucket(stack, 'B', props);
    expect(() => bucket.prefixWriteStatements(prefix)).toThrow(/plain key prefix ending in "\/"/);
  });

  test('grantPrefixWrite => PutObject on the prefix only, and the key only through S3 for this bucket', () => {
    const { stack, props, key } = setup();
    const bucket = new SecureBucket(stack, 'B', props);
    const role = new iam.Role(stack, 'Writer', { assumedBy: new iam.AccountRootPrincipal() });
    bucket.grantPrefixWrite(role, 'audit/2026/');
    const template = Template.fromStack(stack);
    const bucketArn = { 'Fn::GetAtt': [stack.getLogicalId(bucket.bucket.node.defaultChild as never), 'Arn'] };
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          { Effect: 'Allow', Action: 's3:PutObject', Resource: { 'Fn::Join': ['', [bucketArn, '/audit/2026/*']] } },
          {
            Effect: 'Allow',
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
            Resource: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as never), 'Arn'] },
            Condition: {
              StringEquals: {
                'kms:ViaService': 's3.eu-west-1.amazonaws.com',
                'kms:EncryptionContext:aws:s3:arn': bucketArn,
              },
            },
          },
        ],
      },
    });
    // Nothing was added to the bucket policy for the grantee.
    expect(JSON.stringify(template.findResources('AWS::S3::BucketPolicy'))).not.toContain('Writer');
    template.resourcePropertiesCountIs('AWS::IAM::Policy', { PolicyDocument: Match.anyValue() }, 1);
  });
});
