import { Match, Template } from 'aws-cdk-lib/assertions';
import { synthesize } from '../support/build-app';

/** The data stack's template in a configuration (the whole app, synthesized once per configuration). */
function synthDataStack(overrides: Record<string, unknown> = {}): Template {
  const { assembly, stacks } = synthesize(overrides);
  return Template.fromJSON(assembly.getStackByName(stacks.dataProtection.stackName).template);
}

const template = synthDataStack();
const sandbox = synthDataStack({ removalPolicy: 'destroy' });
const locked = synthDataStack({ objectLock: true, objectLockRetentionDays: 14, recordsRetentionDays: 30 });

const KEY = 'ProjectKey99EBDA78';
const DATA = 'DataBucketE6B0FAA8';
const LOGS = 'AccessLogsBucketCD784A59';

/** Settings both buckets share: never public, ACLs off, versioned. */
const HARDENED = {
  PublicAccessBlockConfiguration: {
    BlockPublicAcls: true,
    BlockPublicPolicy: true,
    IgnorePublicAcls: true,
    RestrictPublicBuckets: true,
  },
  OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
  VersioningConfiguration: { Status: 'Enabled' },
};

function bucket(t: Template, logicalId: string) {
  return t.toJSON().Resources[logicalId];
}
function bucketPolicyStatements(t: Template, logicalId: string): Record<string, unknown>[] {
  const policies = t.findResources('AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: logicalId } } });
  const [policy] = Object.values(policies);
  return policy.Properties.PolicyDocument.Statement;
}

describe('DataProtectionStack', () => {
  test('normalized snapshot', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });

  describe('the project key', () => {
    test('is customer-managed with yearly rotation and an alias derived from the stack name', () => {
      template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
      template.hasResourceProperties('AWS::KMS::Alias', {
        AliasName: 'alias/GuardedGenAi-DataProtection/data',
        TargetKeyId: { 'Fn::GetAtt': [KEY, 'Arn'] },
      });
    });

    test('key policy: no principal "*" without conditions; CloudWatch Logs only for this project\'s log groups', () => {
      const statements: { Effect: string; Principal: unknown; Condition?: unknown; Action: unknown }[] = bucket(
        template,
        KEY,
      ).Properties.KeyPolicy.Statement;
      for (const s of statements.filter(
        (st) => JSON.stringify(st.Principal) === '{"AWS":"*"}' || st.Principal === '*',
      )) {
        expect(s.Condition).toBeDefined();
      }
      const services = statements.filter((st) => JSON.stringify(st.Principal).includes('"Service"'));
      // Every service principal is narrowed by conditions; those of the
      // threat-detection services are proven in test/threat-detection/.
      for (const s of services) expect(s.Condition).toBeDefined();
      expect(services.map((st) => (st.Principal as { Service: string }).Service)).toEqual([
        'logs.eu-west-1.amazonaws.com',
        // The alert path (EventBridge, CloudWatch alarms, SNS dead letters into
        // the alert topic and queue) and the promotion queues EventBridge fills
        // are on the alert key, not here: AWS documents those statements
        // without a condition.
        'cloudtrail.amazonaws.com',
        'cloudtrail.amazonaws.com',
        // The knowledge base (on by default), proven in test/knowledge/.
        'indexing.s3vectors.amazonaws.com',
        // Bedrock's model-invocation logs (operations stack), proven in test/operations/.
        'bedrock.amazonaws.com',
      ]);
      expect(services[0]).toEqual(
        expect.objectContaining({
          Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
          // No kms:DescribeKey: it carries no encryption context, so the condition could never allow it.
          Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
          Condition: {
            ArnLike: {
              'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:eu-west-1:111111111111:log-group:GuardedGenAi-*',
            },
          },
        }),
      );
    });

    test('grants can only be created for AWS resources (CT.KMS.PR.3)', () => {
      template.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'kms:CreateGrant',
              Principal: { AWS: '*' },
              Condition: {
                BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' },
              },
            }),
          ]),
        },
      });
    });

    test('retain by default => key retained; sandbox => deleted after the 7-day window', () => {
      template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      sandbox.hasResource('AWS::KMS::Key', {
        DeletionPolicy: 'Delete',
        Properties: Match.objectLike({ PendingWindowInDays: 7 }),
      });
    });
  });

  describe('the data bucket', () => {
    test('SSE-KMS with the project key and S3 Bucket Keys', () => {
      expect(bucket(template, DATA).Properties.BucketEncryption).toEqual({
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [KEY, 'Arn'] } },
          },
        ],
      });
    });

    test('all four Block Public Access settings, ACLs disabled, versioning on', () => {
      expect(bucket(template, DATA).Properties).toMatchObject(HARDENED);
    });

    test('lifecycle: abort multipart uploads, expire noncurrent versions, expire the records prefix from config', () => {
      expect(bucket(locked, DATA).Properties.LifecycleConfiguration.Rules).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 }, Status: 'Enabled' }),
          expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 30 }, Status: 'Enabled' }),
          expect.objectContaining({ Prefix: 'records/', ExpirationInDays: 30, Status: 'Enabled' }),
        ]),
      );
    });

    test('server access logs go to the log bucket; EventBridge notifications on without a custom resource', () => {
      expect(bucket(template, DATA).Properties).toMatchObject({
        LoggingConfiguration: { DestinationBucketName: { Ref: LOGS }, LogFilePrefix: 'data-bucket/' },
        NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
      });
      template.resourceCountIs('Custom::S3BucketNotifications', 0);
      template.resourceCountIs('AWS::Lambda::Function', 0);
    });

    test('TLS required and TLS older than 1.2 refused, for every principal', () => {
      const statements = bucketPolicyStatements(template, DATA);
      expect(statements).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          expect.objectContaining({
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 's3:*',
            Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
          }),
        ]),
      );
    });

    test('uploads asking for another encryption type, another key or SSE-C are refused', () => {
      const bySid = Object.fromEntries(bucketPolicyStatements(template, DATA).map((s) => [s.Sid, s]));
      expect(bySid.DenyOtherEncryptionTypes).toMatchObject({
        Effect: 'Deny',
        Action: 's3:PutObject',
        Condition: {
          StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' },
          Null: { 's3:x-amz-server-side-encryption': 'false' },
        },
      });
      expect(bySid.DenyOtherKmsKeys).toMatchObject({
        Effect: 'Deny',
        Condition: {
          StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': { 'Fn::GetAtt': [KEY, 'Arn'] } },
        },
      });
      expect(bySid.DenyCustomerProvidedKeys).toMatchObject({
        Effect: 'Deny',
        Condition: { Null: { 's3:x-amz-server-side-encryption-customer-algorithm': 'false' } },
      });
    });

    test('object lock off by default; on => governance mode with retention from config', () => {
      expect(bucket(template, DATA).Properties.ObjectLockEnabled).toBe(false);
      expect(bucket(locked, DATA).Properties).toMatchObject({
        ObjectLockEnabled: true,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 14 } },
        },
      });
    });

    test('retain by default => bucket retained, no auto-delete; sandbox => emptied and deleted', () => {
      expect(bucket(template, DATA)).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
      expect(bucket(sandbox, DATA)).toMatchObject({ DeletionPolicy: 'Delete' });
      sandbox.hasResourceProperties('Custom::S3AutoDeleteObjects', { BucketName: { Ref: DATA } });
      sandbox.hasResourceProperties('Custom::S3AutoDeleteObjects', { BucketName: { Ref: LOGS } });
    });

    test('sandbox => the auto-delete provider role has no AWS managed policy, only its own log group', () => {
      // The function is named explicitly: a generated name would cut the
      // stack name short, and the log permission could not name its group.
      sandbox.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: 'GuardedGenAi-DataProtection-EmptyBuckets',
      });
      const roles = Object.values(sandbox.findResources('AWS::IAM::Role'));
      expect(roles).toHaveLength(1);
      expect(roles[0].Properties.ManagedPolicyArns).toBeUndefined();
      expect(roles[0].Properties.Policies).toEqual([
        {
          PolicyName: 'WriteOwnLogs',
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
                Resource: [
                  'arn:aws:logs:eu-west-1:111111111111:log-group:/aws/lambda/GuardedGenAi-DataProtection-EmptyBuckets',
                  'arn:aws:logs:eu-west-1:111111111111:log-group:/aws/lambda/GuardedGenAi-DataProtection-EmptyBuckets:log-stream:*',
                ],
              },
            ],
          },
        },
      ]);
    });

    test('the longest app name still gives a function name Lambda accepts, and the log permission names its group', () => {
      const longest = synthDataStack({ appName: 'A'.repeat(25), removalPolicy: 'destroy' });
      const [fn] = Object.values(longest.findResources('AWS::Lambda::Function'));
      const name = fn.Properties.FunctionName as string;
      expect(name.length).toBeLessThanOrEqual(64);
      const [role] = Object.values(longest.findResources('AWS::IAM::Role'));
      expect(role.Properties.Policies[0].PolicyDocument.Statement[0].Resource[0]).toMatch(
        new RegExp(`:log-group:/aws/lambda/${name}$`),
      );
    });

    test('no hard-coded bucket names', () => {
      for (const t of [template, sandbox, locked]) {
        for (const b of Object.values(t.findResources('AWS::S3::Bucket'))) {
          expect(b.Properties.BucketName).toBeUndefined();
        }
      }
    });
  });

  describe('the access-log bucket', () => {
    test('SSE-S3 (server access logging cannot target SSE-KMS), otherwise hardened like the data bucket', () => {
      expect(bucket(template, LOGS).Properties).toMatchObject({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        ...HARDENED,
      });
      expect(bucket(template, LOGS).Properties.LoggingConfiguration).toBeUndefined();
      expect(bucketPolicyStatements(template, LOGS)).toEqual(
        expect.arrayContaining([expect.objectContaining({ Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      );
    });

    test('only the S3 logging service may write, and only for the data bucket of this account', () => {
      expect(bucketPolicyStatements(template, LOGS)).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Effect: 'Allow',
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Action: 's3:PutObject',
            Condition: {
              ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [DATA, 'Arn'] } },
              StringEquals: { 'aws:SourceAccount': '111111111111' },
            },
          }),
        ]),
      );
    });

    test('logs expire after the configured retention', () => {
      expect(bucket(template, LOGS).Properties.LifecycleConfiguration.Rules).toEqual(
        expect.arrayContaining([expect.objectContaining({ ExpirationInDays: 365, Status: 'Enabled' })]),
      );
      expect(bucket(template, LOGS).Properties.ObjectLockEnabled).toBe(false);
    });
  });
});
