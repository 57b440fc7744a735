import { EVALUATION_RESULTS_PREFIX, MALWARE_PROTECTION_VALIDATION_OBJECT } from '../../lib/shared/data-layout';
import { FINDINGS_EXPORT_PREFIX } from '../../lib/threat-detection/threat-detector';
import { synthesize, TEST_ENV } from '../support/build-app';
import { matrixConfiguration } from '../support/gate-matrix';
import { administrator, type Caller, type Decision, PolicyWorld } from '../support/iam-harness';
import { assignedId } from '../support/physical-names';

/**
 * The SSE-KMS buckets refuse `aws:kms` without a key id (S3 would use aws/s3,
 * not the bucket's key) from callers, and never from an AWS service delivering
 * on its own behalf or from a role an AWS service assumes, whatever headers
 * those send: AWS documents none of them.
 */
const { account, region } = TEST_ENV;
const { assembly, stacks } = synthesize(matrixConfiguration('everything on in a throwaway sandbox'));
const world = new PolicyWorld(assembly, TEST_ENV);
const admin = administrator(account);
const projectKey = world.arnOf(stacks.dataProtection.key);
const threat = stacks.threatDetection;

const KMS_WITHOUT_KEY_ID = { 's3:x-amz-server-side-encryption': 'aws:kms' };
const WITH_OUR_KEY = { ...KMS_WITHOUT_KEY_ID, 's3:x-amz-server-side-encryption-aws-kms-key-id': projectKey };
/** Every header variant a service might send. */
const VARIANTS: Record<string, string>[] = [{}, KMS_WITHOUT_KEY_ID, WITH_OUR_KEY];

async function expectDecision(promise: Promise<Decision>, expected: Decision) {
  await expect(promise).resolves.toBe(expected);
}
const put = (caller: Caller, resource: string, context: Record<string, string>) =>
  world.decide({ caller, action: 's3:PutObject', resource, context });

const dataBucket = world.arnOf(stacks.dataProtection.dataBucket.bucket);
const { trail, detector, malwareProtection, configRecorder: recorder } = threat;
const findings = detector?.findingsBucket;
if (!trail || !findings || !recorder || !detector || !malwareProtection) {
  throw new Error('the configuration has a trail, exported findings, a recorder and malware protection');
}
const trailBucket = world.arnOf(trail.bucket.bucket);
const trailArn = world.valueOf(trail.trailArn, trail);
const logFile = `${trailBucket}/AWSLogs/${account}/CloudTrail/${region}/2026/12/07/${account}_CloudTrail_${region}_20261207T1005Z_Jm3cL2vGh5sT8wQe.json.gz`;
const digest = `${trailBucket}/AWSLogs/${account}/CloudTrail-Digest/${region}/2026/12/07/${account}_CloudTrail-Digest_${region}_trail_${region}_20261207T100000Z.json.gz`;

describe('a caller asking for aws:kms without the key id is refused on every SSE-KMS bucket', () => {
  test('the data bucket: refused; with the project key id or without any header: allowed', async () => {
    const record = `${dataBucket}/records/2026/12/07/request.json`;
    await expectDecision(put(admin, record, KMS_WITHOUT_KEY_ID), 'ExplicitlyDenied');
    await expectDecision(put(admin, record, WITH_OUR_KEY), 'Allowed');
    await expectDecision(put(admin, record, {}), 'Allowed');
  });

  test('the trail, findings and Config buckets: refused', async () => {
    const findingsObject = `${world.arnOf(findings.bucket)}/other/x.json`;
    const configObject = `${world.arnOf(recorder.bucket.bucket)}/other/x.json`;
    for (const object of [logFile, findingsObject, configObject]) {
      await expectDecision(put(admin, object, KMS_WITHOUT_KEY_ID), 'ExplicitlyDenied');
    }
  });
});

describe('AWS services delivering on their own behalf are never refused for their headers', () => {
  const headers = ['s3:x-amz-server-side-encryption', 's3:x-amz-server-side-encryption-aws-kms-key-id'];
  const pick = (variant: Record<string, string>) =>
    Object.fromEntries(Object.entries(variant).filter(([key]) => headers.includes(key)));

  test('Bedrock invocation logs into the data bucket', async () => {
    const object = `${dataBucket}/model-invocations/AWSLogs/${account}/BedrockModelInvocationLogs/${region}/2026/12/07/10/20261207T1005Z_0f1e2d3c4b5a6978.json.gz`;
    const source = `arn:aws:bedrock:${region}:${account}:inference-profile/eu.amazon.nova-micro-v1:0`;
    for (const variant of VARIANTS) {
      await expectDecision(
        world.serviceRequest('bedrock-delivers-invocation-logs-with-sse-headers', {
          action: 's3:PutObject',
          resource: object,
          source,
          callerParameters: pick(variant),
        }),
        'Allowed',
      );
    }
  });

  test('CloudTrail log files and digest files', async () => {
    for (const file of [logFile, digest]) {
      for (const variant of VARIANTS) {
        await expectDecision(
          world.serviceRequest('cloudtrail-writes-log-files-with-sse-headers', {
            action: 's3:PutObject',
            resource: file,
            source: trailArn,
            callerParameters: pick(variant),
          }),
          'Allowed',
        );
      }
    }
  });

  test('GuardDuty exported findings', async () => {
    const object = `${world.arnOf(findings.bucket)}/${FINDINGS_EXPORT_PREFIX}AWSLogs/${account}/GuardDuty/${region}/2026/12/07/${assignedId('uuid', 'finding')}.jsonl.gz`;
    const source = world.valueOf(detector.detectorArn, detector);
    for (const variant of VARIANTS) {
      await expectDecision(
        world.serviceRequest('guardduty-exports-findings-with-sse-headers', {
          action: 's3:PutObject',
          resource: object,
          source,
          callerParameters: pick(variant),
        }),
        'Allowed',
      );
    }
  });

  test('AWS Config deliveries', async () => {
    const object = `${world.arnOf(recorder.bucket.bucket)}/config/AWSLogs/${account}/Config/${region}/2026/12/07/ConfigSnapshot/${account}_Config_${region}_ConfigSnapshot_20261207T100531Z_${assignedId('uuid', 'snapshot')}.json.gz`;
    for (const variant of VARIANTS) {
      await expectDecision(
        world.serviceRequest('config-delivers-with-sse-headers', {
          action: 's3:PutObject',
          resource: object,
          callerParameters: pick(variant),
        }),
        'Allowed',
      );
    }
  });
});

describe('roles AWS services assume keep their keys, whatever they send', () => {
  test("Bedrock as the evaluation role, under the results prefix; GuardDuty's role, its validation object", async () => {
    const evaluation = { role: stacks.governance.evaluationRole.role };
    const result = `${dataBucket}/${EVALUATION_RESULTS_PREFIX}job-1/output.jsonl`;
    const malware = { role: malwareProtection.role };
    const validation = `${dataBucket}/${MALWARE_PROTECTION_VALIDATION_OBJECT}`;
    for (const variant of VARIANTS) {
      await expect(put(evaluation, result, variant)).resolves.not.toBe('ExplicitlyDenied');
      await expect(put(malware, validation, variant)).resolves.not.toBe('ExplicitlyDenied');
    }
  });
});

describe('CloudTrail digest files: SSE-S3 accepted there alone (the documentation contradicts itself)', () => {
  const write = (file: string, encryption: string) =>
    world.serviceRequest('cloudtrail-writes-log-files-with-sse-headers', {
      action: 's3:PutObject',
      resource: file,
      source: trailArn,
      callerParameters: { 's3:x-amz-server-side-encryption': encryption },
    });

  test('AES256 on a digest file: allowed; on a log file: refused; DSSE-KMS on either: refused', async () => {
    await expectDecision(write(digest, 'AES256'), 'Allowed');
    await expectDecision(write(logFile, 'AES256'), 'ExplicitlyDenied');
    await expectDecision(write(digest, 'aws:kms:dsse'), 'ExplicitlyDenied');
    await expectDecision(write(logFile, 'aws:kms:dsse'), 'ExplicitlyDenied');
  });
});
