import { Match, Template } from 'aws-cdk-lib/assertions';
import { synthesize, TEST_ENV } from '../support/build-app';

function synthInvokeStack(overrides: Record<string, unknown> = {}): Template {
  const { assembly, stacks } = synthesize(overrides);
  return Template.fromJSON(assembly.getStackByName(stacks.guardedInvoke.stackName).template);
}

const template = synthInvokeStack();
const only = <T = Record<string, unknown>>(type: string): T => {
  const found = Object.values(template.findResources(type));
  expect(found).toHaveLength(1);
  return found[0] as T;
};
type Resource = { Properties: Record<string, unknown> & Record<string, never> };

describe('GuardedInvokeStack', () => {
  test('normalized snapshot', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });

  describe('the guardrail', () => {
    const props = () => only<Resource>('AWS::Bedrock::Guardrail').Properties as Record<string, unknown>;

    test('content filters for five harmful categories on input and output at HIGH, prompt attack on input', () => {
      expect(props().ContentPolicyConfig).toEqual({
        FiltersConfig: [
          ...['HATE', 'INSULTS', 'SEXUAL', 'VIOLENCE', 'MISCONDUCT'].map((Type) => ({
            Type,
            InputStrength: 'HIGH',
            OutputStrength: 'HIGH',
          })),
          { Type: 'PROMPT_ATTACK', InputStrength: 'HIGH', OutputStrength: 'NONE' },
        ],
      });
    });

    test('filter strength follows config', () => {
      const medium = synthInvokeStack({ guardrailFilterStrength: 'MEDIUM' });
      medium.hasResourceProperties('AWS::Bedrock::Guardrail', {
        ContentPolicyConfig: {
          FiltersConfig: Match.arrayWith([{ Type: 'HATE', InputStrength: 'MEDIUM', OutputStrength: 'MEDIUM' }]),
        },
      });
    });

    test('at least two denied topics, each with a definition and example phrases', () => {
      const topics = (props().TopicPolicyConfig as { TopicsConfig: Record<string, unknown>[] }).TopicsConfig;
      expect(topics.length).toBeGreaterThanOrEqual(2);
      for (const topic of topics) {
        expect(topic).toMatchObject({ Type: 'DENY', Definition: expect.any(String), Examples: expect.any(Array) });
        expect((topic.Examples as string[]).length).toBeGreaterThanOrEqual(2);
      }
    });

    test('custom words and the managed profanity list', () => {
      expect(props().WordPolicyConfig).toMatchObject({
        WordsConfig: expect.arrayContaining([{ Text: expect.any(String) }]),
        ManagedWordListsConfig: [{ Type: 'PROFANITY' }],
      });
    });

    test('PII masked in answers, never-acceptable identifiers blocked, and a custom regex', () => {
      const sensitive = props().SensitiveInformationPolicyConfig as {
        PiiEntitiesConfig: { Type: string; Action: string; OutputAction?: string }[];
        RegexesConfig: { Name: string; Pattern: string; Action: string }[];
      };
      const action = (type: string) => sensitive.PiiEntitiesConfig.find((e) => e.Type === type);
      for (const type of ['NAME', 'EMAIL', 'PHONE', 'ADDRESS'])
        expect(action(type)).toMatchObject({ OutputAction: 'ANONYMIZE' });
      for (const type of [
        'CREDIT_DEBIT_CARD_NUMBER',
        'US_SOCIAL_SECURITY_NUMBER',
        'AWS_ACCESS_KEY',
        'AWS_SECRET_KEY',
      ]) {
        expect(action(type)).toMatchObject({ Action: 'BLOCK', InputAction: 'BLOCK', OutputAction: 'BLOCK' });
      }
      expect(sensitive.RegexesConfig).toEqual([
        expect.objectContaining({ Name: 'internal-record-id', Action: 'BLOCK' }),
      ]);
      expect(new RegExp(sensitive.RegexesConfig[0].Pattern).test('see GGA-2026-7QX4PZ')).toBe(true);
    });

    test('contextual grounding and relevance thresholds from config', () => {
      synthInvokeStack({ groundingThreshold: 0.6, relevanceThreshold: 0.4 }).hasResourceProperties(
        'AWS::Bedrock::Guardrail',
        {
          ContextualGroundingPolicyConfig: {
            FiltersConfig: [
              { Type: 'GROUNDING', Threshold: 0.6 },
              { Type: 'RELEVANCE', Threshold: 0.4 },
            ],
          },
        },
      );
    });

    test("encrypted with this stack's guardrail key, not the project key; blocked messages say what happened, not which policy", () => {
      const [keyId] = Object.keys(template.findResources('AWS::KMS::Key'));
      expect(props().KmsKeyArn).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
      expect(JSON.stringify(props().KmsKeyArn)).not.toContain('ProjectKey');
      for (const message of [props().BlockedInputMessaging, props().BlockedOutputsMessaging] as string[]) {
        expect(message).toMatch(/safety policy/);
        expect(message).not.toMatch(/topic|PII|regex|Nightjar|investment/i);
      }
    });
  });

  describe('the guardrail key', () => {
    type KeyResource = { Properties: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string };
    const keyOf = (t: Template): KeyResource => {
      const keys = Object.values(t.findResources('AWS::KMS::Key')) as KeyResource[];
      // The stack's only key: the project key lives in the data-protection stack.
      expect(keys).toHaveLength(1);
      return keys[0];
    };

    test('rotated yearly, and its description says it encrypts only the guardrail', () => {
      const key = keyOf(template).Properties;
      expect(key.EnableKeyRotation).toBe(true);
      expect(key.Description).toBe(
        'Encrypts only the guardrail of GuardedGenAi-GuardedInvoke: every Bedrock caller of the account may be given kms:Decrypt on it',
      );
    });

    test("key policy: CDK's default (the account root, through IAM) and no grants except for AWS resources, no service principal", () => {
      expect((keyOf(template).Properties.KeyPolicy as { Statement: unknown[] }).Statement).toEqual([
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${TEST_ENV.account}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
        {
          Sid: 'DenyGrantsExceptForAwsResources',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 'kms:CreateGrant',
          Resource: '*',
          Condition: {
            BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' },
          },
        },
      ]);
    });

    test('retained by default; with removalPolicy destroy, deleted after the 7-day window', () => {
      expect(keyOf(template)).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      expect(keyOf(template).Properties.PendingWindowInDays).toBe(30);
      const sandbox = keyOf(synthInvokeStack({ removalPolicy: 'destroy' }));
      expect(sandbox).toMatchObject({ DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
      expect(sandbox.Properties.PendingWindowInDays).toBe(7);
    });

    test('it encrypts the guardrail and nothing else in the stack (the log group keeps the project key)', () => {
      const [keyId] = Object.keys(template.findResources('AWS::KMS::Key'));
      const users = Object.entries(template.toJSON().Resources as Record<string, { Type: string; Properties?: object }>)
        .filter(([id, r]) => id !== keyId && JSON.stringify(r.Properties ?? {}).includes(`"${keyId}"`))
        .map(([, r]) => r.Type)
        .sort();
      // The guardrail (KmsKeyArn), its version (the key named in the
      // description), and the two policies that Decrypt with it.
      expect(users).toEqual([
        'AWS::Bedrock::Guardrail',
        'AWS::Bedrock::GuardrailVersion',
        'AWS::IAM::ManagedPolicy',
        'AWS::IAM::ManagedPolicy',
      ]);
    });
  });

  describe('the guardrail version', () => {
    const versionOf = (t: Template) => {
      const [[logicalId, resource]] = Object.entries(t.findResources('AWS::Bedrock::GuardrailVersion'));
      return { logicalId, description: resource.Properties.Description as unknown };
    };

    test('identical synths => identical templates (stable version logical ID and description)', () => {
      expect(synthInvokeStack().toJSON()).toEqual(template.toJSON());
    });

    test('a policy change => a new version (description digest changes, logical ID stays)', () => {
      const before = versionOf(template);
      const after = versionOf(synthInvokeStack({ groundingThreshold: 0.5 }));
      expect(after.logicalId).toBe(before.logicalId);
      expect(after.description).not.toEqual(before.description);
    });

    test('a change outside the policy (token cap) => the same version', () => {
      expect(versionOf(synthInvokeStack({ maxTokensCap: 2000 })).description).toEqual(versionOf(template).description);
    });

    test('the description names the guardrail key, so a new key publishes a new version (Description is create-only)', () => {
      const [keyId] = Object.keys(template.findResources('AWS::KMS::Key'));
      expect(versionOf(template).description).toEqual({
        'Fn::Join': [
          '',
          [expect.stringMatching(/^Published by CDK; policy sha256 [0-9a-f]{16}; key $/), { Ref: keyId }],
        ],
      });
    });

    test('no SSM parameter: the ingestion stack has a guardrail of its own and reads nothing from here', () => {
      expect(Object.keys(template.findResources('AWS::SSM::Parameter'))).toEqual([]);
    });
  });

  describe('the invoke function', () => {
    const fn = () => only<Resource>('AWS::Lambda::Function').Properties as Record<string, unknown>;

    test('Node.js 24 on arm64, explicit memory and timeout, active tracing, JSON logs', () => {
      expect(fn()).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        MemorySize: 512,
        Timeout: 120,
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON' },
      });
    });

    test('no reserved concurrency by default (a new account cannot afford any); a value from config is an opt-in cap', () => {
      expect(fn().ReservedConcurrentExecutions).toBeUndefined();
      synthInvokeStack({ invokeReservedConcurrency: 2 }).hasResourceProperties('AWS::Lambda::Function', {
        ReservedConcurrentExecutions: 2,
      });
    });

    test('environment names the model, family, guardrail version and audit target', () => {
      expect((fn().Environment as { Variables: Record<string, unknown> }).Variables).toMatchObject({
        MODEL_ID: 'amazon.nova-micro-v1:0',
        MODEL_FAMILY: 'amazon-nova',
        GUARDRAIL_ARN: { 'Fn::GetAtt': [expect.stringMatching(/^Guardrail/), 'GuardrailArn'] },
        GUARDRAIL_VERSION: { 'Fn::GetAtt': [expect.stringMatching(/^GuardrailVersion/), 'Version'] },
        MAX_TOKENS_CAP: '1024',
        AUDIT_PREFIX: 'records/',
      });
    });

    test('in-code spans are opt-in: active tracing and the X-Ray permissions either way, IN_CODE_SPANS only with inCodeSpans', () => {
      const variables = (t: Template) =>
        (
          Object.values(t.findResources('AWS::Lambda::Function'))[0].Properties.Environment as {
            Variables: Record<string, unknown>;
          }
        ).Variables;
      const spans = synthInvokeStack({ inCodeSpans: true });
      expect(variables(template)).not.toHaveProperty('IN_CODE_SPANS');
      expect(variables(spans).IN_CODE_SPANS).toBe('true');
      for (const t of [template, spans]) {
        t.hasResourceProperties('AWS::Lambda::Function', { TracingConfig: { Mode: 'Active' } });
        // The spans travel through the same daemon as Lambda's own segments: no other permission.
        expect(JSON.stringify(t.findResources('AWS::IAM::ManagedPolicy'))).toContain('xray:PutTraceSegments');
      }
      expect(JSON.stringify(spans.findResources('AWS::IAM::ManagedPolicy'))).toBe(
        JSON.stringify(template.findResources('AWS::IAM::ManagedPolicy')),
      );
    });

    test('auditing off => no audit target and no S3 permission', () => {
      const off = synthInvokeStack({ auditRecords: false });
      const env = (
        Object.values(off.findResources('AWS::Lambda::Function'))[0].Properties.Environment as { Variables: object }
      ).Variables;
      expect(env).not.toHaveProperty('AUDIT_BUCKET');
      expect(JSON.stringify(off.findResources('AWS::IAM::ManagedPolicy'))).not.toContain('s3:PutObject');
    });

    test('log group: retention from config and KMS encryption', () => {
      const logGroup = only<Resource>('AWS::Logs::LogGroup').Properties as Record<string, unknown>;
      expect(logGroup.RetentionInDays).toBe(365);
      expect(JSON.stringify(logGroup.KmsKeyId)).toContain('ProjectKey');
      synthInvokeStack({ logRetentionDays: 30 }).hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    });

    test('function URL: IAM auth and response streaming', () => {
      template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'AWS_IAM', InvokeMode: 'RESPONSE_STREAM' });
      template.resourceCountIs('AWS::Lambda::Permission', 0);
    });

    test('the role has exactly one customer-managed policy and no inline policy', () => {
      const role = only<Resource>('AWS::IAM::Role').Properties as Record<string, unknown>;
      expect(role.Policies).toBeUndefined();
      expect(role.ManagedPolicyArns).toBeUndefined();
      template.resourceCountIs('AWS::IAM::Policy', 0);
      template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
        Roles: [{ Ref: Match.stringLikeRegexp('^InvokeRole') }],
      });
    });

    test('outputs for the client, the preflight check and npm run verify', () => {
      expect(Object.keys(template.toJSON().Outputs)).toEqual(
        expect.arrayContaining([
          'FunctionUrl',
          'GuardrailId',
          'GuardrailVersion',
          'InvokerPolicyArn',
          'ModelId',
          'AuditRecords',
          'LogGroupName',
        ]),
      );
    });
  });
});
