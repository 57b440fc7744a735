import { administrator, type Caller } from '../support/iam-harness';
import {
  account,
  approval,
  approvalFunctionArn,
  approved,
  approver,
  baseModel,
  bucketArn,
  comparison,
  decide,
  expectDecision,
  intake,
  job,
  jobArn,
  jobRoleArn,
  keyArn,
  manifest,
  object,
  operator,
  OTHER_ACCOUNT,
  otherBucket,
  output,
  region,
  sseKms,
  stacks,
  throughBedrock,
  grantThroughBedrock,
  throughS3,
  world,
} from './principals';

/**
 * Proofs that the people who fine-tune (the operator policy) drop data and
 * comparisons, start jobs on the base model with the job role only and call
 * the approval function, and that the data bucket refuses them, and anyone
 * else but the sole writers, under training/approved/ and training/output/.
 */
describe('the operator policy', () => {
  test('it drops training data under training/intake/, red-team runs and comparisons under evaluations/', async () => {
    await expectDecision(decide(operator, 's3:PutObject', intake, sseKms), 'Allowed');
    await expectDecision(decide(operator, 's3:PutObject', comparison, sseKms), 'Allowed');
    await expectDecision(decide(operator, 's3:PutObject', object('evaluations/redteam/run-1.json'), sseKms), 'Allowed');
    await expectDecision(
      decide(operator, 's3:PutObject', object('evaluations/results/job/out.jsonl'), sseKms),
      'ExplicitlyDenied',
    );
    await expectDecision(decide(operator, 's3:GetObjectVersionTagging', intake), 'Allowed');
    await expectDecision(decide(operator, 's3:GetObject', manifest), 'Allowed');
    await expectDecision(decide(operator, 's3:PutObject', object('records/2026/12/07/r.json')), 'ImplicitlyDenied');
  });

  test('the bucket refuses it under training/approved/ and training/output/, whatever it is given', async () => {
    await expectDecision(decide(operator, 's3:PutObject', approved, sseKms), 'ExplicitlyDenied');
    await expectDecision(decide(operator, 's3:PutObject', manifest, sseKms), 'ExplicitlyDenied');
    await expectDecision(decide(operator, 's3:PutObject', output, sseKms), 'ExplicitlyDenied');
  });

  test('it uses the key through S3 for this bucket, and through Bedrock for custom models; never directly', async () => {
    await expectDecision(throughS3(operator, 'kms:GenerateDataKey', bucketArn), 'Allowed');
    await expectDecision(throughS3(operator, 'kms:GenerateDataKey', otherBucket), 'ImplicitlyDenied');
    await expectDecision(throughBedrock(operator, 'kms:Decrypt'), 'Allowed');
    await expectDecision(grantThroughBedrock(operator), 'Allowed');
    await expectDecision(decide(operator, 'kms:Decrypt', keyArn), 'ImplicitlyDenied');
    await expectDecision(decide(operator, 'kms:CreateGrant', keyArn), 'ExplicitlyDenied');
  });

  test('it passes the job role, and no other, to Bedrock only', async () => {
    const pass = (role: string, service: string) =>
      decide(operator, 'iam:PassRole', role, { 'iam:PassedToService': service });
    await expectDecision(pass(jobRoleArn, 'bedrock.amazonaws.com'), 'Allowed');
    await expectDecision(pass(jobRoleArn, 'lambda.amazonaws.com'), 'ImplicitlyDenied');
    for (const other of [
      world.arnOf(approval.role),
      world.arnOf(stacks.guardedInvoke.invoke.role),
      `arn:aws:iam::${account}:role/Admin`,
    ]) {
      await expectDecision(pass(other, 'bedrock.amazonaws.com'), 'ImplicitlyDenied');
    }
  });

  test('it fine-tunes the base model, not another foundation model', async () => {
    // Authorised on the foundation model and on the custom model it makes
    // (the Service Authorization Reference's resource types for the action).
    const create = (resource: string) => decide(operator, 'bedrock:CreateModelCustomizationJob', resource);
    const customModel = (inAccount: string) =>
      `arn:aws:bedrock:${region}:${inAccount}:custom-model/amazon.nova-micro-v1:0:128k/abcdefghijkl`;
    await expectDecision(create(baseModel), 'Allowed');
    await expectDecision(create(customModel(account)), 'Allowed');
    for (const other of ['amazon.nova-pro-v1:0:300k', 'amazon.nova-lite-v1:0:300k', 'amazon.nova-micro-v1:0']) {
      await expectDecision(create(`arn:aws:bedrock:${region}::foundation-model/${other}`), 'ImplicitlyDenied');
    }
    await expectDecision(
      create(`arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0:128k`),
      'ImplicitlyDenied',
    );
    await expectDecision(create(customModel(OTHER_ACCOUNT)), 'ImplicitlyDenied');
    for (const action of ['bedrock:GetModelCustomizationJob', 'bedrock:StopModelCustomizationJob']) {
      await expectDecision(decide(operator, action, jobArn()), 'Allowed');
      await expectDecision(decide(operator, action, jobArn(OTHER_ACCOUNT)), 'ImplicitlyDenied');
    }
  });

  test("it calls the approval function's URL, and no other function", async () => {
    const throughUrl = (resource: string) =>
      world.serviceRequest('lambda-url-invocation', { caller: operator, action: 'lambda:InvokeFunctionUrl', resource });
    await expectDecision(throughUrl(approvalFunctionArn), 'Allowed');
    await expectDecision(
      world.serviceRequest('lambda-url-invokes-function', {
        caller: operator,
        action: 'lambda:InvokeFunction',
        resource: approvalFunctionArn,
      }),
      'Allowed',
    );
    await expectDecision(decide(operator, 'lambda:InvokeFunction', approvalFunctionArn), 'ImplicitlyDenied');
    await expectDecision(throughUrl(world.arnOf(stacks.guardedInvoke.invoke.function)), 'ImplicitlyDenied');
  });
});

describe('the data bucket lets only the approver write training/approved/ and only the job role training/output/', () => {
  /** A role of this account whose own policy allows writing anywhere in the bucket. */
  const uploader: Caller = {
    arn: `arn:aws:iam::${account}:role/DataUploader`,
    identityPolicies: [
      { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: `${bucketArn}/*` }] },
    ],
  };
  const put = (caller: Caller, key: string) => decide(caller, 's3:PutObject', key, sseKms);

  test('another role, or an administrator, is refused under both, and may still drop training data in intake/', async () => {
    for (const caller of [uploader, administrator(account)]) {
      await expectDecision(put(caller, approved), 'ExplicitlyDenied');
      await expectDecision(put(caller, manifest), 'ExplicitlyDenied');
      await expectDecision(put(caller, output), 'ExplicitlyDenied');
      await expectDecision(put(caller, intake), 'Allowed');
    }
  });

  test('the approver and the job role are allowed, each under its own prefix', async () => {
    await expectDecision(put(approver, approved), 'Allowed');
    await expectDecision(put(job, output), 'Allowed');
  });

  test('a replication role cannot write either prefix', async () => {
    const replicator: Caller = {
      arn: `arn:aws:iam::${account}:role/ReplicationDestination`,
      identityPolicies: [
        {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 's3:ReplicateObject', Resource: `${bucketArn}/*` }],
        },
      ],
    };
    for (const key of [approved, output]) {
      await expectDecision(decide(replicator, 's3:ReplicateObject', key), 'ExplicitlyDenied');
    }
  });
});
