import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { ServiceKeyUse } from '../data-protection/project-key';
import { arnInAccount, trailName } from '../shared/names';

/** What of the threat-detection stack uses the project key. */
export interface KeyUsers {
  /** The threat-detection stack's name: its trail's name derives from it. */
  readonly stackName: string;
  readonly cloudTrail: boolean;
  /** GuardDuty exports findings, encrypted with the key. */
  readonly findingsExport: boolean;
  /** An AWS Config recorder of this stack delivers, encrypted with the key. */
  readonly configRecorder: boolean;
}

/**
 * The AWS services the threat-detection stack lets use the project key, each
 * for its own resources in this account only, and each narrowed by what AWS
 * documents the service sending (docs/service-principals.md).
 *
 * - CloudTrail encrypts log files: only for our trail, with its trail ARN as
 *   encryption context.
 * - GuardDuty encrypts exported findings: only for detectors of this account.
 * - AWS Config encrypts what it delivers to its bucket, for this account.
 *
 * The alert path (EventBridge, CloudWatch alarms and SNS dead-lettering into
 * the alert topic and queue) is not here: AWS documents no condition those
 * services send to KMS, so their statements are unconditioned and sit on the
 * alert key, which encrypts alerts only (alert-key.ts).
 */
export function threatDetectionKeyUses(scope: Stack, users: KeyUsers): ServiceKeyUse[] {
  const stackName = users.stackName;
  const uses: ServiceKeyUse[] = [];
  if (users.cloudTrail) {
    const trail = arnInAccount(scope, 'cloudtrail', `trail/${trailName(stackName)}`);
    uses.push(
      {
        sid: 'CloudTrailEncryptsLogsOfOurTrail',
        service: 'cloudtrail.amazonaws.com',
        actions: ['kms:GenerateDataKey*'],
        sourceArn: trail,
        encryptionContext: {
          'aws:cloudtrail:arn': `arn:${scope.partition}:cloudtrail:*:${scope.account}:trail/*`,
        },
      },
      {
        sid: 'CloudTrailDescribesTheKeyForOurTrail',
        service: 'cloudtrail.amazonaws.com',
        actions: ['kms:DescribeKey'],
        sourceArn: trail,
      },
    );
  }
  if (users.findingsExport) {
    uses.push({
      sid: 'GuardDutyEncryptsExportedFindings',
      service: 'guardduty.amazonaws.com',
      actions: ['kms:GenerateDataKey'],
      sourceArn: arnInAccount(scope, 'guardduty', 'detector/*'),
    });
  }
  if (users.configRecorder) {
    // https://docs.aws.amazon.com/config/latest/developerguide/s3-kms-key-policy.html
    uses.push({
      sid: 'ConfigEncryptsDeliveredItems',
      service: 'config.amazonaws.com',
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      sourceAccount: true,
    });
  }
  return uses;
}

/**
 * Macie reads the data bucket through its service-linked role, which has no
 * KMS permission of its own: the key policy must let it decrypt. AWS
 * documents the statement without kms:ViaService, so none is assumed here. The role is named by `aws:PrincipalArn` rather than as the principal,
 * because KMS refuses a key policy naming a role that does not exist yet, and
 * the role only exists once Macie is enabled (later, in the other stack).
 * https://docs.aws.amazon.com/macie/latest/user/discovery-supported-encryption-types.html
 */
export function macieDecryptStatement(scope: Stack): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'MacieServiceLinkedRoleDecrypts',
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:Decrypt'],
    resources: ['*'],
    conditions: {
      StringEquals: {
        'aws:PrincipalArn': `arn:${scope.partition}:iam::${scope.account}:role/aws-service-role/macie.amazonaws.com/AWSServiceRoleForAmazonMacie`,
        'kms:CallerAccount': scope.account,
      },
    },
  });
}
