import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * What every function of ours writes besides its work: its own log group's
 * streams and X-Ray traces, with the reason for each wildcard resource, for
 * the policy's acknowledgements (acknowledgeWildcardResource).
 */
export function logAndTraceStatements(logGroupArn: string): {
  statements: iam.PolicyStatement[];
  wildcards: [string, string][];
} {
  return {
    statements: [
      new iam.PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroupArn],
      }),
      new iam.PolicyStatement({
        sid: 'SendTraces',
        actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
        resources: ['*'],
      }),
    ],
    wildcards: [
      ['*', 'X-Ray PutTraceSegments/PutTelemetryRecords have no resource type: the API accepts only "*".'],
      [
        logGroupArn,
        'The ":*" suffix of a log group ARN covers its log streams, whose names Lambda chooses; no other log group is reachable.',
      ],
    ],
  };
}
