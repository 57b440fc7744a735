import { buildApp, TEST_ENV } from '../support/build-app';
import { type Decision, PolicyWorld } from '../support/iam-harness';

/**
 * Proofs, against the synthesized policies, that the invoke function can reach
 * its one model only through its one guardrail, write only audit records, and
 * use the key only through the services that need it; and that the invoker
 * policy opens this function's URL and nothing else.
 */
const { app, stacks } = buildApp();
const world = new PolicyWorld(app.synth(), TEST_ENV);
const { invoke, guardrail } = stacks.guardedInvoke;
const fn = { role: invoke.role };
const { region, account } = TEST_ENV;

const model = `arn:aws:bedrock:${region}::foundation-model/amazon.nova-micro-v1:0`;
const otherModel = `arn:aws:bedrock:${region}::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0`;
const guardrailArn = world.valueOf(guardrail.guardrailArn, guardrail);
const withOurGuardrail = { 'bedrock:GuardrailIdentifier': `${guardrailArn}:1` };
const bucketArn = world.arnOf(stacks.dataProtection.dataBucket.bucket);
const keyArn = world.arnOf(stacks.dataProtection.key);
const functionArn = world.arnOf(invoke.function);

const decide = (action: string, resource: string, context: Record<string, string> = {}): Promise<Decision> =>
  world.decide({ caller: fn, action, resource, context });

describe('the invoke function role', () => {
  test('invoking the configured model with our guardrail version is allowed (both APIs)', async () => {
    await expect(decide('bedrock:InvokeModel', model, withOurGuardrail)).resolves.toBe('Allowed');
    await expect(decide('bedrock:InvokeModelWithResponseStream', model, withOurGuardrail)).resolves.toBe('Allowed');
  });

  test('another model, no guardrail, another guardrail, or another version of ours => denied', async () => {
    await expect(decide('bedrock:InvokeModel', otherModel, withOurGuardrail)).resolves.toBe('ImplicitlyDenied');
    await expect(decide('bedrock:InvokeModel', model)).resolves.toBe('ImplicitlyDenied');
    await expect(
      decide('bedrock:InvokeModel', model, {
        'bedrock:GuardrailIdentifier': `arn:aws:bedrock:${region}:${account}:guardrail/someoneelse:1`,
      }),
    ).resolves.toBe('ImplicitlyDenied');
    await expect(
      decide('bedrock:InvokeModel', model, { 'bedrock:GuardrailIdentifier': `${guardrailArn}:DRAFT` }),
    ).resolves.toBe('ImplicitlyDenied');
  });

  test('ApplyGuardrail only on our guardrail', async () => {
    await expect(decide('bedrock:ApplyGuardrail', guardrailArn)).resolves.toBe('Allowed');
    await expect(
      decide('bedrock:ApplyGuardrail', `arn:aws:bedrock:${region}:${account}:guardrail/someoneelse`),
    ).resolves.toBe('ImplicitlyDenied');
  });

  test('audit records: write under records/ only; no read, no list, no write elsewhere', async () => {
    await expect(decide('s3:PutObject', `${bucketArn}/records/invocations/2026/11/29/r.json`)).resolves.toBe('Allowed');
    await expect(decide('s3:PutObject', `${bucketArn}/elsewhere/r.json`)).resolves.toBe('ImplicitlyDenied');
    await expect(decide('s3:GetObject', `${bucketArn}/records/invocations/2026/11/29/r.json`)).resolves.toBe(
      'ImplicitlyDenied',
    );
    await expect(decide('s3:ListBucket', bucketArn)).resolves.toBe('ImplicitlyDenied');
  });

  test('the key only through S3 (audit records) and Bedrock (the guardrail), never directly', async () => {
    await expect(
      decide('kms:GenerateDataKey', keyArn, {
        'kms:ViaService': `s3.${region}.amazonaws.com`,
        'kms:EncryptionContext:aws:s3:arn': bucketArn,
      }),
    ).resolves.toBe('Allowed');
    await expect(decide('kms:Decrypt', keyArn, { 'kms:ViaService': `bedrock.${region}.amazonaws.com` })).resolves.toBe(
      'Allowed',
    );
    await expect(decide('kms:Decrypt', keyArn)).resolves.toBe('ImplicitlyDenied');
    await expect(
      decide('kms:GenerateDataKey', keyArn, { 'kms:ViaService': `bedrock.${region}.amazonaws.com` }),
    ).resolves.toBe('ImplicitlyDenied');
  });

  test('no AWS managed policy on the role', () => {
    const template = app.synth().getStackByName(stacks.guardedInvoke.stackName).template;
    const roles = Object.values(
      template.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>,
    ).filter((r) => r.Type === 'AWS::IAM::Role');
    for (const role of roles) {
      expect(JSON.stringify(role.Properties.ManagedPolicyArns ?? [])).not.toContain(':aws:policy/');
    }
  });
});

describe('the invoker policy', () => {
  const invoker = {
    arn: `arn:aws:iam::${account}:role/Pipeline`,
    identityPolicies: [world.policyDocumentOf(invoke.invokerPolicy)],
  };
  const otherFunction = `arn:aws:lambda:${region}:${account}:function:something-else`;

  test("can call this function's URL (IAM auth), and invoke it only through the URL", async () => {
    await expect(
      world.decide({
        caller: invoker,
        action: 'lambda:InvokeFunctionUrl',
        resource: functionArn,
        context: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' },
      }),
    ).resolves.toBe('Allowed');
    await expect(
      world.decide({
        caller: invoker,
        action: 'lambda:InvokeFunction',
        resource: functionArn,
        context: { 'lambda:InvokedViaFunctionUrl': 'true' },
      }),
    ).resolves.toBe('Allowed');
    await expect(
      world.decide({ caller: invoker, action: 'lambda:InvokeFunction', resource: functionArn }),
    ).resolves.toBe('ImplicitlyDenied');
  });

  test('cannot call any other function', async () => {
    await expect(
      world.decide({
        caller: invoker,
        action: 'lambda:InvokeFunctionUrl',
        resource: otherFunction,
        context: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' },
      }),
    ).resolves.toBe('ImplicitlyDenied');
  });
});

describe('with a cross-region inference profile', () => {
  const profileApp = buildApp({ modelId: 'us.anthropic.claude-3-5-haiku-20241022-v1:0' });
  const profileWorld = new PolicyWorld(profileApp.app.synth(), TEST_ENV);
  const role = { role: profileApp.stacks.guardedInvoke.invoke.role };
  const g = profileApp.stacks.guardedInvoke.guardrail;
  const gArn = profileWorld.valueOf(g.guardrailArn, g);
  const profile = `arn:aws:bedrock:${region}:${account}:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0`;
  const destination = 'arn:aws:bedrock:us-east-2::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0';
  const guarded = { 'bedrock:GuardrailIdentifier': `${gArn}:1` };

  test('the profile and, through it, its foundation model in another region => allowed', async () => {
    await expect(
      profileWorld.decide({ caller: role, action: 'bedrock:InvokeModel', resource: profile, context: guarded }),
    ).resolves.toBe('Allowed');
    await expect(
      profileWorld.decide({
        caller: role,
        action: 'bedrock:InvokeModel',
        resource: destination,
        context: { ...guarded, 'bedrock:InferenceProfileArn': profile },
      }),
    ).resolves.toBe('Allowed');
  });

  test('the foundation model directly, or through another profile => denied', async () => {
    await expect(
      profileWorld.decide({ caller: role, action: 'bedrock:InvokeModel', resource: destination, context: guarded }),
    ).resolves.toBe('ImplicitlyDenied');
    await expect(
      profileWorld.decide({
        caller: role,
        action: 'bedrock:InvokeModel',
        resource: destination,
        context: { ...guarded, 'bedrock:InferenceProfileArn': `${profile}-other` },
      }),
    ).resolves.toBe('ImplicitlyDenied');
  });
});
