/**
 * Sample finding events, as data, each with the AWS documentation page it
 * comes from. The alert rules are tested against them
 * (alert-rules.test.ts): a rule must match its sample and must not match the
 * others.
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type SampleEvent = Record<string, Json>;

/**
 * GuardDuty finding. Envelope from "Creating custom responses to GuardDuty
 * findings with Amazon EventBridge"
 * (https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_findings_eventbridge.html),
 * whose `detail` is the complete finding. That page shows it as a placeholder,
 * so the finding below follows the GetFindings response syntax of the same
 * guide (doc_source/get-findings.md of awsdocs/amazon-guardduty-user-guide),
 * with the values of a high-severity credential-exfiltration finding.
 */
export const GUARDDUTY_FINDING: SampleEvent = {
  version: '0',
  id: 'cd2d702e-ab31-411b-9344-793ce56b1bc7',
  'detail-type': 'GuardDuty Finding',
  source: 'aws.guardduty',
  account: '111122223333',
  time: '1970-01-01T00:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail: {
    schemaVersion: '2.0',
    accountId: '111122223333',
    region: 'us-east-1',
    partition: 'aws',
    id: '16afba5c5c43e07c9e3e5e2e544e95df',
    arn: 'arn:aws:guardduty:us-east-1:111122223333:detector/123456789012/finding/16afba5c5c43e07c9e3e5e2e544e95df',
    type: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
    resource: {
      resourceType: 'AccessKey',
      accessKeyDetails: {
        accessKeyId: 'ASIASZ4SI7REXAMPLE',
        principalId: 'AROAEXAMPLE:i-99999999',
        userType: 'AssumedRole',
        userName: 'GeneratedFindingUserName',
      },
    },
    service: { serviceName: 'guardduty', detectorId: '123456789012', archived: false, count: '1' },
    severity: 8,
    title: 'Credentials for instance role GeneratedFindingUserName used from external IP address.',
    description: 'Credentials created exclusively for an EC2 instance were used from an external IP address.',
    confidence: 5,
    createdAt: '2026-11-29T10:00:00.000Z',
    updatedAt: '2026-11-29T10:00:00.000Z',
  },
};

/** The same finding at low severity (GuardDuty: 1.0 to 3.9 is low). */
export const GUARDDUTY_LOW_FINDING: SampleEvent = {
  ...GUARDDUTY_FINDING,
  detail: {
    ...(GUARDDUTY_FINDING.detail as Record<string, Json>),
    severity: 2,
    type: 'Recon:EC2/PortProbeUnprotectedPort',
  },
};

/**
 * S3 object scan result. Shape and field names from "Monitoring S3 object
 * scans with Amazon EventBridge", S3 object scan result
 * (https://docs.aws.amazon.com/guardduty/latest/ug/monitor-with-eventbridge-s3-malware-protection.html);
 * values from the DefinitelyTyped `aws-lambda` test sample of the same event
 * (GuardDutyScanResultNotificationEvent). Bucket and result are set per test.
 */
export function malwareScanResult(bucketName: string, status = 'THREATS_FOUND'): SampleEvent {
  return {
    version: '0',
    id: 'a1bd61a9-8f5b-bd90-d03f-d02c44de7978',
    'detail-type': 'GuardDuty Malware Protection Object Scan Result',
    source: 'aws.guardduty',
    account: '123456789012',
    time: '2024-10-29T20:40:58Z',
    region: 'ca-central-1',
    resources: ['arn:aws:guardduty:ca-central-1:123456789012:malware-protection-plan/24c96cfb217c338fc3df'],
    detail: {
      schemaVersion: '1.0',
      scanStatus: 'COMPLETED',
      resourceType: 'S3_OBJECT',
      s3ObjectDetails: {
        bucketName,
        objectKey: 'objectKey',
        eTag: '6ee985bd6f65dc90bb7896a94fe9adb0',
        versionId: 'NpeIP.i5R7OBO0bChPbGTmSsym5UohWS',
        s3Throttled: false,
      },
      scanResultDetails:
        status === 'THREATS_FOUND'
          ? { scanResultStatus: status, threats: [{ name: 'foobar' }] }
          : { scanResultStatus: status, threats: null },
    },
  };
}

/**
 * Macie finding. From "Amazon EventBridge event patterns", value matching
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html),
 * which shows this Macie event truncated after `count`.
 */
export const MACIE_FINDING: SampleEvent = {
  version: '0',
  id: '0948ba87-d3b8-c6d4-f2da-732a1example',
  'detail-type': 'Macie Finding',
  source: 'aws.macie',
  account: '123456789012',
  time: '2021-04-29T23:12:15Z',
  region: 'us-east-1',
  resources: [],
  detail: {
    schemaVersion: '1.0',
    id: '64b917aa-3843-014c-91d8-937ffexample',
    accountId: '123456789012',
    partition: 'aws',
    region: 'us-east-1',
    type: 'Policy:IAMUser/S3BucketEncryptionDisabled',
    title: 'Encryption is disabled for the S3 bucket',
    description:
      'Encryption is disabled for the Amazon S3 bucket. The data in the bucket isn’t encrypted using server-side encryption.',
    severity: { score: 1, description: 'Low' },
    createdAt: '2021-04-29T15:46:02Z',
    updatedAt: '2021-04-29T23:12:15Z',
    count: 2,
  },
};

/**
 * External-access finding. From "Monitoring AWS Identity and Access Management
 * Access Analyzer with Amazon EventBridge", example external access findings
 * event (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-eventbridge.html).
 */
export const ACCESS_ANALYZER_FINDING: SampleEvent = {
  account: '111122223333',
  detail: {
    accountId: '111122223333',
    action: ['s3:GetObject'],
    analyzedAt: '2019-11-21T01:22:22Z',
    condition: {},
    createdAt: '2019-11-20T04:58:50Z',
    id: '22222222-dcba-4444-dcba-333333333333',
    isDeleted: false,
    isPublic: false,
    principal: { AWS: '999988887777' },
    region: 'us-west-2',
    resource: 'arn:aws:s3:::amzn-s3-demo-bucket',
    resourceType: 'AWS::S3::Bucket',
    status: 'ACTIVE',
    updatedAt: '2019-11-21T01:14:07Z',
    version: '1.0',
  },
  'detail-type': 'Access Analyzer Finding',
  id: '11111111-2222-4444-aaaa-333333333333',
  region: 'us-west-2',
  resources: ['arn:aws:access-analyzer:us-west-2:111122223333:analyzer/MyAnalyzer'],
  source: 'aws.access-analyzer',
  time: '2019-11-21T01:22:33Z',
  version: '0',
};

/** Unused-access finding, from the same page, example unused access findings event. */
export const UNUSED_ACCESS_FINDING: SampleEvent = {
  version: '0',
  id: 'dc7ce3ee-114b-3243-e249-7f10f9054b21',
  'detail-type': 'Unused Access Finding for IAM entities',
  source: 'aws.access-analyzer',
  account: '123456789012',
  time: '2023-09-29T17:31:40Z',
  region: 'us-west-2',
  resources: ['arn:aws:access-analyzer:us-west-2:123456789012:analyzer/integTestLongLivingAnalyzer-DO-NOT-DELETE'],
  detail: {
    findingId: 'b8ae0460-5d29-4922-b92a-ba956c986277',
    resource: 'arn:aws:iam::111122223333:role/FindingIntegTestFakeRole',
    resourceType: 'AWS::IAM::Role',
    accountId: '111122223333',
    createdAt: '2023-09-29T17:29:18.758Z',
    updatedAt: '2023-09-29T17:29:18.758Z',
    analyzedAt: '2023-09-29T17:29:18.758Z',
    previousStatus: '',
    status: 'ACTIVE',
    version: '62160bda-8e94-46d6-ac97-9670930d8ffb',
    isDeleted: false,
    findingType: 'UnusedPermission',
    numberOfUnusedServices: 0,
    numberOfUnusedActions: 1,
  },
};
