import {
  account,
  approval,
  approved,
  approver,
  baseModel,
  bucketArn,
  decide,
  expectDecision,
  guardrailKeyArn,
  intake,
  job,
  jobArn,
  jobRoleArn,
  keyArn,
  manifest,
  object,
  OTHER_ACCOUNT,
  otherBucket,
  otherGuardrail,
  output,
  projectGuardrailArn,
  region,
  sseKms,
  throughBedrock,
  grantThroughBedrock,
  throughS3,
  trainingGuardrailArn,
  world,
} from './principals';

/**
 * Proofs, against the synthesized policies, that each role of the
 * Customization stack can do its one job: the approval function reads what
 * was dropped under training/intake/ and writes only training/approved/; a
 * customization job's role reads only approved data and writes only its
 * output; and the project key lets Bedrock itself work on a Nova custom
 * model only in that model's encryption context. The operator policy and
 * the bucket's sole writers: operator-policy.spec.ts.
 */
describe('the approval function role', () => {
  test('it reads the uploaded version and its scan tag under training/intake/ only', async () => {
    for (const action of ['s3:GetObjectVersion', 's3:GetObjectVersionTagging']) {
      await expectDecision(decide(approver, action, intake), 'Allowed');
      for (const elsewhere of [object('records/2026/12/07/r.json'), object('knowledge/handbook.md'), output]) {
        await expectDecision(decide(approver, action, elsewhere), 'ImplicitlyDenied');
      }
    }
    // The current version of an intake object (no version id), tags it sets, deletes: none of them.
    for (const action of ['s3:GetObject', 's3:PutObjectVersionTagging', 's3:DeleteObject', 's3:DeleteObjectVersion']) {
      await expectDecision(decide(approver, action, intake), 'ImplicitlyDenied');
    }
  });

  test('it writes training/approved/ only: not the job output, not the drop zone', async () => {
    await expectDecision(decide(approver, 's3:PutObject', approved, sseKms), 'Allowed');
    await expectDecision(decide(approver, 's3:PutObject', manifest, sseKms), 'Allowed');
    await expectDecision(decide(approver, 's3:GetObject', manifest), 'Allowed');
    // training/output/ is the job role's alone: the bucket refuses even before IAM.
    await expectDecision(decide(approver, 's3:PutObject', output, sseKms), 'ExplicitlyDenied');
    await expectDecision(decide(approver, 's3:PutObject', intake, sseKms), 'ImplicitlyDenied');
    await expectDecision(decide(approver, 's3:PutObject', object('knowledge/handbook.md'), sseKms), 'ExplicitlyDenied');
  });

  test('it lists only the training prefixes it works in', async () => {
    const list = (prefix?: string) =>
      decide(approver, 's3:ListBucket', bucketArn, prefix === undefined ? {} : { 's3:prefix': prefix });
    await expectDecision(list('training/intake/support-faq/'), 'Allowed');
    await expectDecision(list('training/approved/support-faq/'), 'Allowed');
    await expectDecision(list('training/output/'), 'ImplicitlyDenied');
    await expectDecision(list('records/'), 'ImplicitlyDenied');
    await expectDecision(list(''), 'ImplicitlyDenied');
    await expectDecision(list(), 'ImplicitlyDenied');
  });

  test('it uses the project key only through S3 for this bucket, never directly and not through Bedrock', async () => {
    for (const action of ['kms:Decrypt', 'kms:GenerateDataKey']) {
      await expectDecision(throughS3(approver, action, bucketArn), 'Allowed');
      await expectDecision(throughS3(approver, action, otherBucket), 'ImplicitlyDenied');
      await expectDecision(decide(approver, action, keyArn), 'ImplicitlyDenied');
      await expectDecision(throughBedrock(approver, action), 'ImplicitlyDenied');
    }
    // An upload stored without an S3 Bucket Key names the object: readable under intake/ only.
    await expectDecision(throughS3(approver, 'kms:Decrypt', intake), 'Allowed');
    await expectDecision(throughS3(approver, 'kms:Decrypt', object('records/2026/12/07/r.json')), 'ImplicitlyDenied');
  });

  test('it screens text with its own guardrail only, decrypting it with the guardrail key', async () => {
    await expectDecision(decide(approver, 'bedrock:ApplyGuardrail', trainingGuardrailArn), 'Allowed');
    await expectDecision(decide(approver, 'bedrock:ApplyGuardrail', projectGuardrailArn), 'ImplicitlyDenied');
    await expectDecision(decide(approver, 'bedrock:ApplyGuardrail', otherGuardrail), 'ImplicitlyDenied');
    await expectDecision(decide(approver, 'kms:Decrypt', guardrailKeyArn), 'Allowed');
    await expectDecision(decide(approver, 'kms:GenerateDataKey', guardrailKeyArn), 'ImplicitlyDenied');
    // It never calls a model, and starts no job.
    await expectDecision(decide(approver, 'bedrock:InvokeModel', baseModel), 'ImplicitlyDenied');
    await expectDecision(decide(approver, 'bedrock:CreateModelCustomizationJob', baseModel), 'ImplicitlyDenied');
  });

  test('Lambda may assume it, Bedrock may not', async () => {
    const roleArn = world.arnOf(approval.role);
    await expectDecision(
      world.serviceRequest('lambda-assumes-execution-role', { action: 'sts:AssumeRole', resource: roleArn }),
      'Allowed',
    );
    await expectDecision(
      world.serviceRequest('bedrock-assumes-customization-job-role', {
        action: 'sts:AssumeRole',
        resource: roleArn,
        source: jobArn(),
      }),
      'ImplicitlyDenied',
    );
  });
});

describe('the customization job role', () => {
  test('Bedrock may assume it for customization jobs of this account and region only', async () => {
    const assume = (source: string) =>
      world.serviceRequest('bedrock-assumes-customization-job-role', {
        action: 'sts:AssumeRole',
        resource: jobRoleArn,
        source,
      });
    await expectDecision(assume(jobArn()), 'Allowed');
    await expectDecision(assume(jobArn(OTHER_ACCOUNT)), 'ImplicitlyDenied');
    await expectDecision(assume(jobArn(account, 'us-east-1')), 'ImplicitlyDenied');
    await expectDecision(
      assume(`arn:aws:bedrock:${region}:${account}:evaluation-job/abcdefghijkl`),
      'ImplicitlyDenied',
    );
    // Lambda may not.
    await expectDecision(
      world.serviceRequest('lambda-assumes-execution-role', { action: 'sts:AssumeRole', resource: jobRoleArn }),
      'ImplicitlyDenied',
    );
  });

  test('it reads approved training data only', async () => {
    await expectDecision(decide(job, 's3:GetObject', approved), 'Allowed');
    for (const elsewhere of [intake, object('records/2026/12/07/r.json'), object('knowledge/handbook.md')]) {
      await expectDecision(decide(job, 's3:GetObject', elsewhere), 'ImplicitlyDenied');
    }
    await expectDecision(decide(job, 's3:ListBucket', bucketArn, { 's3:prefix': 'training/approved/' }), 'Allowed');
    await expectDecision(
      decide(job, 's3:ListBucket', bucketArn, { 's3:prefix': 'training/intake/' }),
      'ImplicitlyDenied',
    );
  });

  test("it writes training/output/ only: approved data stays the approver's", async () => {
    await expectDecision(decide(job, 's3:PutObject', output), 'Allowed');
    await expectDecision(decide(job, 's3:PutObject', approved), 'ExplicitlyDenied');
    await expectDecision(decide(job, 's3:PutObject', intake), 'ImplicitlyDenied');
    await expectDecision(decide(job, 's3:DeleteObject', approved), 'ImplicitlyDenied');
  });

  test('it uses the project key through Bedrock for the custom model and through S3 for this bucket; never directly', async () => {
    for (const action of ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey']) {
      await expectDecision(throughBedrock(job, action), 'Allowed');
    }
    for (const action of ['kms:Decrypt', 'kms:GenerateDataKey']) {
      await expectDecision(throughS3(job, action, bucketArn), 'Allowed');
      await expectDecision(throughS3(job, action, otherBucket), 'ImplicitlyDenied');
    }
    for (const action of ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey', 'kms:Encrypt']) {
      await expectDecision(decide(job, action, keyArn), 'ImplicitlyDenied');
    }
  });

  test('Bedrock may create the custom model grant with its credentials; the role may hand out no grant itself', async () => {
    await expectDecision(grantThroughBedrock(job), 'Allowed');
    // Directly, the key policy's grant fence and the missing kms:ViaService both refuse it.
    await expectDecision(decide(job, 'kms:CreateGrant', keyArn), 'ExplicitlyDenied');
  });

  test('outside the isolated network it may create no network interface', async () => {
    const eni = `arn:aws:ec2:${region}:${account}:network-interface/eni-0123456789abcdef0`;
    await expectDecision(decide(job, 'ec2:CreateNetworkInterface', eni), 'ImplicitlyDenied');
  });
});

describe('the project key for Nova custom models', () => {
  test("Bedrock may use it with the custom model's encryption context", async () => {
    for (const action of ['kms:Decrypt', 'kms:GenerateDataKey']) {
      await expectDecision(
        world.serviceRequest('bedrock-uses-key-for-nova-custom-model', { action, resource: keyArn }),
        'Allowed',
      );
    }
  });

  test('Bedrock without that context is denied (a request of another account it would encrypt logs for)', async () => {
    // The same principal and action, with no kms:EncryptionContextKeys naming
    // a custom model: only the Nova statement could allow it, and it does not.
    await expectDecision(
      world.serviceRequest('bedrock-encrypts-invocation-logs', {
        action: 'kms:GenerateDataKey',
        resource: keyArn,
        source: `arn:aws:bedrock:${region}:${OTHER_ACCOUNT}:inference-profile/eu.amazon.nova-micro-v1:0`,
      }),
      'ImplicitlyDenied',
    );
  });
});
