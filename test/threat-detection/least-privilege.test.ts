import { MALWARE_PROTECTION_VALIDATION_OBJECT } from '../../lib/data-protection/data-protection-stack';
import { MALWARE_PROTECTION_SERVICE } from '../../lib/threat-detection/malware-protection';
import { buildApp, TEST_ENV } from '../support/build-app';
import { administrator, type Caller, type Decision, PolicyWorld } from '../support/iam-harness';

/**
 * Proofs, against the synthesized policies, that every role and resource
 * policy of the threat-detection stack allows what its service needs and
 * nothing else.
 */
const { app, stacks } = buildApp({ alertEmail: 'security@example.com' });
const world = new PolicyWorld(app.synth(), TEST_ENV);
const threat = stacks.threatDetection;
const { account, region }: { account: string; region: string } = TEST_ENV;

const dataBucket = world.arnOf(stacks.dataProtection.dataBucket.bucket);
const otherBucket = world.arnOf(stacks.dataProtection.accessLogBucket.bucket);
const keyArn = world.arnOf(stacks.dataProtection.key);
const viaS3 = { 'kms:ViaService': `s3.${region}.amazonaws.com`, 'kms:CallerAccount': account };

async function expectDecision(promise: Promise<Decision>, expected: Decision) {
  await expect(promise).resolves.toBe(expected);
}
const service = (name: string): Caller => ({ service: name });

/** A part of the stack the default configuration must have. */
function present<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`the default configuration has no ${what}`);
  return value;
}
const malware = present(threat.malwareProtection, 'malware protection');
const macie = present(threat.sensitiveData, 'Macie discovery');
const trail = present(threat.trail, 'trail');

describe('Malware Protection for S3 role', () => {
  const roleArn = world.arnOf(malware.role);
  const asScanner = (action: string, resource: string, context: Record<string, string> = {}) =>
    world.decide({ caller: { role: malware.role }, action, resource, context });
  const planOf = (acct: string) => `arn:aws:guardduty:${region}:${acct}:malware-protection-plan/b4c7f464ab3a4`;

  test('only GuardDuty Malware Protection may assume it, for a plan of this account', async () => {
    const assume = (caller: Caller, sourceAccount: string, sourceArn: string) =>
      world.decide({
        caller,
        action: 'sts:AssumeRole',
        resource: roleArn,
        context: { 'aws:SourceAccount': sourceAccount, 'aws:SourceArn': sourceArn },
      });
    await expectDecision(assume(service(MALWARE_PROTECTION_SERVICE), account, planOf(account)), 'Allowed');
    await expectDecision(
      assume(service(MALWARE_PROTECTION_SERVICE), '222222222222', planOf('222222222222')),
      'ImplicitlyDenied',
    );
    await expectDecision(
      assume(service(MALWARE_PROTECTION_SERVICE), account, `arn:aws:guardduty:${region}:${account}:detector/x`),
      'ImplicitlyDenied',
    );
    await expectDecision(assume(service('lambda.amazonaws.com'), account, planOf(account)), 'ImplicitlyDenied');
  });

  test('it reads and tags objects of the data bucket, and of no other bucket', async () => {
    await expectDecision(asScanner('s3:GetObject', `${dataBucket}/records/a.json`), 'Allowed');
    await expectDecision(asScanner('s3:PutObjectTagging', `${dataBucket}/records/a.json`), 'Allowed');
    await expectDecision(asScanner('s3:GetObject', `${otherBucket}/data-bucket/log`), 'ImplicitlyDenied');
    await expectDecision(asScanner('s3:PutObjectTagging', `${otherBucket}/data-bucket/log`), 'ImplicitlyDenied');
  });

  test('it writes only the validation object, and never deletes', async () => {
    await expectDecision(asScanner('s3:PutObject', `${dataBucket}/${MALWARE_PROTECTION_VALIDATION_OBJECT}`), 'Allowed');
    await expectDecision(asScanner('s3:PutObject', `${dataBucket}/records/forged.json`), 'ImplicitlyDenied');
    await expectDecision(asScanner('s3:DeleteObject', `${dataBucket}/records/a.json`), 'ImplicitlyDenied');
  });

  test('it decrypts only through S3', async () => {
    await expectDecision(asScanner('kms:Decrypt', keyArn, viaS3), 'Allowed');
    await expectDecision(asScanner('kms:Decrypt', keyArn, { 'kms:CallerAccount': account }), 'ImplicitlyDenied');
  });

  test('it manages only the EventBridge rule GuardDuty owns', async () => {
    const managed = `arn:aws:events:${region}:${account}:rule/DO-NOT-DELETE-AmazonGuardDutyMalwareProtectionS3abc`;
    const byGuardDuty = { 'events:ManagedBy': MALWARE_PROTECTION_SERVICE };
    await expectDecision(asScanner('events:PutRule', managed, byGuardDuty), 'Allowed');
    await expectDecision(
      asScanner('events:PutRule', managed, { 'events:ManagedBy': 'someone.else' }),
      'ImplicitlyDenied',
    );
    await expectDecision(
      asScanner('events:PutRule', `arn:aws:events:${region}:${account}:rule/any-rule`, byGuardDuty),
      'ImplicitlyDenied',
    );
  });

  test('the pass-role policy hands this role to GuardDuty Malware Protection and to nothing else', async () => {
    const deployer: Caller = {
      arn: `arn:aws:iam::${account}:role/Deployer`,
      identityPolicies: [world.policyDocumentOf(malware.passRolePolicy)],
    };
    const pass = (resource: string, to: string) =>
      world.decide({ caller: deployer, action: 'iam:PassRole', resource, context: { 'iam:PassedToService': to } });
    await expectDecision(pass(roleArn, MALWARE_PROTECTION_SERVICE), 'Allowed');
    await expectDecision(pass(roleArn, 'lambda.amazonaws.com'), 'ImplicitlyDenied');
    await expectDecision(pass(`arn:aws:iam::${account}:role/Admin`, MALWARE_PROTECTION_SERVICE), 'ImplicitlyDenied');
  });
});

describe('Macie job provider role', () => {
  const asProvider = (action: string, resource: string) =>
    world.decide({ caller: { role: macie.jobProviderRole }, action, resource });
  const job = `arn:aws:macie2:${region}:${account}:classification-job/0f1e2d3c4b5a69788796a5b4c3d2e1f0`;

  test('it creates and cancels classification jobs', async () => {
    await expectDecision(asProvider('macie2:CreateClassificationJob', job), 'Allowed');
    await expectDecision(asProvider('macie2:UpdateClassificationJob', job), 'Allowed');
  });

  test('it cannot change the identifier or allow list, or read the data', async () => {
    const identifier = world.valueOf(macie.customDataIdentifier.attrArn, macie);
    await expectDecision(asProvider('macie2:DeleteCustomDataIdentifier', identifier), 'ImplicitlyDenied');
    await expectDecision(
      asProvider('macie2:UpdateAllowList', world.valueOf(macie.allowList.attrArn, macie)),
      'ImplicitlyDenied',
    );
    await expectDecision(asProvider('s3:GetObject', `${dataBucket}/records/a.json`), 'ImplicitlyDenied');
  });

  test('it writes its own log group and no other', async () => {
    const ownGroup = world.valueOf(
      (macie.node.findChild('JobProviderLogs') as unknown as { logGroupArn: string }).logGroupArn,
      macie,
    );
    const stream = `${ownGroup.replace(/:\*$/, '')}:log-stream:2026/11/29/abc`;
    await expectDecision(asProvider('logs:PutLogEvents', stream), 'Allowed');
    await expectDecision(
      asProvider('logs:PutLogEvents', `arn:aws:logs:${region}:${account}:log-group:other:log-stream:x`),
      'ImplicitlyDenied',
    );
  });
});

describe('CloudTrail log-delivery role', () => {
  const roleArn = world.arnOf(trail.logDeliveryRole);
  const ourTrail = world.valueOf(trail.trailArn, trail);

  test('only CloudTrail may assume it, for our trail', async () => {
    const assume = (sourceArn: string) =>
      world.decide({
        caller: service('cloudtrail.amazonaws.com'),
        action: 'sts:AssumeRole',
        resource: roleArn,
        context: { 'aws:SourceAccount': account, 'aws:SourceArn': sourceArn },
      });
    await expectDecision(assume(ourTrail), 'Allowed');
    await expectDecision(assume(`arn:aws:cloudtrail:${region}:${account}:trail/another-trail`), 'ImplicitlyDenied');
  });

  test('it delivers to the trail log group only', async () => {
    const group = world.valueOf(trail.logGroup.logGroupArn, trail).replace(/:\*$/, '');
    const deliver = (resource: string) =>
      world.decide({ caller: { role: trail.logDeliveryRole }, action: 'logs:PutLogEvents', resource });
    await expectDecision(deliver(`${group}:log-stream:${account}_CloudTrail_${region}`), 'Allowed');
    await expectDecision(deliver(`arn:aws:logs:${region}:${account}:log-group:other:log-stream:x`), 'ImplicitlyDenied');
  });
});

describe('alert topic and dead-letter queue', () => {
  const alerts = threat.alerts;
  const topicArn = world.valueOf(alerts.topic.topicArn, alerts);
  const queueArn = world.valueOf(alerts.deadLetters.queueArn, alerts);
  const ourRule = world.arnOf(alerts.rules[0]);
  const otherRule = `arn:aws:events:${region}:${account}:rule/someone-elses-rule`;
  const fromEvents = (action: string, resource: string, sourceArn: string, sourceAccount = account) =>
    world.decide({
      caller: service('events.amazonaws.com'),
      action,
      resource,
      context: { 'aws:SourceArn': sourceArn, 'aws:SourceAccount': sourceAccount },
    });

  test('EventBridge may publish on behalf of our rules only', async () => {
    for (const rule of alerts.rules) {
      await expectDecision(fromEvents('sns:Publish', topicArn, world.arnOf(rule)), 'Allowed');
    }
    await expectDecision(fromEvents('sns:Publish', topicArn, otherRule), 'ImplicitlyDenied');
    await expectDecision(fromEvents('sns:Publish', topicArn, ourRule, '222222222222'), 'ImplicitlyDenied');
  });

  test('other principals are denied, and publishing without TLS is refused even to an administrator', async () => {
    await expectDecision(
      world.decide({ caller: administrator('222222222222'), action: 'sns:Publish', resource: topicArn }),
      'ImplicitlyDenied',
    );
    await expectDecision(
      world.decide({ caller: service('s3.amazonaws.com'), action: 'sns:Publish', resource: topicArn }),
      'ImplicitlyDenied',
    );
    await expectDecision(
      world.decide({
        caller: administrator(account),
        action: 'sns:Publish',
        resource: topicArn,
        context: { 'aws:SecureTransport': 'false' },
      }),
      'ExplicitlyDenied',
    );
  });

  test('only our rules, and our topic, may dead-letter into the queue', async () => {
    await expectDecision(fromEvents('sqs:SendMessage', queueArn, ourRule), 'Allowed');
    await expectDecision(fromEvents('sqs:SendMessage', queueArn, otherRule), 'ImplicitlyDenied');
    await expectDecision(
      world.decide({
        caller: service('sns.amazonaws.com'),
        action: 'sqs:SendMessage',
        resource: queueArn,
        context: { 'aws:SourceArn': topicArn },
      }),
      'Allowed',
    );
    await expectDecision(
      world.decide({
        caller: service('sns.amazonaws.com'),
        action: 'sqs:SendMessage',
        resource: queueArn,
        context: { 'aws:SourceArn': `arn:aws:sns:${region}:${account}:another-topic` },
      }),
      'ImplicitlyDenied',
    );
  });
});

describe('the project key, for the threat-detection services', () => {
  const useKey = (caller: Caller, action: string, context: Record<string, string>) =>
    world.decide({ caller, action, resource: keyArn, context });

  test('EventBridge: for rules of the threat-detection stack only', async () => {
    const events = service('events.amazonaws.com');
    const ruleOf = (name: string) => `arn:aws:events:${region}:${account}:rule/${name}`;
    await expectDecision(
      useKey(events, 'kms:GenerateDataKey', {
        'aws:SourceArn': ruleOf('GuardedGenAi-ThreatDetection-AlertsMacie-1'),
        'aws:SourceAccount': account,
      }),
      'Allowed',
    );
    await expectDecision(
      useKey(events, 'kms:GenerateDataKey', {
        'aws:SourceArn': ruleOf('SomeOtherStack-Rule-1'),
        'aws:SourceAccount': account,
      }),
      'ImplicitlyDenied',
    );
    await expectDecision(useKey(events, 'kms:Decrypt', { 'aws:SourceAccount': '222222222222' }), 'ImplicitlyDenied');
  });

  test('CloudTrail: for our trail, with its encryption context, only', async () => {
    const cloudTrail = service('cloudtrail.amazonaws.com');
    const ourTrail = world.valueOf(trail.trailArn, threat);
    const context = (sourceArn: string) => ({
      'aws:SourceArn': sourceArn,
      'aws:SourceAccount': account,
      'kms:EncryptionContext:aws:cloudtrail:arn': sourceArn,
    });
    await expectDecision(useKey(cloudTrail, 'kms:GenerateDataKey', context(ourTrail)), 'Allowed');
    await expectDecision(
      useKey(cloudTrail, 'kms:GenerateDataKey', context(`arn:aws:cloudtrail:${region}:${account}:trail/other`)),
      'ImplicitlyDenied',
    );
    await expectDecision(useKey(cloudTrail, 'kms:Decrypt', context(ourTrail)), 'ImplicitlyDenied');
  });

  test("Macie's service-linked role: decrypt through S3 only", async () => {
    const macieRole: Caller = {
      arn: `arn:aws:iam::${account}:role/aws-service-role/macie.amazonaws.com/AWSServiceRoleForAmazonMacie`,
      identityPolicies: [],
    };
    await expectDecision(useKey(macieRole, 'kms:Decrypt', viaS3), 'Allowed');
    await expectDecision(useKey(macieRole, 'kms:Decrypt', { 'kms:CallerAccount': account }), 'ImplicitlyDenied');
    await expectDecision(useKey(macieRole, 'kms:GenerateDataKey', viaS3), 'ImplicitlyDenied');
    const impostor: Caller = { arn: `arn:aws:iam::${account}:role/NotMacie`, identityPolicies: [] };
    await expectDecision(useKey(impostor, 'kms:Decrypt', viaS3), 'ImplicitlyDenied');
  });
});
