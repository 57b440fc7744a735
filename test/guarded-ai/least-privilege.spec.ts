import { synthesize, TEST_ENV } from '../support/build-app';
import { administrator, type Caller, type Decision, PolicyWorld } from '../support/iam-harness';
import { assignedId, generatedName } from '../support/physical-names';

/**
 * Proofs, against the synthesized policies, that the invoke function can reach
 * its one model only through its one guardrail, write only audit records, use
 * the project key only through S3 and decrypt with the guardrail's own key;
 * and that the invoker
 * policy opens this function's URL and nothing else.
 */
const { assembly, stacks } = synthesize();
const world = new PolicyWorld(assembly, TEST_ENV);
const { invoke, guardrail } = stacks.guardedInvoke;
const fn = { role: invoke.role };
const { region, account } = TEST_ENV;

const model = `arn:aws:bedrock:${region}::foundation-model/amazon.nova-micro-v1:0`;
const otherModel = `arn:aws:bedrock:${region}::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0`;
const guardrailArn = world.valueOf(guardrail.guardrailArn, guardrail);
const withOurGuardrail = { 'bedrock:GuardrailIdentifier': `${guardrailArn}:1` };
const bucketArn = world.arnOf(stacks.dataProtection.dataBucket.bucket);
const keyArn = world.arnOf(stacks.dataProtection.key);
const guardrailKeyArn = world.arnOf(stacks.guardedInvoke.guardrailKey.key);
const functionArn = world.arnOf(invoke.function);

const decide = (action: string, resource: string, context: Record<string, string> = {}): Promise<Decision> =>
  world.decide({ caller: fn, action, resource, context });
/** A guardrail of someone else in this account, with an id of the shape Bedrock assigns. */
const otherGuardrail = `arn:aws:bedrock:${region}:${account}:guardrail/${assignedId('guardrail', 'someone-else')}`;

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
        'bedrock:GuardrailIdentifier': `${otherGuardrail}:1`,
      }),
    ).resolves.toBe('ImplicitlyDenied');
    await expect(
      decide('bedrock:InvokeModel', model, { 'bedrock:GuardrailIdentifier': `${guardrailArn}:DRAFT` }),
    ).resolves.toBe('ImplicitlyDenied');
  });

  test('ApplyGuardrail only on our guardrail', async () => {
    await expect(decide('bedrock:ApplyGuardrail', guardrailArn)).resolves.toBe('Allowed');
    await expect(decide('bedrock:ApplyGuardrail', otherGuardrail)).resolves.toBe('ImplicitlyDenied');
  });

  test('audit records: write under records/ only; no read, no list, no write elsewhere', async () => {
    await expect(decide('s3:PutObject', `${bucketArn}/records/invocations/2026/11/29/r.json`)).resolves.toBe('Allowed');
    await expect(decide('s3:PutObject', `${bucketArn}/elsewhere/r.json`)).resolves.toBe('ImplicitlyDenied');
    await expect(decide('s3:GetObject', `${bucketArn}/records/invocations/2026/11/29/r.json`)).resolves.toBe(
      'ImplicitlyDenied',
    );
    await expect(decide('s3:ListBucket', bucketArn)).resolves.toBe('ImplicitlyDenied');
  });

  test('the project key: through S3 for audit records only; the guardrail key: Decrypt, nothing else', async () => {
    await expect(
      world.serviceRequest('s3-uses-key-for-caller', {
        caller: fn,
        action: 'kms:GenerateDataKey',
        resource: keyArn,
        source: bucketArn,
      }),
    ).resolves.toBe('Allowed');
    await expect(
      world.serviceRequest('bedrock-decrypts-guardrail', {
        caller: fn,
        action: 'kms:Decrypt',
        resource: guardrailKeyArn,
        source: guardrailArn,
      }),
    ).resolves.toBe('Allowed');
    // The guardrail is no longer encrypted with the project key, so Bedrock
    // reading it there is refused, and so is any direct use of the project key.
    await expect(
      world.serviceRequest('bedrock-decrypts-guardrail', {
        caller: fn,
        action: 'kms:Decrypt',
        resource: keyArn,
        source: guardrailArn,
      }),
    ).resolves.toBe('ImplicitlyDenied');
    for (const action of ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:Encrypt', 'kms:ReEncryptFrom']) {
      await expect(decide(action, keyArn)).resolves.toBe('ImplicitlyDenied');
    }
    // AWS documents no kms:ViaService for Bedrock, so the Decrypt on the
    // guardrail key is unconditioned; nothing else is allowed on it.
    for (const action of ['kms:GenerateDataKey', 'kms:Encrypt', 'kms:ReEncryptFrom']) {
      await expect(decide(action, guardrailKeyArn)).resolves.toBe('ImplicitlyDenied');
    }
    // And its key policy refuses a grant made by anyone but an AWS service.
    await expect(decide('kms:CreateGrant', guardrailKeyArn)).resolves.toBe('ExplicitlyDenied');
  });

  test('no AWS managed policy on the role', () => {
    const template = assembly.getStackByName(stacks.guardedInvoke.stackName).template;
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
  const otherFunction = `arn:aws:lambda:${region}:${account}:function:${generatedName(
    'GuardedGenAi-Reports',
    'ReportFunction4B3C2D1E',
    'AWS::Lambda::Function',
  )}`;
  const throughUrl = (resource: string) =>
    world.serviceRequest('lambda-url-invocation', { caller: invoker, action: 'lambda:InvokeFunctionUrl', resource });

  test("can call this function's URL (IAM auth), and invoke it only through the URL", async () => {
    await expect(throughUrl(functionArn)).resolves.toBe('Allowed');
    await expect(
      world.serviceRequest('lambda-url-invokes-function', {
        caller: invoker,
        action: 'lambda:InvokeFunction',
        resource: functionArn,
      }),
    ).resolves.toBe('Allowed');
    await expect(
      world.decide({ caller: invoker, action: 'lambda:InvokeFunction', resource: functionArn }),
    ).resolves.toBe('ImplicitlyDenied');
  });

  test('cannot call any other function', async () => {
    await expect(throughUrl(otherFunction)).resolves.toBe('ImplicitlyDenied');
  });
});

describe('with a cross-region inference profile', () => {
  const profileApp = synthesize({ modelId: 'eu.anthropic.claude-3-7-sonnet-20250219-v1:0' });
  const profileWorld = new PolicyWorld(profileApp.assembly, TEST_ENV);
  const role = { role: profileApp.stacks.guardedInvoke.invoke.role };
  const g = profileApp.stacks.guardedInvoke.guardrail;
  const gArn = profileWorld.valueOf(g.guardrailArn, g);
  const profile = `arn:aws:bedrock:${region}:${account}:inference-profile/eu.anthropic.claude-3-7-sonnet-20250219-v1:0`;
  const destination = 'arn:aws:bedrock:eu-north-1::foundation-model/anthropic.claude-3-7-sonnet-20250219-v1:0';
  const guarded = { 'bedrock:GuardrailIdentifier': `${gArn}:1` };
  const otherProfile = `arn:aws:bedrock:${region}:${account}:inference-profile/eu.anthropic.claude-3-5-sonnet-20240620-v1:0`;
  /** Bedrock authorizing the routed request to the model, for `through` (a profile). */
  const routed = (through: string) =>
    profileWorld.serviceRequest('bedrock-profile-routes-to-model', {
      caller: role,
      action: 'bedrock:InvokeModel',
      resource: destination,
      source: through,
      callerParameters: guarded,
    });

  test('the profile and, through it, its foundation model in another region => allowed', async () => {
    await expect(
      profileWorld.decide({ caller: role, action: 'bedrock:InvokeModel', resource: profile, context: guarded }),
    ).resolves.toBe('Allowed');
    await expect(routed(profile)).resolves.toBe('Allowed');
  });

  test('the foundation model directly, or through another profile => denied', async () => {
    await expect(
      profileWorld.decide({ caller: role, action: 'bedrock:InvokeModel', resource: destination, context: guarded }),
    ).resolves.toBe('ImplicitlyDenied');
    await expect(routed(otherProfile)).resolves.toBe('ImplicitlyDenied');
  });
});

describe('retrieval from the knowledge base', () => {
  const knowledge = stacks.knowledge;
  if (!knowledge) throw new Error('the default configuration has a knowledge base');
  const knowledgeBaseArn = world.valueOf(knowledge.knowledgeBase.arn, knowledge.knowledgeBase);
  /** Another knowledge base of this account (ids are 10 capitals and digits), and ours in another account. */
  const otherKnowledgeBase = `arn:aws:bedrock:${region}:${account}:knowledge-base/Q7RM2KX9VD`;
  const ourIdElsewhere = knowledgeBaseArn.replace(`:${account}:`, ':222222222222:');

  test('the function may Retrieve from this knowledge base only', async () => {
    await expect(decide('bedrock:Retrieve', knowledgeBaseArn)).resolves.toBe('Allowed');
    await expect(decide('bedrock:Retrieve', otherKnowledgeBase)).resolves.toBe('ImplicitlyDenied');
    await expect(decide('bedrock:Retrieve', ourIdElsewhere)).resolves.toBe('ImplicitlyDenied');
  });

  test('it cannot feed, change or read the store behind it', async () => {
    await expect(decide('bedrock:StartIngestionJob', knowledgeBaseArn)).resolves.toBe('ImplicitlyDenied');
    await expect(decide('bedrock:GetKnowledgeBase', knowledgeBaseArn)).resolves.toBe('ImplicitlyDenied');
    const indexArn = world.valueOf(knowledge.vectorStore.index.attrIndexArn, knowledge.vectorStore);
    await expect(decide('s3vectors:QueryVectors', indexArn)).resolves.toBe('ImplicitlyDenied');
    await expect(decide('s3:GetObject', `${bucketArn}/knowledge/handbook.md`)).resolves.toBe('ImplicitlyDenied');
  });

  test('with knowledgeBase false the role may Retrieve from no knowledge base', async () => {
    const off = synthesize({ knowledgeBase: false });
    const offWorld = new PolicyWorld(off.assembly, TEST_ENV);
    expect(off.stacks.knowledge).toBeUndefined();
    for (const resource of [knowledgeBaseArn, otherKnowledgeBase]) {
      await expect(
        offWorld.decide({
          caller: { role: off.stacks.guardedInvoke.invoke.role },
          action: 'bedrock:Retrieve',
          resource,
        }),
      ).resolves.toBe('ImplicitlyDenied');
    }
  });

  test('in the isolated network, the Bedrock Agent Runtime endpoint carries Retrieve for this knowledge base only', async () => {
    const isolated = synthesize({ isolatedNetwork: true });
    const isolatedWorld = new PolicyWorld(isolated.assembly, TEST_ENV);
    const isolatedKnowledge = isolated.stacks.knowledge;
    const endpoint = isolated.stacks.guardedInvoke.invoke.isolation?.endpoints.agentRuntime;
    if (!isolatedKnowledge || !endpoint) throw new Error('the isolated configuration retrieves through an endpoint');
    const ours = isolatedWorld.valueOf(isolatedKnowledge.knowledgeBase.arn, isolatedKnowledge.knowledgeBase);
    const retrieve = (caller: Caller, resource: string) =>
      isolatedWorld.decide({ caller, action: 'bedrock:Retrieve', resource, viaEndpoint: endpoint });
    await expect(retrieve({ role: isolated.stacks.guardedInvoke.invoke.role }, ours)).resolves.toBe('Allowed');
    // Even an administrator of this account reaches no other knowledge base through it,
    const admin = administrator(account);
    await expect(retrieve(admin, otherKnowledgeBase)).resolves.toBe('ImplicitlyDenied');
    // and no other Bedrock Agent Runtime call goes through it,
    await expect(
      isolatedWorld.decide({
        caller: admin,
        action: 'bedrock:InvokeAgent',
        resource: `arn:aws:bedrock:${region}:${account}:agent-alias/AGENT12345/ALIAS12345`,
        viaEndpoint: endpoint,
      }),
    ).resolves.not.toBe('Allowed');
    // and a role of another account cannot use it for ours.
    await expect(retrieve(administrator('222222222222'), ours)).resolves.not.toBe('Allowed');
  });
});
