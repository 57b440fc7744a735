import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { RECORDS_PREFIX } from '../../lib/shared/data-layout';
import { buildApp, TEST_ENV } from '../support/build-app';
import { administrator, type Caller, Decision, PolicyWorld } from '../support/iam-harness';
import { assignedId, generatedName } from '../support/physical-names';

/**
 * Proofs, against the synthesized policies, that the data bucket and its key
 * refuse every unsafe request. A consumer stack holds a role granted one prefix
 * the way later stacks (the invoke function's audit writer) will be.
 */
// Built, not synthesized from the cache: the test adds a consumer stack first,
// and keeps the gate on so that the consumer must pass it too.
const { app, stacks } = buildApp({}, { gate: true });
const consumer = new Stack(app, 'TestConsumer', { env: TEST_ENV });
const writer = new iam.Role(consumer, 'RecordsWriter', { assumedBy: new iam.AccountRootPrincipal() });
const writerPolicy = new iam.ManagedPolicy(consumer, 'RecordsWriterPolicy', {
  roles: [writer],
  statements: stacks.dataProtection.dataBucket.prefixWriteStatements(RECORDS_PREFIX),
});
Validations.of(writerPolicy).acknowledge({
  id: 'AwsSolutions-IAM5[Resource::GuardedGenAi-DataProtection:ExportsOutputFnGetAttDataBucketE6B0FAA8Arn3FF3A9FF/records/*]',
  reason: 'Test-only role. The wildcard is the object-key suffix under the one prefix it may write.',
});

const world = new PolicyWorld(app.synth(), TEST_ENV);
const bucketArn = world.arnOf(stacks.dataProtection.dataBucket.bucket);
const keyArn = world.arnOf(stacks.dataProtection.key);
const record = `${bucketArn}/records/2026/11/29/request.json`;
/** S3 calling KMS with `caller`'s credentials, for the bucket `bucket` (of `region`). */
const throughS3 = (caller: Caller, action: string, bucket = bucketArn, region?: string) =>
  world.serviceRequest('s3-uses-key-for-caller', { caller, action, resource: keyArn, source: bucket, region });
/** A bucket of another stack of this account, named the way CloudFormation would. */
const otherBucketArn = `arn:aws:s3:::${generatedName('Uploads', 'UploadsBucket4C1D2E3F', 'AWS::S3::Bucket')}`;

const admin = administrator(TEST_ENV.account);
const outsider = administrator('222222222222');

async function expectDecision(promise: Promise<Decision>, expected: Decision) {
  await expect(promise).resolves.toBe(expected);
}

describe('data bucket refuses unsafe requests, whoever asks', () => {
  /** An administrator uploads a record with this request context. */
  const adminUpload = (context: Record<string, string> = {}) =>
    world.decide({ caller: admin, action: 's3:PutObject', resource: record, context });
  const sseKms = (key: string) => ({
    's3:x-amz-server-side-encryption': 'aws:kms',
    's3:x-amz-server-side-encryption-aws-kms-key-id': key,
  });

  test('a well-formed HTTPS upload by an administrator is allowed (the baseline the denials below differ from)', async () => {
    await expectDecision(adminUpload(), 'Allowed');
  });

  test('a request without TLS is denied', async () => {
    await expectDecision(
      world.decide({
        caller: admin,
        action: 's3:GetObject',
        resource: record,
        context: { 'aws:SecureTransport': 'false' },
      }),
      'ExplicitlyDenied',
    );
  });

  test('TLS 1.1 is denied and TLS 1.2 is allowed', async () => {
    await expectDecision(adminUpload({ 's3:TlsVersion': '1.1' }), 'ExplicitlyDenied');
    await expectDecision(adminUpload({ 's3:TlsVersion': '1.2' }), 'Allowed');
  });

  test('an upload asking for SSE-S3 is denied', async () => {
    await expectDecision(adminUpload({ 's3:x-amz-server-side-encryption': 'AES256' }), 'ExplicitlyDenied');
  });

  test('an upload asking for another KMS key is denied, one naming the project key is allowed', async () => {
    const otherKey = `arn:aws:kms:${TEST_ENV.region}:${TEST_ENV.account}:key/${assignedId('kms-key', 'other')}`;
    await expectDecision(adminUpload(sseKms(otherKey)), 'ExplicitlyDenied');
    await expectDecision(adminUpload(sseKms(keyArn)), 'Allowed');
  });

  test('an upload with a customer-provided key (SSE-C) is denied', async () => {
    await expectDecision(
      adminUpload({ 's3:x-amz-server-side-encryption-customer-algorithm': 'AES256' }),
      'ExplicitlyDenied',
    );
  });

  test('another account is denied even with an identity policy that allows everything', async () => {
    for (const action of ['s3:GetObject', 's3:PutObject']) {
      await expect(world.decide({ caller: outsider, action, resource: record })).resolves.not.toBe('Allowed');
    }
    await expect(world.decide({ caller: outsider, action: 's3:ListBucket', resource: bucketArn })).resolves.not.toBe(
      'Allowed',
    );
    await expect(throughS3(outsider, 'kms:Decrypt')).resolves.not.toBe('Allowed');
  });

  test('an anonymous request is denied', async () => {
    await expect(world.decide({ caller: 'anonymous', action: 's3:GetObject', resource: record })).resolves.not.toBe(
      'Allowed',
    );
    await expect(world.decide({ caller: 'anonymous', action: 's3:ListBucket', resource: bucketArn })).resolves.not.toBe(
      'Allowed',
    );
  });
});

describe('a role granted one prefix writes there and nowhere else', () => {
  const caller = { role: writer };

  test('it can write under its prefix', async () => {
    await expectDecision(world.decide({ caller, action: 's3:PutObject', resource: record }), 'Allowed');
  });

  test('it cannot write elsewhere, read or list', async () => {
    await expectDecision(
      world.decide({ caller, action: 's3:PutObject', resource: `${bucketArn}/other/x.json` }),
      'ImplicitlyDenied',
    );
    await expectDecision(
      world.decide({ caller, action: 's3:PutObject', resource: `${bucketArn}/recordsx/x.json` }),
      'ImplicitlyDenied',
    );
    await expectDecision(world.decide({ caller, action: 's3:GetObject', resource: record }), 'ImplicitlyDenied');
    await expectDecision(world.decide({ caller, action: 's3:DeleteObject', resource: record }), 'ImplicitlyDenied');
    await expectDecision(world.decide({ caller, action: 's3:ListBucket', resource: bucketArn }), 'ImplicitlyDenied');
  });

  /** The writer calls KMS on the project key itself. */
  const useKey = (action: string) => world.decide({ caller, action, resource: keyArn });

  test('it can use the key through S3 in this region for this bucket', async () => {
    await expectDecision(throughS3(caller, 'kms:GenerateDataKey'), 'Allowed');
    await expectDecision(throughS3(caller, 'kms:Decrypt'), 'Allowed');
  });

  test('it cannot use the key directly, through S3 in another region, or for another bucket', async () => {
    await expectDecision(useKey('kms:GenerateDataKey'), 'ImplicitlyDenied');
    await expectDecision(useKey('kms:Decrypt'), 'ImplicitlyDenied');
    await expectDecision(throughS3(caller, 'kms:Decrypt', bucketArn, 'us-east-1'), 'ImplicitlyDenied');
    await expectDecision(throughS3(caller, 'kms:GenerateDataKey', otherBucketArn), 'ImplicitlyDenied');
    // S3 never asks KMS to Encrypt for an object: a direct call, which the policy does not allow.
    await expectDecision(useKey('kms:Encrypt'), 'ImplicitlyDenied');
    await expectDecision(useKey('kms:CreateGrant'), 'ExplicitlyDenied');
  });
});
