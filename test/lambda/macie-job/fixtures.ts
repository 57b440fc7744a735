/** The job's custom resource as the threat-detection stack makes it, shared by the handler's unit and bundle tests. */
export const ACCOUNT = '111111111111';
export const TOKEN = 'd214d43ecca5a343-6f3a2c10';
export const NAME = 'GuardedGenAi-ThreatDetection-records-d214d43e';
export const jobArn = (id: string) => `arn:aws:macie2:eu-west-1:${ACCOUNT}:classification-job/${id}`;

/** A job definition as the construct serializes it (a JSON string: CloudFormation passes properties as strings). */
export function jobProperty(clientToken: string): string {
  return JSON.stringify({
    jobType: 'SCHEDULED',
    scheduleFrequency: { weeklySchedule: { dayOfWeek: 'MONDAY' } },
    initialRun: true,
    managedDataIdentifierSelector: 'RECOMMENDED',
    customDataIdentifierIds: ['c2d3e4f5-1a2b-4c3d-8e9f-0a1b2c3d4e5f'],
    allowListIds: ['7ab2c3d4e5f6a7b8c9d0e1f2'],
    s3JobDefinition: { bucketDefinitions: [{ accountId: ACCOUNT, buckets: ['guardedgenai-data-bucket'] }] },
    clientToken,
    name: NAME,
  });
}

/** The fields CloudFormation sends with every request (the framework passes them on). */
export const common = {
  ServiceToken: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:GuardedGenAi-ThreatDetection-MacieJobProvider`,
  ResponseURL:
    'https://cloudformation-custom-resource-response-euwest1.s3.eu-west-1.amazonaws.com/arn%3Aaws%3Acloudformation%3Aeu-west-1%3A111111111111%3Astack/GuardedGenAi-ThreatDetection/6f3a/MacieJob?X-Amz-Signature=abc',
  StackId: `arn:aws:cloudformation:eu-west-1:${ACCOUNT}:stack/GuardedGenAi-ThreatDetection/6f3a2c10-cd5e-11f0-8b1a-0a1b2c3d4e5f`,
  RequestId: '5d3c2b1a-0f9e-4d8c-b7a6-958473625140',
  LogicalResourceId: 'MacieJob7F920554',
  ResourceType: 'Custom::MacieClassificationJob',
};
