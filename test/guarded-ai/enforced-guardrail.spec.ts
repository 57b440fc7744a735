import { Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { EnforcedGuardrail, guardrailUserPolicy } from '../../lib/guarded-ai/enforced-guardrail';
import { Guardrail } from '../../lib/guarded-ai/guardrail';
import { synthesize, TEST_ENV, testApp } from '../support/build-app';
import { type Caller, PolicyWorld } from '../support/iam-harness';
import { assignedId } from '../support/physical-names';

/**
 * The account-wide enforced guardrail (enforcedGuardrail=create): what the
 * configuration names, the guardrail's resource policy, and proofs that the
 * user policy lets a Bedrock caller use this guardrail and nothing else.
 */
type Json = Record<string, unknown>;
type Resources = Record<string, { Type: string; Properties: Json; DependsOn?: string[] }>;
type Template = { Resources: Resources; Outputs: Record<string, { Value: unknown }> };

const ENFORCEMENT_TYPES = [
  'AWS::Bedrock::EnforcedGuardrailConfiguration',
  'AWS::Bedrock::ResourcePolicy',
  'AWS::IAM::ManagedPolicy',
];
const EMBEDDING_MODEL = 'amazon.titan-embed-text-v2:0';
const { region, account } = TEST_ENV;

// Both configurations are in the gate matrix (test/support/gate-matrix.ts),
// which proves them behind the compliance gate; here they are synthesized once, ungated.
const enforced = synthesize({ enforcedGuardrail: 'create' });
const withoutKnowledgeBase = synthesize({ enforcedGuardrail: 'create', knowledgeBase: false });

const templateOf = (app: typeof enforced): Template =>
  app.assembly.getStackByName(app.stacks.guardedInvoke.stackName).template as Template;
const logicalIdOf = (app: typeof enforced, type: string): string => {
  const ids = Object.entries(templateOf(app).Resources)
    .filter(([id, r]) => r.Type === type && /^(EnforcedGuardrail|GuardrailUserPolicy)/.test(id))
    .map(([id]) => id);
  expect(ids).toHaveLength(1);
  return ids[0];
};
const resourceOf = (app: typeof enforced, type: string) => templateOf(app).Resources[logicalIdOf(app, type)];

const template = templateOf(enforced);
const onlyOfType = (type: string): string => {
  const ids = Object.keys(template.Resources).filter((id) => template.Resources[id].Type === type);
  expect(ids).toHaveLength(1);
  return ids[0];
};
const guardrailId = onlyOfType('AWS::Bedrock::Guardrail');
const versionId = onlyOfType('AWS::Bedrock::GuardrailVersion');
const configuration = () => resourceOf(enforced, 'AWS::Bedrock::EnforcedGuardrailConfiguration');

describe('by default', () => {
  const { assembly, stacks } = synthesize();
  const defaults = assembly.getStackByName(stacks.guardedInvoke.stackName).template as Template;

  test('no enforcement resources and no enforcement outputs', () => {
    const types = Object.values(defaults.Resources).map((r) => r.Type);
    expect(types).not.toContain('AWS::Bedrock::EnforcedGuardrailConfiguration');
    expect(types).not.toContain('AWS::Bedrock::ResourcePolicy');
    expect(Object.keys(defaults.Resources).filter((id) => id.startsWith('EnforcedGuardrail'))).toEqual([]);
    expect(Object.keys(defaults.Outputs)).not.toContain('EnforcedGuardrailConfigId');
    expect(stacks.guardedInvoke.enforcedGuardrail).toBeUndefined();
  });

  test('the user policy exists already, so callers can be given it (and prove it with ApplyGuardrail) before enforcement', () => {
    expect(defaults.Outputs.EnforcedGuardrailUserPolicyArn.Value).toEqual({
      Ref: Object.keys(defaults.Resources).find((id) => id.startsWith('GuardrailUserPolicy')),
    });
  });
});

describe('with enforcedGuardrail=create', () => {
  test("the configuration names this stack's guardrail and its published version by reference, never an import", () => {
    const props = configuration().Properties;
    expect(props.GuardrailIdentifier).toEqual({ 'Fn::GetAtt': [guardrailId, 'GuardrailArn'] });
    expect(props.GuardrailVersion).toEqual({ 'Fn::GetAtt': [versionId, 'Version'] });
    expect(JSON.stringify(props)).not.toContain('Fn::ImportValue');
  });

  test('every model is included; the embedding model is excluded when the knowledge base is on', () => {
    expect(configuration().Properties.ModelEnforcement).toEqual({
      IncludedModels: ['ALL'],
      ExcludedModels: [EMBEDDING_MODEL],
    });
  });

  test('without the knowledge base nothing is excluded, and the empty list is still rendered (it is required)', () => {
    expect(
      resourceOf(withoutKnowledgeBase, 'AWS::Bedrock::EnforcedGuardrailConfiguration').Properties.ModelEnforcement,
    ).toEqual({ IncludedModels: ['ALL'], ExcludedModels: [] });
  });

  test('system prompts and messages are screened whole, whatever a caller tags', () => {
    expect(configuration().Properties.SelectiveContentGuarding).toEqual({
      System: 'COMPREHENSIVE',
      Messages: 'COMPREHENSIVE',
    });
  });

  test('enforcement starts only after the resource policy and the user policy exist', () => {
    expect(configuration().DependsOn).toEqual(
      expect.arrayContaining([
        logicalIdOf(enforced, 'AWS::Bedrock::ResourcePolicy'),
        logicalIdOf(enforced, 'AWS::IAM::ManagedPolicy'),
      ]),
    );
  });

  test("the guardrail's resource policy is the documented own-account pattern", () => {
    const policy = resourceOf(enforced, 'AWS::Bedrock::ResourcePolicy').Properties;
    const guardrailArn = { 'Fn::GetAtt': [guardrailId, 'GuardrailArn'] };
    expect(policy.ResourceArn).toEqual(guardrailArn);
    expect(policy.PolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${account}:root` },
          Action: ['bedrock:ApplyGuardrail', 'bedrock:GetGuardrail'],
          Resource: guardrailArn,
        },
      ],
    });
  });

  test('the user policy: ApplyGuardrail on the guardrail and Decrypt on its own key, nothing else', () => {
    const world = new PolicyWorld(enforced.assembly, TEST_ENV);
    const { guardedInvoke } = enforced.stacks;
    const document = world.policyDocumentOf(enforced.stacks.guardedInvoke.guardrailUserPolicy);
    expect(document.Statement).toEqual([
      {
        Sid: 'ApplyTheEnforcedGuardrail',
        Effect: 'Allow',
        Action: 'bedrock:ApplyGuardrail',
        Resource: world.valueOf(guardedInvoke.guardrail.guardrailArn, guardedInvoke.guardrail),
      },
      {
        Sid: 'ReadTheEncryptedGuardrail',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: world.arnOf(guardedInvoke.guardrailKey.key),
      },
    ]);
  });

  test('outputs: the user policy ARN and the configuration id', () => {
    expect(template.Outputs.EnforcedGuardrailUserPolicyArn.Value).toEqual({
      Ref: logicalIdOf(enforced, 'AWS::IAM::ManagedPolicy'),
    });
    expect(template.Outputs.EnforcedGuardrailConfigId.Value).toEqual({
      'Fn::GetAtt': [logicalIdOf(enforced, 'AWS::Bedrock::EnforcedGuardrailConfiguration'), 'ConfigId'],
    });
  });

  test('snapshot of the enforcement resources and outputs', () => {
    const resources = Object.fromEntries(
      Object.entries(template.Resources).filter(
        ([id, r]) => /^(EnforcedGuardrail|GuardrailUserPolicy)/.test(id) && ENFORCEMENT_TYPES.includes(r.Type),
      ),
    );
    expect(Object.keys(resources)).toHaveLength(3);
    const outputs = Object.fromEntries(
      Object.entries(template.Outputs).filter(([name]) => name.startsWith('EnforcedGuardrail')),
    );
    expect({ resources, outputs }).toMatchSnapshot();
  });
});

describe('least privilege under enforcement', () => {
  const world = new PolicyWorld(enforced.assembly, TEST_ENV);
  const { guardedInvoke, dataProtection, ingestion } = enforced.stacks;
  const keyArn = world.arnOf(dataProtection.key);
  const guardrailKeyArn = world.arnOf(guardedInvoke.guardrailKey.key);
  const bucketArn = world.arnOf(dataProtection.dataBucket.bucket);
  // The guardrail exactly as the configuration names it: what Bedrock authorises callers on.
  const enforcedArn = world.resolve(
    configuration().Properties.GuardrailIdentifier as never,
    guardedInvoke.stackName,
  ) as string;
  const otherGuardrail = `arn:aws:bedrock:${region}:${account}:guardrail/${assignedId('guardrail', 'someone-else')}`;
  const otherKey = `arn:aws:kms:${region}:${account}:key/${assignedId('kms-key', 'someone-else')}`;
  const model = `arn:aws:bedrock:${region}::foundation-model/amazon.nova-micro-v1:0`;
  /** A role of another application in the account, given only the user policy. */
  const user: Caller = {
    arn: `arn:aws:iam::${account}:role/ReportingApp`,
    identityPolicies: [world.policyDocumentOf(guardedInvoke.guardrailUserPolicy)],
  };
  const decryptForGuardrail = (caller: Caller, key: string) =>
    world.serviceRequest('bedrock-decrypts-guardrail', {
      caller,
      action: 'kms:Decrypt',
      resource: key,
      source: enforcedArn,
    });

  test('a role given the user policy may apply the enforced guardrail, and no other', async () => {
    expect(enforcedArn).toBe(world.valueOf(guardedInvoke.guardrail.guardrailArn, guardedInvoke.guardrail));
    await expect(world.decide({ caller: user, action: 'bedrock:ApplyGuardrail', resource: enforcedArn })).resolves.toBe(
      'Allowed',
    );
    await expect(
      world.decide({ caller: user, action: 'bedrock:ApplyGuardrail', resource: otherGuardrail }),
    ).resolves.toBe('ImplicitlyDenied');
  });

  test('it may decrypt the guardrail with its own key, not with another key, and do nothing else with it', async () => {
    await expect(decryptForGuardrail(user, guardrailKeyArn)).resolves.toBe('Allowed');
    await expect(decryptForGuardrail(user, otherKey)).resolves.toBe('ImplicitlyDenied');
    for (const action of ['kms:GenerateDataKey', 'kms:Encrypt', 'kms:ReEncryptFrom']) {
      await expect(world.decide({ caller: user, action, resource: guardrailKeyArn })).resolves.toBe('ImplicitlyDenied');
    }
  });

  test('the point of the guardrail key: the project key decrypts nothing for it, directly or through S3', async () => {
    // Every Bedrock caller of the account may hold the user policy; none of
    // them may decrypt project data (objects, logs, messages) with it.
    await expect(decryptForGuardrail(user, keyArn)).resolves.toBe('ImplicitlyDenied');
    await expect(world.decide({ caller: user, action: 'kms:Decrypt', resource: keyArn })).resolves.toBe(
      'ImplicitlyDenied',
    );
    await expect(
      world.serviceRequest('s3-uses-key-for-caller', {
        caller: user,
        action: 'kms:Decrypt',
        resource: keyArn,
        source: bucketArn,
      }),
    ).resolves.toBe('ImplicitlyDenied');
  });

  test('it grants no model: inference stays with whatever the role had', async () => {
    await expect(world.decide({ caller: user, action: 'bedrock:InvokeModel', resource: model })).resolves.toBe(
      'ImplicitlyDenied',
    );
  });

  test("the app's own inference caller already holds what enforcement requires; the promotion function makes no inference call", async () => {
    // Enforcement covers inference calls (InvokeModel, Converse and their
    // streams); the invoke function makes them.
    const invoke = { role: guardedInvoke.invoke.role };
    await expect(
      world.decide({ caller: invoke, action: 'bedrock:ApplyGuardrail', resource: enforcedArn }),
    ).resolves.toBe('Allowed');
    await expect(decryptForGuardrail(invoke, guardrailKeyArn)).resolves.toBe('Allowed');
    // The promotion function screens documents with ApplyGuardrail on its own
    // guardrail and may call no model, so enforcement has nothing to screen.
    if (!ingestion) throw new Error('the enforcement configuration has the knowledge base');
    const promoter = { role: ingestion.promotion.role };
    for (const action of ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream']) {
      await expect(world.decide({ caller: promoter, action, resource: model })).resolves.toBe('ImplicitlyDenied');
    }
  });
});

describe('excludedModels validation', () => {
  const build = (excludedModels: readonly string[]) => {
    const stack = new Stack(testApp(), 'Probe', { env: TEST_ENV });
    const key = new kms.Key(stack, 'Key');
    const guardrail = new Guardrail(stack, 'Guardrail', {
      encryptionKey: key,
      filterStrength: 'HIGH',
      groundingThreshold: 0.75,
      relevanceThreshold: 0.75,
    });
    return new EnforcedGuardrail(stack, 'Enforced', {
      guardrail,
      excludedModels,
      userPolicy: guardrailUserPolicy(stack, guardrail),
    });
  };

  test('bare model ids are accepted, embedding models and qualified ids included', () => {
    expect(() => build([])).not.toThrow();
    expect(() => build([EMBEDDING_MODEL, 'cohere.embed-english-v3', 'amazon.titan-embed-text-v1:2:8k'])).not.toThrow();
  });

  test('ALL is refused: it may only be included', () => {
    expect(() => build(['ALL'])).toThrow(/invalid excludedModels: "ALL" may only be included/);
  });

  test.each([
    ['a model ARN', `arn:aws:bedrock:${region}::foundation-model/${EMBEDDING_MODEL}`],
    ['an inference-profile id', 'eu.anthropic.claude-3-7-sonnet-20250219-v1:0'],
    ['capital letters', 'Amazon.Titan-Embed-Text-v2:0'],
    ['no provider prefix', 'titan-embed-text-v2'],
    ['three qualifiers', 'amazon.titan-embed-text-v2:0:1:2'],
  ])('%s is refused with the offending value named', (_, model) => {
    expect(() => build([EMBEDDING_MODEL, model])).toThrow(
      `enforced guardrail: invalid excludedModels: "${model}" is not a bare Bedrock model ID`,
    );
  });
});
