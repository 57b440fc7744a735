import type { IConstruct } from 'constructs';
import { MALWARE_PROTECTION_VALIDATION_OBJECT, MALWARE_SCAN_TAG } from '../../lib/shared/data-layout';
import { MALWARE_PROTECTION_SERVICE } from '../../lib/threat-detection/s3-malware-protection';
import { synthesize, TEST_ENV } from '../support/build-app';
import { matrixConfiguration } from '../support/gate-matrix';
import { administrator, type Caller, type Decision, PolicyWorld } from '../support/iam-harness';
import { generatedName } from '../support/physical-names';

/**
 * Proofs, against the synthesized policies, that every role and resource
 * policy of the threat-detection stack allows what its service needs and
 * nothing else. Macie and the unused-access analyzer are off by default
 * (docs/cost.md), so the proofs run with them on.
 */
const { assembly, stacks } = synthesize(matrixConfiguration('e-mail alerts, Macie and the unused-access analyzer on'));
const world = new PolicyWorld(assembly, TEST_ENV);
const threat = stacks.threatDetection;
const { account, region }: { account: string; region: string } = TEST_ENV;

const dataBucket = world.arnOf(stacks.dataProtection.dataBucket.bucket);
const otherBucket = world.arnOf(stacks.dataProtection.accessLogBucket.bucket);
const keyArn = world.arnOf(stacks.dataProtection.key);
/** A log group of another app in this account, named the way CloudFormation would. */
const otherLogGroup = `arn:aws:logs:${region}:${account}:log-group:${generatedName('Reports', 'ReportLogs9A8B7C6D', 'AWS::Logs::LogGroup')}`;

async function expectDecision(promise: Promise<Decision>, expected: Decision) {
  await expect(promise).resolves.toBe(expected);
}

/** A part of the stack the configuration must have. */
function present<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`the configuration has no ${what}`);
  return value;
}
const malware = present(threat.malwareProtection, 'malware protection');
const macie = present(threat.sensitiveData, 'Macie discovery');
const trail = present(threat.trail, 'trail');

describe("the scan-result tag: only GuardDuty's role sets it (and the promoter, which keeps it)", () => {
  /** Tagging a version (or putting an object) with these tag keys in the request. */
  // A new object carries the SSE-KMS headers the bucket's encryption fence asks for, so the tag is the only thing judged.
  const tagging = (caller: Caller, action: string, key: string, tagKeys: string[]) =>
    world.decide({
      caller,
      action,
      resource: `${dataBucket}/${key}`,
      context: {
        's3:RequestObjectTagKeys': tagKeys,
        ...(action === 's3:PutObject'
          ? { 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': keyArn }
          : {}),
      },
    });
  const uploader: Caller = {
    arn: `arn:aws:iam::${TEST_ENV.account}:role/DocumentUploader`,
    identityPolicies: [
      {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['s3:PutObject', 's3:PutObjectTagging', 's3:PutObjectVersionTagging'],
            Resource: `${dataBucket}/*`,
          },
        ],
      },
    ],
  };

  test('an administrator or an uploader cannot set it, on a new object or an existing version', async () => {
    for (const caller of [administrator(TEST_ENV.account), uploader]) {
      for (const action of ['s3:PutObject', 's3:PutObjectTagging', 's3:PutObjectVersionTagging']) {
        await expectDecision(tagging(caller, action, 'incoming/handbook.md', [MALWARE_SCAN_TAG]), 'ExplicitlyDenied');
        await expectDecision(
          tagging(caller, action, 'training/intake/b/train.jsonl', ['team', MALWARE_SCAN_TAG]),
          'ExplicitlyDenied',
        );
      }
      // Other tags are not fenced; removing the tag only makes the object count as not scanned.
      await expectDecision(tagging(caller, 's3:PutObjectVersionTagging', 'incoming/handbook.md', ['team']), 'Allowed');
      await expectDecision(tagging(caller, 's3:PutObject', 'incoming/handbook.md', ['team']), 'Allowed');
    }
  });

  test("GuardDuty's role sets it; the promoter keeps it when it adds its own", async () => {
    await expectDecision(
      tagging({ role: malware.role }, 's3:PutObjectVersionTagging', 'incoming/handbook.md', [MALWARE_SCAN_TAG]),
      'Allowed',
    );
    const ingestion = present(stacks.ingestion, 'ingestion');
    await expectDecision(
      tagging({ role: ingestion.promotion.role }, 's3:PutObjectVersionTagging', 'incoming/handbook.md', [
        MALWARE_SCAN_TAG,
        'KnowledgePromotion',
      ]),
      'Allowed',
    );
  });
});

describe('Malware Protection for S3 role', () => {
  const roleArn = world.arnOf(malware.role);
  const asScanner = (action: string, resource: string, context: Record<string, string> = {}) =>
    world.decide({ caller: { role: malware.role }, action, resource, context });

  test('GuardDuty Malware Protection may assume it, Lambda may not', async () => {
    // AWS's trust policy has no conditions and documents no source context for this principal.
    await expectDecision(
      world.serviceRequest('malware-protection-assumes-role', { action: 'sts:AssumeRole', resource: roleArn }),
      'Allowed',
    );
    await expectDecision(
      world.serviceRequest('lambda-assumes-execution-role', { action: 'sts:AssumeRole', resource: roleArn }),
      'ImplicitlyDenied',
    );
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

  test('it decrypts only through S3, for the data bucket', async () => {
    const throughS3 = (source: string) =>
      world.serviceRequest('s3-uses-key-for-caller', {
        caller: { role: malware.role },
        action: 'kms:Decrypt',
        resource: keyArn,
        source,
      });
    await expectDecision(throughS3(dataBucket), 'Allowed');
    await expectDecision(asScanner('kms:Decrypt', keyArn), 'ImplicitlyDenied');
  });

  test('it manages only the EventBridge rule GuardDuty owns', async () => {
    const managed = `arn:aws:events:${region}:${account}:rule/DO-NOT-DELETE-AmazonGuardDutyMalwareProtectionS3Rule-${'b4c7f464ab3a4'}`;
    const managedRule = (resource: string) =>
      world.serviceRequest('malware-protection-manages-its-rule', {
        caller: { role: malware.role },
        action: 'events:PutRule',
        resource,
      });
    await expectDecision(managedRule(managed), 'Allowed');
    // A rule nobody manages carries no events:ManagedBy.
    await expectDecision(asScanner('events:PutRule', managed), 'ImplicitlyDenied');
    const otherRule = generatedName('Reports', 'NightlyRule5E6F7A8B', 'AWS::Events::Rule');
    await expectDecision(managedRule(`arn:aws:events:${region}:${account}:rule/${otherRule}`), 'ImplicitlyDenied');
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

  test('it creates, reads and cancels classification jobs, and lists them (an action without a resource type)', async () => {
    await expectDecision(asProvider('macie2:CreateClassificationJob', job), 'Allowed');
    await expectDecision(asProvider('macie2:UpdateClassificationJob', job), 'Allowed');
    await expectDecision(asProvider('macie2:DescribeClassificationJob', job), 'Allowed');
    await expectDecision(asProvider('macie2:ListClassificationJobs', '*'), 'Allowed');
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

describe("Macie job's Provider framework roles", () => {
  const onEvent = world.arnOf(macie.jobOnEvent);
  const isComplete = world.arnOf(macie.jobIsComplete);
  const other = `arn:aws:lambda:${region}:${account}:function:GuardedGenAi-ThreatDetection-Other`;
  const framework = macie.jobProvider;
  const as = (role: IConstruct, action: string, resource: string) =>
    world.decide({ caller: { role }, action, resource });

  test('the entry function may invoke the onEvent handler, no other function', async () => {
    await expectDecision(as(framework.frameworkRole, 'lambda:InvokeFunction', onEvent), 'Allowed');
    await expectDecision(as(framework.frameworkRole, 'lambda:InvokeFunction', isComplete), 'ImplicitlyDenied');
    await expectDecision(as(framework.frameworkRole, 'lambda:InvokeFunction', other), 'ImplicitlyDenied');
  });

  test('the waiter functions may invoke the isComplete handler only', async () => {
    const role = present(framework.waiterFunctionRole, 'the waiter function role');
    await expectDecision(as(role, 'lambda:InvokeFunction', isComplete), 'Allowed');
    await expectDecision(as(role, 'lambda:InvokeFunction', onEvent), 'ImplicitlyDenied');
  });
});

describe('CloudTrail log-delivery role', () => {
  const roleArn = world.arnOf(trail.logDeliveryRole);

  test('CloudTrail may assume it, Lambda may not', async () => {
    // AWS documents no source context for this assumption, so the trust has no condition.
    await expectDecision(
      world.serviceRequest('cloudtrail-assumes-log-delivery-role', { action: 'sts:AssumeRole', resource: roleArn }),
      'Allowed',
    );
    await expectDecision(
      world.serviceRequest('lambda-assumes-execution-role', { action: 'sts:AssumeRole', resource: roleArn }),
      'ImplicitlyDenied',
    );
  });

  test('it delivers to the trail log group only', async () => {
    const group = world.valueOf(trail.logGroup.logGroupArn, trail).replace(/:\*$/, '');
    const deliver = (resource: string) =>
      world.decide({ caller: { role: trail.logDeliveryRole }, action: 'logs:PutLogEvents', resource });
    await expectDecision(deliver(`${group}:log-stream:${account}_CloudTrail_${region}`), 'Allowed');
    await expectDecision(deliver(`${otherLogGroup}:log-stream:${account}_CloudTrail_${region}`), 'ImplicitlyDenied');
  });
});

// What the services themselves may do (EventBridge, SNS, CloudTrail, GuardDuty,
// S3, Macie, CloudWatch Logs) is proved in test/compliance/service-paths.test.ts.
describe('alert topic', () => {
  const topicArn = world.valueOf(threat.alerts.topic.topicArn, threat.alerts);

  test('other accounts are denied, and publishing without TLS is refused even to an administrator', async () => {
    await expectDecision(
      world.decide({ caller: administrator('222222222222'), action: 'sns:Publish', resource: topicArn }),
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
});
