import { FINDINGS_EXPORT_PREFIX } from '../../lib/threat-detection/threat-detector';
import { synthesize, TEST_ENV } from '../support/build-app';
import { matrixConfiguration } from '../support/gate-matrix';
import { type Caller, type Decision, PolicyWorld, type ServiceRequest } from '../support/iam-harness';
import { assignedId, generatedName } from '../support/physical-names';
import type { ServiceRequestId } from '../support/service-requests';

/**
 * Every AWS service a resource policy or the key policy lets in, making the
 * request it makes (context from test/support/service-requests.ts, names as a
 * deployment has them): allowed for the app's own resources, denied for
 * another resource of this account and for the same resource name in another
 * account.
 */
const { account, region }: { account: string; region: string } = TEST_ENV;
const OTHER_ACCOUNT = '222222222222';
// Every service path on: Macie and the unused-access analyzer are off by default (docs/cost.md).
const { assembly, stacks } = synthesize(
  matrixConfiguration('e-mail alerts, exported findings, Macie and the unused-access analyzer on'),
);
const world = new PolicyWorld(assembly, TEST_ENV);
const threat = stacks.threatDetection;
const keyArn = world.arnOf(stacks.dataProtection.key);

const request = (id: ServiceRequestId, r: ServiceRequest): Promise<Decision> => world.serviceRequest(id, r);
const inOtherAccount = (arn: string) => arn.replace(`:${account}:`, `:${OTHER_ACCOUNT}:`);
async function expectDecision(promise: Promise<Decision>, expected: Decision) {
  await expect(promise).resolves.toBe(expected);
}
/** Resources of another app in this account, named the way CloudFormation would. */
const other = {
  rule: `arn:aws:events:${region}:${account}:rule/${generatedName('Reports', 'NightlyRule5E6F7A8B', 'AWS::Events::Rule')}`,
  topic: `arn:aws:sns:${region}:${account}:${generatedName('Reports', 'ReportTopic1A2B3C4D', 'AWS::SNS::Topic')}`,
  queue: `arn:aws:sqs:${region}:${account}:${generatedName('Reports', 'ReportQueue2B3C4D5E', 'AWS::SQS::Queue')}`,
  bucket: `arn:aws:s3:::${generatedName('Reports', 'ReportBucket3C4D5E6F', 'AWS::S3::Bucket')}`,
  trail: `arn:aws:cloudtrail:${region}:${account}:trail/${generatedName('Reports', 'ReportTrail4D5E6F7A', 'AWS::CloudTrail::Trail')}`,
  logGroup: `arn:aws:logs:${region}:${account}:log-group:${generatedName('Reports', 'ReportLogs9A8B7C6D', 'AWS::Logs::LogGroup')}`,
  // One detector per account and region: another one of this account is in another region.
  detector: `arn:aws:guardduty:us-east-1:${account}:detector/${assignedId('detector', 'us-east-1')}`,
};

describe('EventBridge delivers alerts', () => {
  const { alerts } = threat;
  const topicArn = world.valueOf(alerts.topic.topicArn, alerts);
  const queueArn = world.valueOf(alerts.deadLetters.queueArn, alerts);
  const alertKeyArn = world.arnOf(alerts.key);
  const rules = alerts.rules.map((rule) => world.arnOf(rule));

  test('it publishes to the topic, carrying no condition key (AWS documents none, and no Condition block there)', async () => {
    await expectDecision(
      request('eventbridge-publishes-to-topic', { action: 'sns:Publish', resource: topicArn }),
      'Allowed',
    );
    // The residual exposure of the documented form: the topic policy cannot
    // tell our rules from another's, so what bounds it is the topic itself
    // (only this principal, only with TLS) and the key that encrypts alerts only.
  });

  test('it dead-letters into the queue for our rules only, by aws:SourceArn alone', async () => {
    const deadLetter = (source: string) =>
      request('eventbridge-dead-letters-to-queue', { action: 'sqs:SendMessage', resource: queueArn, source });
    for (const rule of rules) await expectDecision(deadLetter(rule), 'Allowed');
    await expectDecision(deadLetter(other.rule), 'ImplicitlyDenied');
    await expectDecision(deadLetter(inOtherAccount(rules[0])), 'ImplicitlyDenied');
  });

  test('it uses the alert key for the topic and the queue with no encryption context, and the project key not at all', async () => {
    for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
      for (const id of ['eventbridge-encrypts-for-topic', 'eventbridge-encrypts-for-queue'] as const) {
        await expectDecision(request(id, { action, resource: alertKeyArn }), 'Allowed');
        await expectDecision(request(id, { action, resource: keyArn }), 'ImplicitlyDenied');
      }
    }
  });
});

describe('EventBridge queues scan results for promotion', () => {
  const ingestion = stacks.ingestion;
  if (!ingestion) throw new Error('the default configuration has the ingestion stack');
  const { promotion } = ingestion;
  const ruleArn = world.arnOf(promotion.rule);
  const queueArn = world.valueOf(promotion.queue.queueArn, promotion);
  const deadLettersArn = world.valueOf(promotion.deadLetters.queueArn, promotion);
  const alertRule = world.arnOf(threat.alerts.rules[0]);

  test('it sends to the promotion queue for the scan-result rule, not for another rule (ours or not) or account', async () => {
    const send = (source: string) =>
      request('eventbridge-sends-to-queue', { action: 'sqs:SendMessage', resource: queueArn, source });
    await expectDecision(send(ruleArn), 'Allowed');
    await expectDecision(send(alertRule), 'ImplicitlyDenied');
    await expectDecision(send(other.rule), 'ImplicitlyDenied');
    await expectDecision(send(inOtherAccount(ruleArn)), 'ImplicitlyDenied');
  });

  test('it dead-letters what it could not queue, for the scan-result rule only', async () => {
    const deadLetter = (source: string) =>
      request('eventbridge-dead-letters-to-queue', { action: 'sqs:SendMessage', resource: deadLettersArn, source });
    await expectDecision(deadLetter(ruleArn), 'Allowed');
    await expectDecision(deadLetter(alertRule), 'ImplicitlyDenied');
    await expectDecision(deadLetter(other.rule), 'ImplicitlyDenied');
  });

  test('it encrypts for the promotion queues with the alert key, as AWS documents it (no condition), never with the project key', async () => {
    const alertKeyArn = world.arnOf(threat.alerts.key);
    for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
      await expectDecision(request('eventbridge-encrypts-for-queue', { action, resource: alertKeyArn }), 'Allowed');
      await expectDecision(request('eventbridge-encrypts-for-queue', { action, resource: keyArn }), 'ImplicitlyDenied');
    }
  });
});

describe("CloudWatch publishes the app's alarms to the alert topic", () => {
  const ingestion = stacks.ingestion;
  if (!ingestion) throw new Error('the default configuration has the ingestion stack');
  const { alarm } = ingestion.promotion;
  const alarmArn = world.valueOf(alarm.alarmArn, alarm);
  const topicArn = world.valueOf(threat.alerts.topic.topicArn, threat.alerts);
  /** The same alarm of another copy of the app (appName "OtherCopy") in this account. */
  const otherAppAlarm = `arn:aws:cloudwatch:${region}:${account}:alarm:OtherCopy-Ingestion-promotion-failures`;

  test('for an alarm of this app, not of another app or account', async () => {
    expect(alarmArn).toBe(`arn:aws:cloudwatch:${region}:${account}:alarm:GuardedGenAi-Ingestion-promotion-failures`);
    const publish = (source: string) =>
      request('cloudwatch-publishes-alarm', { action: 'sns:Publish', resource: topicArn, source });
    await expectDecision(publish(alarmArn), 'Allowed');
    await expectDecision(publish(`arn:aws:cloudwatch:${region}:${account}:alarm:GuardedGenAi-x`), 'Allowed');
    await expectDecision(publish(otherAppAlarm), 'ImplicitlyDenied');
    await expectDecision(publish(inOtherAccount(alarmArn)), 'ImplicitlyDenied');
  });

  test('with the alert key and no encryption context, and not with the project key', async () => {
    const alertKeyArn = world.arnOf(threat.alerts.key);
    for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
      await expectDecision(request('cloudwatch-encrypts-for-topic', { action, resource: alertKeyArn }), 'Allowed');
      await expectDecision(request('cloudwatch-encrypts-for-topic', { action, resource: keyArn }), 'ImplicitlyDenied');
    }
  });
});

describe('S3 Vectors maintains the index in the background', () => {
  const knowledge = stacks.knowledge;
  if (!knowledge) throw new Error('the default configuration has a knowledge base');
  const vectorBucketArn = world.valueOf(knowledge.vectorStore.bucket.attrVectorBucketArn, knowledge.vectorStore);

  test('its indexing principal decrypts for vector buckets of this account, not of another account', async () => {
    const decrypt = (source: string) =>
      request('s3vectors-indexing-decrypts', { action: 'kms:Decrypt', resource: keyArn, source });
    await expectDecision(decrypt(vectorBucketArn), 'Allowed');
    await expectDecision(decrypt(inOtherAccount(vectorBucketArn)), 'ImplicitlyDenied');
    // The key policy names this account's vector buckets, not one bucket (its
    // name is generated in a later stack): another vector bucket of the
    // account is let in too, and only the index's own encryption uses the key.
    await expectDecision(
      decrypt(
        `arn:aws:s3vectors:${region}:${account}:bucket/${generatedName('Reports', 'ReportVectors1A2B3C4D', 'AWS::S3Vectors::VectorBucket')}`,
      ),
      'Allowed',
    );
  });

  test('no other service principal decrypts through that statement', async () => {
    await expectDecision(
      request('eventbridge-encrypts-for-queue', { action: 'kms:Decrypt', resource: keyArn }),
      'ImplicitlyDenied',
    );
  });
});

describe('SNS dead-letters e-mail it could not deliver', () => {
  const { alerts } = threat;
  const topicArn = world.valueOf(alerts.topic.topicArn, alerts);
  const queueArn = world.valueOf(alerts.deadLetters.queueArn, alerts);

  test('into the queue for our topic only', async () => {
    const send = (source: string) =>
      request('sns-dead-letters-to-queue', { action: 'sqs:SendMessage', resource: queueArn, source });
    await expectDecision(send(topicArn), 'Allowed');
    await expectDecision(send(other.topic), 'ImplicitlyDenied');
    await expectDecision(send(inOtherAccount(topicArn)), 'ImplicitlyDenied');
  });

  test('with the alert key and no encryption context, and not with the project key', async () => {
    const alertKeyArn = world.arnOf(alerts.key);
    for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
      await expectDecision(request('sns-encrypts-for-queue', { action, resource: alertKeyArn }), 'Allowed');
      await expectDecision(request('sns-encrypts-for-queue', { action, resource: keyArn }), 'ImplicitlyDenied');
    }
  });
});

describe('CloudTrail delivers the trail', () => {
  const trail = threat.trail;
  if (!trail) throw new Error('the default configuration has a trail');
  const trailArn = world.valueOf(trail.trailArn, trail);
  const bucketArn = world.arnOf(trail.bucket.bucket);
  const logFile = (acct: string) =>
    `${bucketArn}/AWSLogs/${acct}/CloudTrail/${region}/2026/11/29/${acct}_CloudTrail_${region}_20261129T1205Z_Jm3cL2vGh5sT8wQe.json.gz`;

  test('it checks the bucket ACL and writes log files for our trail, not for another', async () => {
    const acl = (source: string) =>
      request('cloudtrail-checks-bucket-acl', { action: 's3:GetBucketAcl', resource: bucketArn, source });
    const write = (source: string, file = logFile(account)) =>
      request('cloudtrail-writes-log-files', { action: 's3:PutObject', resource: file, source });
    await expectDecision(acl(trailArn), 'Allowed');
    await expectDecision(write(trailArn), 'Allowed');
    await expectDecision(acl(other.trail), 'ImplicitlyDenied');
    await expectDecision(write(other.trail), 'ImplicitlyDenied');
    await expectDecision(write(inOtherAccount(trailArn), logFile(OTHER_ACCOUNT)), 'ImplicitlyDenied');
  });

  test('it encrypts log files and describes the key for our trail, not for another', async () => {
    const encrypt = (source: string) =>
      request('cloudtrail-encrypts-log-files', { action: 'kms:GenerateDataKey', resource: keyArn, source });
    const describe = (source: string) =>
      request('cloudtrail-describes-key', { action: 'kms:DescribeKey', resource: keyArn, source });
    await expectDecision(encrypt(trailArn), 'Allowed');
    await expectDecision(describe(trailArn), 'Allowed');
    await expectDecision(encrypt(other.trail), 'ImplicitlyDenied');
    await expectDecision(describe(other.trail), 'ImplicitlyDenied');
    await expectDecision(encrypt(inOtherAccount(trailArn)), 'ImplicitlyDenied');
  });

  test('it assumes the log-delivery role, and no other role of the app', async () => {
    const assume = (resource: string) =>
      request('cloudtrail-assumes-log-delivery-role', { action: 'sts:AssumeRole', resource });
    await expectDecision(assume(world.arnOf(trail.logDeliveryRole)), 'Allowed');
    const malware = threat.malwareProtection;
    if (!malware) throw new Error('the default configuration has malware protection');
    await expectDecision(assume(world.arnOf(malware.role)), 'ImplicitlyDenied');
  });
});

describe('GuardDuty exports findings', () => {
  const detector = threat.detector;
  const findings = detector?.findingsBucket;
  if (!detector || !findings) throw new Error('guardDutyFindingsExport creates a findings bucket');
  const detectorArn = world.valueOf(detector.detectorArn, detector);
  const bucketArn = world.arnOf(findings.bucket);
  const object = `${bucketArn}/${FINDINGS_EXPORT_PREFIX}AWSLogs/${account}/GuardDuty/${region}/2026/11/29/${assignedId('uuid', 'finding')}.jsonl.gz`;

  test('for our detector, not for one of another region or account', async () => {
    for (const source of [detectorArn, other.detector, inOtherAccount(detectorArn)]) {
      const expected: Decision = source === detectorArn ? 'Allowed' : 'ImplicitlyDenied';
      await expectDecision(
        request('guardduty-locates-export-bucket', { action: 's3:GetBucketLocation', resource: bucketArn, source }),
        expected,
      );
      await expectDecision(
        request('guardduty-exports-findings', { action: 's3:PutObject', resource: object, source }),
        expected,
      );
      await expectDecision(
        request('guardduty-encrypts-findings', { action: 'kms:GenerateDataKey', resource: keyArn, source }),
        expected,
      );
    }
  });
});

describe('S3 server access logging', () => {
  const dataBucket = world.arnOf(stacks.dataProtection.dataBucket.bucket);
  const logBucket = world.arnOf(stacks.dataProtection.accessLogBucket.bucket);
  const logObject = `${logBucket}/data-bucket/2026-11-29-12-05-31-5A3F9C1D2B4E6F70`;

  test('delivers logs of the data bucket, not of another bucket or account', async () => {
    const deliver = (source: string, sourceAccount?: string) =>
      request('s3-delivers-access-logs', {
        action: 's3:PutObject',
        resource: logObject,
        source,
        account: sourceAccount,
      });
    await expectDecision(deliver(dataBucket), 'Allowed');
    await expectDecision(deliver(other.bucket), 'ImplicitlyDenied');
    await expectDecision(deliver(dataBucket, OTHER_ACCOUNT), 'ImplicitlyDenied');
  });
});

describe("Macie's service-linked role reads the data bucket", () => {
  const dataBucket = world.arnOf(stacks.dataProtection.dataBucket.bucket);
  const slr = (acct: string): Caller => ({
    arn: `arn:aws:iam::${acct}:role/aws-service-role/macie.amazonaws.com/AWSServiceRoleForAmazonMacie`,
    identityPolicies: [],
  });
  const decrypt = (caller: Caller) =>
    request('macie-decrypts-through-s3', { caller, action: 'kms:Decrypt', resource: keyArn, source: dataBucket });

  test("it decrypts with the key; another role, or Macie's role of another account, cannot", async () => {
    await expectDecision(decrypt(slr(account)), 'Allowed');
    await expectDecision(
      decrypt({ arn: `arn:aws:iam::${account}:role/NotMacie`, identityPolicies: [] }),
      'ImplicitlyDenied',
    );
    await expectDecision(decrypt(slr(OTHER_ACCOUNT)), 'ImplicitlyDenied');
  });
});

describe('Bedrock reads the encrypted guardrail for the invoke function', () => {
  const { guardrail, invoke } = stacks.guardedInvoke;
  const guardrailArn = world.valueOf(guardrail.guardrailArn, guardrail);
  // The guardrail has a key of its own (encrypting nothing else).
  const guardrailKeyArn = world.arnOf(stacks.guardedInvoke.guardrailKey.key);
  const decrypt = (caller: Caller) =>
    request('bedrock-decrypts-guardrail', {
      caller,
      action: 'kms:Decrypt',
      resource: guardrailKeyArn,
      source: guardrailArn,
    });

  test('with the function role; a role of another account cannot', async () => {
    await expectDecision(decrypt({ role: invoke.role }), 'Allowed');
    await expectDecision(
      decrypt({
        arn: `arn:aws:iam::${OTHER_ACCOUNT}:role/Admin`,
        identityPolicies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }],
      }),
      'ImplicitlyDenied',
    );
  });
});

describe('CloudWatch Logs encrypts the log groups of the app', () => {
  const groups = [
    stacks.guardedInvoke.invoke.logGroup,
    threat.trail?.logGroup,
    threat.sensitiveData?.jobProviderLogGroup,
    stacks.ingestion?.promotion.logGroup,
  ].flatMap((group) => (group ? [world.arnOf(group).replace(/:\*$/, '')] : []));

  test('for each of them, not for a log group of another app or account', async () => {
    expect(groups.length).toBe(4);
    for (const action of ['kms:GenerateDataKey', 'kms:Decrypt', 'kms:Encrypt']) {
      const use = (source: string) => request('logs-encrypts-log-group', { action, resource: keyArn, source });
      for (const group of groups) await expectDecision(use(group), 'Allowed');
      await expectDecision(use(other.logGroup), 'ImplicitlyDenied');
      await expectDecision(use(inOtherAccount(groups[0])), 'ImplicitlyDenied');
    }
  });
});

describe('AWS Config delivers to its bucket (configRecorder "create")', () => {
  let configWorld: PolicyWorld;
  let bucketArn: string;
  let configKey: string;
  beforeAll(() => {
    const built = synthesize({ configRecorder: 'create' });
    configWorld = new PolicyWorld(built.assembly, TEST_ENV);
    const recorder = built.stacks.threatDetection.configRecorder;
    if (!recorder) throw new Error('configRecorder "create" creates a recorder');
    bucketArn = configWorld.arnOf(recorder.bucket.bucket);
    configKey = configWorld.arnOf(built.stacks.dataProtection.key);
  });
  const snapshot = (acct: string) =>
    `${bucketArn}/config/AWSLogs/${acct}/Config/${region}/2026/11/29/ConfigSnapshot/${acct}_Config_${region}_ConfigSnapshot_20261129T120531Z_${assignedId('uuid', 'snapshot')}.json.gz`;

  test('for this account, not another', async () => {
    for (const [acct, expected] of [
      [account, 'Allowed'],
      [OTHER_ACCOUNT, 'ImplicitlyDenied'],
    ] as const) {
      const on = { account: acct };
      await expectDecision(
        configWorld.serviceRequest('config-checks-bucket', { action: 's3:GetBucketAcl', resource: bucketArn, ...on }),
        expected,
      );
      await expectDecision(
        configWorld.serviceRequest('config-checks-bucket', { action: 's3:ListBucket', resource: bucketArn, ...on }),
        expected,
      );
      await expectDecision(
        configWorld.serviceRequest('config-delivers', { action: 's3:PutObject', resource: snapshot(acct), ...on }),
        expected,
      );
      await expectDecision(
        configWorld.serviceRequest('config-encrypts-deliveries', {
          action: 'kms:GenerateDataKey',
          resource: configKey,
          ...on,
        }),
        expected,
      );
    }
  });
});
