import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { ProjectConfig } from '../config';
import type { ServiceKeyUse } from '../data-protection/project-key';
import { arnInAccount, threatDetectionStackName, trailName } from './names';

export type KeyUseConfig = Pick<
  ProjectConfig,
  'appName' | 'cloudTrail' | 'guardDuty' | 'guardDutyFindingsExport' | 'alertEmail'
>;

/**
 * The AWS services the threat-detection stack lets use the project key, each
 * for its own resources in this account only.
 *
 * - EventBridge publishes alerts to the SNS topic, which is encrypted with the
 *   key. SNS asks KMS on the publisher's behalf; AWS does not document that
 *   source context travels with that request, so the conditions apply when it
 *   is present, and the rules that may publish are fixed by the topic policy.
 * - CloudTrail encrypts log files: only for our trail, and only with the
 *   encryption context CloudTrail sets (its trail ARN in this account).
 * - SNS puts e-mail it could not deliver into the (encrypted) dead-letter
 *   queue, under the same caveat as EventBridge: only for our topic.
 * - GuardDuty encrypts exported findings: only for detectors of this account.
 */
export function threatDetectionKeyUses(scope: Stack, config: KeyUseConfig): ServiceKeyUse[] {
  const stackName = threatDetectionStackName(config.appName);
  const uses: ServiceKeyUse[] = [
    {
      sid: 'EventBridgeRulesPublishToTheAlertTopic',
      service: 'events.amazonaws.com',
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      sourceArn: arnInAccount(scope, 'events', `rule/${stackName}-*`),
      sendsSourceContext: false,
    },
  ];
  if (config.alertEmail !== '') {
    uses.push({
      sid: 'SnsDeadLettersUndeliverableAlerts',
      service: 'sns.amazonaws.com',
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      sourceArn: arnInAccount(scope, 'sns', `${stackName}-*`),
      sendsSourceContext: false,
    });
  }
  if (config.cloudTrail) {
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
  if (config.guardDutyFindingsExport && config.guardDuty !== 'off') {
    uses.push({
      sid: 'GuardDutyEncryptsExportedFindings',
      service: 'guardduty.amazonaws.com',
      actions: ['kms:GenerateDataKey'],
      sourceArn: arnInAccount(scope, 'guardduty', 'detector/*'),
    });
  }
  return uses;
}

/**
 * Macie reads the data bucket through its service-linked role, which has no
 * KMS permission of its own: the key policy must let it decrypt, through S3
 * only. The role is named by `aws:PrincipalArn` rather than as the principal,
 * because KMS refuses a key policy naming a role that does not exist yet, and
 * the role only exists once Macie is enabled (later, in the other stack).
 * https://docs.aws.amazon.com/macie/latest/user/discovery-supported-encryption-types.html
 */
export function macieDecryptStatement(scope: Stack): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'MacieServiceLinkedRoleDecryptsThroughS3',
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:Decrypt'],
    resources: ['*'],
    conditions: {
      StringEquals: {
        'aws:PrincipalArn': `arn:${scope.partition}:iam::${scope.account}:role/aws-service-role/macie.amazonaws.com/AWSServiceRoleForAmazonMacie`,
        'kms:CallerAccount': scope.account,
        'kms:ViaService': `s3.${scope.region}.amazonaws.com`,
      },
    },
  });
}
