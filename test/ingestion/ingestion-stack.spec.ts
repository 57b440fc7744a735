import type { CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { parseConfig } from '../../lib/config';
import { INCOMING_PREFIX, KNOWLEDGE_PREFIX, RECORDS_PREFIX } from '../../lib/shared/data-layout';
import { ingestionGuardrailName, RULE_NAME_MAX_LENGTH, scanResultRuleName, stackNames } from '../../lib/shared/names';
import { sensitiveInformationPolicy } from '../../lib/guarded-ai/guardrail';
import { REQUIRED_PROMOTION_SETTINGS } from '../../lib/shared/promotion-contract';
import { ingestionProps } from '../../lib/stack-props';
import { synthesize, TEST_ENV } from '../support/build-app';
import { matchesPattern } from '../support/event-pattern';
import { PolicyWorld } from '../support/iam-harness';
import { NAMED_TYPES } from '../support/physical-names';
import { malwareScanResult, type SampleEvent } from '../threat-detection/sample-events';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Resource = { Type: string; Properties: Record<string, Json> };
type Statement = {
  Sid?: string;
  Effect: string;
  Principal?: Json;
  Action: Json;
  Resource?: Json;
  NotResource?: Json;
  Condition?: Record<string, Record<string, Json>>;
};

/**
 * Limits the physical-name helpers do not hold (they are not generated names).
 * - CloudWatch alarm names: 1..255 characters,
 *   https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
 * - Bedrock knowledge-base names: `([0-9a-zA-Z][_-]?){1,100}`,
 *   https://docs.aws.amazon.com/bedrock/latest/APIReference/API_agent_CreateKnowledgeBase.html
 */
const ALARM_NAME_MAX_LENGTH = 255;
const KNOWLEDGE_BASE_NAME = /^([0-9a-zA-Z][_-]?){1,100}$/;

/** Templates of every stack of one configuration, and a world that resolves their references. */
function synth(overrides: Record<string, unknown> = {}) {
  const project = synthesize(overrides);
  const { assembly, stacks } = project;
  const template = (stack: Stack | undefined) =>
    stack ? Template.fromJSON(assembly.getStackByName(stack.stackName).template) : undefined;
  return {
    ...project,
    world: new PolicyWorld(assembly, TEST_ENV),
    ingestion: template(stacks.ingestion),
    knowledgeTemplate: template(stacks.knowledge),
    data: template(stacks.dataProtection) as Template,
    threat: template(stacks.threatDetection) as Template,
  };
}

function only(t: Template | undefined, type: string): Resource {
  const found = Object.values(t?.findResources(type) ?? {}) as Resource[];
  expect(found).toHaveLength(1);
  return found[0];
}
function logicalIdOf(construct: IConstruct | undefined): string {
  if (!construct) throw new Error('no such construct');
  const cfn = (construct.node.defaultChild ?? construct) as CfnElement;
  return cfn.stack.getLogicalId(cfn);
}
function keyStatements(t: Template): Statement[] {
  return (only(t, 'AWS::KMS::Key').Properties.KeyPolicy as { Statement: Statement[] }).Statement;
}
function bucketPolicyStatements(t: Template): Statement[] {
  return Object.values(t.findResources('AWS::S3::BucketPolicy')).flatMap(
    (p) => p.Properties.PolicyDocument.Statement as Statement[],
  );
}
function topicPolicyStatements(t: Template): Statement[] {
  return Object.values(t.findResources('AWS::SNS::TopicPolicy')).flatMap(
    (p) => p.Properties.PolicyDocument.Statement as Statement[],
  );
}
/** An IAM ArnLike pattern (`*` any run, `?` one character) as a RegExp. */
function arnLike(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

const defaults = synth();
const off = synth({ knowledgeBase: false });
const DEFAULT_CONFIG = parseConfig({});
const promotion = () => {
  const p = defaults.stacks.ingestion?.promotion;
  if (!p) throw new Error('the default configuration has no ingestion stack');
  return p;
};
const INGESTION = stackNames(DEFAULT_CONFIG.appName).ingestion;
const queueArn = (name: string) => `arn:aws:sqs:${TEST_ENV.region}:${TEST_ENV.account}:${name}`;

describe('IngestionStack', () => {
  test('normalized snapshot (default configuration)', () => {
    expect(defaults.ingestion?.toJSON()).toMatchSnapshot();
  });

  describe('scan results reach the promotion queue', () => {
    const rule = () => {
      const properties = defaults.world.resolve(
        only(defaults.ingestion, 'AWS::Events::Rule').Properties as Json,
        INGESTION,
      ) as { EventPattern: Record<string, Json>; Targets: Record<string, Json>[] };
      return properties;
    };
    const dataBucket = () =>
      defaults.world.arnOf(defaults.stacks.dataProtection.dataBucket.bucket).replace('arn:aws:s3:::', '');
    const scanOf = (bucket: string, key: string, status = 'NO_THREATS_FOUND'): SampleEvent => {
      const event = malwareScanResult(bucket, status);
      const detail = event.detail as { s3ObjectDetails: Record<string, Json> };
      return { ...event, detail: { ...detail, s3ObjectDetails: { ...detail.s3ObjectDetails, objectKey: key } } };
    };

    test('a scan result (clean or not) of a document under incoming/ of the data bucket matches', () => {
      const { EventPattern } = rule();
      expect(INCOMING_PREFIX).toBe('incoming/');
      expect(matchesPattern(EventPattern, scanOf(dataBucket(), 'incoming/x'))).toBe(true);
      expect(matchesPattern(EventPattern, scanOf(dataBucket(), 'incoming/reports/q3.md'))).toBe(true);
      // Infected documents are refused (tagged and reported) by the function, so it must see them too.
      expect(matchesPattern(EventPattern, scanOf(dataBucket(), 'incoming/x', 'THREATS_FOUND'))).toBe(true);
    });

    test('promoted copies, audit records, other prefixes and other buckets do not', () => {
      const { EventPattern } = rule();
      for (const key of [`${KNOWLEDGE_PREFIX}x`, `${RECORDS_PREFIX}x`, 'x', 'Incoming/x', 'other/incoming/x']) {
        expect([key, matchesPattern(EventPattern, scanOf(dataBucket(), key))]).toEqual([key, false]);
      }
      expect(matchesPattern(EventPattern, scanOf('someone-elses-bucket', 'incoming/x'))).toBe(false);
      expect(matchesPattern(EventPattern, scanOf(`${dataBucket()}-copy`, 'incoming/x'))).toBe(false);
      const otherSource = { ...scanOf(dataBucket(), 'incoming/x'), source: 'custom.forged' };
      expect(matchesPattern(EventPattern, otherSource)).toBe(false);
    });

    test('the rule is named <stack>-scan-results, so the alarms of another stack can watch it without an import', () => {
      const name = only(defaults.ingestion, 'AWS::Events::Rule').Properties.Name;
      expect(name).toBe(scanResultRuleName(INGESTION));
      expect(name).toBe(`${INGESTION}-scan-results`);
    });

    test('the one target is the promotion queue, with a dead-letter queue and a retry policy', () => {
      const target = only(defaults.ingestion, 'AWS::Events::Rule').Properties.Targets as Record<string, Json>[];
      expect(target).toHaveLength(1);
      expect(target[0]).toMatchObject({
        Arn: { 'Fn::GetAtt': [logicalIdOf(promotion().queue), 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalIdOf(promotion().deadLetters), 'Arn'] } },
        RetryPolicy: { MaximumRetryAttempts: expect.any(Number), MaximumEventAgeInSeconds: expect.any(Number) },
      });
      // EventBridge's limits: 0..185 attempts, 60..86400 seconds.
      // https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_RetryPolicy.html
      const retry = target[0].RetryPolicy as { MaximumRetryAttempts: number; MaximumEventAgeInSeconds: number };
      expect(retry.MaximumRetryAttempts).toBeGreaterThan(0);
      expect(retry.MaximumRetryAttempts).toBeLessThanOrEqual(185);
      expect(retry.MaximumEventAgeInSeconds).toBeGreaterThanOrEqual(60);
      expect(retry.MaximumEventAgeInSeconds).toBeLessThanOrEqual(86400);
    });
  });

  describe('the queues', () => {
    const queue = () => defaults.ingestion?.toJSON().Resources[logicalIdOf(promotion().queue)] as Resource;
    const deadLetters = () => defaults.ingestion?.toJSON().Resources[logicalIdOf(promotion().deadLetters)] as Resource;
    const fn = () => only(defaults.ingestion, 'AWS::Lambda::Function').Properties;

    test('named <stack>-promotions and <stack>-promotion-dead-letters, both encrypted with the alert key, not the project key', () => {
      expect(queue().Properties.QueueName).toBe(`${INGESTION}-promotions`);
      expect(deadLetters().Properties.QueueName).toBe(`${INGESTION}-promotion-dead-letters`);
      for (const q of [queue(), deadLetters()]) {
        expect(q.Properties.KmsMasterKeyId).toEqual({
          'Fn::ImportValue': expect.stringMatching(
            new RegExp(`^${defaults.stacks.threatDetection.stackName}:.*AlertsKey.*Arn`),
          ),
        });
      }
      defaults.ingestion?.resourceCountIs('AWS::SQS::Queue', 2);
    });

    test('a record is dead-lettered after maxReceiveCount receives, each one at least six function timeouts apart', () => {
      expect(queue().Properties.RedrivePolicy).toEqual({
        deadLetterTargetArn: { 'Fn::GetAtt': [logicalIdOf(promotion().deadLetters), 'Arn'] },
        maxReceiveCount: expect.any(Number),
      });
      const { maxReceiveCount } = queue().Properties.RedrivePolicy as { maxReceiveCount: number };
      expect(maxReceiveCount).toBeGreaterThanOrEqual(1);
      expect(maxReceiveCount).toBeLessThanOrEqual(1000);
      // https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html
      expect(queue().Properties.VisibilityTimeout as number).toBeGreaterThanOrEqual(6 * (fn().Timeout as number));
    });

    test('only the promotion queue may redrive into the dead-letter queue', () => {
      expect(deadLetters().Properties.RedriveAllowPolicy).toEqual({
        redrivePermission: 'byQueue',
        sourceQueueArns: [queueArn(`${INGESTION}-promotions`)],
      });
      // ...and that ARN is the promotion queue's, as deployed.
      expect(defaults.world.arnOf(promotion().queue)).toBe(queueArn(`${INGESTION}-promotions`));
    });

    test('queue policies let EventBridge send only on behalf of the scan-result rule, and refuse plain HTTP', () => {
      const ruleArn = { 'Fn::GetAtt': [logicalIdOf(promotion().rule), 'Arn'] };
      const policies = Object.values(defaults.ingestion?.findResources('AWS::SQS::QueuePolicy') ?? {});
      expect(policies).toHaveLength(2);
      for (const policy of policies) {
        const statements = policy.Properties.PolicyDocument.Statement as Statement[];
        const allows = statements.filter((s) => s.Effect === 'Allow');
        expect(allows).toHaveLength(1);
        expect(allows[0]).toMatchObject({
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } },
        });
        expect(Object.keys(allows[0].Condition ?? {})).toEqual(['ArnEquals']);
        expect(statements).toContainEqual(
          expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        );
      }
      const covered = policies.flatMap((p) => p.Properties.Queues as Json[]);
      expect(covered).toHaveLength(2);
      expect(covered).toEqual(
        expect.arrayContaining([
          { Ref: logicalIdOf(promotion().queue) },
          { Ref: logicalIdOf(promotion().deadLetters) },
        ]),
      );
    });
  });

  describe('the promotion function', () => {
    const fn = () => only(defaults.ingestion, 'AWS::Lambda::Function').Properties;

    test('Node.js 24 on arm64, through its own role named <stack>-promoter', () => {
      expect(fn()).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Role: { 'Fn::GetAtt': [logicalIdOf(promotion().role), 'Arn'] },
      });
      defaults.ingestion?.hasResourceProperties('AWS::IAM::Role', {
        RoleName: `${INGESTION}-promoter`,
        AssumeRolePolicyDocument: {
          Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'lambda.amazonaws.com' } }],
        },
        ManagedPolicyArns: Match.absent(),
        Policies: Match.absent(),
      });
      defaults.ingestion?.resourceCountIs('AWS::IAM::Policy', 0);
    });

    test('every setting of the promotion contract is set', () => {
      const variables = (fn().Environment as { Variables: Record<string, Json> }).Variables;
      for (const name of REQUIRED_PROMOTION_SETTINGS) {
        expect([name, variables[name]]).toEqual([name, expect.anything()]);
        expect([name, variables[name]]).not.toEqual([name, '']);
      }
      expect(variables).toMatchObject({
        // Read from the knowledge stack's SSM parameters when deployed (no import).
        KNOWLEDGE_BASE_ID: expect.stringMatching(
          /^\{\{resolve:ssm:\/GuardedGenAi-Knowledge\/[0-9a-f]{8}\/knowledge-base-id\}\}$/,
        ),
        DATA_SOURCE_ID: expect.stringMatching(
          /^\{\{resolve:ssm:\/GuardedGenAi-Knowledge\/[0-9a-f]{8}\/data-source-id\}\}$/,
        ),
      });
      const resolved = defaults.world.resolve(variables as Json, INGESTION) as Record<string, string>;
      expect(resolved.DATA_BUCKET).toBe(
        defaults.world.arnOf(defaults.stacks.dataProtection.dataBucket.bucket).replace('arn:aws:s3:::', ''),
      );
      expect(resolved.ALERT_TOPIC_ARN).toBe(
        `arn:aws:sns:${TEST_ENV.region}:${TEST_ENV.account}:${defaults.stacks.threatDetection.stackName}-alerts`,
      );
      // The stack's own guardrail and version: nothing imported that changes with a policy.
      const [guardrailId] = Object.keys(defaults.ingestion?.findResources('AWS::Bedrock::Guardrail') ?? {});
      const [versionId] = Object.keys(defaults.ingestion?.findResources('AWS::Bedrock::GuardrailVersion') ?? {});
      expect(variables.GUARDRAIL_ARN).toEqual({ 'Fn::GetAtt': [guardrailId, 'GuardrailArn'] });
      expect(variables.GUARDRAIL_VERSION).toEqual({ 'Fn::GetAtt': [versionId, 'Version'] });
      // PDF and Office documents are refused unless the setting says otherwise.
      expect(variables.BINARY_DOCUMENTS).toBe('refuse');
    });

    test('it encrypts alerts with kms:GenerateDataKey* and kms:Decrypt on the alert key, the actions SNS documents for a publisher', () => {
      // https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html
      const statements = Object.values(defaults.ingestion?.findResources('AWS::IAM::ManagedPolicy') ?? {}).flatMap(
        (p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
      );
      const alerts = statements.filter((st) => st.Sid === 'UseTheAlertKey');
      expect(alerts).toHaveLength(1);
      expect(alerts[0].Action).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
      expect(alerts[0].Condition).toBeUndefined();
    });

    test('the binaryDocuments setting reaches the function', () => {
      expect(ingestionProps(parseConfig({ binaryDocuments: 'promote-unscreened' })).binaryDocuments).toBe(
        'promote-unscreened',
      );
      expect(ingestionProps(DEFAULT_CONFIG).binaryDocuments).toBe('refuse');
    });

    test('the ingestion guardrail: the sensitive-information policy alone, on the guardrail key, named after the stack', () => {
      const guardrail = only(defaults.ingestion, 'AWS::Bedrock::Guardrail').Properties;
      expect(guardrail.Name).toBe(ingestionGuardrailName(INGESTION));
      // Neither content, topic, word nor contextual grounding policies: they would act on, and bill for, every document.
      for (const policy of [
        'ContentPolicyConfig',
        'TopicPolicyConfig',
        'WordPolicyConfig',
        'ContextualGroundingPolicyConfig',
      ]) {
        expect(guardrail).not.toHaveProperty(policy);
      }
      // The same sensitive-information policy as the project guardrail, so what is indexed is what an answer may show.
      const project = Template.fromJSON(
        defaults.assembly.getStackByName(defaults.stacks.guardedInvoke.stackName).template,
      );
      expect(guardrail.SensitiveInformationPolicyConfig).toEqual(
        only(project, 'AWS::Bedrock::Guardrail').Properties.SensitiveInformationPolicyConfig,
      );
      const entities = (sensitiveInformationPolicy() as { piiEntitiesConfig: unknown[] }).piiEntitiesConfig;
      expect(
        (guardrail.SensitiveInformationPolicyConfig as { PiiEntitiesConfig: unknown[] }).PiiEntitiesConfig,
      ).toHaveLength(entities.length);
      // Encrypted with the guarded-invoke stack's guardrail key (which encrypts guardrails alone).
      expect(guardrail.KmsKeyArn).toEqual({ 'Fn::ImportValue': expect.stringMatching(/GuardrailKey/) });
      defaults.ingestion?.resourceCountIs('AWS::Bedrock::GuardrailVersion', 1);
    });

    test('fed by the promotion queue, reporting partial batch failures, with bounded concurrency', () => {
      defaults.ingestion?.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
      const mapping = only(defaults.ingestion, 'AWS::Lambda::EventSourceMapping').Properties;
      expect(mapping).toMatchObject({
        EventSourceArn: { 'Fn::GetAtt': [logicalIdOf(promotion().queue), 'Arn'] },
        FunctionName: { Ref: logicalIdOf(promotion().function) },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: expect.any(Number) },
      });
      // SQS event sources accept 2..1000.
      // https://docs.aws.amazon.com/lambda/latest/api/API_ScalingConfig.html
      const { MaximumConcurrency } = mapping.ScalingConfig as { MaximumConcurrency: number };
      expect(MaximumConcurrency).toBeGreaterThanOrEqual(2);
      expect(MaximumConcurrency).toBeLessThanOrEqual(1000);
    });
  });

  describe('a guardrail policy change does not reach this stack', () => {
    const medium = synth({ guardrailFilterStrength: 'MEDIUM' });
    type Outputs = Record<string, { Value: Json; Export?: { Name: string } }>;
    const imports = (t: Template | undefined): string[] => {
      const found: string[] = [];
      const walk = (value: Json) => {
        if (Array.isArray(value)) value.forEach(walk);
        else if (value && typeof value === 'object') {
          if (typeof value['Fn::ImportValue'] === 'string') found.push(value['Fn::ImportValue']);
          Object.values(value).forEach(walk);
        }
      };
      walk(t?.toJSON() as Json);
      return found;
    };
    /** Logical IDs a value refers to with Ref or Fn::GetAtt. */
    const referenced = (value: Json): string[] =>
      Array.isArray(value)
        ? value.flatMap(referenced)
        : value && typeof value === 'object'
          ? [
              ...(typeof value.Ref === 'string' ? [value.Ref] : []),
              ...(Array.isArray(value['Fn::GetAtt']) ? [value['Fn::GetAtt'][0] as string] : []),
              ...Object.values(value).flatMap(referenced),
            ]
          : [];

    test('it imports no export named after the guardrail version', () => {
      const names = imports(defaults.ingestion);
      // It does import (the key, the knowledge base, the guardrail key...): the check has something to look at.
      expect(names.some((name) => name.includes('GuardrailKey'))).toBe(true);
      // Not even the project guardrail: the ingestion guardrail is this stack's own.
      expect(names.filter((name) => /GuardrailArn/.test(name))).toEqual([]);
      expect(names.filter((name) => /GuardrailVersion/i.test(name))).toEqual([]);
    });

    test('no export it imports is produced from a guardrail version, the resource a policy change replaces', () => {
      const producers = new Map<string, { template: Record<string, Json>; value: Json }>();
      for (const stack of defaults.assembly.stacks) {
        for (const output of Object.values((stack.template.Outputs ?? {}) as Outputs)) {
          if (output.Export) producers.set(output.Export.Name, { template: stack.template, value: output.Value });
        }
      }
      for (const name of imports(defaults.ingestion)) {
        const producer = producers.get(name);
        expect([name, producer !== undefined]).toEqual([name, true]);
        const resources = producer?.template.Resources as Record<string, { Type: string }>;
        const types = referenced(producer?.value ?? null).map((id) => resources[id]?.Type);
        expect([name, types]).not.toEqual([name, expect.arrayContaining(['AWS::Bedrock::GuardrailVersion'])]);
      }
    });

    test("it imports the guardrail key's ARN from the key itself (a strong reference: a key is never replaced)", () => {
      const invokeStack = defaults.assembly.getStackByName(defaults.stacks.guardedInvoke.stackName).template;
      const resources = invokeStack.Resources as Record<string, { Type: string }>;
      const fromKey = Object.values((invokeStack.Outputs ?? {}) as Outputs)
        .filter((o) => o.Export && imports(defaults.ingestion).includes(o.Export.Name))
        .filter((o) => referenced(o.Value).some((id) => resources[id]?.Type === 'AWS::KMS::Key'));
      expect(fromKey.map((o) => o.Value)).toEqual([
        { 'Fn::GetAtt': [logicalIdOf(defaults.stacks.guardedInvoke.guardrailKey.key), 'Arn'] },
      ]);
    });

    test('with another filter strength the guardrail version is replaced, and this stack is unchanged', () => {
      const descriptions = (project: typeof defaults) =>
        Object.values(
          Template.fromJSON(
            project.assembly.getStackByName(project.stacks.guardedInvoke.stackName).template,
          ).findResources('AWS::Bedrock::GuardrailVersion'),
        ).map((r) => r.Properties.Description as string);
      expect(descriptions(medium)).not.toEqual(descriptions(defaults));
      expect(medium.ingestion?.toJSON()).toEqual(defaults.ingestion?.toJSON());
    });
  });

  describe('failures reach the alert topic', () => {
    test('an alarm on dead-lettered records (>= 1 visible message), named <stack>-promotion-failures, notifying the alert topic', () => {
      const alarm = only(defaults.ingestion, 'AWS::CloudWatch::Alarm').Properties;
      expect(alarm).toMatchObject({
        AlarmName: `${INGESTION}-promotion-failures`,
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [
          { Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(promotion().deadLetters), 'QueueName'] } },
        ],
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
        AlarmActions: [
          {
            'Fn::ImportValue': expect.stringMatching(
              new RegExp(`^${defaults.stacks.threatDetection.stackName}:.*AlertsTopic`),
            ),
          },
        ],
      });
    });

    test('the alert topic lets exactly the app-prefixed alarms publish, and this alarm is one of them', () => {
      const statements = topicPolicyStatements(defaults.threat).filter((s) => s.Sid === 'OnlyOurAlarmsPublish');
      expect(statements).toEqual([
        {
          Sid: 'OnlyOurAlarmsPublish',
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: 'sns:Publish',
          Resource: expect.anything(),
          Condition: {
            ArnLike: {
              'aws:SourceArn': `arn:aws:cloudwatch:${TEST_ENV.region}:${TEST_ENV.account}:alarm:${DEFAULT_CONFIG.appName}-*`,
            },
          },
        },
      ]);
      const pattern = arnLike(statements[0].Condition?.ArnLike['aws:SourceArn'] as string);
      const alarmName = only(defaults.ingestion, 'AWS::CloudWatch::Alarm').Properties.AlarmName as string;
      const arn = (name: string) => `arn:aws:cloudwatch:${TEST_ENV.region}:${TEST_ENV.account}:alarm:${name}`;
      expect(arn(alarmName)).toMatch(pattern);
      expect(arn('OtherCopy-Ingestion-promotion-failures')).not.toMatch(pattern);
      expect(`arn:aws:cloudwatch:${TEST_ENV.region}:222222222222:alarm:${alarmName}`).not.toMatch(pattern);
    });

    test('knowledgeBase false => the alarms of the operations stack still publish, the promotion alarm is gone', () => {
      expect(topicPolicyStatements(off.threat).map((s) => s.Sid)).toContain('OnlyOurAlarmsPublish');
      expect(JSON.stringify(off.assembly.stacks.map((s) => s.template))).not.toContain('promotion-failures');
    });
  });

  describe('what the data-protection stack allows for it', () => {
    const sid = (t: Template, id: string) => keyStatements(t).filter((s) => s.Sid === id);

    test('S3 Vectors may decrypt for vector buckets of this account, with its documented encryption-context keys', () => {
      // https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-vectors-data-encryption.html
      expect(sid(defaults.data, 'S3VectorsMaintainsTheIndex')).toEqual([
        {
          Sid: 'S3VectorsMaintainsTheIndex',
          Effect: 'Allow',
          Principal: { Service: 'indexing.s3vectors.amazonaws.com' },
          Action: 'kms:Decrypt',
          Resource: '*',
          Condition: {
            StringEquals: { 'aws:SourceAccount': TEST_ENV.account },
            ArnLike: { 'aws:SourceArn': `arn:aws:s3vectors:${TEST_ENV.region}:${TEST_ENV.account}:bucket/*` },
            'ForAnyValue:StringEquals': {
              'kms:EncryptionContextKeys': ['aws:s3vectors:arn', 'aws:s3vectors:resource-id'],
            },
          },
        },
      ]);
    });

    // EventBridge writes the promotion queues with the alert key (the form AWS
    // documents has no condition), so the project key has no statement for it.
    test('the project key lets EventBridge in for nothing: the promotion queues are on the alert key', () => {
      const eventBridge = keyStatements(defaults.data).filter(
        (s) => JSON.stringify(s.Principal) === '{"Service":"events.amazonaws.com"}',
      );
      expect(eventBridge).toEqual([]);
    });

    test('knowledgeBase false => none of those key statements', () => {
      const sids = keyStatements(off.data).map((s) => s.Sid);
      expect(sids).not.toContain('S3VectorsMaintainsTheIndex');
      expect(JSON.stringify(keyStatements(off.data))).not.toMatch(/s3vectors|promotion/);
    });

    test('no one but the promoter role may put objects under knowledge/ of the data bucket', () => {
      const denies = bucketPolicyStatements(defaults.data).filter(
        (s) => s.Effect === 'Deny' && JSON.stringify(s.Resource ?? '').includes('/knowledge/*'),
      );
      expect(denies).toEqual([
        expect.objectContaining({
          Principal: { AWS: '*' },
          Action: ['s3:PutObject', 's3:ReplicateObject'],
          Condition: {
            ArnNotEquals: { 'aws:PrincipalArn': `arn:aws:iam::${TEST_ENV.account}:role/${INGESTION}-promoter` },
            BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' },
          },
        }),
      ]);
      // The role named there is the promotion function's role as deployed.
      expect(defaults.world.arnOf(promotion().role)).toBe(
        `arn:aws:iam::${TEST_ENV.account}:role/${INGESTION}-promoter`,
      );
      const off_ = bucketPolicyStatements(off.data);
      expect(JSON.stringify(off_)).not.toContain('/knowledge/*');
    });

    test('isolated network => the write fence leaves out incoming/ (drop zone) and knowledge/ (promoter outside the VPC)', () => {
      const isolated = synth({ isolatedNetwork: true });
      const [fence] = bucketPolicyStatements(isolated.data).filter(
        (s) => s.Sid === 'DenyWritesFromOutsideTheVpcEndpoint',
      );
      const exempt = (
        isolated.world.resolve(fence.NotResource as Json, isolated.stacks.dataProtection.stackName) as string[]
      ).map((arn) => arn.replace(/^arn:aws:s3:::[^/]+\//, ''));
      expect(exempt).toEqual(expect.arrayContaining(['incoming/*', 'knowledge/*']));
      expect(exempt).not.toContain('*');
      expect(exempt).not.toContain('records/*');
      // The knowledge/ sole-writer rule still holds inside the isolated network.
      expect(JSON.stringify(bucketPolicyStatements(isolated.data))).toContain('OnlyOneWriterUnderknowledge');
    });
  });

  describe('physical names with the longest app name', () => {
    const longest = synth({ appName: 'A'.repeat(25) });
    const ingestion = () => longest.ingestion;

    test('queue names fit SQS, the role name fits IAM, the alarm name fits CloudWatch', () => {
      const queues = Object.values(ingestion()?.findResources('AWS::SQS::Queue') ?? {}).map(
        (q) => q.Properties.QueueName as string,
      );
      expect(queues).toHaveLength(2);
      for (const name of queues) {
        expect(name.length).toBeLessThanOrEqual(NAMED_TYPES['AWS::SQS::Queue'].maxLength);
        // Alphanumerics, hyphens and underscores (CreateQueue).
        expect(name).toMatch(/^[A-Za-z0-9_-]+$/);
      }
      const role = only(ingestion(), 'AWS::IAM::Role').Properties.RoleName as string;
      expect(role).toBe(`${'A'.repeat(25)}-Ingestion-promoter`);
      expect(role.length).toBeLessThanOrEqual(NAMED_TYPES['AWS::IAM::Role'].maxLength);
      const alarm = only(ingestion(), 'AWS::CloudWatch::Alarm').Properties.AlarmName as string;
      expect(alarm.length).toBeLessThanOrEqual(ALARM_NAME_MAX_LENGTH);
      // The names the data-protection stack trusts are the names these resources get.
      expect(JSON.stringify(bucketPolicyStatements(longest.data))).toContain(`role/${role}"`);
    });

    test("the scan-result rule's name fits EventBridge (at most 64 of [.-_A-Za-z0-9])", () => {
      const name = only(ingestion(), 'AWS::Events::Rule').Properties.Name as string;
      expect(name).toBe(`${'A'.repeat(25)}-Ingestion-scan-results`);
      expect(name.length).toBeLessThanOrEqual(RULE_NAME_MAX_LENGTH);
      expect(name).toMatch(/^[.\-_A-Za-z0-9]+$/);
      // A stack name that cannot make a valid name is refused, not cut.
      expect(() => scanResultRuleName(`${'A'.repeat(52)}`)).toThrow(/at most 64 characters/);
      expect(() => scanResultRuleName('App Ingestion')).toThrow(/\[\.-_A-Za-z0-9\]/);
    });

    test("the ingestion guardrail's name fits Bedrock's limits (1 to 50 of [0-9a-zA-Z-_])", () => {
      const name = only(ingestion(), 'AWS::Bedrock::Guardrail').Properties.Name as string;
      expect(name).toBe(`${'A'.repeat(25)}-Ingestion-guardrail`);
      expect(name).toMatch(/^[0-9a-zA-Z_-]{1,50}$/);
    });

    test("the knowledge base's name fits Bedrock's pattern", () => {
      const name = only(longest.knowledgeTemplate, 'AWS::Bedrock::KnowledgeBase').Properties.Name as string;
      expect(name).toMatch(KNOWLEDGE_BASE_NAME);
      expect(name.startsWith('A'.repeat(25))).toBe(true);
      const source = only(longest.knowledgeTemplate, 'AWS::Bedrock::DataSource').Properties.Name as string;
      expect(source).toMatch(KNOWLEDGE_BASE_NAME);
    });
  });

  test('outputs for npm run ingest and npm run verify', () => {
    defaults.ingestion?.hasOutput('PromotionFunctionName', { Value: { Ref: logicalIdOf(promotion().function) } });
    defaults.ingestion?.hasOutput('PromotionQueueUrl', { Value: { Ref: logicalIdOf(promotion().queue) } });
    defaults.ingestion?.hasOutput('PromotionDeadLetterQueueUrl', {
      Value: { Ref: logicalIdOf(promotion().deadLetters) },
    });
  });
});
