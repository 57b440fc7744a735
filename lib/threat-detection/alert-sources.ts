import * as events from 'aws-cdk-lib/aws-events';
import type { AlertSource } from './finding-alerts';

const field = (path: string) => events.EventField.fromPath(path);
const region = () => field('$.region');
const consoleLink = (path: string) => `https://${region()}.console.aws.amazon.com/${path}`;

/**
 * Longest `AlertSource.id`: the rule is named `<stack name>-<id>`, a rule name
 * has at most 64 characters and the stack name at most 41 (a 25-character
 * app name plus "-ThreatDetection"), so 64 - 41 - 1 = 22.
 */
export const MAX_ALERT_SOURCE_ID_LENGTH = 22;

/**
 * The finding events that reach a person, each with its event pattern and the
 * short message it becomes. Patterns are tested against the sample events of
 * the AWS documentation (test/threat-detection/sample-events.ts).
 *
 * A message reads only fields that every event its rule matches carries:
 * EventBridge leaves out a variable whose path is missing
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html,
 * common issues) and does not document what then happens to the alert. Where
 * event shapes differ, the source is split so each message can rely on its shape.
 */
export const ALERT_SOURCES = {
  /**
   * GuardDuty findings at or above `minimumSeverity` (1-3.9 low, 4-6.9 medium, 7-8.9 high, 9+ critical).
   * The message uses only fields the Finding object marks as required (title and resource type are not):
   * https://docs.aws.amazon.com/guardduty/latest/APIReference/API_Finding.html
   */
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
        `GuardDuty finding, severity ${field('$.detail.severity')}: ${field('$.detail.type')} ` +
          `in account ${field('$.detail.accountId')} | ` +
          consoleLink(`guardduty/home?region=${region()}#/findings?fId=${field('$.detail.id')}`),
      ),
    };
  },

  /**
   * Malware Protection for S3 found a threat in an object of `bucketName`.
   * Bucket and key are in every object scan result
   * (https://docs.aws.amazon.com/guardduty/latest/ug/monitor-with-eventbridge-s3-malware-protection.html).
   */
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
        `Malware found in s3://${field('$.detail.s3ObjectDetails.bucketName')}/${field('$.detail.s3ObjectDetails.objectKey')}; ` +
          `the object is tagged THREATS_FOUND | ` +
          consoleLink(
            `s3/object/${field('$.detail.s3ObjectDetails.bucketName')}?region=${region()}&prefix=${field('$.detail.s3ObjectDetails.objectKey')}`,
          ),
      ),
    };
  },

  /**
   * Macie policy findings: a bucket's security or privacy got weaker. They
   * name a bucket but no object (`resourcesAffected.s3Object` is null), see
   * https://docs.aws.amazon.com/macie/latest/user/findings-publish-event-schemas.html
   */
  maciePolicyFindings(): AlertSource {
    return {
      id: 'MaciePolicyFindings',
      description: 'Amazon Macie policy findings (a bucket setting became less secure)',
      eventPattern: {
        source: ['aws.macie'],
        detailType: ['Macie Finding'],
        detail: { type: events.Match.prefix('Policy:') },
      },
      message: macieMessage('bucket', `s3://${field('$.detail.resourcesAffected.s3Bucket.name')}`),
    };
  },

  /** Macie sensitive-data findings: each names the object the data is in (same page as above). */
  macieSensitiveData(): AlertSource {
    return {
      id: 'MacieSensitiveData',
      description: 'Amazon Macie sensitive data findings (sensitive data found in an object)',
      eventPattern: {
        source: ['aws.macie'],
        detailType: ['Macie Finding'],
        detail: { type: events.Match.prefix('SensitiveData:') },
      },
      message: macieMessage(
        'object',
        `s3://${field('$.detail.resourcesAffected.s3Bucket.name')}/${field('$.detail.resourcesAffected.s3Object.key')}`,
      ),
    };
  },

  /**
   * Active external-access findings. Error findings (the analyzer could not
   * read a policy) lack `action`, `principal` and `isPublic`, so the message
   * uses only what both kinds carry
   * (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-eventbridge.html).
   */
  externalAccessFindings(): AlertSource {
    return {
      id: 'ExternalAccessFindings',
      description: 'Active IAM Access Analyzer external access findings',
      eventPattern: {
        source: ['aws.access-analyzer'],
        detailType: ['Access Analyzer Finding'],
        detail: { status: ['ACTIVE'], isDeleted: [false] },
      },
      message: events.RuleTargetInput.fromText(
        `Access Analyzer: external access to ${field('$.detail.resourceType')} ${field('$.detail.resource')} ` +
          `in account ${field('$.detail.accountId')} | ` +
          consoleLink(`access-analyzer/home?region=${region()}#/findings`),
      ),
    };
  },

  /** Active unused-access findings; these, unlike external ones, say which kind (`findingType`), same page. */
  unusedAccessFindings(): AlertSource {
    return {
      id: 'UnusedAccessFindings',
      description: 'Active IAM Access Analyzer unused access findings',
      eventPattern: {
        source: ['aws.access-analyzer'],
        detailType: ['Unused Access Finding for IAM entities'],
        detail: { status: ['ACTIVE'], isDeleted: [false] },
      },
      message: events.RuleTargetInput.fromText(
        `Access Analyzer: unused access (${field('$.detail.findingType')}) on ${field('$.detail.resourceType')} ` +
          `${field('$.detail.resource')} in account ${field('$.detail.accountId')} | ` +
          consoleLink(`access-analyzer/home?region=${region()}#/findings`),
      ),
    };
  },
};

/** The part of a Macie message both kinds share: severity, title, type, where, and a link to the finding. */
function macieMessage(what: string, where: string): events.RuleTargetInput {
  return events.RuleTargetInput.fromText(
    `Macie finding, severity ${field('$.detail.severity.description')}: ${field('$.detail.title')} | ` +
      `type ${field('$.detail.type')} | ${what} ${where} | ` +
      consoleLink(`macie/home?region=${region()}#findings?itemId=${field('$.detail.id')}`),
  );
}
