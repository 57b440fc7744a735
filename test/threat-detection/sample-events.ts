/**
 * Sample finding events, as data, each with the AWS documentation page it
 * comes from. The alert rules are tested against them
 * (alert-rules.spec.ts): a rule must match its sample and must not match the
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
 * The bucket block of a Macie finding (the same bucket in both samples; only
 * its Block Public Access settings differ: the policy finding is about them).
 */
function macieBucket(blockPublicAccess: boolean): Json {
  return {
    arn: 'arn:aws:s3:::guarded-ai-data-111111111111-eu-west-1',
    name: 'guarded-ai-data-111111111111-eu-west-1',
    createdAt: '2026-11-01T09:00:00.000Z',
    owner: { displayName: 'security-team', id: '7009a8971cd538e11f6b6606438875e7c86c5b672f46db45460ddcd08example' },
    tags: [{ key: 'project', value: 'guarded-ai' }],
    defaultServerSideEncryption: {
      encryptionType: 'aws:kms',
      kmsMasterKeyId: 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    },
    publicAccess: {
      permissionConfiguration: {
        bucketLevelPermissions: {
          accessControlList: { allowsPublicReadAccess: false, allowsPublicWriteAccess: false },
          bucketPolicy: { allowsPublicReadAccess: false, allowsPublicWriteAccess: false },
          blockPublicAccess: {
            ignorePublicAcls: blockPublicAccess,
            restrictPublicBuckets: blockPublicAccess,
            blockPublicAcls: blockPublicAccess,
            blockPublicPolicy: blockPublicAccess,
          },
        },
        accountLevelPermissions: {
          blockPublicAccess: {
            ignorePublicAcls: blockPublicAccess,
            restrictPublicBuckets: blockPublicAccess,
            blockPublicAcls: blockPublicAccess,
            blockPublicPolicy: blockPublicAccess,
          },
        },
      },
      effectivePermission: 'NOT_PUBLIC',
    },
    allowsUnencryptedObjectUploads: 'FALSE',
  };
}

/**
 * Macie policy finding. Shape of the example policy-finding event of "Amazon
 * EventBridge event schema for Macie findings"
 * (https://docs.aws.amazon.com/macie/latest/user/findings-publish-event-schemas.html):
 * a finding about a bucket, whose `resourcesAffected.s3Object` is null.
 * Values are this project's test data (account, bucket, role), not the page's
 * placeholders.
 */
export const MACIE_POLICY_FINDING: SampleEvent = {
  version: '0',
  id: '0948ba87-d3b8-c6d4-f2da-732a1example',
  'detail-type': 'Macie Finding',
  source: 'aws.macie',
  account: '111111111111',
  time: '2026-11-29T23:12:15Z',
  region: 'eu-west-1',
  resources: [],
  detail: {
    schemaVersion: '1.0',
    id: '64b917aa-3843-014c-91d8-937ffexample',
    accountId: '111111111111',
    partition: 'aws',
    region: 'eu-west-1',
    type: 'Policy:IAMUser/S3BlockPublicAccessDisabled',
    title: 'Block Public Access settings are disabled for the S3 bucket',
    description:
      'All Amazon S3 block public access settings are disabled for the Amazon S3 bucket. Access to the bucket is controlled only by access control lists (ACLs) or bucket policies.',
    severity: { score: 3, description: 'High' },
    createdAt: '2026-11-29T15:46:02Z',
    updatedAt: '2026-11-29T23:12:15Z',
    count: 1,
    resourcesAffected: {
      s3Bucket: macieBucket(false),
      s3Object: null,
    },
    category: 'POLICY',
    classificationDetails: null,
    policyDetails: {
      action: {
        actionType: 'AWS_API_CALL',
        apiCallDetails: {
          api: 'DeletePublicAccessBlock',
          apiServiceName: 's3.amazonaws.com',
          firstSeen: '2026-11-29T15:46:02.000Z',
          lastSeen: '2026-11-29T15:46:02.000Z',
        },
      },
      actor: {
        userIdentity: {
          type: 'AssumedRole',
          assumedRole: {
            principalId: 'AROA1234567890EXAMPLE:operator-session',
            arn: 'arn:aws:sts::111111111111:assumed-role/Operator/operator-session',
            accountId: '111111111111',
            accessKeyId: 'ASIAIOSFODNN7EXAMPLE',
            sessionContext: {
              attributes: { mfaAuthenticated: true, creationDate: '2026-11-29T15:40:00.000Z' },
              sessionIssuer: {
                type: 'Role',
                principalId: 'AROA1234567890EXAMPLE',
                arn: 'arn:aws:iam::111111111111:role/Operator',
                accountId: '111111111111',
                userName: 'Operator',
              },
            },
          },
          root: null,
          iamUser: null,
          federatedUser: null,
          awsAccount: null,
          awsService: null,
        },
        ipAddressDetails: {
          ipAddressV4: '192.0.2.0',
          ipOwner: { asn: '-1', asnOrg: 'ExampleFindingASNOrg', isp: 'ExampleFindingISP', org: 'ExampleFindingORG' },
          ipCountry: { code: 'IE', name: 'Ireland' },
          ipCity: { name: 'Dublin' },
          ipGeoLocation: { lat: 53.35, lon: -6.26 },
        },
        domainDetails: null,
      },
    },
    sample: false,
    archived: false,
  },
};

/**
 * Macie sensitive-data finding. Shape of the example sensitive-data finding
 * event of the same page
 * (https://docs.aws.amazon.com/macie/latest/user/findings-publish-event-schemas.html):
 * it names the object (`resourcesAffected.s3Object`) and the classification
 * job, and has no policy details. Values are this project's test data.
 */
export const MACIE_SENSITIVE_DATA_FINDING: SampleEvent = {
  version: '0',
  id: '14ddfe34-9a7d-4a25-9a4e-1a5fbexample',
  'detail-type': 'Macie Finding',
  source: 'aws.macie',
  account: '111111111111',
  time: '2026-11-29T22:32:01Z',
  region: 'eu-west-1',
  resources: [],
  detail: {
    schemaVersion: '1.0',
    id: '3ed7bd5ca8f6cf37b58cfd8bd1b4bexample',
    accountId: '111111111111',
    partition: 'aws',
    region: 'eu-west-1',
    type: 'SensitiveData:S3Object/Multiple',
    title: 'The S3 object contains multiple categories of sensitive data',
    description: 'The S3 object contains more than one category of sensitive data.',
    severity: { score: 3, description: 'High' },
    createdAt: '2026-11-29T22:31:48.000Z',
    updatedAt: '2026-11-29T22:31:48.000Z',
    count: 1,
    resourcesAffected: {
      s3Bucket: macieBucket(true),
      s3Object: {
        bucketArn: 'arn:aws:s3:::guarded-ai-data-111111111111-eu-west-1',
        key: 'uploads/2026/customers.csv',
        path: 'guarded-ai-data-111111111111-eu-west-1/uploads/2026/customers.csv',
        extension: 'csv',
        lastModified: '2026-11-29T22:19:18.000Z',
        versionId: 'ws31OurgOOjYAPMcpmpd6Yexample',
        serverSideEncryption: {
          encryptionType: 'aws:kms',
          kmsMasterKeyId: 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        },
        size: 4750,
        storageClass: 'STANDARD',
        tags: [],
        publicAccess: false,
        etag: '6bb7fd4fa9d36d6b8fb8882caexample',
      },
    },
    category: 'CLASSIFICATION',
    classificationDetails: {
      jobArn: 'arn:aws:macie2:eu-west-1:111111111111:classification-job/3ce05dbb7ec5505def334104bexample',
      jobId: '3ce05dbb7ec5505def334104bexample',
      originType: 'SENSITIVE_DATA_DISCOVERY_JOB',
      detailedResultsLocation:
        's3://guarded-ai-discovery-results/AWSLogs/111111111111/Macie/eu-west-1/3ce05dbb7ec5505def334104bexample/d48bf16d-0deb-3e76-8d6c-ab5a8example.jsonl.gz',
      result: {
        status: { code: 'COMPLETE', reason: null },
        sizeClassified: 4750,
        mimeType: 'text/csv',
        additionalOccurrences: false,
        sensitiveData: [
          {
            category: 'PERSONAL_INFORMATION',
            totalCount: 3,
            detections: [
              {
                type: 'USA_SOCIAL_SECURITY_NUMBER',
                count: 3,
                occurrences: { cells: [{ row: 2, column: 3, columnName: 'SSN', cellReference: null }] },
              },
            ],
          },
          {
            category: 'FINANCIAL_INFORMATION',
            totalCount: 2,
            detections: [
              {
                type: 'CREDIT_CARD_NUMBER',
                count: 2,
                occurrences: { cells: [{ row: 2, column: 4, columnName: 'Card', cellReference: null }] },
              },
            ],
          },
        ],
        customDataIdentifiers: { totalCount: 0, detections: [] },
      },
    },
    policyDetails: null,
    sample: false,
    archived: false,
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

/**
 * External-access error finding (the analyzer could not analyze the resource),
 * same page: it has an `error` and no `action`, `principal` or `isPublic`.
 */
export const ACCESS_ANALYZER_ERROR_FINDING: SampleEvent = {
  account: '111122223333',
  detail: {
    accountId: '111122223333',
    analyzedAt: '2019-11-21T01:22:22Z',
    createdAt: '2019-11-20T04:58:50Z',
    error: 'ACCESS_DENIED',
    id: '22222222-dcba-4444-dcba-333333333333',
    isDeleted: false,
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
