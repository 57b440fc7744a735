import { REQUIRED_TRAINING_APPROVAL_SETTINGS } from '../../lib/shared/customization-contract';
import { customizationJobRoleName, trainingApprovalRoleName } from '../../lib/shared/names';
import { sharedSynthesis } from '../support/build-app';
import {
  BASE_MODEL,
  CUSTOMIZATION,
  dataBucketPolicy,
  ISOLATED,
  type Json,
  names,
  objectsOf,
  ofType,
  only,
  projectKeyImport,
  type Statement,
  type Template,
  templates,
} from './templates';

const plain = templates(CUSTOMIZATION);
const isolated = templates(ISOLATED);
const configurations = [
  ['guarded agent and model customization', plain],
  ['isolated network', isolated],
] as const;

describe.each(configurations)('the Customization stack (%s)', (_name, t) => {
  const [fnId, fn] = only(t.customization, 'AWS::Lambda::Function');

  test('the approval function: Node.js 24 on Graviton, traced, told exactly its settings', () => {
    expect(fn.Properties.Runtime).toBe('nodejs24.x');
    expect(fn.Properties.Architectures).toEqual(['arm64']);
    // It answers before the caller's HTTP client gives up (300 s, lib/shared/training-data.ts).
    expect(fn.Properties.Timeout).toBe(270);
    expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    const variables = (fn.Properties.Environment as { Variables: Record<string, Json> }).Variables;
    const { NODE_OPTIONS, ...settings } = variables;
    expect(NODE_OPTIONS).toBe('--enable-source-maps');
    expect(Object.keys(settings).sort()).toEqual([...REQUIRED_TRAINING_APPROVAL_SETTINGS].sort());
    // The inference profile of the isolated configuration fine-tunes the same base model.
    expect(settings.BASE_MODEL).toBe(BASE_MODEL);
    expect(settings.KMS_KEY_ARN).toEqual(projectKeyImport);
    expect(settings.DATA_BUCKET).toEqual({ 'Fn::ImportValue': expect.stringMatching(/DataBucket/) });
    // Its own guardrail and version, not the project guardrail.
    const [guardrailId] = only(t.customization, 'AWS::Bedrock::Guardrail');
    const [versionId] = only(t.customization, 'AWS::Bedrock::GuardrailVersion');
    expect(settings.GUARDRAIL_ARN).toEqual({ 'Fn::GetAtt': [guardrailId, 'GuardrailArn'] });
    expect(settings.GUARDRAIL_VERSION).toEqual({ 'Fn::GetAtt': [versionId, 'Version'] });
  });

  test('it runs as the role the bucket names its sole writer of training/approved/', () => {
    const [roleId, role] = ofType(t.customization, 'AWS::IAM::Role').find(
      ([id]) => fn.Properties.Role && JSON.stringify(fn.Properties.Role).includes(`"${id}"`),
    ) ?? ['', undefined];
    expect(role?.Properties.RoleName).toBe(trainingApprovalRoleName(names.customization));
    expect(role?.Properties.RoleName).toBe('GuardedGenAi-Customization-training-approver');
    expect(fn.Properties.Role).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
    expect(role?.Properties.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }],
    });
    expect(role?.Properties.ManagedPolicyArns).toBeUndefined();
  });

  test('called through an IAM-authenticated function URL; logs to its own group under the project key', () => {
    const [, url] = only(t.customization, 'AWS::Lambda::Url');
    expect(url.Properties).toEqual({ AuthType: 'AWS_IAM', TargetFunctionArn: { 'Fn::GetAtt': [fnId, 'Arn'] } });
    // AWS_IAM: no resource-based permission opens it to anyone.
    expect(ofType(t.customization, 'AWS::Lambda::Permission')).toEqual([]);
    const [logGroupId, logGroup] = only(t.customization, 'AWS::Logs::LogGroup');
    expect(fn.Properties.LoggingConfig).toEqual({ LogFormat: 'JSON', LogGroup: { Ref: logGroupId } });
    expect(logGroup.Properties.KmsKeyId).toEqual(projectKeyImport);
  });

  test('its guardrail has the sensitive-information policy alone, the same as the project guardrail', () => {
    const [, guardrail] = only(t.customization, 'AWS::Bedrock::Guardrail');
    for (const policy of [
      'ContentPolicyConfig',
      'TopicPolicyConfig',
      'WordPolicyConfig',
      'ContextualGroundingPolicyConfig',
      'AutomatedReasoningPolicyConfig',
    ]) {
      expect(guardrail.Properties).not.toHaveProperty(policy);
    }
    const [, project] = only(t.guardedInvoke, 'AWS::Bedrock::Guardrail');
    expect(guardrail.Properties.SensitiveInformationPolicyConfig).toEqual(
      project.Properties.SensitiveInformationPolicyConfig,
    );
    // Encrypted with the key that encrypts guardrails alone.
    expect(guardrail.Properties.KmsKeyArn).toEqual({ 'Fn::ImportValue': expect.stringMatching(/GuardrailKey/) });
  });

  test('the job role: Bedrock, for customization jobs of this account and region, exactly as AWS documents', () => {
    const [, role] = ofType(t.customization, 'AWS::IAM::Role').find(
      ([, r]) => r.Properties.RoleName === customizationJobRoleName(names.customization),
    ) ?? ['', undefined];
    expect(role?.Properties.RoleName).toBe('GuardedGenAi-Customization-customization-job');
    expect(role?.Properties.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'bedrock.amazonaws.com' },
          Condition: {
            StringEquals: { 'aws:SourceAccount': '111111111111' },
            ArnLike: { 'aws:SourceArn': 'arn:aws:bedrock:eu-west-1:111111111111:model-customization-job/*' },
          },
        },
      ],
    });
    expect(role?.Properties.ManagedPolicyArns).toBeUndefined();
  });

  test('no role of the stack has an AWS managed policy', () => {
    for (const [, role] of ofType(t.customization, 'AWS::IAM::Role')) {
      expect(JSON.stringify(role.Properties.ManagedPolicyArns ?? [])).not.toContain(':aws:policy/');
    }
  });

  test('the data bucket lets only the approver write training/approved/ and only the job role training/output/', () => {
    const { bucketId, statements } = dataBucketPolicy(t.dataProtection);
    const soleWriter = (prefix: string, roleName: string) => ({
      Sid: `OnlyOneWriterUnder${prefix.replace(/[^A-Za-z0-9]/g, '')}`,
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: ['s3:PutObject', 's3:ReplicateObject'],
      Resource: objectsOf(bucketId, `${prefix}*`),
      Condition: {
        ArnNotEquals: { 'aws:PrincipalArn': `arn:aws:iam::111111111111:role/${roleName}` },
        BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' },
      },
    });
    expect(statements).toEqual(
      expect.arrayContaining([
        soleWriter('training/approved/', 'GuardedGenAi-Customization-training-approver'),
        soleWriter('training/output/', 'GuardedGenAi-Customization-customization-job'),
      ]),
    );
  });

  test('outputs for npm run customize', () => {
    const outputs = Object.keys(t.customization.Outputs ?? {}).sort();
    const common = [
      'ApprovalFunctionName',
      'ApprovalFunctionUrl',
      'BaseModelIdentifier',
      'JobRoleArn',
      'OperatorPolicyArn',
    ];
    expect(outputs).toEqual(t === isolated ? [...common, 'JobSecurityGroupId'].sort() : common.sort());
    expect(t.customization.Outputs?.BaseModelIdentifier.Value).toBe(BASE_MODEL);
    // No approval in either configuration: no custom model, no card.
    expect(ofType(t.customization, 'AWS::SageMaker::ModelCard')).toEqual([]);
  });

  test("the project key lets Bedrock work on Nova custom models only with the custom model's encryption context", () => {
    const [, key] = only(t.dataProtection, 'AWS::KMS::Key');
    const statements = (key.Properties.KeyPolicy as { Statement: Statement[] }).Statement;
    expect(statements.filter((s) => s.Sid === 'BedrockOptimisesNovaCustomModels')).toEqual([
      {
        Sid: 'BedrockOptimisesNovaCustomModels',
        Effect: 'Allow',
        Principal: { Service: 'bedrock.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: '*',
        Condition: { 'ForAnyValue:StringEquals': { 'kms:EncryptionContextKeys': 'aws:bedrock:custom-model' } },
      },
    ]);
  });
});

describe('with modelCustomization off (the default)', () => {
  const { assembly } = sharedSynthesis({});
  const dataProtection = assembly.getStackByName(names.dataProtection).template as Template;

  test('there is no Customization stack', () => {
    expect(assembly.stacks.map((s) => s.stackName)).not.toContain(names.customization);
  });

  test('the project key has no Nova statement, and it is the only statement customization adds', () => {
    const statementsOf = (t: Template) =>
      ((only(t, 'AWS::KMS::Key')[1].Properties.KeyPolicy as { Statement: Statement[] }).Statement ?? []).map((s) =>
        JSON.stringify(s),
      );
    const without = statementsOf(dataProtection);
    expect(without.some((s) => s.includes('aws:bedrock:custom-model'))).toBe(false);
    const added = statementsOf(plain.dataProtection).filter((s) => !without.includes(s));
    expect(added.map((s) => (JSON.parse(s) as Statement).Sid)).toEqual(['BedrockOptimisesNovaCustomModels']);
  });

  test('no bucket statement names the training prefixes', () => {
    const policies = ofType(dataProtection, 'AWS::S3::BucketPolicy').map(([, p]) => JSON.stringify(p));
    expect(policies.some((p) => p.includes('training/'))).toBe(false);
  });
});
