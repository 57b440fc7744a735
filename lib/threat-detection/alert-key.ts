import { type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { grantsOnlyForAwsResources, projectKmsKey } from '../data-protection/project-key';

/** The AWS services that put messages on the alert path, each encrypting with this key. */
export interface AlertPublishers {
  /** EventBridge rules publish findings to the topic and dead-letter what they could not deliver. */
  readonly eventBridge: boolean;
  /** CloudWatch alarms publish to the topic. */
  readonly alarms: boolean;
  /** SNS dead-letters e-mail it could not deliver. */
  readonly snsDeadLetters: boolean;
}

export interface AlertKeyProps {
  readonly publishers: AlertPublishers;
  /**
   * Whether the key survives the deletion of its stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * What AWS documents for a service that encrypts into an SSE topic or queue:
 * the service principal with kms:GenerateDataKey* and kms:Decrypt, and no
 * condition (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html,
 * "Enable compatibility between event sources from AWS services and encrypted
 * topics"). For EventBridge the same page adds that aws:SourceAccount,
 * aws:SourceArn and aws:SourceOrgID "is not supported for EventBridge-to-encrypted
 * topics"; for CloudWatch alarms and for SNS dead-lettering into an SSE queue
 * no page shows a condition key those services send.
 */
const PUBLISHER_STATEMENTS: readonly { flag: keyof AlertPublishers; sid: string; service: string }[] = [
  { flag: 'eventBridge', sid: 'EventBridgeEncryptsAlertsAndDeadLetters', service: 'events.amazonaws.com' },
  { flag: 'alarms', sid: 'CloudWatchEncryptsAlarmNotifications', service: 'cloudwatch.amazonaws.com' },
  { flag: 'snsDeadLetters', sid: 'SnsEncryptsUndeliverableMail', service: 'sns.amazonaws.com' },
];

/**
 * The key that encrypts what AWS services deliver as events: the alert topic,
 * the alert dead-letter queue and, with the knowledge base, the ingestion
 * stack's promotion queue and its dead-letter queue (EventBridge queues scan
 * results there). No project data is ever under it.
 *
 * The alert path is a silent failure path: an alert nobody could encrypt is
 * lost without an error anyone sees. So the key policy carries only what AWS
 * documents, which for the services on this path is an unconditioned
 * statement (see PUBLISHER_STATEMENTS). The encryption-context keys the
 * project key used to narrow these statements (`aws:sns:topicArn`,
 * `aws:sqs:arn`) are documented by no AWS page for EventBridge, CloudWatch or
 * SNS as the caller.
 *
 * An unconditioned statement trusts the service whichever account it works
 * for. That is why the key is separate from the project key. The residual
 * exposure: an EventBridge rule, alarm or SNS subscription of another account
 * could, in principle, have KMS generate or decrypt data keys with this key
 * for its own messages (KMS requests billed and logged here). It cannot read
 * ours: their ciphertext is only in our topic and queues, whose resource
 * policies decide who may publish, send or receive, and the key encrypts
 * only events (alerts, object keys and scan verdicts), so no project data is
 * ever behind it
 * (docs/threat-detection.md, "The alert path").
 *
 * Like the guardrail key (lib/guarded-ai/guardrail-key.ts), the rest of the
 * policy is CDK's default, the account root delegating to IAM (the promotion
 * function and operators use it through their identity policies), plus the
 * project's rule on grants (Control Tower CT.KMS.PR.3).
 */
export class AlertKey extends Construct {
  public readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: AlertKeyProps) {
    super(scope, id);
    this.key = projectKmsKey(this, 'Key', {
      description: `Encrypts only what AWS services deliver as events for ${Stack.of(this).stackName}: alerts, dead letters, scan results`,
      removalPolicy: props.removalPolicy,
    });

    for (const { flag, sid, service } of PUBLISHER_STATEMENTS) {
      if (!props.publishers[flag]) continue;
      this.key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid,
          principals: [new iam.ServicePrincipal(service)],
          actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
          resources: ['*'],
        }),
      );
    }
    this.key.addToResourcePolicy(grantsOnlyForAwsResources());
  }
}
