import * as path from 'node:path';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledgeWildcardResource } from '../compliance/acknowledge';
import { projectKeyLogGroup } from '../compliance/deploy-time-function';
import { acknowledgeFunctionFindings } from '../compliance/function-findings';
import { esmBundling } from '../esm-bundling';
import { INCOMING_PREFIX } from '../shared/data-layout';
import {
  alarmName,
  arnInAccount,
  promotionDeadLetterQueueName,
  promotionQueueName,
  promotionRoleName,
  scanResultRuleName,
} from '../shared/names';
import type { BinaryDocumentPolicy, PromotionEnvironment } from '../shared/promotion-contract';
import type { PublishedGuardrail } from '../guarded-ai/guardrail';
import { ingestionGuardrail } from './ingestion-guardrail';
import { promotionPermissions } from './promotion-permissions';

/**
 * How long one batch may take: a 1 MiB text is about 1,150 guardrail text
 * units (its pieces overlap), which at a new account's ApplyGuardrail rate
 * (about 25 per second) takes some 46 seconds, plus a copy and two Bedrock
 * calls.
 */
const FUNCTION_TIMEOUT = Duration.seconds(120);
/**
 * A record that could not be finished (an ingestion job still running, a
 * throttled call) comes back after the visibility timeout. Six times the
 * function timeout, as the Lambda guide advises for SQS event sources
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html).
 */
const VISIBILITY_TIMEOUT = Duration.seconds(720);
/**
 * About two hours of retries (10 x 12 minutes) before a record is
 * dead-lettered: a record waiting for a running ingestion job uses receives
 * too, and a job over a small corpus takes minutes.
 */
const MAX_RECEIVE_COUNT = 10;

export interface DocumentPromotionProps {
  readonly dataBucket: s3.IBucket;
  readonly key: kms.IKey;
  /**
   * The key that encrypts the guardrails alone (guarded-invoke stack): the
   * ingestion guardrail of this construct is encrypted with it too, so the
   * function's plain kms:Decrypt opens guardrail configurations only.
   */
  readonly guardrailKeyArn: string;
  readonly knowledgeBase: {
    readonly id: string;
    readonly arn: string;
    readonly dataSourceId: string;
    /** The log group of its application logs (per-document ingestion outcomes). */
    readonly logGroupName: string;
  };
  readonly alertTopic: sns.ITopic;
  /**
   * The key that encrypts what EventBridge and CloudWatch deliver (the alert
   * topic, the dead-letter queues, and this construct's two queues), and no
   * project data.
   */
  readonly alertKeyArn: string;
  /**
   * PDF and Office documents, which the function cannot read to screen:
   * refused, or promoted on the malware verdict alone.
   * @default 'refuse'
   */
  readonly binaryDocuments?: BinaryDocumentPolicy;
  readonly logRetention: logs.RetentionDays;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Data is checked before it is trusted (notes, security chapter: documents
 * are untrusted input, and whatever is indexed can come back out in an
 * answer). A document dropped under incoming/ reaches the knowledge base only
 * through this path:
 *
 *   Malware Protection scan result -> EventBridge rule -> SQS queue -> promotion function
 *
 * The function copies a clean document to knowledge/ (text only once it
 * passes the guardrail's sensitive-information policy; a PDF or Office
 * document only when binaryDocuments allows it; nothing else) and
 * starts an ingestion job; anything else stays in incoming/, tagged with the
 * reason, and is reported on the alert topic. The queue holds a record until
 * its document is covered by an ingestion job, and dead-letters it after
 * about two hours of failures; an alarm on the dead-letter queue (named
 * `<app>-...`) is turned into an alert by the threat-detection stack.
 */
export class DocumentPromotion extends Construct {
  public readonly function: NodejsFunction;
  public readonly role: iam.Role;
  public readonly policy: iam.ManagedPolicy;
  public readonly queue: sqs.Queue;
  public readonly deadLetters: sqs.Queue;
  public readonly rule: events.Rule;
  public readonly alarm: cloudwatch.Alarm;
  public readonly logGroup: logs.LogGroup;
  /** The sensitive-information policy alone, which text documents must pass. */
  public readonly guardrail: PublishedGuardrail;

  constructor(scope: Construct, id: string, props: DocumentPromotionProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    // Both queues are encrypted with the alert key, not the project key.
    // EventBridge writes to them, and for an event source writing to an SSE
    // queue AWS documents only an unconditioned key statement: "To allow the
    // AWS service event source to use the kms:GenerateDataKey and kms:Decrypt
    // API methods, add the following statement to the CMK key policy"
    // (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html).
    // An unconditioned statement belongs on a key that encrypts nothing but
    // such events (alert-key.ts), not on the key of the project's data. The
    // messages hold object keys and scan verdicts, never document content.
    const eventKey = kms.Key.fromKeyArn(this, 'EventKey', props.alertKeyArn);
    // Fixed names: the scan-result rule dead-letters by name, the alarms and
    // `npm run verify` find them by name.
    this.deadLetters = new sqs.Queue(this, 'DeadLetters', {
      queueName: promotionDeadLetterQueueName(stack.stackName),
      encryptionMasterKey: eventKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      // Only the promotion queue may redrive here (named by ARN: a reference
      // to the queue would be circular), and EventBridge dead-letters here
      // what it could not deliver to that queue.
      redriveAllowPolicy: {
        redrivePermission: sqs.RedrivePermission.BY_QUEUE,
        sourceQueues: [
          sqs.Queue.fromQueueArn(this, 'SourceQueue', arnInAccount(stack, 'sqs', promotionQueueName(stack.stackName))),
        ],
      },
    });
    acknowledgeDeadLetterQueue(this.deadLetters);
    this.queue = new sqs.Queue(this, 'Queue', {
      queueName: promotionQueueName(stack.stackName),
      encryptionMasterKey: eventKey,
      enforceSSL: true,
      visibilityTimeout: VISIBILITY_TIMEOUT,
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: MAX_RECEIVE_COUNT },
    });
    acknowledgeCrossStackKey(this.queue);

    // Scan results for new objects under incoming/ of the data bucket only:
    // the copies the function writes to knowledge/ are scanned too, and must
    // not come back here.
    this.rule = new events.Rule(this, 'ScanResults', {
      // Named, so that the alarms on its delivery failures (another stack)
      // find it without importing this one.
      ruleName: scanResultRuleName(stack.stackName),
      description: 'Malware Protection scan results of documents dropped under incoming/',
      eventPattern: {
        source: ['aws.guardduty'],
        detailType: ['GuardDuty Malware Protection Object Scan Result'],
        detail: {
          s3ObjectDetails: {
            bucketName: [props.dataBucket.bucketName],
            objectKey: events.Match.prefix(INCOMING_PREFIX),
          },
        },
      },
    });
    const queue = this.queue;
    const rule = this.rule;
    const deadLetters = this.deadLetters;
    rule.addTarget({
      bind: () => ({
        arn: queue.queueArn,
        // A scan result EventBridge could not queue is kept, not lost.
        deadLetterConfig: { arn: deadLetters.queueArn },
        retryPolicy: { maximumEventAgeInSeconds: 3600 * 24, maximumRetryAttempts: 185 },
      }),
    });
    // The confused-deputy guard: EventBridge may send only on behalf of this rule.
    for (const target of [queue, deadLetters]) {
      target.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'OnlyTheScanResultRuleSends',
          principals: [new iam.ServicePrincipal('events.amazonaws.com')],
          actions: ['sqs:SendMessage'],
          resources: [target.queueArn],
          conditions: { ArnEquals: { 'aws:SourceArn': rule.ruleArn } },
        }),
      );
    }

    this.logGroup = projectKeyLogGroup(this, 'Logs', {
      key: props.key,
      retention: props.logRetention,
      removalPolicy,
      whyShortRetentionIsEnough:
        'every promotion leaves its trace in the bucket (the copy, or the tag on the refused object) and every refusal an alert.',
    });

    this.guardrail = ingestionGuardrail(this, props.guardrailKeyArn);

    this.role = new iam.Role(this, 'Role', {
      // Named: the data bucket lets only this role write under knowledge/.
      roleName: promotionRoleName(stack.stackName),
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Promotion function: checks documents from incoming/ and copies the clean ones to knowledge/',
    });
    const { statements, wildcards } = promotionPermissions({
      dataBucket: props.dataBucket,
      key: props.key,
      guardrailArn: this.guardrail.guardrailArn,
      guardrailKeyArn: props.guardrailKeyArn,
      knowledgeBaseArn: props.knowledgeBase.arn,
      alertTopic: props.alertTopic,
      alertKeyArn: props.alertKeyArn,
      queue: this.queue,
      logGroupArn: this.logGroup.logGroupArn,
    });
    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      description: 'Everything the promotion function may do.',
      roles: [this.role],
      statements,
    });
    for (const [resource, reason] of wildcards) acknowledgeWildcardResource(this.policy, resource, reason);
    Validations.of(this.policy).acknowledge({
      id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      reason:
        'The action as SNS documents it for a publisher to an encrypted topic (sns-key-management), on the alert key only, which encrypts nothing but alerts.',
    });

    const environment: PromotionEnvironment = {
      DATA_BUCKET: props.dataBucket.bucketName,
      KMS_KEY_ARN: props.key.keyArn,
      GUARDRAIL_ARN: this.guardrail.guardrailArn,
      GUARDRAIL_VERSION: this.guardrail.versionNumber,
      KNOWLEDGE_BASE_ID: props.knowledgeBase.id,
      DATA_SOURCE_ID: props.knowledgeBase.dataSourceId,
      KNOWLEDGE_BASE_LOG_GROUP: props.knowledgeBase.logGroupName,
      ALERT_TOPIC_ARN: props.alertTopic.topicArn,
      BINARY_DOCUMENTS: props.binaryDocuments ?? 'refuse',
    };
    this.function = new NodejsFunction(this, 'Function', {
      description: 'Promotes scanned documents from incoming/ to knowledge/ and starts ingestion.',
      entry: path.join(__dirname, '..', '..', 'lambda', 'promote', 'index.ts'),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      timeout: FUNCTION_TIMEOUT,
      role: this.role.withoutPolicyUpdates(),
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      tracing: lambda.Tracing.ACTIVE,
      environment: { ...environment, NODE_OPTIONS: '--enable-source-maps' },
      bundling: esmBundling('promote'),
    });
    this.function.node.addDependency(this.policy);
    const source = new SqsEventSource(this.queue, {
      batchSize: 5,
      reportBatchItemFailures: true,
      // Two batches at a time at most: ApplyGuardrail and ingestion quotas
      // are small in a new account, and documents are not urgent.
      maxConcurrency: 2,
    });
    this.function.addEventSource(source);
    acknowledgePromotionFunction(this.function);
    const mapping = this.function.node.children.find((c) => c instanceof lambda.EventSourceMapping);
    if (mapping) {
      Validations.of(mapping.node.defaultChild ?? mapping).acknowledge({
        id: 'Serverless-LambdaEventSourceMappingDestination',
        reason:
          "On-failure destinations apply to stream and Kafka sources, not SQS; a record that keeps failing goes to the queue's own dead-letter queue (maxReceiveCount), which an alarm watches.",
      });
    }

    this.alarm = new cloudwatch.Alarm(this, 'FailuresAlarm', {
      alarmName: alarmName(stack.stackName, 'promotion-failures'),
      alarmDescription:
        'A document could not be promoted after about two hours of retries. First check: the promotion function log for the document key. Runbook: docs/runbook.md#promotion-failures',
      metric: this.deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    // The same person who reads security findings is told.
    const notify = new cloudwatchActions.SnsAction(props.alertTopic);
    this.alarm.addAlarmAction(notify);
    this.alarm.addOkAction(notify);
  }
}

function acknowledgeCrossStackKey(queue: sqs.Queue): void {
  // CT.SQS.PR.2
  Validations.of(queue.node.defaultChild as sqs.CfnQueue).acknowledge({
    id: 'cdk-validator-cfnguard::sqs_queue_encrypted_check',
    reason:
      'Encrypted with the alert KMS key (KmsMasterKeyId is set, see the stack tests); the key comes from the threat-detection stack as a cross-stack reference, which the Guard rule cannot resolve.',
  });
}

function acknowledgeDeadLetterQueue(queue: sqs.Queue): void {
  const cfn = queue.node.defaultChild as sqs.CfnQueue;
  const isTheDeadLetterQueue =
    'This queue IS the dead-letter queue of the promotion queue; a dead-letter queue of its own would only move the question. An alarm watches its depth.';
  for (const id of ['AwsSolutions-SQS3', 'Serverless-SQSRedrivePolicy']) {
    Validations.of(cfn).acknowledge({ id, reason: isTheDeadLetterQueue });
  }
  // CT.SQS.PR.1
  Validations.of(cfn).acknowledge({
    id: 'cdk-validator-cfnguard::sqs_dlq_check',
    reason:
      'This queue IS a dead-letter queue (of the promotion queue and of the scan-result rule); its RedriveAllowPolicy lets only the promotion queue redrive into it.',
  });
  acknowledgeCrossStackKey(queue);
}

function acknowledgePromotionFunction(fn: NodejsFunction): void {
  acknowledgeFunctionFindings(fn.node.defaultChild as lambda.CfnFunction, {
    deadLetterQueue:
      "Invoked only by its SQS event source mapping: a function dead-letter queue applies to asynchronous invocations; failed records go to the queue's own dead-letter queue (maxReceiveCount), which an alarm watches.",
    reservedConcurrency:
      'Concurrency is bounded by the event source mapping (at most 2 concurrent batches) without a reservation, which new accounts with a concurrency quota of 10 could not afford.',
    outsideVpc:
      "Calls only S3, Bedrock, SNS and SQS, each limited by IAM to this project's bucket prefixes, ingestion guardrail, knowledge base, topic and queue; it holds no data between invocations.",
  });
}
