import { Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { alarmArnPattern, alertDeadLetterQueueName, alertRuleName, alertTopicName } from '../shared/names';
import { AlertKey } from './alert-key';

/** One kind of finding that should reach a person. */
export interface AlertSource {
  /** Construct id of the rule. */
  readonly id: string;
  readonly description: string;
  readonly eventPattern: events.EventPattern;
  /** The short text a person reads. */
  readonly message: events.RuleTargetInput;
}

export interface FindingAlertsProps {
  readonly sources: readonly AlertSource[];
  /**
   * Subscribe this e-mail address.
   * @default - no subscription
   */
  readonly email?: string;
  /**
   * CloudWatch alarms whose names start with this prefix may publish to the topic.
   * @default - none
   */
  readonly alarmNamePrefix?: string;
  /**
   * EventBridge also queues scan results into queues encrypted with this key
   * (the ingestion stack's promotion queue and its dead-letter queue).
   * @default false
   */
  readonly scanResultQueues?: boolean;
  /**
   * Whether the alert key survives the deletion of its stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Findings that reach a person (notes, security chapter: detection is only
 * useful with an automated response). Every finding worth a look ends up, as
 * a short readable message, on one SNS topic encrypted with a key of its own
 * (alert-key.ts), which encrypts that topic and the dead-letter queue only.
 *
 * Each policy on the path takes the form AWS documents for it, because a
 * condition on a key the service does not send refuses every alert silently
 * (docs/threat-detection.md, "The alert path"):
 * - topic: EventBridge may publish with no condition, since "You can't use
 *   `Condition` blocks in Amazon SNS topic policies for EventBridge"
 *   (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sns-permissions);
 *   CloudWatch only for the app's alarms (aws:SourceArn); nothing without TLS.
 * - dead-letter queue: EventBridge only for these rules, by aws:SourceArn alone
 *   (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html);
 *   SNS only for this topic (CDK's EmailSubscription adds that statement).
 * The rules target the topic without CDK's SnsTopic target, which would add a
 * statement of its own, and without a RoleArn, which AWS warns "may fail"
 * for SNS and SQS targets with KMS encryption.
 */
export class FindingAlerts extends Construct {
  public readonly topic: sns.Topic;
  public readonly rules: readonly events.Rule[];
  /** The rules' names, as plain strings (they are fixed, not generated). */
  public readonly ruleNames: readonly string[];
  /**
   * Alerts EventBridge could not deliver (a topic or key policy gone wrong)
   * land here instead of vanishing; its depth is the health check of the
   * alerting path.
   */
  public readonly deadLetters: sqs.Queue;
  /** Encrypts the topic and the dead-letter queue, and nothing else. */
  public readonly key: kms.IKey;

  constructor(scope: Construct, id: string, props: FindingAlertsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.key = new AlertKey(this, 'Key', {
      publishers: {
        eventBridge: props.sources.length > 0 || props.scanResultQueues === true,
        alarms: props.alarmNamePrefix !== undefined,
        snsDeadLetters: props.email !== undefined,
      },
      removalPolicy: props.removalPolicy,
    }).key;
    // Fixed names: the operations stack's alarms and `npm run verify` find
    // the topic and the queue by name.
    this.topic = new sns.Topic(this, 'Topic', {
      topicName: alertTopicName(stack.stackName),
      displayName: `${stack.stackName} security findings`,
      masterKey: this.key,
      enforceSSL: true,
    });
    const topic = this.topic;

    this.deadLetters = new sqs.Queue(this, 'DeadLetters', {
      queueName: alertDeadLetterQueueName(stack.stackName),
      encryptionMasterKey: this.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      // Marks it as a dead-letter queue that no other queue may redrive into
      // (EventBridge's dead-lettering is not an SQS redrive and is unaffected).
      redriveAllowPolicy: { redrivePermission: sqs.RedrivePermission.DENY_ALL },
    });
    const deadLetters = this.deadLetters;
    const queue = deadLetters.node.defaultChild as sqs.CfnQueue;
    const isTheDeadLetterQueue =
      'This queue IS the dead-letter queue of the alert rules; a dead-letter queue of its own would only move the question.';
    for (const id of ['AwsSolutions-SQS3', 'Serverless-SQSRedrivePolicy']) {
      Validations.of(queue).acknowledge({ id, reason: isTheDeadLetterQueue });
    }
    // CT.SQS.PR.1
    Validations.of(queue).acknowledge({
      id: 'cdk-validator-cfnguard::sqs_dlq_check',
      reason:
        'This queue IS a dead-letter queue. Its RedriveAllowPolicy is denyAll, stricter than the allowAll or byQueue the rule accepts: only EventBridge dead-lettering (not an SQS redrive) delivers to it.',
    });

    this.ruleNames = props.sources.map((source) => alertRuleName(stack.stackName, source.id));
    this.rules = props.sources.map(
      (source) =>
        new events.Rule(this, source.id, {
          ruleName: alertRuleName(stack.stackName, source.id),
          description: source.description,
          eventPattern: source.eventPattern,
          targets: [
            {
              bind: () => ({
                arn: topic.topicArn,
                input: source.message,
                deadLetterConfig: { arn: deadLetters.queueArn },
                // EventBridge retries for a day by default; an alert older than
                // that is better read from the dead-letter queue.
                retryPolicy: { maximumEventAgeInSeconds: 3600 * 24, maximumRetryAttempts: 185 },
              }),
            },
          ],
        }),
    );
    if (this.rules.length > 0) {
      // No Condition: EventBridge documents none for SNS topic policies, and
      // says Condition blocks cannot be used there. Who may publish is still
      // bounded: only EventBridge, only with TLS, only to this topic.
      topic.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'EventBridgePublishesAlerts',
          principals: [new iam.ServicePrincipal('events.amazonaws.com')],
          actions: ['sns:Publish'],
          resources: [topic.topicArn],
        }),
      );
      // The confused-deputy guard AWS documents for a rule's dead-letter
      // queue: the rule ARN alone (no aws:SourceAccount on that page).
      deadLetters.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'OnlyOurRulesDeadLetter',
          principals: [new iam.ServicePrincipal('events.amazonaws.com')],
          actions: ['sqs:SendMessage'],
          resources: [deadLetters.queueArn],
          conditions: { ArnEquals: { 'aws:SourceArn': this.rules.map((rule) => rule.ruleArn) } },
        }),
      );
    }
    if (props.alarmNamePrefix) {
      // Operational alarms reach the same person as findings. A topic policy
      // replaces SNS's default one, so CloudWatch must be named here; it is
      // narrowed to this app's alarms by the alarm ARN it acts for
      // (https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html).
      topic.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'OnlyOurAlarmsPublish',
          principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
          actions: ['sns:Publish'],
          resources: [topic.topicArn],
          conditions: { ArnLike: { 'aws:SourceArn': alarmArnPattern(stack, props.alarmNamePrefix) } },
        }),
      );
    }
    if (props.email) {
      // AWS e-mails a confirmation link first; nothing is delivered until it is followed.
      // Mail SNS cannot deliver after its retries waits in the dead-letter
      // queue too (CDK lets only this topic send there).
      topic.addSubscription(new subscriptions.EmailSubscription(props.email, { deadLetterQueue: deadLetters }));
    }
  }
}
