import * as events from 'aws-cdk-lib/aws-events';
import type { AlertSource } from './findings-alerts';

const field = (path: string) => events.EventField.fromPath(path);
const region = () => field('$.region');
const consoleLink = (path: string) => `https://${region()}.console.aws.amazon.com/${path}`;

/**
 * The finding events that reach a person, each with its event pattern and the
 * short message it becomes. Patterns are tested against the sample events of
 * the AWS documentation (test/threat-detection/events/).
 */
export const ALERT_SOURCES = {
  /** GuardDuty findings at or above `minimumSeverity` (1-3.9 low, 4-6.9 medium, 7-8.9 high, 9+ critical). */
  guardDutyFindings(minimumSeverity: number): AlertSource {
    return {
      id: 'GuardDutyFindings',
      description: `GuardDuty findings of severity ${minimumSeverity} or more`,
      eventPattern: {
        source: ['aws.guardduty'],
        detailType: ['GuardDuty Finding'],
        detail: { severity: events.Match.greaterThanOrEqual(minimumSeverity) },
      },
      message: events.RuleTargetInput.fromText(
        `GuardDuty finding, severity ${field('$.detail.severity')}: ${field('$.detail.title')} | ` +
          `type ${field('$.detail.type')} | resource ${field('$.detail.resource.resourceType')} in account ${field('$.detail.accountId')} | ` +
          consoleLink(`guardduty/home?region=${region()}#/findings?fId=${field('$.detail.id')}`),
      ),
    };
  },

  /** Malware Protection for S3 found a threat in an object of `bucketName`. */
  malwareFound(bucketName: string): AlertSource {
    return {
      id: 'MalwareFound',
      description: 'GuardDuty Malware Protection for S3 found threats in an object of the data bucket',
      eventPattern: {
        source: ['aws.guardduty'],
        detailType: ['GuardDuty Malware Protection Object Scan Result'],
        detail: {
          scanResultDetails: { scanResultStatus: ['THREATS_FOUND'] },
          s3ObjectDetails: { bucketName: [bucketName] },
        },
      },
      message: events.RuleTargetInput.fromText(
        `Malware found in s3://${field('$.detail.s3ObjectDetails.bucketName')}/${field('$.detail.s3ObjectDetails.objectKey')} ` +
          `(version ${field('$.detail.s3ObjectDetails.versionId')}); the object is tagged THREATS_FOUND | ` +
          consoleLink(
            `s3/object/${field('$.detail.s3ObjectDetails.bucketName')}?region=${region()}&prefix=${field('$.detail.s3ObjectDetails.objectKey')}`,
          ),
      ),
    };
  },

  /** Every Macie finding: sensitive data found, or a bucket policy weakened. */
  macieFindings(): AlertSource {
    return {
      id: 'MacieFindings',
      description: 'Amazon Macie findings (sensitive data and bucket policy findings)',
      eventPattern: { source: ['aws.macie'], detailType: ['Macie Finding'] },
      message: events.RuleTargetInput.fromText(
        `Macie finding, severity ${field('$.detail.severity.description')}: ${field('$.detail.title')} | ` +
          `type ${field('$.detail.type')} | s3://${field('$.detail.resourcesAffected.s3Bucket.name')}/${field('$.detail.resourcesAffected.s3Object.key')} | ` +
          consoleLink(`macie/home?region=${region()}#findings?itemId=${field('$.detail.id')}`),
      ),
    };
  },

  /** Active IAM Access Analyzer findings of the analyzers that are on. */
  accessAnalyzerFindings(kinds: { readonly externalAccess: boolean; readonly unusedAccess: boolean }): AlertSource {
    const detailTypes = [
      ...(kinds.externalAccess ? ['Access Analyzer Finding'] : []),
      ...(kinds.unusedAccess ? ['Unused Access Finding for IAM entities'] : []),
    ];
    return {
      id: 'AccessAnalyzerFindings',
      description: 'Active IAM Access Analyzer findings (external and unused access)',
      eventPattern: {
        source: ['aws.access-analyzer'],
        detailType: detailTypes,
        detail: { status: ['ACTIVE'], isDeleted: [false] },
      },
      message: events.RuleTargetInput.fromText(
        `${field('$.detail-type')}: ${field('$.detail.resourceType')} ${field('$.detail.resource')} ` +
          `(${field('$.detail.findingType')}) in account ${field('$.detail.accountId')} | ` +
          consoleLink(`access-analyzer/home?region=${region()}#/findings`),
      ),
    };
  },
};
