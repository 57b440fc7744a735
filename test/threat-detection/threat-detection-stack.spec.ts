import { type CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { EXAMPLE_DETECTOR_ID, THREAT_DETECTION_OFF, THREAT_DETECTION_OPT_INS } from '../../tools/configurations';
import { ConfigError, GUARDDUTY_FEATURES, parseConfig } from '../../lib/config';
import { sharedSynthesis, synthesize, unacknowledgedFindings } from '../support/build-app';
import { matrixConfiguration } from '../support/gate-matrix';
import { EXAMPLE_ID_PATTERN, INTERNAL_ID_PATTERN } from '../../lib/shared/record-ids';

/** Synthesize the gated app and return the templates of the threat-detection and data-protection stacks. */
function synth(overrides: Record<string, unknown> = {}) {
  const { assembly, stacks } = synthesize(overrides);
  return {
    threat: Template.fromJSON(assembly.getStackByName(stacks.threatDetection.stackName).template),
    data: Template.fromJSON(assembly.getStackByName(stacks.dataProtection.stackName).template),
    stacks,
  };
}

const DETECTOR_ID = EXAMPLE_DETECTOR_ID;
const defaults = synth();
// Macie and the unused-access analyzer are off by default (docs/cost.md): their tests turn them on.
const optIns = synth(THREAT_DETECTION_OPT_INS);
const existing = synth(matrixConfiguration('threat detection attached to existing services, findings exported'));
const everything = synth(matrixConfiguration('everything on in a throwaway sandbox'));
const nothing = synth(THREAT_DETECTION_OFF);

type Statement = { Sid?: string; Effect: string; Principal?: unknown; Action: unknown; Condition?: unknown };
function keyStatements(t: Template): Statement[] {
  const [key] = Object.values(t.findResources('AWS::KMS::Key'));
  return key.Properties.KeyPolicy.Statement;
}
function resourcePolicyStatements(t: Template, type: string): Statement[] {
  return Object.values(t.findResources(type)).flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}

/** The CreateClassificationJob request of the job's custom resource; references become "TOKEN". */
function jobRequest(t: Template): Record<string, unknown> {
  const [job] = Object.values(t.findResources('Custom::MacieClassificationJob'));
  const value = job.Properties.Job as string | { 'Fn::Join': [string, unknown[]] };
  const text =
    typeof value === 'string' ? value : value['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : 'TOKEN')).join('');
  return JSON.parse(text) as Record<string, unknown>;
}

describe('ThreatDetectionStack', () => {
  test('normalized snapshot (default configuration)', () => {
    expect(defaults.threat.toJSON()).toMatchSnapshot();
  });

  describe('GuardDuty', () => {
    test('create => one detector, 15-minute publishing, the default features and never the legacy DataSources', () => {
      defaults.threat.resourceCountIs('AWS::GuardDuty::Detector', 1);
      defaults.threat.hasResourceProperties('AWS::GuardDuty::Detector', {
        Enable: true,
        FindingPublishingFrequency: 'FIFTEEN_MINUTES',
        DataSources: Match.absent(),
        Features: parseConfig({}).guardDutyFeatures.map((Name) => ({ Name, Status: 'ENABLED' })),
      });
    });

    test('features come from config, also as a comma-separated -c string', () => {
      const { threat } = synth({ guardDutyFeatures: 'S3_DATA_EVENTS, EKS_RUNTIME_MONITORING' });
      threat.hasResourceProperties('AWS::GuardDuty::Detector', {
        Features: [
          { Name: 'S3_DATA_EVENTS', Status: 'ENABLED' },
          { Name: 'EKS_RUNTIME_MONITORING', Status: 'ENABLED' },
        ],
      });
    });

    test('runtime monitoring and the legacy EKS runtime feature together => a config error naming both', () => {
      expect(() => parseConfig({ guardDutyFeatures: ['RUNTIME_MONITORING', 'EKS_RUNTIME_MONITORING'] })).toThrow(
        /guardDutyFeatures: got both RUNTIME_MONITORING and EKS_RUNTIME_MONITORING/,
      );
      expect(() => parseConfig({ guardDutyFeatures: ['S3_DATA_EVENTS', 'S3_DATA_EVENTS'] })).toThrow(ConfigError);
      expect(() => parseConfig({ guardDutyFeatures: ['NOT_A_FEATURE'] })).toThrow(GUARDDUTY_FEATURES.join(', '));
    });

    test('without S3_DATA_EVENTS => the gate finds CT.GUARDDUTY.PR.1 unacknowledged (S3 protection is required), which stops synthesis', () => {
      // The shared synthesis behind the gate; that an unacknowledged finding
      // stops synthesis is test/compliance/gate.test.ts's to prove.
      const { report } = sharedSynthesis(matrixConfiguration('GuardDuty without S3 protection')).record;
      expect(unacknowledgedFindings(report)).toEqual([
        'cdk-validator-cfnguard: guardduty_s3_protection_enabled_check at GuardedGenAi-ThreatDetection/GuardDuty/Detector',
      ]);
      expect(JSON.stringify(report)).toMatch(/CT\.GUARDDUTY\.PR\.1/);
    });

    test('existing => no detector; the findings export attaches to the configured detector id', () => {
      existing.threat.resourceCountIs('AWS::GuardDuty::Detector', 0);
      existing.threat.hasResourceProperties('AWS::GuardDuty::PublishingDestination', { DetectorId: DETECTOR_ID });
      existing.threat.hasOutput('GuardDutyDetectorId', { Value: DETECTOR_ID });
    });

    test('existing without a detector id, or an id without existing => config errors', () => {
      expect(() => parseConfig({ guardDuty: 'existing' })).toThrow(/guardDutyDetectorId: got nothing/);
      expect(() => parseConfig({ guardDutyDetectorId: DETECTOR_ID })).toThrow(/only with guardDuty "existing"/);
      expect(() => parseConfig({ guardDuty: 'off', guardDutyFindingsExport: true })).toThrow(/guardDutyFindingsExport/);
    });

    test('findings export => a KMS-encrypted destination that only this detector of this account may write to', () => {
      const { threat } = everything;
      threat.hasResourceProperties('AWS::GuardDuty::PublishingDestination', {
        DestinationType: 'S3',
        DestinationProperties: { DestinationArn: Match.anyValue(), KmsKeyArn: Match.anyValue() },
      });
      const writes = resourcePolicyStatements(threat, 'AWS::S3::BucketPolicy').filter(
        (s) => JSON.stringify(s.Principal) === '{"Service":"guardduty.amazonaws.com"}',
      );
      expect(writes.map((s) => s.Action).sort()).toEqual(['s3:GetBucketLocation', 's3:PutObject']);
      for (const s of writes) {
        expect(s.Condition).toEqual({
          StringEquals: { 'aws:SourceAccount': '111111111111', 'aws:SourceArn': expect.anything() },
        });
      }
      expect(keyStatements(everything.data).map((s) => s.Sid)).toContain('GuardDutyEncryptsExportedFindings');
    });

    test('the findings bucket has no S3 Bucket Key, so the documented kms:GenerateDataKey alone suffices', () => {
      const findings = everything.stacks.threatDetection.detector?.findingsBucket;
      const bucket = everything.stacks.threatDetection.getLogicalId(findings?.bucket.node.defaultChild as CfnElement);
      const encryption = everything.threat.toJSON().Resources[bucket].Properties.BucketEncryption;
      expect(encryption.ServerSideEncryptionConfiguration[0]).toMatchObject({
        BucketKeyEnabled: false,
        ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' },
      });
    });

    test('off => no detector, no export, no GuardDuty alert', () => {
      nothing.threat.resourceCountIs('AWS::GuardDuty::Detector', 0);
      nothing.threat.resourceCountIs('AWS::GuardDuty::PublishingDestination', 0);
      expect(keyStatements(nothing.data).map((s) => s.Sid)).not.toContain('GuardDutyEncryptsExportedFindings');
    });
  });

  describe('Malware Protection for S3', () => {
    test('a plan on the data bucket, with scan-result tagging, through our role', () => {
      defaults.threat.hasResourceProperties('AWS::GuardDuty::MalwareProtectionPlan', {
        ProtectedResource: { S3Bucket: { BucketName: Match.anyValue() } },
        Actions: { Tagging: { Status: 'ENABLED' } },
        Role: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MalwareProtectionRole'), 'Arn'] },
      });
    });

    test('the role is trusted only by the malware-protection service, without conditions AWS does not document it sending', () => {
      defaults.threat.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: {
          Statement: [
            {
              Effect: 'Allow',
              Action: 'sts:AssumeRole',
              Principal: { Service: 'malware-protection-plan.guardduty.amazonaws.com' },
              Condition: Match.absent(),
            },
          ],
        },
      });
    });

    test('off => no plan, no role', () => {
      nothing.threat.resourceCountIs('AWS::GuardDuty::MalwareProtectionPlan', 0);
    });
  });

  describe('Macie', () => {
    test('off by default: no session, identifier, job or key statement of its own', () => {
      for (const type of [
        'AWS::Macie::Session',
        'AWS::Macie::CustomDataIdentifier',
        'Custom::MacieClassificationJob',
      ]) {
        defaults.threat.resourceCountIs(type, 0);
      }
      expect(keyStatements(defaults.data).map((s) => s.Sid)).not.toContain('MacieServiceLinkedRoleDecrypts');
    });

    test('create => a session publishing every 15 minutes', () => {
      optIns.threat.hasResourceProperties('AWS::Macie::Session', {
        Status: 'ENABLED',
        FindingPublishingFrequency: 'FIFTEEN_MINUTES',
      });
    });

    test('the custom data identifier is the format the guardrail blocks; the allow list covers only the documented examples', () => {
      optIns.threat.hasResourceProperties('AWS::Macie::CustomDataIdentifier', { Regex: INTERNAL_ID_PATTERN });
      optIns.threat.hasResourceProperties('AWS::Macie::AllowList', { Criteria: { Regex: EXAMPLE_ID_PATTERN } });
      const internal = new RegExp(INTERNAL_ID_PATTERN);
      const example = new RegExp(`^${EXAMPLE_ID_PATTERN}$`);
      expect(internal.test('record GGA-2026-7QX4PZ here')).toBe(true);
      expect(example.test('GGA-2026-7QX4PZ')).toBe(false);
      expect(example.test('GGA-0000-ABC123')).toBe(true);
      expect(internal.test('GGA-0000-ABC123')).toBe(true);
    });

    test('a weekly, idempotent classification job on the audit records, created by our own provider function', () => {
      expect(jobRequest(optIns.threat)).toMatchObject({
        jobType: 'SCHEDULED',
        scheduleFrequency: { weeklySchedule: { dayOfWeek: 'MONDAY' } },
        initialRun: true,
        managedDataIdentifierSelector: 'RECOMMENDED',
        // A digest of the definition, then the stack's UUID (resolved at deployment).
        clientToken: expect.stringMatching(/^[0-9a-f]{16}-TOKEN$/),
        s3JobDefinition: {
          scoping: {
            includes: {
              and: [{ simpleScopeTerm: { comparator: 'STARTS_WITH', key: 'OBJECT_KEY', values: ['records/'] } }],
            },
          },
        },
      });
      const [job] = Object.values(optIns.threat.findResources('Custom::MacieClassificationJob'));
      expect(JSON.stringify(job.Properties.Job)).toContain(
        '{"Fn::Select":[2,{"Fn::Split":["/",{"Ref":"AWS::StackId"}]}]}',
      );
      expect(job.Properties.ServiceToken).toEqual({
        'Fn::GetAtt': [expect.stringMatching(/^MacieJobProvider/), 'Arn'],
      });
    });

    test('the client token is the same for the same definition and changes with it', () => {
      const token = (t: Template) => jobRequest(t).clientToken;
      expect(token(synth(THREAT_DETECTION_OPT_INS).threat)).toBe(token(optIns.threat));
      expect(token(everything.threat)).toBe(token(optIns.threat));
      expect(token(synth(matrixConfiguration('another copy of the app')).threat)).not.toBe(token(optIns.threat));
    });

    test('existing => no session, but the identifier, allow list and job still attach', () => {
      existing.threat.resourceCountIs('AWS::Macie::Session', 0);
      existing.threat.resourceCountIs('AWS::Macie::CustomDataIdentifier', 1);
      existing.threat.resourceCountIs('AWS::Macie::AllowList', 1);
      existing.threat.resourceCountIs('Custom::MacieClassificationJob', 1);
    });

    test("Macie's service-linked role of this account may decrypt, as AWS documents it (no assumed kms:ViaService); off => no such key statement", () => {
      expect(keyStatements(optIns.data)).toContainEqual(
        expect.objectContaining({
          Sid: 'MacieServiceLinkedRoleDecrypts',
          Action: 'kms:Decrypt',
          Condition: {
            StringEquals: {
              'aws:PrincipalArn':
                'arn:aws:iam::111111111111:role/aws-service-role/macie.amazonaws.com/AWSServiceRoleForAmazonMacie',
              'kms:CallerAccount': '111111111111',
            },
          },
        }),
      );
      nothing.threat.resourceCountIs('AWS::Macie::Session', 0);
      nothing.threat.resourceCountIs('Custom::MacieClassificationJob', 0);
      expect(keyStatements(nothing.data).map((s) => s.Sid)).not.toContain('MacieServiceLinkedRoleDecrypts');
    });
  });

  describe('IAM Access Analyzer', () => {
    test('create => an external-access analyzer and an unused-access analyzer with the configured age', () => {
      optIns.threat.hasResourceProperties('AWS::AccessAnalyzer::Analyzer', { Type: 'ACCOUNT' });
      optIns.threat.hasResourceProperties('AWS::AccessAnalyzer::Analyzer', {
        Type: 'ACCOUNT_UNUSED_ACCESS',
        AnalyzerConfiguration: { UnusedAccessConfiguration: { UnusedAccessAge: 90 } },
      });
      everything.threat.hasResourceProperties('AWS::AccessAnalyzer::Analyzer', {
        AnalyzerConfiguration: { UnusedAccessConfiguration: { UnusedAccessAge: 30 } },
      });
    });

    test('by default => the external-access analyzer (free) without the unused-access one (billed per role and user)', () => {
      defaults.threat.resourceCountIs('AWS::AccessAnalyzer::Analyzer', 1);
      defaults.threat.hasResourceProperties('AWS::AccessAnalyzer::Analyzer', { Type: 'ACCOUNT' });
    });

    test('existing or off => no analyzer', () => {
      existing.threat.resourceCountIs('AWS::AccessAnalyzer::Analyzer', 0);
      nothing.threat.resourceCountIs('AWS::AccessAnalyzer::Analyzer', 0);
    });
  });

  describe('CloudTrail', () => {
    test('one trail: all regions, validated log files, KMS, CloudWatch Logs, data events of the data bucket only', () => {
      defaults.threat.hasResourceProperties('AWS::CloudTrail::Trail', {
        TrailName: 'GuardedGenAi-ThreatDetection-audit-trail',
        IsLogging: true,
        IsMultiRegionTrail: true,
        IncludeGlobalServiceEvents: true,
        EnableLogFileValidation: true,
        KMSKeyId: Match.anyValue(),
        CloudWatchLogsLogGroupArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CloudTrailLogGroup'), 'Arn'] },
        CloudWatchLogsRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CloudTrailLogDeliveryRole'), 'Arn'] },
        AdvancedEventSelectors: [
          { FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
          {
            FieldSelectors: [
              { Field: 'eventCategory', Equals: ['Data'] },
              { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
              { Field: 'resources.ARN', StartsWith: [Match.anyValue()] },
            ],
          },
        ].map((selector) => Match.objectLike(selector)),
      });
      defaults.threat.hasResourceProperties('AWS::Logs::LogGroup', {
        KmsKeyId: Match.anyValue(),
        RetentionInDays: 365,
      });
    });

    test('CloudTrail may write only log files of our trail, and use the key only for it', () => {
      const writes = resourcePolicyStatements(defaults.threat, 'AWS::S3::BucketPolicy').filter(
        (s) => JSON.stringify(s.Principal) === '{"Service":"cloudtrail.amazonaws.com"}',
      );
      expect(writes).toHaveLength(2);
      const trailArn = 'arn:aws:cloudtrail:eu-west-1:111111111111:trail/GuardedGenAi-ThreatDetection-audit-trail';
      for (const s of writes) expect(JSON.stringify(s.Condition)).toContain(trailArn);
      const keyUse = keyStatements(defaults.data).filter((s) => s.Sid?.startsWith('CloudTrail'));
      expect(keyUse).toHaveLength(2);
      for (const s of keyUse) {
        expect(s.Condition).toMatchObject({
          StringEquals: { 'aws:SourceAccount': '111111111111' },
          ArnLike: { 'aws:SourceArn': trailArn },
        });
      }
    });

    test('the trail bucket has no S3 Bucket Key, so CloudTrail sets its own encryption context and needs no kms:Decrypt', () => {
      const trail = defaults.stacks.threatDetection.trail;
      const bucket = defaults.stacks.threatDetection.getLogicalId(trail?.bucket.bucket.node.defaultChild as CfnElement);
      const encryption = defaults.threat.toJSON().Resources[bucket].Properties.BucketEncryption;
      expect(encryption.ServerSideEncryptionConfiguration[0]).toMatchObject({
        BucketKeyEnabled: false,
        ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' },
      });
      expect(
        keyStatements(defaults.data).filter(
          (s) => s.Sid?.startsWith('CloudTrail') && JSON.stringify(s.Action).includes('Decrypt'),
        ),
      ).toEqual([]);
    });

    test('the log-delivery role is trusted by CloudTrail without source conditions (AWS documents none for it)', () => {
      const roles = Object.values(defaults.threat.findResources('AWS::IAM::Role')).filter((r) =>
        JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('cloudtrail.amazonaws.com'),
      );
      expect(roles).toHaveLength(1);
      expect(roles[0].Properties.AssumeRolePolicyDocument.Statement[0].Condition).toBeUndefined();
    });

    test('off => no trail, no trail bucket, no CloudTrail key statement', () => {
      nothing.threat.resourceCountIs('AWS::CloudTrail::Trail', 0);
      nothing.threat.resourceCountIs('AWS::S3::Bucket', 0);
      expect(keyStatements(nothing.data).filter((s) => s.Sid?.startsWith('CloudTrail'))).toEqual([]);
    });
  });

  describe('Security Hub', () => {
    test('off by default', () => {
      defaults.threat.resourceCountIs('AWS::SecurityHub::Hub', 0);
      defaults.threat.resourceCountIs('AWS::SecurityHub::Standard', 0);
    });

    test('create => no default standards, and the Foundational Security Best Practices standard added explicitly', () => {
      everything.threat.hasResourceProperties('AWS::SecurityHub::Hub', { EnableDefaultStandards: false });
      everything.threat.hasResourceProperties('AWS::SecurityHub::Standard', {
        StandardsArn: 'arn:aws:securityhub:eu-west-1::standards/aws-foundational-security-best-practices/v/1.0.0',
      });
    });
  });

  describe('alerts', () => {
    test('one topic, encrypted with the alert key, that refuses publishing without TLS', () => {
      defaults.threat.resourceCountIs('AWS::SNS::Topic', 1);
      defaults.threat.hasResourceProperties('AWS::SNS::Topic', {
        KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlertsKey'), 'Arn'] },
      });
      expect(resourcePolicyStatements(defaults.threat, 'AWS::SNS::TopicPolicy')).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Action: 'sns:Publish',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    });

    test('EventBridge may publish in the documented form, with no Condition; CloudWatch only for the alarms of this app', () => {
      const allows = resourcePolicyStatements(defaults.threat, 'AWS::SNS::TopicPolicy').filter(
        (s) => s.Effect === 'Allow',
      );
      // "You can't use `Condition` blocks in Amazon SNS topic policies for EventBridge"
      // (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sns-permissions).
      expect(allows).toHaveLength(2);
      expect(allows[0]).toEqual({
        Sid: 'EventBridgePublishesAlerts',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: { Ref: expect.stringMatching(/^AlertsTopic/) },
      });
      expect(allows[1]).toMatchObject({
        Sid: 'OnlyOurAlarmsPublish',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Condition: {
          ArnLike: { 'aws:SourceArn': 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:GuardedGenAi-*' },
        },
      });
    });

    test('undeliverable alerts land in the dead-letter queue, encrypted with the alert key, that only our rules may use (aws:SourceArn alone)', () => {
      for (const rule of Object.values(defaults.threat.findResources('AWS::Events::Rule'))) {
        const [target] = rule.Properties.Targets;
        expect(target.DeadLetterConfig).toEqual({
          Arn: { 'Fn::GetAtt': [expect.stringMatching(/^AlertsDeadLetters/), 'Arn'] },
        });
        // No execution role: for SNS and SQS targets with KMS encryption AWS
        // warns that a RoleArn "may fail" delivery (eb-use-resource-based.html).
        expect(target).not.toHaveProperty('RoleArn');
      }
      defaults.threat.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: 'GuardedGenAi-ThreatDetection-alert-dead-letters',
        KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlertsKey'), 'Arn'] },
      });
      const [eventBridge] = resourcePolicyStatements(defaults.threat, 'AWS::SQS::QueuePolicy').filter(
        (s) => s.Effect === 'Allow' && JSON.stringify(s.Principal) === '{"Service":"events.amazonaws.com"}',
      );
      const condition = eventBridge.Condition as { ArnEquals: { 'aws:SourceArn': unknown[] } };
      expect(Object.keys(condition)).toEqual(['ArnEquals']);
      expect(Object.keys(condition.ArnEquals)).toEqual(['aws:SourceArn']);
      expect(condition.ArnEquals['aws:SourceArn']).toHaveLength(defaults.stacks.threatDetection.alerts.rules.length);
      expect(JSON.stringify(condition)).not.toContain('*');
    });

    test('no e-mail by default; alertEmail => an e-mail subscription with the dead-letter queue, which only this topic may fill', () => {
      defaults.threat.resourceCountIs('AWS::SNS::Subscription', 0);
      everything.threat.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: 'security@example.com',
        RedrivePolicy: { deadLetterTargetArn: Match.anyValue() },
      });
      // The statement the SNS page documents (sns-configure-dead-letter-queue.html), as CDK adds it.
      expect(resourcePolicyStatements(everything.threat, 'AWS::SQS::QueuePolicy')).toContainEqual(
        expect.objectContaining({
          Effect: 'Allow',
          Principal: { Service: 'sns.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Condition: { ArnEquals: { 'aws:SourceArn': { Ref: expect.stringMatching(/^AlertsTopic/) } } },
        }),
      );
      expect(() => parseConfig({ alertEmail: 'not-an-address' })).toThrow(/alertEmail/);
    });

    describe('the alert key', () => {
      const alertKeyStatements = (t: Template) => {
        const keys = Object.entries(t.findResources('AWS::KMS::Key')).filter(([id]) => id.startsWith('AlertsKey'));
        expect(keys).toHaveLength(1);
        return keys[0][1].Properties.KeyPolicy.Statement as Statement[];
      };
      const services = (statements: Statement[]) =>
        statements.filter((s) => JSON.stringify(s.Principal).includes('"Service"'));

      test('rotated, kept by default (a week to cancel a destroy), and no grant except for AWS resources (CT.KMS.PR.3)', () => {
        const [[, key]] = Object.entries(defaults.threat.findResources('AWS::KMS::Key')).filter(([id]) =>
          id.startsWith('AlertsKey'),
        );
        expect(key).toMatchObject({
          DeletionPolicy: 'Retain',
          Properties: { EnableKeyRotation: true, PendingWindowInDays: 30 },
        });
        const [[, sandbox]] = Object.entries(everything.threat.findResources('AWS::KMS::Key')).filter(([id]) =>
          id.startsWith('AlertsKey'),
        );
        expect(sandbox).toMatchObject({ DeletionPolicy: 'Delete', Properties: { PendingWindowInDays: 7 } });
        expect(alertKeyStatements(defaults.threat)).toContainEqual(
          expect.objectContaining({ Sid: 'DenyGrantsExceptForAwsResources', Effect: 'Deny' }),
        );
      });

      test('its service statements are the unconditioned ones AWS documents: EventBridge, CloudWatch and (with e-mail) SNS', () => {
        const documented = (sid: string, service: string) => ({
          Sid: sid,
          Effect: 'Allow',
          Principal: { Service: service },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          Resource: '*',
        });
        expect(services(alertKeyStatements(defaults.threat))).toEqual([
          documented('EventBridgeEncryptsAlertsAndDeadLetters', 'events.amazonaws.com'),
          documented('CloudWatchEncryptsAlarmNotifications', 'cloudwatch.amazonaws.com'),
        ]);
        expect(services(alertKeyStatements(everything.threat))).toEqual([
          documented('EventBridgeEncryptsAlertsAndDeadLetters', 'events.amazonaws.com'),
          documented('CloudWatchEncryptsAlarmNotifications', 'cloudwatch.amazonaws.com'),
          documented('SnsEncryptsUndeliverableMail', 'sns.amazonaws.com'),
        ]);
        // No alert rule (every finding service off): no EventBridge statement; the app's alarms still publish.
        expect(services(alertKeyStatements(nothing.threat)).map((s) => s.Sid)).toEqual([
          'CloudWatchEncryptsAlarmNotifications',
        ]);
      });

      test('it encrypts what EventBridge and CloudWatch deliver (the alert topic, the dead-letter queues, the promotion queue) and nothing else of the app', () => {
        const { assembly, stacks } = synthesize({});
        const keyId = Stack.of(stacks.threatDetection).resolve(
          (stacks.threatDetection.alerts.key.node.defaultChild as CfnElement).logicalId,
        ) as string;
        const users: string[] = [];
        for (const stack of assembly.stacks) {
          for (const [id, resource] of Object.entries(stack.template.Resources as Record<string, { Type: string }>)) {
            const text = JSON.stringify(resource);
            const refersToKey =
              stack.stackName === stacks.threatDetection.stackName
                ? text.includes(`"${keyId}"`) && id !== keyId
                : /AlertsKey/.test(text);
            if (refersToKey) users.push(`${stack.stackName.split('-').pop()}:${resource.Type}`);
          }
        }
        expect(users.sort()).toEqual([
          // The promotion function publishes refusals: its policy names the key (kms:GenerateDataKey, kms:Decrypt).
          'Ingestion:AWS::IAM::ManagedPolicy',
          // The promotion queue and its dead-letter queue: EventBridge writes them too.
          'Ingestion:AWS::SQS::Queue',
          'Ingestion:AWS::SQS::Queue',
          'ThreatDetection:AWS::SNS::Topic',
          'ThreatDetection:AWS::SQS::Queue',
        ]);
      });

      test('the project key no longer lets EventBridge, CloudWatch or SNS in for the alert path', () => {
        const alertPath = keyStatements(everything.data).filter((s) =>
          /"Service":"(events|cloudwatch|sns)\.amazonaws\.com"/.test(JSON.stringify(s.Principal)),
        );
        // The ingestion path's queues are on the alert key too: nothing remains.
        expect(alertPath.map((s) => s.Sid)).toEqual([]);
        expect(JSON.stringify(keyStatements(everything.data))).not.toMatch(/alert/i);
      });
    });
    test("every rule has an explicit name <stack>-<id> within EventBridge's 64 characters, even for the longest app name", () => {
      const longest = synth({ appName: 'A'.repeat(25) });
      const names = Object.values(longest.threat.findResources('AWS::Events::Rule')).map(
        (r) => r.Properties.Name as string,
      );
      expect(names.length).toBe(longest.stacks.threatDetection.alerts.rules.length);
      for (const name of names) {
        expect(name).toMatch(new RegExp(`^${'A'.repeat(25)}-ThreatDetection-[A-Za-z]+$`));
        expect(name.length).toBeLessThanOrEqual(64);
      }
    });

    test('outputs name what npm run verify checks: rules, topic and dead-letter queue', () => {
      const outputs = optIns.threat.toJSON().Outputs as Record<string, { Value: unknown }>;
      expect(Object.keys(outputs)).toEqual(
        expect.arrayContaining([
          'AlertTopicArn',
          'AlertDeadLetterQueueUrl',
          'AlertRuleNames',
          'GuardDutyDetectorId',
          'GuardDutyFeatures',
          'MalwareProtectionPlanId',
          'TrailArn',
          'ExternalAccessAnalyzerArn',
          'UnusedAccessAnalyzerArn',
        ]),
      );
      expect(String(outputs.AlertRuleNames.Value).split(',')).toEqual(
        optIns.stacks.threatDetection.alerts.rules.map((r) => `GuardedGenAi-ThreatDetection-${r.node.id}`),
      );
    });
  });

  describe('AWS Config', () => {
    test('off by default: no recorder', () => {
      defaults.threat.resourceCountIs('AWS::Config::ConfigurationRecorder', 0);
    });

    test('create => a recorder of every supported type, global ones included, recording continuously, with its service-linked role', () => {
      everything.threat.hasResourceProperties('AWS::Config::ConfigurationRecorder', {
        RoleARN: 'arn:aws:iam::111111111111:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig',
        RecordingGroup: { AllSupported: true, IncludeGlobalResourceTypes: true },
        RecordingMode: { RecordingFrequency: 'CONTINUOUS' },
      });
    });

    test('create => delivery to an SSE-KMS bucket that only Config of this account may write to', () => {
      everything.threat.hasResourceProperties('AWS::Config::DeliveryChannel', {
        S3KmsKeyArn: Match.anyValue(),
        S3KeyPrefix: 'config',
      });
      const config = resourcePolicyStatements(everything.threat, 'AWS::S3::BucketPolicy').filter(
        (s) => JSON.stringify(s.Principal) === '{"Service":"config.amazonaws.com"}',
      );
      expect(config).toHaveLength(2);
      for (const s of config)
        expect(s.Condition).toMatchObject({ StringEquals: { 'aws:SourceAccount': '111111111111' } });
      expect(keyStatements(everything.data)).toContainEqual(
        expect.objectContaining({
          Sid: 'ConfigEncryptsDeliveredItems',
          Principal: { Service: 'config.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
        }),
      );
    });

    test('the recorder holds no data and goes with the stack; Security Hub waits for it', () => {
      everything.threat.hasResource('AWS::Config::ConfigurationRecorder', { DeletionPolicy: 'Delete' });
      const standard = Object.values(everything.threat.findResources('AWS::SecurityHub::Standard'))[0];
      expect(JSON.stringify(standard.DependsOn)).toMatch(/ConfigurationRecorderDeliveryChannel/);
      expect(JSON.stringify(standard.DependsOn)).toMatch(/"ConfigurationRecorder[0-9A-F]{8}"/);
    });

    test('teardown: a resource that depends on recorder and channel stops the recorder on Delete, so the channel can go', () => {
      const id = (type: string) => Object.keys(everything.threat.findResources(type));
      const [recorderId] = id('AWS::Config::ConfigurationRecorder');
      const [channelId] = id('AWS::Config::DeliveryChannel');
      const stops = Object.values(everything.threat.findResources('Custom::ConfigRecorderStop'));
      expect(stops).toHaveLength(1);
      const [stop] = stops;
      // Deleted before both (CloudFormation deletes a dependent first); no call on create or update.
      expect(stop.DependsOn).toEqual(expect.arrayContaining([recorderId, channelId]));
      expect(stop.Properties.Create).toBeUndefined();
      expect(stop.Properties.Update).toBeUndefined();
      const call = JSON.stringify(stop.Properties.Delete);
      for (const part of ['stopConfigurationRecorder', 'ConfigurationRecorderName', 'NoSuchConfigurationRecorder']) {
        expect(call).toContain(part);
      }
      expect(JSON.stringify(stop.Properties.Delete)).toContain(recorderId);
      // Creation is not ordered between recorder and channel (that deadlocks, aws-cdk#9001).
      const resources = everything.threat.toJSON().Resources as Record<string, { DependsOn?: string[] }>;
      expect(resources[recorderId].DependsOn ?? []).not.toContain(channelId);
      expect(resources[channelId].DependsOn ?? []).not.toContain(recorderId);
      // The provider's role may stop this recorder and nothing else of Config.
      const stopStatements = Object.values(everything.threat.findResources('AWS::IAM::ManagedPolicy'))
        .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[])
        .filter((s) => JSON.stringify(s.Action).includes('config:'));
      expect(stopStatements).toEqual([
        expect.objectContaining({
          Action: 'config:StopConfigurationRecorder',
          Resource: {
            'Fn::Join': [
              '',
              ['arn:aws:config:eu-west-1:111111111111:configuration-recorder/', { Ref: recorderId }, '/*'],
            ],
          },
        }),
      ]);
    });

    test('existing or off => no recorder and no Config key statement', () => {
      for (const t of [existing, nothing]) {
        t.threat.resourceCountIs('AWS::Config::ConfigurationRecorder', 0);
        expect(keyStatements(t.data).filter((s) => s.Sid === 'ConfigEncryptsDeliveredItems')).toEqual([]);
      }
    });
  });

  describe('stateful resources', () => {
    test('buckets and the trail log group are retained by default and destroyed only in a throwaway sandbox', () => {
      for (const type of ['AWS::S3::Bucket', 'AWS::Logs::LogGroup']) {
        for (const r of Object.values(defaults.threat.findResources(type))) expect(r.DeletionPolicy).toBe('Retain');
      }
      for (const r of Object.values(everything.threat.findResources('AWS::S3::Bucket')))
        expect(r.DeletionPolicy).toBe('Delete');
    });

    test('the services that hold findings (detector, Macie session, hub) are retained, except when the first creation fails, unless the sandbox is throwaway', () => {
      // RetainExceptOnCreate: a failed first deployment must not leave a
      // detector behind that makes the retry fail with "already exists".
      const findingHolders = ['AWS::GuardDuty::Detector', 'AWS::Macie::Session'];
      for (const type of findingHolders) optIns.threat.hasResource(type, { DeletionPolicy: 'RetainExceptOnCreate' });
      for (const type of [...findingHolders, 'AWS::SecurityHub::Hub']) {
        everything.threat.hasResource(type, { DeletionPolicy: 'Delete' });
      }
      const hub = synth({ securityHub: 'create', configRecorder: 'existing' }).threat;
      for (const type of ['AWS::SecurityHub::Hub', 'AWS::SecurityHub::Standard']) {
        hub.hasResource(type, { DeletionPolicy: 'RetainExceptOnCreate' });
      }
    });
  });
});
