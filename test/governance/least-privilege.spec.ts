import { synthesize, TEST_ENV } from '../support/build-app';
import { matrixConfiguration } from '../support/gate-matrix';
import { administrator, type Caller, type Decision, PolicyWorld } from '../support/iam-harness';
import { generatedName } from '../support/physical-names';

/**
 * Proofs, against the synthesized policies, that the model-evaluation role
 * gets what an automatic evaluation job needs and nothing more (only Bedrock
 * of this account and region may assume it; it reads datasets, writes
 * results, uses the key only through S3 for this bucket and invokes only the
 * configured model), and that the governance operator policy allows exactly
 * its actions.
 */
const { assembly, stacks } = synthesize();
const world = new PolicyWorld(assembly, TEST_ENV);
const { account, region }: { account: string; region: string } = TEST_ENV;
const OTHER_ACCOUNT = '222222222222';

const { governance, dataProtection, guardedInvoke } = stacks;
const evaluationRole = governance.evaluationRole.role;
const roleArn = world.arnOf(evaluationRole);
const bucketArn = world.arnOf(dataProtection.dataBucket.bucket);
const keyArn = world.arnOf(dataProtection.key);
const guardrailKeyArn = world.arnOf(guardedInvoke.guardrailKey.key);
const guardrailArn = world.valueOf(guardedInvoke.guardrail.guardrailArn, guardedInvoke.guardrail);
const functionArn = world.arnOf(guardedInvoke.invoke.function);
const object = (key: string) => `${bucketArn}/${key}`;
const nova = `arn:aws:bedrock:${region}::foundation-model/amazon.nova-micro-v1:0`;
const otherModel = `arn:aws:bedrock:${region}::foundation-model/anthropic.claude-3-haiku-20240307-v1:0`;
/** Evaluation job ids: 12 lowercase letters and digits (API_CreateEvaluationJob). */
const job = (acct = account, rgn = region) => `arn:aws:bedrock:${rgn}:${acct}:evaluation-job/0a1b2c3d4e5f`;
/** A bucket of another stack of this account. */
const otherBucket = `arn:aws:s3:::${generatedName('Reports', 'ReportBucket3C4D5E6F', 'AWS::S3::Bucket')}`;

async function expectDecision(promise: Promise<Decision>, expected: Decision) {
  await expect(promise).resolves.toBe(expected);
}

describe('the evaluation service role', () => {
  const caller = { role: evaluationRole };
  const decide = (action: string, resource: string, context: Record<string, string> = {}) =>
    world.decide({ caller, action, resource, context });

  test('Bedrock may assume it for an evaluation job of this account and region only', async () => {
    const assume = (source: string, accountOverride?: string) =>
      world.serviceRequest('bedrock-assumes-evaluation-role', {
        action: 'sts:AssumeRole',
        resource: roleArn,
        source,
        account: accountOverride,
      });
    await expectDecision(assume(job()), 'Allowed');
    // A confused deputy: Bedrock working for another account or region.
    await expectDecision(assume(job(OTHER_ACCOUNT)), 'ImplicitlyDenied');
    await expectDecision(assume(job(), OTHER_ACCOUNT), 'ImplicitlyDenied');
    await expectDecision(assume(job(account, 'us-east-1')), 'ImplicitlyDenied');
    // Bedrock working for something that is not an evaluation job (a knowledge base).
    await expectDecision(assume(`arn:aws:bedrock:${region}:${account}:knowledge-base/ABCDEFGHIJ`), 'ImplicitlyDenied');
    await expectDecision(
      world.serviceRequest('lambda-assumes-execution-role', { action: 'sts:AssumeRole', resource: roleArn }),
      'ImplicitlyDenied',
    );
  });

  test('it reads datasets, not records/, knowledge/, incoming/ or other evaluation data', async () => {
    await expectDecision(decide('s3:GetObject', object('evaluations/datasets/qa.jsonl')), 'Allowed');
    for (const key of [
      'records/2026/11/29/0f1e2d3c.json',
      'knowledge/handbook.pdf',
      'incoming/upload.pdf',
      'evaluations/redteam/run-20261129.json',
      'model-invocations/AWSLogs/x.json.gz',
    ]) {
      await expectDecision(decide('s3:GetObject', object(key)), 'ImplicitlyDenied');
    }
    await expectDecision(decide('s3:GetObject', `${otherBucket}/evaluations/datasets/qa.jsonl`), 'ImplicitlyDenied');
  });

  test('it lists the data bucket in the documented form (key names only), and no other bucket', async () => {
    // S3 sets aws:ResourceAccount on every request: the bucket's owner.
    const list = (bucket: string, owner: string, prefix?: string) =>
      decide('s3:ListBucket', bucket, {
        'aws:ResourceAccount': owner,
        ...(prefix === undefined ? {} : { 's3:prefix': prefix }),
      });
    // Whatever prefix the job or its permission check lists with, or none.
    await expectDecision(list(bucketArn, account, 'evaluations/datasets/'), 'Allowed');
    await expectDecision(list(bucketArn, account, 'evaluations/results/'), 'Allowed');
    await expectDecision(list(bucketArn, account), 'Allowed');
    await expectDecision(list(otherBucket, account, 'evaluations/datasets/'), 'ImplicitlyDenied');
    // The same bucket name in another account (a name squatted after deletion).
    await expectDecision(list(bucketArn, OTHER_ACCOUNT, 'evaluations/datasets/'), 'ImplicitlyDenied');
    await expectDecision(decide('s3:GetBucketLocation', bucketArn), 'Allowed');
  });

  test('it writes results, and nothing else: not datasets, not records', async () => {
    const results =
      'evaluations/results/eval-1/0a1b2c3d4e5f/models/amazon.nova-micro-v1:0/taskTypes/General/datasets/qa/1_output.jsonl';
    await expectDecision(decide('s3:PutObject', object(results)), 'Allowed');
    await expectDecision(decide('s3:GetObject', object(results)), 'Allowed');
    await expectDecision(decide('s3:AbortMultipartUpload', object(results)), 'Allowed');
    for (const key of ['evaluations/datasets/qa.jsonl', 'records/x.json', 'evaluations/redteam/r.json']) {
      await expectDecision(decide('s3:PutObject', object(key)), 'ImplicitlyDenied');
    }
    // knowledge/ has its own sole writer (the promotion function): denied by the bucket policy too.
    await expectDecision(decide('s3:PutObject', object('knowledge/x.pdf')), 'ExplicitlyDenied');
    await expectDecision(decide('s3:DeleteObject', object(results)), 'ImplicitlyDenied');
  });

  test('it uses the key only through S3, for this bucket', async () => {
    for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
      const viaS3 = (source: string) =>
        world.serviceRequest('s3-uses-key-for-caller', { caller, action, resource: keyArn, source });
      await expectDecision(viaS3(bucketArn), 'Allowed');
      await expectDecision(viaS3(otherBucket), 'ImplicitlyDenied');
      await expectDecision(decide(action, keyArn), 'ImplicitlyDenied');
    }
    await expectDecision(decide('kms:Encrypt', keyArn), 'ImplicitlyDenied');
  });

  test('it invokes only the configured model', async () => {
    for (const action of ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream']) {
      await expectDecision(decide(action, nova), 'Allowed');
      await expectDecision(decide(action, otherModel), 'ImplicitlyDenied');
      await expectDecision(
        decide(action, 'arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0'),
        'ImplicitlyDenied',
      );
    }
    // It neither applies the guardrail (enforcement is off) nor manages jobs.
    await expectDecision(decide('bedrock:ApplyGuardrail', guardrailArn), 'ImplicitlyDenied');
    await expectDecision(decide('bedrock:CreateEvaluationJob', nova), 'ImplicitlyDenied');
  });

  // automatic-service-roles.html, Sid AllowAccessToBedrockResources: "the exact
  // IAM actions that are required" include CreateModelInvocationJob,
  // StopModelInvocationJob and ListInferenceProfiles.
  const batchJob = (acct = account, rgn = region) => `arn:aws:bedrock:${rgn}:${acct}:model-invocation-job/a1b2c3d4e5f6`;

  test('it may run the generation step as a batch job of the configured model, in this account and region', async () => {
    // CreateModelInvocationJob is authorised on the job and on the model (both required resource types).
    await expectDecision(decide('bedrock:CreateModelInvocationJob', batchJob()), 'Allowed');
    await expectDecision(decide('bedrock:CreateModelInvocationJob', nova), 'Allowed');
    await expectDecision(decide('bedrock:CreateModelInvocationJob', otherModel), 'ImplicitlyDenied');
    await expectDecision(decide('bedrock:CreateModelInvocationJob', batchJob(OTHER_ACCOUNT)), 'ImplicitlyDenied');
    await expectDecision(
      decide('bedrock:CreateModelInvocationJob', batchJob(account, 'us-east-1')),
      'ImplicitlyDenied',
    );
    await expectDecision(decide('bedrock:StopModelInvocationJob', batchJob()), 'Allowed');
    await expectDecision(decide('bedrock:StopModelInvocationJob', batchJob(OTHER_ACCOUNT)), 'ImplicitlyDenied');
    // Nothing else about batch jobs: not another job's details, not a listing.
    await expectDecision(decide('bedrock:GetModelInvocationJob', batchJob()), 'ImplicitlyDenied');
    await expectDecision(decide('bedrock:ListModelInvocationJobs', '*'), 'ImplicitlyDenied');
  });

  test('it lists inference profiles (no resource type) and reads none of the model kinds the app cannot use', async () => {
    await expectDecision(decide('bedrock:ListInferenceProfiles', '*'), 'Allowed');
    await expectDecision(
      decide('bedrock:GetProvisionedModelThroughput', `arn:aws:bedrock:${region}:${account}:provisioned-model/abc123`),
      'ImplicitlyDenied',
    );
    await expectDecision(
      decide('bedrock:GetImportedModel', `arn:aws:bedrock:${region}:${account}:imported-model/abc123`),
      'ImplicitlyDenied',
    );
    await expectDecision(
      decide('sagemaker:InvokeEndpoint', `arn:aws:sagemaker:${region}:${account}:endpoint/some-endpoint`),
      'ImplicitlyDenied',
    );
  });
});

describe('the evaluation role with other configurations', () => {
  test('through an inference profile: the profile, and its model only through it', async () => {
    const profileModel = 'eu.anthropic.claude-3-7-sonnet-20250219-v1:0';
    const app = synthesize(matrixConfiguration('inference profile'));
    const profileWorld = new PolicyWorld(app.assembly, TEST_ENV);
    const caller = { role: app.stacks.governance.evaluationRole.role };
    const profile = `arn:aws:bedrock:${region}:${account}:inference-profile/${profileModel}`;
    const otherProfile = `arn:aws:bedrock:${region}:${account}:inference-profile/eu.anthropic.claude-3-5-sonnet-20240620-v1:0`;
    const destination = 'arn:aws:bedrock:eu-north-1::foundation-model/anthropic.claude-3-7-sonnet-20250219-v1:0';
    const decide = (action: string, resource: string) => profileWorld.decide({ caller, action, resource });
    await expectDecision(decide('bedrock:InvokeModel', profile), 'Allowed');
    await expectDecision(decide('bedrock:GetInferenceProfile', profile), 'Allowed');
    await expectDecision(decide('bedrock:InvokeModel', otherProfile), 'ImplicitlyDenied');
    const routed = (source: string, resource = destination) =>
      profileWorld.serviceRequest('bedrock-profile-routes-to-model', {
        caller,
        action: 'bedrock:InvokeModel',
        resource,
        source,
      });
    await expectDecision(routed(profile), 'Allowed');
    await expectDecision(routed(otherProfile), 'ImplicitlyDenied');
    await expectDecision(
      routed(profile, 'arn:aws:bedrock:eu-north-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0'),
      'ImplicitlyDenied',
    );
    // Not directly, bypassing the profile.
    await expectDecision(decide('bedrock:InvokeModel', destination), 'ImplicitlyDenied');
    // A batch job (automatic-service-roles.html) of the profile's model, in this account and region.
    const batchJob = `arn:aws:bedrock:${region}:${account}:model-invocation-job/a1b2c3d4e5f6`;
    await expectDecision(decide('bedrock:CreateModelInvocationJob', batchJob), 'Allowed');
    await expectDecision(decide('bedrock:CreateModelInvocationJob', destination), 'Allowed');
    await expectDecision(
      decide(
        'bedrock:CreateModelInvocationJob',
        'arn:aws:bedrock:eu-north-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0',
      ),
      'ImplicitlyDenied',
    );
  });

  test('with the enforced guardrail: it applies the project guardrail (and no other) and reads it with its own key', async () => {
    const app = synthesize(matrixConfiguration('account-wide enforced guardrail'));
    const enforcedWorld = new PolicyWorld(app.assembly, TEST_ENV);
    const caller = { role: app.stacks.governance.evaluationRole.role };
    const g = app.stacks.guardedInvoke.guardrail;
    const ours = enforcedWorld.valueOf(g.guardrailArn, g);
    const projectKey = enforcedWorld.arnOf(app.stacks.dataProtection.key);
    const decide = (action: string, resource: string) => enforcedWorld.decide({ caller, action, resource });
    await expectDecision(decide('bedrock:ApplyGuardrail', ours), 'Allowed');
    await expectDecision(
      decide('bedrock:ApplyGuardrail', `arn:aws:bedrock:${region}:${account}:guardrail/zz99yy88xx77`),
      'ImplicitlyDenied',
    );
    const readGuardrail = (key: string) =>
      enforcedWorld.serviceRequest('bedrock-decrypts-guardrail', {
        caller,
        action: 'kms:Decrypt',
        resource: key,
        source: ours,
      });
    await expectDecision(readGuardrail(enforcedWorld.arnOf(app.stacks.guardedInvoke.guardrailKey.key)), 'Allowed');
    // The project key stays usable only through S3, for the data bucket:
    // enforcement adds no direct Decrypt on it.
    await expectDecision(readGuardrail(projectKey), 'ImplicitlyDenied');
    await expectDecision(decide('kms:Decrypt', projectKey), 'ImplicitlyDenied');
    await expectDecision(
      enforcedWorld.serviceRequest('s3-uses-key-for-caller', {
        caller,
        action: 'kms:Decrypt',
        resource: projectKey,
        source: enforcedWorld.arnOf(app.stacks.dataProtection.dataBucket.bucket),
      }),
      'Allowed',
    );
  });
});

describe('the governance operator policy', () => {
  const operator: Caller = {
    arn: `arn:aws:iam::${account}:role/Evaluator`,
    identityPolicies: [world.policyDocumentOf(governance.operatorPolicy)],
  };
  const decide = (action: string, resource: string, context: Record<string, string> = {}) =>
    world.decide({ caller: operator, action, resource, context });

  test("it calls the function's URL, and no other function", async () => {
    const throughUrl = (resource: string) =>
      world.serviceRequest('lambda-url-invocation', { caller: operator, action: 'lambda:InvokeFunctionUrl', resource });
    await expectDecision(throughUrl(functionArn), 'Allowed');
    await expectDecision(
      world.serviceRequest('lambda-url-invokes-function', {
        caller: operator,
        action: 'lambda:InvokeFunction',
        resource: functionArn,
      }),
      'Allowed',
    );
    await expectDecision(decide('lambda:InvokeFunction', functionArn), 'ImplicitlyDenied');
    await expectDecision(
      throughUrl(
        `arn:aws:lambda:${region}:${account}:function:${generatedName('Reports', 'ReportFunction4B3C2D1E', 'AWS::Lambda::Function')}`,
      ),
      'ImplicitlyDenied',
    );
  });

  test("it reads the guardrail with the guardrail's own key; the project key decrypts nothing directly", async () => {
    const readGuardrail = (key: string) =>
      world.serviceRequest('bedrock-decrypts-guardrail', {
        caller: operator,
        action: 'kms:Decrypt',
        resource: key,
        source: guardrailArn,
      });
    await expectDecision(readGuardrail(guardrailKeyArn), 'Allowed');
    await expectDecision(readGuardrail(keyArn), 'ImplicitlyDenied');
    await expectDecision(decide('kms:Decrypt', keyArn), 'ImplicitlyDenied');
    for (const action of ['kms:GenerateDataKey', 'kms:Encrypt', 'kms:ReEncryptFrom']) {
      await expectDecision(decide(action, guardrailKeyArn), 'ImplicitlyDenied');
    }
  });

  test('it applies this guardrail only', async () => {
    await expectDecision(decide('bedrock:ApplyGuardrail', guardrailArn), 'Allowed');
    await expectDecision(
      decide('bedrock:ApplyGuardrail', `arn:aws:bedrock:${region}:${account}:guardrail/zz99yy88xx77`),
      'ImplicitlyDenied',
    );
    await expectDecision(decide('bedrock:UpdateGuardrail', guardrailArn), 'ImplicitlyDenied');
    await expectDecision(decide('bedrock:DeleteGuardrail', guardrailArn), 'ImplicitlyDenied');
  });

  test('it uploads only to datasets/ and redteam/, never results/', async () => {
    await expectDecision(decide('s3:PutObject', object('evaluations/datasets/qa.jsonl')), 'Allowed');
    await expectDecision(decide('s3:PutObject', object('evaluations/redteam/run-20261129.json')), 'Allowed');
    for (const key of ['evaluations/other.json', 'records/x.json', 'incoming/x.pdf']) {
      await expectDecision(decide('s3:PutObject', object(key)), 'ImplicitlyDenied');
    }
    await expectDecision(decide('s3:PutObject', object('knowledge/x.pdf')), 'ExplicitlyDenied');
    // Results have one writer: the bucket policy denies everyone else, an administrator too.
    const result = object('evaluations/results/eval-1/0a1b2c3d4e5f/x_output.jsonl');
    await expectDecision(decide('s3:PutObject', result), 'ExplicitlyDenied');
    await expectDecision(
      world.decide({ caller: administrator(account), action: 's3:PutObject', resource: result }),
      'ExplicitlyDenied',
    );
    await expectDecision(
      world.decide({ caller: { role: evaluationRole }, action: 's3:PutObject', resource: result }),
      'Allowed',
    );
  });

  test('it reads and lists evaluations/, and nothing else of the bucket', async () => {
    for (const key of [
      'evaluations/results/eval-1/x_output.jsonl',
      'evaluations/redteam/r.json',
      'evaluations/datasets/qa.jsonl',
    ]) {
      await expectDecision(decide('s3:GetObject', object(key)), 'Allowed');
    }
    for (const key of ['records/x.json', 'knowledge/x.pdf', 'incoming/x.pdf']) {
      await expectDecision(decide('s3:GetObject', object(key)), 'ImplicitlyDenied');
    }
    await expectDecision(decide('s3:ListBucket', bucketArn, { 's3:prefix': 'evaluations/results/' }), 'Allowed');
    await expectDecision(decide('s3:ListBucket', bucketArn, { 's3:prefix': 'records/' }), 'ImplicitlyDenied');
    await expectDecision(decide('s3:DeleteObject', object('evaluations/datasets/qa.jsonl')), 'ImplicitlyDenied');
  });

  test('it encrypts uploads with the key only through S3 for this bucket', async () => {
    const viaS3 = (source: string) =>
      world.serviceRequest('s3-uses-key-for-caller', {
        caller: operator,
        action: 'kms:GenerateDataKey',
        resource: keyArn,
        source,
      });
    await expectDecision(viaS3(bucketArn), 'Allowed');
    await expectDecision(viaS3(otherBucket), 'ImplicitlyDenied');
    await expectDecision(decide('kms:GenerateDataKey', keyArn), 'ImplicitlyDenied');
  });

  test('it passes only the evaluation role, only to Bedrock', async () => {
    const pass = (role: string, service: string) => decide('iam:PassRole', role, { 'iam:PassedToService': service });
    await expectDecision(pass(roleArn, 'bedrock.amazonaws.com'), 'Allowed');
    await expectDecision(pass(roleArn, 'lambda.amazonaws.com'), 'ImplicitlyDenied');
    await expectDecision(pass(roleArn, 'sagemaker.amazonaws.com'), 'ImplicitlyDenied');
    const invokeRole = world.arnOf(guardedInvoke.invoke.role);
    for (const other of [invokeRole, `arn:aws:iam::${account}:role/Admin`]) {
      await expectDecision(pass(other, 'bedrock.amazonaws.com'), 'ImplicitlyDenied');
    }
    await expectDecision(decide('iam:UpdateAssumeRolePolicy', roleArn), 'ImplicitlyDenied');
    await expectDecision(decide('iam:PutRolePolicy', roleArn), 'ImplicitlyDenied');
  });

  test('it starts jobs on the configured model, and watches and stops jobs of this account and region only', async () => {
    await expectDecision(decide('bedrock:CreateEvaluationJob', nova), 'Allowed');
    await expectDecision(decide('bedrock:CreateEvaluationJob', otherModel), 'ImplicitlyDenied');
    for (const action of ['bedrock:GetEvaluationJob', 'bedrock:StopEvaluationJob']) {
      await expectDecision(decide(action, job()), 'Allowed');
      await expectDecision(decide(action, job(OTHER_ACCOUNT)), 'ImplicitlyDenied');
      await expectDecision(decide(action, job(account, 'us-east-1')), 'ImplicitlyDenied');
    }
    await expectDecision(decide('bedrock:ListEvaluationJobs', '*'), 'Allowed');
    await expectDecision(decide('bedrock:BatchDeleteEvaluationJob', job()), 'ImplicitlyDenied');
    // It does not call models itself: jobs do that with the evaluation role.
    await expectDecision(decide('bedrock:InvokeModel', nova), 'ImplicitlyDenied');
  });

  test("it reads the outputs of the app's GuardedInvoke, DataProtection and Governance stacks only", async () => {
    const stackArn = (name: string) =>
      `arn:aws:cloudformation:${region}:${account}:stack/${name}/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`;
    for (const name of ['GuardedGenAi-GuardedInvoke', 'GuardedGenAi-DataProtection', 'GuardedGenAi-Governance']) {
      await expectDecision(decide('cloudformation:DescribeStacks', stackArn(name)), 'Allowed');
    }
    for (const name of ['GuardedGenAi-ThreatDetection', 'OtherCopy-GuardedInvoke']) {
      await expectDecision(decide('cloudformation:DescribeStacks', stackArn(name)), 'ImplicitlyDenied');
    }
    await expectDecision(decide('cloudformation:UpdateStack', stackArn('GuardedGenAi-Governance')), 'ImplicitlyDenied');
  });
});
