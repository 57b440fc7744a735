import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { ModelCard, MODEL_CARD_NAME_PATTERN } from '../../lib/governance/model-card';
import {
  MODEL_CARD_LIMITS,
  modelCardContent,
  type ModelCardFacts,
  modelProvider,
  validateModelCardContent,
} from '../../lib/governance/model-card-content';
import { guardrailPolicy } from '../../lib/guarded-ai/guardrail';
import { modelTarget } from '../../lib/guarded-ai/model';
import { stackNames } from '../../lib/shared/names';
import { synthesize, TEST_ENV, testApp } from '../support/build-app';
import { matrixConfiguration } from '../support/gate-matrix';
import { PolicyWorld } from '../support/iam-harness';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Resource = {
  Type: string;
  Properties: Record<string, Json>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
};
type Statement = {
  Sid: string;
  Effect: string;
  Principal?: Json;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, Json>>;
};

const { account, region }: { account: string; region: string } = TEST_ENV;
const PROFILE_MODEL = 'eu.anthropic.claude-3-7-sonnet-20250219-v1:0';

/** One configuration: its Governance template, with references resolved as a deployment would. */
function synth(overrides: Record<string, unknown> = {}) {
  const project = synthesize(overrides);
  const world = new PolicyWorld(project.assembly, TEST_ENV);
  const governance = project.stacks.governance;
  const template = project.assembly.getStackByName(governance.stackName).template as {
    Resources: Record<string, Resource>;
    Outputs: Record<string, { Value: Json }>;
  };
  const resolved = <T>(value: Json) => world.resolve(value, governance.stackName) as T;
  const ofType = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);
  const single = (type: string) => {
    const found = ofType(type);
    if (found.length !== 1) throw new Error(`expected one ${type}, got ${found.length}`);
    return found[0][1];
  };
  const card = single('AWS::SageMaker::ModelCard');
  const role = single('AWS::IAM::Role');
  const policies = ofType('AWS::IAM::ManagedPolicy').map(([id, r]) => ({
    id,
    roles: r.Properties.Roles,
    statements: resolved<{ Statement: Statement[] }>(r.Properties.PolicyDocument).Statement,
  }));
  const rolePolicy = policies.find((p) => p.roles !== undefined);
  const operatorPolicy = policies.find((p) => p.roles === undefined);
  if (!rolePolicy || !operatorPolicy) throw new Error('expected the role policy and the operator policy');
  const bucketName = world.valueOf(project.stacks.dataProtection.dataBucket.bucket.bucketName, governance);
  const keyArn = world.arnOf(project.stacks.dataProtection.key);
  const guardrailKeyArn = world.arnOf(project.stacks.guardedInvoke.guardrailKey.key);
  const guardrail = project.stacks.guardedInvoke.guardrail;
  const guardrailArn = world.valueOf(guardrail.guardrailArn, guardrail);
  const functionArn = world.arnOf(project.stacks.guardedInvoke.invoke.function);
  return {
    ...project,
    world,
    template,
    resolved,
    card,
    role,
    rolePolicy,
    operatorPolicy,
    bucketName,
    keyArn,
    guardrailKeyArn,
    guardrailArn,
    functionArn,
  };
}
type Synth = ReturnType<typeof synth>;

const bySid = (statements: Statement[]) => Object.fromEntries(statements.map((s) => [s.Sid, s]));
/** CDK sorts a statement's actions and resources. */
const asList = (v: string | string[]) => (Array.isArray(v) ? [...v] : [v]).sort();
/** A statement without its Sid and Effect, actions and resources as sorted lists: what a test compares. */
const shape = (s: Statement) => ({
  Action: asList(s.Action),
  Resource: asList(s.Resource),
  ...(s.Condition ? { Condition: s.Condition } : {}),
});

/** Expected statements written in any order of actions and resources. */
const sorted = (expected: Record<string, { Action: string[]; Resource: string[]; Condition?: Json }>) =>
  Object.fromEntries(
    Object.entries(expected).map(([sid, st]) => [
      sid,
      { ...st, Action: [...st.Action].sort(), Resource: [...st.Resource].sort() },
    ]),
  );

const defaults = synth();
const profile = synth(matrixConfiguration('inference profile'));
const enforced = synth(matrixConfiguration('account-wide enforced guardrail'));
const longestDestroy = synth(matrixConfiguration('destroy, longest app name'));

const bucketArnOf = (s: Synth) => `arn:aws:s3:::${s.bucketName}`;

/** The facts of the default configuration, with a given evaluations location. */
const defaultFacts = (evaluationsUri: string): ModelCardFacts => ({
  model: modelTarget('amazon.nova-micro-v1:0'),
  riskRating: 'Medium',
  guardrailPolicy: guardrailPolicy({ filterStrength: 'HIGH', groundingThreshold: 0.75, relevanceThreshold: 0.75 }),
  knowledgeBase: true,
  enforcedGuardrail: false,
  evaluationsUri,
});

/** The key, only through S3 for this bucket (the bucket ARN is the encryption context with S3 Bucket Keys). */
const keyThroughS3 = (keyArn: string, bucketArn: string) => ({
  Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
  Resource: [keyArn],
  Condition: {
    StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com`, 'kms:EncryptionContext:aws:s3:arn': bucketArn },
  },
});

describe('the evaluation service role', () => {
  test('Bedrock may assume it, for evaluation jobs of this account and region only', () => {
    expect(defaults.role.Properties.RoleName).toBe('GuardedGenAi-Governance-evaluation');
    expect(defaults.resolved(defaults.role.Properties.AssumeRolePolicyDocument)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'bedrock.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: {
            StringEquals: { 'aws:SourceAccount': account },
            ArnLike: { 'aws:SourceArn': `arn:aws:bedrock:${region}:${account}:evaluation-job/*` },
          },
        },
      ],
    });
    // No path: the bucket's sole-writer rule names role/<name> exactly.
    expect(defaults.role.Properties.Path).toBeUndefined();
    expect(defaults.role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(defaults.role.Properties.Policies).toBeUndefined();
  });

  test('every statement of its policy, for a foundation model', () => {
    const bucketArn = bucketArnOf(defaults);
    expect(Object.fromEntries(defaults.rolePolicy.statements.map((s) => [s.Sid, shape(s)]))).toEqual(
      sorted({
        ReadTheDatasets: { Action: ['s3:GetObject'], Resource: [`${bucketArn}/evaluations/datasets/*`] },
        WriteTheResults: {
          Action: ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload'],
          Resource: [`${bucketArn}/evaluations/results/*`],
        },
        ListTheDataBucket: {
          Action: ['s3:ListBucket'],
          Resource: [bucketArn],
          Condition: { StringEquals: { 'aws:ResourceAccount': account } },
        },
        LocateTheBucket: { Action: ['s3:GetBucketLocation', 's3:ListBucketMultipartUploads'], Resource: [bucketArn] },
        UseTheKeyThroughS3ForThisBucket: keyThroughS3(defaults.keyArn, bucketArn),
        DescribeTheKeyThroughS3: {
          Action: ['kms:DescribeKey'],
          Resource: [defaults.keyArn],
          Condition: { StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` } },
        },
        InvokeTheConfiguredModel: {
          Action: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
          Resource: [`arn:aws:bedrock:${region}::foundation-model/amazon.nova-micro-v1:0`],
        },
        // automatic-service-roles.html lists these as required for automatic jobs.
        RunTheGenerationAsABatchJob: {
          Action: ['bedrock:CreateModelInvocationJob'],
          Resource: [
            `arn:aws:bedrock:${region}:${account}:model-invocation-job/*`,
            `arn:aws:bedrock:${region}::foundation-model/amazon.nova-micro-v1:0`,
          ],
        },
        StopTheBatchJob: {
          Action: ['bedrock:StopModelInvocationJob'],
          Resource: [`arn:aws:bedrock:${region}:${account}:model-invocation-job/*`],
        },
        ListInferenceProfiles: { Action: ['bedrock:ListInferenceProfiles'], Resource: ['*'] },
      }),
    );
    expect(defaults.rolePolicy.statements.every((s) => s.Effect === 'Allow')).toBe(true);
  });

  test('through an inference profile: the profile, its model in any region only through it, and reading the profile', () => {
    const profileArn = `arn:aws:bedrock:${region}:${account}:inference-profile/${PROFILE_MODEL}`;
    const statements = bySid(profile.rolePolicy.statements);
    expect(shape(statements.InvokeTheConfiguredModel)).toEqual({
      Action: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
      Resource: [profileArn],
    });
    expect(shape(statements.InvokeTheModelThroughTheProfile)).toEqual({
      Action: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
      Resource: ['arn:aws:bedrock:*::foundation-model/anthropic.claude-3-7-sonnet-20250219-v1:0'],
      Condition: { StringEquals: { 'bedrock:InferenceProfileArn': profileArn } },
    });
    expect(shape(statements.ReadTheInferenceProfile)).toEqual({
      Action: ['bedrock:GetInferenceProfile'],
      Resource: [profileArn],
    });
    expect(statements.ApplyTheEnforcedGuardrail).toBeUndefined();
  });

  test("with the enforced guardrail: ApplyGuardrail on the project guardrail and kms:Decrypt on the guardrail's own key, nothing else added", () => {
    const statements = bySid(enforced.rolePolicy.statements);
    expect(shape(statements.ApplyTheEnforcedGuardrail)).toEqual({
      Action: ['bedrock:ApplyGuardrail'],
      Resource: [enforced.guardrailArn],
    });
    expect(shape(statements.ReadTheEncryptedGuardrail)).toEqual({
      Action: ['kms:Decrypt'],
      Resource: [enforced.guardrailKeyArn],
    });
    expect(enforced.guardrailKeyArn).not.toBe(enforced.keyArn);
    expect(Object.keys(statements).sort()).toEqual(
      [
        ...defaults.rolePolicy.statements.map((s) => s.Sid),
        'ApplyTheEnforcedGuardrail',
        'ReadTheEncryptedGuardrail',
      ].sort(),
    );
    expect(bySid(defaults.rolePolicy.statements).ApplyTheEnforcedGuardrail).toBeUndefined();
  });
});

describe('the operator policy', () => {
  test('every statement, exactly', () => {
    const bucketArn = bucketArnOf(defaults);
    const names = stackNames('GuardedGenAi');
    expect(Object.fromEntries(defaults.operatorPolicy.statements.map((s) => [s.Sid, shape(s)]))).toEqual(
      sorted({
        CallThisFunctionUrl: {
          Action: ['lambda:InvokeFunctionUrl'],
          Resource: [defaults.functionArn],
          Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' } },
        },
        InvokeOnlyThroughTheUrl: {
          Action: ['lambda:InvokeFunction'],
          Resource: [defaults.functionArn],
          Condition: { Bool: { 'lambda:InvokedViaFunctionUrl': 'true' } },
        },
        ApplyTheGuardrail: { Action: ['bedrock:ApplyGuardrail'], Resource: [defaults.guardrailArn] },
        ReadTheEncryptedGuardrail: { Action: ['kms:Decrypt'], Resource: [defaults.guardrailKeyArn] },
        UploadDatasetsAndRedTeamRuns: {
          Action: ['s3:PutObject'],
          Resource: [`${bucketArn}/evaluations/datasets/*`, `${bucketArn}/evaluations/redteam/*`],
        },
        ReadTheEvaluations: { Action: ['s3:GetObject'], Resource: [`${bucketArn}/evaluations/*`] },
        ListTheEvaluations: {
          Action: ['s3:ListBucket'],
          Resource: [bucketArn],
          Condition: { StringLike: { 's3:prefix': 'evaluations/*' } },
        },
        UseTheKeyThroughS3ForThisBucket: keyThroughS3(defaults.keyArn, bucketArn),
        EvaluateTheConfiguredModel: {
          Action: ['bedrock:CreateEvaluationJob'],
          Resource: [`arn:aws:bedrock:${region}::foundation-model/amazon.nova-micro-v1:0`],
        },
        WatchAndStopEvaluationJobs: {
          Action: ['bedrock:GetEvaluationJob', 'bedrock:StopEvaluationJob'],
          Resource: [`arn:aws:bedrock:${region}:${account}:evaluation-job/*`],
        },
        ListEvaluationJobs: { Action: ['bedrock:ListEvaluationJobs'], Resource: ['*'] },
        PassTheEvaluationRoleToBedrock: {
          Action: ['iam:PassRole'],
          Resource: [`arn:aws:iam::${account}:role/GuardedGenAi-Governance-evaluation`],
          Condition: { StringEquals: { 'iam:PassedToService': 'bedrock.amazonaws.com' } },
        },
        ReadTheAppStackOutputs: {
          Action: ['cloudformation:DescribeStacks'],
          Resource: [names.guardedInvoke, names.dataProtection, names.governance].map(
            (name) => `arn:aws:cloudformation:${region}:${account}:stack/${name}/*`,
          ),
        },
      }),
    );
  });

  test('shares its function-URL statements with the invoker policy, word for word', () => {
    const invoker = defaults.world.policyDocumentOf(defaults.stacks.guardedInvoke.invoke.invokerPolicy).Statement;
    const operator = bySid(defaults.operatorPolicy.statements);
    expect([operator.CallThisFunctionUrl, operator.InvokeOnlyThroughTheUrl]).toEqual(invoker);
  });

  test('with an inference profile, jobs are created on the profile or its foundation model (the reference lists only model types)', () => {
    expect(shape(bySid(profile.operatorPolicy.statements).EvaluateTheConfiguredModel)).toEqual({
      Action: ['bedrock:CreateEvaluationJob'],
      Resource: [
        'arn:aws:bedrock:*::foundation-model/anthropic.claude-3-7-sonnet-20250219-v1:0',
        `arn:aws:bedrock:${region}:${account}:inference-profile/${PROFILE_MODEL}`,
      ],
    });
  });
});

describe('the model card', () => {
  const contentOf = (s: Synth) => s.resolved<Record<string, Record<string, Json>>>(s.card.Properties.Content);

  test('its name fits SageMaker for the longest app name, and is derived from the stack', () => {
    const name = longestDestroy.card.Properties.ModelCardName as string;
    expect(name).toBe(`${'A'.repeat(25)}-Governance-model-card`);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/);
    expect(defaults.card.Properties.ModelCardName).toBe('GuardedGenAi-Governance-model-card');
  });

  test('encrypted with the project key, Draft by default', () => {
    expect(defaults.resolved(defaults.card.Properties.SecurityConfig)).toEqual({ KmsKeyId: defaults.keyArn });
    expect(defaults.card.Properties.ModelCardStatus).toBe('Draft');
  });

  test('retained by default, deleted with the sandbox (removalPolicy destroy)', () => {
    expect(defaults.card).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(longestDestroy.card).toMatchObject({ DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
  });

  test('the overview names the Bedrock model and its provider', () => {
    expect(contentOf(defaults).ModelOverview).toMatchObject({
      ModelId: 'amazon.nova-micro-v1:0',
      ModelName: 'amazon.nova-micro-v1:0',
      ModelCreator: 'Amazon',
    });
    expect(contentOf(profile).ModelOverview).toMatchObject({
      ModelId: PROFILE_MODEL,
      ModelName: 'anthropic.claude-3-7-sonnet-20250219-v1:0',
      ModelCreator: 'Anthropic',
    });
    expect(contentOf(profile).ModelOverview.ModelDescription).toContain('"eu" cross-region inference profile');
  });

  test('intended uses carry the risk rating and its explanation, and the denied topics as out of scope', () => {
    const uses = contentOf(defaults).IntendedUses as Record<string, string>;
    expect(uses.RiskRating).toBe('Medium');
    expect(uses.ExplanationsForRiskRating).toMatch(/^Medium: /);
    expect(uses.IntendedUses).toContain(
      'Out of scope (denied topics the guardrail blocks): personalised investment advice; automated decisions about individuals.',
    );
  });

  test('the guardrail in words: filters and strengths, topics, words, PII masked vs blocked, grounding', () => {
    const details = contentOf(defaults).AdditionalInformation.CustomDetails as Record<string, string>;
    expect(details.guardrail_content_filters).toBe(
      'Content filters (strength): HATE, INSULTS, SEXUAL, VIOLENCE, MISCONDUCT: HIGH on prompts and answers; PROMPT_ATTACK: HIGH on prompts only. Classic tier.',
    );
    expect(details.guardrail_denied_topics).toMatch(
      /^Denied on prompts and answers: Personalised-investment-advice \(Recommendations about which specific securities.*\); Automated-decisions-about-individuals \(Requests to decide, score or rank/,
    );
    expect(details.guardrail_word_filters).toBe(
      'Blocked on prompts and answers: the words "Project Nightjar", "Operation Kestrel" and the managed PROFANITY list.',
    );
    expect(details.guardrail_sensitive_information).toBe(
      'Masked in answers (prompts not checked): NAME, EMAIL, PHONE, ADDRESS, IP_ADDRESS, USERNAME. Blocked in prompts and answers: CREDIT_DEBIT_CARD_NUMBER, CREDIT_DEBIT_CARD_CVV, US_SOCIAL_SECURITY_NUMBER, UK_NATIONAL_INSURANCE_NUMBER, CA_SOCIAL_INSURANCE_NUMBER, AWS_ACCESS_KEY, AWS_SECRET_KEY, PASSWORD, internal-record-id (custom pattern).',
    );
    expect(details.guardrail_contextual_grounding).toBe(
      'Answers scoring below GROUNDING 0.75 or RELEVANCE 0.75 are blocked; applied only when a request sends a grounding source.',
    );
  });

  test('custom details: knowledge base, enforcement, where evaluations live, how to run them', () => {
    const details = contentOf(defaults).AdditionalInformation.CustomDetails as Record<string, string>;
    expect(details.knowledge_base).toMatch(/^on: /);
    expect(details.enforced_guardrail).toMatch(/^off: /);
    expect(
      (contentOf(enforced).AdditionalInformation.CustomDetails as Record<string, string>).enforced_guardrail,
    ).toMatch(/^on: /);
    expect(details.evaluations_location).toBe(`s3://${defaults.bucketName}/evaluations/`);
    expect(details.how_to_evaluate).toMatch(/^npm run evaluate: /);
    expect(details.how_to_red_team).toMatch(/^npm run redteam: /);
    for (const key of Object.keys(details)) expect(key).toMatch(/^[a-zA-Z_][a-zA-Z0-9_]*$/);
  });

  test('caveats name the Classic tier and what the red-team measures; evaluation details describe the approach, no job ARN', () => {
    const content = contentOf(defaults);
    expect(content.AdditionalInformation.CaveatsAndRecommendations).toContain('Classic tier');
    expect(content.AdditionalInformation.CaveatsAndRecommendations).toContain('npm run redteam measures');
    const evaluations = content.EvaluationDetails as unknown as {
      Name: string;
      EvaluationJobArn?: string;
      Datasets: string[];
    }[];
    expect(evaluations.map((e) => e.Name)).toEqual(['red-team-corpus', 'bedrock-automatic-model-evaluation']);
    expect(evaluations.every((e) => e.EvaluationJobArn === undefined)).toBe(true);
    expect(evaluations[1].Datasets).toEqual([`s3://${defaults.bucketName}/evaluations/datasets/`]);
  });

  test('the deployed content is within the documented limits (with the real bucket name)', () => {
    const content = contentOf(longestDestroy);
    const texts = [
      ...Object.values(content.ModelOverview).map((v) => [v, MODEL_CARD_LIMITS.overviewText] as const),
      ...Object.entries(content.IntendedUses)
        .filter(([k]) => k !== 'RiskRating')
        .map(([, v]) => [v, MODEL_CARD_LIMITS.intendedUsesText] as const),
      [content.AdditionalInformation.EthicalConsiderations, MODEL_CARD_LIMITS.additionalInformationText] as const,
      [content.AdditionalInformation.CaveatsAndRecommendations, MODEL_CARD_LIMITS.additionalInformationText] as const,
      ...Object.values(content.AdditionalInformation.CustomDetails as Record<string, string>).map(
        (v) => [v, MODEL_CARD_LIMITS.customDetailValue] as const,
      ),
    ];
    for (const [text, limit] of texts) {
      expect(typeof text).toBe('string');
      expect((text as string).length).toBeLessThanOrEqual(limit);
    }
    expect(JSON.stringify(content).length).toBeLessThanOrEqual(MODEL_CARD_LIMITS.content);
  });

  test("the template's content is the generator's, for the configuration's facts", () => {
    const facts = defaultFacts(`s3://${defaults.bucketName}/evaluations/`);
    // Rendered by CloudFormation's L1 on its own, to compare in template form.
    const app = testApp();
    new sagemaker.CfnModelCard(new Stack(app, 'Rendered'), 'Card', {
      modelCardName: 'rendered',
      modelCardStatus: 'Draft',
      content: modelCardContent(facts),
    });
    const rendered = app.synth().getStackByName('Rendered').template as { Resources: Record<string, Resource> };
    expect(contentOf(defaults)).toEqual(Object.values(rendered.Resources)[0].Properties.Content);
  });

  test('the content changes with the model, the enforcement and the bucket, and not with the removal policy', () => {
    expect(contentOf(profile)).not.toEqual(contentOf(defaults));
    expect(contentOf(enforced)).not.toEqual(contentOf(defaults));
    const sameBucket = (s: Synth) => JSON.stringify(contentOf(s)).split(s.bucketName).join('<bucket>');
    // The longest-name copy differs from the default only in its name (hence its bucket) and removal policy.
    expect(sameBucket(longestDestroy)).toBe(sameBucket(defaults));
  });
});

describe('the model card content generator', () => {
  const facts = defaultFacts('s3://guardedgenai-dataprotection-databucket1a2b3c4d-0f1e2d3c4b5a/evaluations/');

  test('is deterministic: the same facts give the same content', () => {
    expect(JSON.stringify(modelCardContent(facts))).toBe(
      JSON.stringify(
        modelCardContent({
          ...facts,
          guardrailPolicy: guardrailPolicy({
            filterStrength: 'HIGH',
            groundingThreshold: 0.75,
            relevanceThreshold: 0.75,
          }),
        }),
      ),
    );
  });

  test('changes when the guardrail policy changes, and says how', () => {
    const medium = modelCardContent({
      ...facts,
      guardrailPolicy: guardrailPolicy({ filterStrength: 'MEDIUM', groundingThreshold: 0.5, relevanceThreshold: 0.75 }),
    });
    expect(medium).not.toEqual(modelCardContent(facts));
    const details = (medium.additionalInformation as { customDetails: Record<string, string> }).customDetails;
    expect(details.guardrail_content_filters).toContain(
      'HATE, INSULTS, SEXUAL, VIOLENCE, MISCONDUCT: MEDIUM on prompts and answers',
    );
    expect(details.guardrail_contextual_grounding).toContain('GROUNDING 0.5 or RELEVANCE 0.75');
  });

  test('changes with the model and the risk rating; the review status is not an input', () => {
    expect(modelCardContent({ ...facts, model: modelTarget('anthropic.claude-3-haiku-20240307-v1:0') })).not.toEqual(
      modelCardContent(facts),
    );
    expect(modelCardContent({ ...facts, riskRating: 'High' })).not.toEqual(modelCardContent(facts));
    expect(modelCardContent.length).toBe(1);
  });

  test('names the provider from the model id, for a foundation model and a profile', () => {
    expect(modelProvider('amazon.nova-micro-v1:0')).toBe('Amazon');
    expect(modelProvider('us.meta.llama3-2-11b-instruct-v1:0')).toBe('Meta');
    expect(modelProvider('global.anthropic.claude-sonnet-4-20250514-v1:0')).toBe('Anthropic');
    expect(modelProvider('mistral.mistral-large-2402-v1:0')).toBe('Mistral AI');
    expect(() => modelProvider('not a model')).toThrow(/not a Bedrock model id/);
  });

  test('a guardrail with more than the card can hold fails with the field, its length and the limit', () => {
    // Bedrock allows 30 denied topics per guardrail, each defined in up to 200 characters.
    const topicsConfig = Array.from({ length: 30 }, (_, i) => ({
      name: `Topic-${i + 1}`,
      type: 'DENY',
      definition: `Requests about subject number ${i + 1}. `.padEnd(200, 'x'),
    }));
    const crowded = { ...facts, guardrailPolicy: { ...facts.guardrailPolicy, topicPolicyConfig: { topicsConfig } } };
    expect(() => validateModelCardContent(modelCardContent(crowded))).toThrow(
      /^model card: additional_information\.custom_details\.guardrail_denied_topics is \d{4} characters, over the limit of 1024 \(https:\/\/docs\.aws\.amazon\.com\/sagemaker\/latest\/dg\/model-cards\.html#model-cards-json-schema\)$/,
    );
    expect(() => validateModelCardContent(modelCardContent(facts))).not.toThrow();
  });
});

describe('the ModelCard construct', () => {
  const factsWith = (filterStrength: 'HIGH' | 'MEDIUM' = 'HIGH') => ({
    model: modelTarget('amazon.nova-micro-v1:0'),
    riskRating: 'Low' as const,
    guardrailPolicy: guardrailPolicy({ filterStrength, groundingThreshold: 0.75, relevanceThreshold: 0.75 }),
    knowledgeBase: false,
    enforcedGuardrail: false,
    evaluationsUri: 's3://bucket/evaluations/',
  });
  const stackWithCard = (
    name: string,
    status: 'Draft' | 'PendingReview' | 'Approved' = 'Draft',
    reviewedDigest?: string,
    facts = factsWith(),
  ) => {
    const stack = new Stack(testApp(), 'Cards', { env: TEST_ENV });
    const card = new ModelCard(stack, 'Card', {
      name,
      key: new kms.Key(stack, 'Key'),
      status,
      reviewedDigest,
      removalPolicy: RemovalPolicy.RETAIN,
      facts,
    });
    return { stack, card };
  };

  test('Approved and PendingReview need the digest of the content that was read, taken from the deployed Draft card', () => {
    const { card } = stackWithCard('my-card');
    expect(card.contentDigest).toMatch(/^[0-9a-f]{16}$/);
    for (const status of ['Approved', 'PendingReview'] as const) {
      expect(() => stackWithCard('my-card', status)).toThrow(
        new RegExp(
          `modelCardStatus "${status}" with modelCardReviewedDigest "": .*Deploy the content as Draft first, read its digest from the Governance stack output ModelCardContentDigest.*digest ${card.contentDigest}`,
        ),
      );
      const reviewed = stackWithCard('my-card', status, card.contentDigest);
      expect(reviewed.stack.resolve(reviewed.card.card.modelCardStatus)).toBe(status);
    }
  });

  test('a content change while the card is under review or approved is refused, with the two deployments that make it', () => {
    const reviewed = stackWithCard('my-card').card.contentDigest;
    const changed = stackWithCard('my-card', 'Draft', undefined, factsWith('MEDIUM')).card.contentDigest;
    for (const status of ['Approved', 'PendingReview'] as const) {
      expect(() => stackWithCard('my-card', status, reviewed, factsWith('MEDIUM'))).toThrow(
        new RegExp(
          `but the card's content digest is ${changed}.*\\(1\\) set modelCardStatus=Draft, keep modelCardReviewedDigest=${reviewed} and the content as it was reviewed.*\\(2\\) make the change, remove modelCardReviewedDigest`,
        ),
      );
    }
    // The bucket name is not content a reviewer judges.
    const otherBucket = { ...factsWith(), evaluationsUri: 's3://another-bucket/evaluations/' };
    expect(() => stackWithCard('my-card', 'Approved', reviewed, otherBucket)).not.toThrow();
  });

  test('leaving a review is a deployment of its own: Draft with the digest still set keeps the reviewed content', () => {
    const reviewed = stackWithCard('my-card').card.contentDigest;
    // Step 1: status back to Draft, content unchanged.
    expect(() => stackWithCard('my-card', 'Draft', reviewed)).not.toThrow();
    // Status and content in the same deployment: what UpdateModelCard refuses.
    expect(() => stackWithCard('my-card', 'Draft', reviewed, factsWith('MEDIUM'))).toThrow(
      new RegExp(
        `modelCardStatus "Draft" with modelCardReviewedDigest "${reviewed}".*must not change its content too.*\\(2\\) then remove modelCardReviewedDigest and change the content`,
      ),
    );
    // Step 2: the digest removed, the content changed, the status still Draft.
    expect(() => stackWithCard('my-card', 'Draft', undefined, factsWith('MEDIUM'))).not.toThrow();
  });

  test('sets the status it is given, and exposes its name', () => {
    const digest = stackWithCard('my-card').card.contentDigest;
    const { stack, card } = stackWithCard('my-card', 'PendingReview', digest);
    expect(stack.resolve(card.card.modelCardStatus)).toBe('PendingReview');
    expect(card.name).toBe('my-card');
  });

  test('refuses a name SageMaker would refuse', () => {
    expect(MODEL_CARD_NAME_PATTERN.test('a'.repeat(63))).toBe(true);
    expect(() => stackWithCard('a'.repeat(64))).toThrow(/model card name .* \(64 characters\) must match/);
    expect(() => stackWithCard('card_with_underscore')).toThrow(/must match/);
    expect(() => stackWithCard('-leading-hyphen')).toThrow(/must match/);
  });
});

describe('outputs', () => {
  test('what the scripts read', () => {
    const outputs = Object.fromEntries(
      Object.entries(defaults.template.Outputs).map(([name, o]) => [name, defaults.resolved(o.Value)]),
    );
    expect(outputs).toEqual({
      EvaluationRoleArn: `arn:aws:iam::${account}:role/GuardedGenAi-Governance-evaluation`,
      OperatorPolicyArn: expect.stringMatching(
        new RegExp(`^arn:aws:iam::${account}:policy/GuardedGenAi-Governance-OperatorPolicy`),
      ),
      ModelCardName: 'GuardedGenAi-Governance-model-card',
      ModelCardContentDigest: defaults.stacks.governance.modelCard.contentDigest,
    });
  });

  test('normalized snapshot (default configuration)', () => {
    expect(defaults.template).toMatchSnapshot();
  });
});
