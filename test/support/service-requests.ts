/**
 * The requests AWS services make on the app's behalf, and the request context
 * each carries. Tests never choose these keys: the harness
 * (`PolicyWorld.serviceRequest`) fills them from a row here and refuses keys
 * a row does not list, so a test cannot prove a policy with context the
 * service never sends.
 *
 * A row's `citation` is where AWS documents the keys; `null`, or keys listed in
 * `uncitedKeys`, are assumptions: `docs/request-context.md` lists them and
 * `npm run verify` is meant to settle each in a real account.
 * Most citations are collected in docs/service-principals.md.
 */

/** What a row's context is built from: the resource the service acts for. */
export interface Subject {
  /** ARN of the resource the service acts for (rule, topic, queue, trail, detector, bucket, log group, profile). */
  readonly source: string;
  /** The account that owns `source`. */
  readonly account: string;
  /** The region `source` lives in (for a bucket, its region). */
  readonly region: string;
}

export interface ServiceRequestRow {
  /** Who signs the request: a service principal, or `caller` when the service uses the caller's credentials. */
  readonly principal: string | ((s: Subject) => string) | 'caller';
  readonly actions: readonly string[];
  /** What the request is made on. */
  readonly resource: string;
  /** What `Subject.source` names, or null when the request carries nothing about a source. */
  readonly source: string | null;
  /** Keys and values; a multivalued key (such as `kms:EncryptionContextKeys`) has a list. */
  readonly context: (s: Subject) => Record<string, string | string[]>;
  readonly citation: string | null;
  /**
   * The sentence (or the policy statement) of the cited page the row rests
   * on, verbatim, so a reader can check the row without opening the page.
   */
  readonly quote?: string;
  /** Keys of `context` that no citation covers (assumptions). */
  readonly uncitedKeys?: readonly string[];
  /**
   * What the row assumes, in a sentence, for docs/request-context.md.
   * @default - "<uncited keys> not documented on the cited page"
   */
  readonly assumption?: string;
  /** Request parameters the caller sets itself and that may accompany the request. */
  readonly callerKeys?: readonly string[];
  /**
   * What AWS says a policy must not require on this path. The harness fails
   * any request of the row whose resource policy has a statement for the
   * row's principal and action that breaks it (`PolicyWorld.serviceRequest`),
   * and `refusalViolations` finds such a statement in any template.
   */
  readonly refuses?: Refusal;
}

/** A documented refusal: "no Condition here", or "these keys are not supported here". */
export interface Refusal {
  /** `'any'`: the statement may carry no Condition at all; else the condition keys it may not use. */
  readonly keys: 'any' | readonly string[];
  /** The page's sentence, verbatim. */
  readonly quote: string;
  readonly citation: string;
}

const sourceContext = (s: Subject) => ({ 'aws:SourceArn': s.source, 'aws:SourceAccount': s.account });
/** The encryption-context keys S3 Vectors sets on its KMS requests (their values are not documented). */
const S3_VECTORS_CONTEXT_KEYS = ['aws:s3vectors:arn', 'aws:s3vectors:resource-id'];
const S3_VECTORS_ENCRYPTION = 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-vectors-data-encryption.html';
const BEDROCK_INVOCATION_LOGGING = 'https://docs.aws.amazon.com/bedrock/latest/userguide/model-invocation-logging.html';
const CLOUDTRAIL_BUCKET_SOURCE_ARN =
  'The IAM global condition key `aws:SourceArn` helps ensure that CloudTrail writes to the S3 bucket only for a specific trail or trails. The value of `aws:SourceArn` is always the ARN of the trail (or array of trail ARNs) that is using the bucket to store logs.';
const CLOUDTRAIL_KEY_SOURCE_ARN =
  'The value of `aws:SourceArn` is always the trail ARN (or array of trail ARNs) that is using the KMS key. [...] The `aws:SourceAccount` condition key is also supported, but not recommended. (Its encrypt statement also has `"StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:cloudtrail:*:<account id>:trail/*"}`.)';
const EVENTBRIDGE_SNS_TARGET =
  'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sns-permissions';
const NO_CONDITION_FOR_EVENTBRIDGE = "You can't use `Condition` blocks in Amazon SNS topic policies for EventBridge.";
const SNS_KEY_MANAGEMENT = 'https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html';
const SNS_EVENT_SOURCE_STATEMENT =
  'To allow the AWS service to have the `kms:GenerateDataKey*` and `kms:Decrypt` permissions, add the following statement to the KMS policy. (The statement names the service principal, the two actions and `"Resource": "*"`, with no Condition; `cloudwatch.amazonaws.com` and `events.amazonaws.com` are in its table of event sources.)';
const SQS_KEY_MANAGEMENT =
  'https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html';
const SQS_EVENT_SOURCE_STATEMENT =
  'To allow the AWS service event source to use the `kms:GenerateDataKey` and `kms:Decrypt` API methods, add the following statement to the CMK key policy. (The statement names the service principal, the two actions and `"Resource": "*"`, with no Condition.)';

export const SERVICE_REQUESTS = {
  // EventBridge delivering alerts. On this path AWS documents no condition
  // key EventBridge sends, and refuses two: rows model a request with none,
  // so a policy that requires one fails its test.
  'eventbridge-publishes-to-topic': {
    principal: 'events.amazonaws.com',
    actions: ['sns:Publish'],
    resource: 'the alert topic',
    source: null,
    context: () => ({}),
    citation: EVENTBRIDGE_SNS_TARGET,
    quote: NO_CONDITION_FOR_EVENTBRIDGE,
    refuses: { keys: 'any', quote: NO_CONDITION_FOR_EVENTBRIDGE, citation: EVENTBRIDGE_SNS_TARGET },
  },
  'eventbridge-dead-letters-to-queue': {
    principal: 'events.amazonaws.com',
    actions: ['sqs:SendMessage'],
    resource: 'the dead-letter queue of a rule',
    source: 'the EventBridge rule',
    context: (s) => ({ 'aws:SourceArn': s.source }),
    citation: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html#eb-dlq-perms',
    quote:
      'The `Condition` statement allows only requests that come from a rule named "MyTestRule" that is created in the us-west-2 Region in the AWS account 123456789012. (Its statement: `"ArnEquals": {"aws:SourceArn": "arn:aws:events:us-west-2:123456789012:rule/MyTestRule"}`, no other key.)',
  },
  'eventbridge-encrypts-for-topic': {
    principal: 'events.amazonaws.com',
    actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
    resource: 'the alert key',
    source: null,
    context: () => ({}),
    citation: `${SNS_KEY_MANAGEMENT}#compatibility-with-aws-services`,
    quote: SNS_EVENT_SOURCE_STATEMENT,
    refuses: {
      keys: ['aws:SourceAccount', 'aws:SourceArn', 'aws:SourceOrgID'],
      quote:
        'Adding the `aws:SourceAccount`, `aws:SourceArn`, and `aws:SourceOrgID` to a AWS KMS policy is not supported for EventBridge-to-encrypted topics.',
      citation: `${SNS_KEY_MANAGEMENT}#compatibility-with-aws-services`,
    },
  },
  'eventbridge-encrypts-for-queue': {
    principal: 'events.amazonaws.com',
    actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
    resource: 'the alert key (the dead-letter queue)',
    source: null,
    context: () => ({}),
    citation: SQS_KEY_MANAGEMENT,
    quote: SQS_EVENT_SOURCE_STATEMENT,
  },
  // The same request as the row above, as the ingestion path's queues still
  // model it: with an encryption context no AWS page documents (an assumption).
  'eventbridge-encrypts-for-queue-with-context': {
    principal: 'events.amazonaws.com',
    actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
    resource: 'the project key (the promotion queue and its dead-letter queue)',
    source: 'the SQS queue (SQS SSE)',
    context: (s) => ({ 'kms:EncryptionContext:aws:sqs:arn': s.source }),
    citation: SQS_KEY_MANAGEMENT,
    quote: SQS_EVENT_SOURCE_STATEMENT,
    uncitedKeys: ['kms:EncryptionContext:aws:sqs:arn'],
    assumption:
      '`kms:EncryptionContext:aws:sqs:arn` is documented by no SQS or EventBridge page; the project key admits EventBridge for the promotion queue and its dead-letter queue only under it (the alert path no longer relies on it).',
  },
  'eventbridge-sends-to-queue': {
    principal: 'events.amazonaws.com',
    actions: ['sqs:SendMessage'],
    resource: 'a queue that is the target of a rule (the promotion queue)',
    source: 'the EventBridge rule',
    context: (s) => ({ 'aws:SourceArn': s.source }),
    citation: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sqs-permissions',
    quote:
      'To allow an EventBridge rule to invoke an Amazon SQS queue, use the `aws sqs get-queue-attributes` and `aws sqs set-queue-attributes` commands. (The statement it adds: `"ArnEquals": {"aws:SourceArn": "arn:aws:events:region:account-id:rule/rule-name"}`.)',
  },
  // CloudWatch alarms notifying a topic.
  'cloudwatch-publishes-alarm': {
    principal: 'cloudwatch.amazonaws.com',
    actions: ['sns:Publish'],
    resource: 'the alert topic',
    source: 'the alarm',
    context: (s) => ({ 'aws:SourceArn': s.source }),
    citation:
      'https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html#sns-allow-cloudwatch-alarm-to-publish-to-topic-in-another-account',
    quote:
      'In this case, any CloudWatch alarms in account `111122223333` are allowed to publish to an Amazon SNS topic in account `444455556666`. (Its statement: `"ArnLike": {"aws:SourceArn": "arn:aws:cloudwatch:us-east-2:111122223333:alarm:*"}`.)',
  },
  'cloudwatch-encrypts-for-topic': {
    principal: 'cloudwatch.amazonaws.com',
    actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
    resource: 'the alert key',
    source: null,
    context: () => ({}),
    citation: `${SNS_KEY_MANAGEMENT}#compatibility-with-aws-services`,
    quote: SNS_EVENT_SOURCE_STATEMENT,
  },
  // SNS dead-lettering e-mail it could not deliver.
  'sns-dead-letters-to-queue': {
    principal: 'sns.amazonaws.com',
    actions: ['sqs:SendMessage'],
    resource: 'the dead-letter queue',
    source: 'the SNS topic',
    context: (s) => ({ 'aws:SourceArn': s.source }),
    citation: 'https://docs.aws.amazon.com/sns/latest/dg/sns-configure-dead-letter-queue.html',
    quote:
      'To give Amazon SNS principal access to the Amazon SQS API action, set the following queue policy for `MyDeadLetterQueue`. (Its statement: `"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-2:123456789012:MyTopic"}`.)',
  },
  'sns-encrypts-for-queue': {
    principal: 'sns.amazonaws.com',
    actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
    resource: 'the alert key (the dead-letter queue)',
    source: null,
    context: () => ({}),
    citation: 'https://docs.aws.amazon.com/sns/latest/dg/sns-dead-letter-queues.html',
    quote:
      'To use an encrypted Amazon SQS queue as a dead-letter queue, you must use a custom KMS with a key policy that grants the Amazon SNS service principal access to AWS KMS API actions.',
  },
  // SNS and SQS using the key of an encrypted topic or queue for the caller that publishes or consumes.
  'sns-uses-key-for-publisher': {
    principal: 'caller',
    actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
    resource: 'the key of the topic',
    source: null,
    context: (s) => ({ 'kms:ViaService': `sns.${s.region}.amazonaws.com` }),
    citation: SNS_KEY_MANAGEMENT,
    quote: 'The publisher must have the `kms:GenerateDataKey*` and `kms:Decrypt` permissions for the AWS KMS key.',
    uncitedKeys: ['kms:ViaService'],
    assumption: '`kms:ViaService` is not documented on the SNS page (the alert key statement does not use it).',
  },
  'sqs-uses-key-for-consumer': {
    principal: 'caller',
    actions: ['kms:Decrypt'],
    resource: 'the key of the queue',
    source: 'the SQS queue (SQS SSE)',
    context: (s) => ({
      'kms:ViaService': `sqs.${s.region}.amazonaws.com`,
      'kms:EncryptionContext:aws:sqs:arn': s.source,
    }),
    citation: SQS_KEY_MANAGEMENT,
    uncitedKeys: ['kms:ViaService', 'kms:EncryptionContext:aws:sqs:arn'],
    assumption:
      "`kms:ViaService` and `kms:EncryptionContext:aws:sqs:arn` are not documented on the SQS page, which shows consumers with a plain `kms:Decrypt` on the key; the promotion function's statement on the project key relies on both.",
  },
  // CloudTrail delivering a trail.
  'cloudtrail-checks-bucket-acl': {
    principal: 'cloudtrail.amazonaws.com',
    actions: ['s3:GetBucketAcl'],
    resource: 'the trail bucket',
    source: 'the trail',
    context: (s) => ({ 'aws:SourceArn': s.source }),
    citation: 'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html',
    quote: CLOUDTRAIL_BUCKET_SOURCE_ARN,
  },
  'cloudtrail-writes-log-files': {
    principal: 'cloudtrail.amazonaws.com',
    actions: ['s3:PutObject'],
    resource: 'AWSLogs/<account>/… in the trail bucket',
    source: 'the trail',
    context: (s) => ({ 'aws:SourceArn': s.source, 's3:x-amz-acl': 'bucket-owner-full-control' }),
    citation: 'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html',
    quote: CLOUDTRAIL_BUCKET_SOURCE_ARN,
  },
  'cloudtrail-encrypts-log-files': {
    principal: 'cloudtrail.amazonaws.com',
    actions: ['kms:GenerateDataKey'],
    resource: 'the project key',
    source: 'the trail',
    // The page supports aws:SourceAccount too (though it recommends aws:SourceArn).
    context: (s) => ({ ...sourceContext(s), 'kms:EncryptionContext:aws:cloudtrail:arn': s.source }),
    citation: 'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html',
    quote: CLOUDTRAIL_KEY_SOURCE_ARN,
  },
  'cloudtrail-describes-key': {
    principal: 'cloudtrail.amazonaws.com',
    actions: ['kms:DescribeKey'],
    resource: 'the project key',
    source: 'the trail',
    context: sourceContext,
    citation: 'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html',
    quote: CLOUDTRAIL_KEY_SOURCE_ARN,
  },
  'cloudtrail-assumes-log-delivery-role': {
    principal: 'cloudtrail.amazonaws.com',
    actions: ['sts:AssumeRole'],
    resource: 'the CloudTrail log-delivery role',
    source: null,
    context: () => ({}),
    citation:
      'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-required-policy-for-cloudwatch-logs.html',
  },
  // GuardDuty exporting findings.
  'guardduty-locates-export-bucket': {
    principal: 'guardduty.amazonaws.com',
    actions: ['s3:GetBucketLocation'],
    resource: 'the findings bucket',
    source: 'the detector',
    context: sourceContext,
    citation: 'https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_exportfindings.html',
  },
  'guardduty-exports-findings': {
    principal: 'guardduty.amazonaws.com',
    actions: ['s3:PutObject'],
    resource: 'the findings prefix of the findings bucket',
    source: 'the detector',
    context: sourceContext,
    citation: 'https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_exportfindings.html',
  },
  'guardduty-encrypts-findings': {
    principal: 'guardduty.amazonaws.com',
    actions: ['kms:GenerateDataKey'],
    resource: 'the project key',
    source: 'the detector',
    context: sourceContext,
    citation: 'https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_exportfindings.html',
  },
  // GuardDuty Malware Protection for S3.
  'malware-protection-assumes-role': {
    principal: 'malware-protection-plan.guardduty.amazonaws.com',
    actions: ['sts:AssumeRole'],
    resource: 'the Malware Protection role',
    source: null,
    context: () => ({}),
    citation: 'https://docs.aws.amazon.com/guardduty/latest/ug/malware-protection-s3-iam-policy-prerequisite.html',
  },
  'malware-protection-manages-its-rule': {
    principal: 'caller',
    actions: ['events:PutRule', 'events:DeleteRule', 'events:PutTargets', 'events:RemoveTargets'],
    resource: 'the EventBridge rule GuardDuty creates for the plan',
    source: null,
    context: () => ({ 'events:ManagedBy': 'malware-protection-plan.guardduty.amazonaws.com' }),
    citation: 'https://docs.aws.amazon.com/guardduty/latest/ug/malware-protection-s3-iam-policy-prerequisite.html',
  },
  // S3 on behalf of a caller, and S3 itself.
  's3-uses-key-for-caller': {
    principal: 'caller',
    actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
    resource: 'the key of the bucket',
    source: 'the bucket (S3 Bucket Keys: the bucket ARN is the encryption context)',
    context: (s) => ({
      'kms:ViaService': `s3.${s.region}.amazonaws.com`,
      'kms:EncryptionContext:aws:s3:arn': s.source,
    }),
    citation:
      'https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service, https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html',
  },
  's3-delivers-access-logs': {
    principal: 'logging.s3.amazonaws.com',
    actions: ['s3:PutObject'],
    resource: 'the access-log bucket',
    source: 'the bucket whose requests are logged',
    context: sourceContext,
    citation:
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html#grant-log-delivery-permissions-general',
  },
  'macie-decrypts-through-s3': {
    principal: 'caller',
    actions: ['kms:Decrypt'],
    resource: 'the project key',
    source: 'the bucket Macie reads (S3 Bucket Keys)',
    context: (s) => ({
      'kms:ViaService': `s3.${s.region}.amazonaws.com`,
      'kms:EncryptionContext:aws:s3:arn': s.source,
    }),
    citation: 'https://docs.aws.amazon.com/macie/latest/user/discovery-supported-encryption-types.html',
    uncitedKeys: ['kms:ViaService'],
    assumption: '`kms:ViaService` is not documented.',
  },
  // Bedrock decrypting the guardrail at inference, with the caller's
  // credentials, on the key that encrypts the guardrail alone (GuardedInvoke).
  'bedrock-decrypts-guardrail': {
    principal: 'caller',
    actions: ['kms:Decrypt'],
    resource: 'the guardrail key',
    source: 'the guardrail',
    context: (s) => ({ 'kms:ViaService': `bedrock.${s.region}.amazonaws.com` }),
    citation: 'https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-permissions-kms.html',
    uncitedKeys: ['kms:ViaService'],
    assumption: '`kms:ViaService` is not documented.',
  },
  'bedrock-profile-routes-to-model': {
    principal: 'caller',
    actions: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
    resource: 'a foundation model the profile routes to',
    source: 'the inference profile',
    context: (s) => ({ 'bedrock:InferenceProfileArn': s.source }),
    citation: 'https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-prereq.html',
    callerKeys: ['bedrock:GuardrailIdentifier'],
    assumption: "that the caller's `bedrock:GuardrailIdentifier` is evaluated again on this request.",
  },
  // Bedrock knowledge bases.
  'bedrock-assumes-knowledge-base-role': {
    principal: 'bedrock.amazonaws.com',
    actions: ['sts:AssumeRole'],
    resource: 'the knowledge base service role',
    source: 'the knowledge base',
    context: sourceContext,
    citation: 'https://docs.aws.amazon.com/bedrock/latest/userguide/kb-permissions.html',
  },
  // Bedrock model evaluation: the service role an evaluation job runs as.
  'bedrock-assumes-evaluation-role': {
    principal: 'bedrock.amazonaws.com',
    actions: ['sts:AssumeRole'],
    resource: 'the model-evaluation service role',
    source: 'the evaluation job (arn:aws:bedrock:<region>:<account>:evaluation-job/<id>)',
    context: sourceContext,
    citation: 'https://docs.aws.amazon.com/bedrock/latest/userguide/automatic-service-roles.html',
  },
  // S3 Vectors: the data plane with the caller's credentials, and background indexing.
  's3vectors-uses-key-for-caller': {
    principal: 'caller',
    actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
    resource: 'the key of the vector bucket',
    source: 'the vector bucket',
    context: (s) => ({
      'kms:ViaService': `s3vectors.${s.region}.amazonaws.com`,
      'kms:EncryptionContextKeys': S3_VECTORS_CONTEXT_KEYS,
    }),
    citation: S3_VECTORS_ENCRYPTION,
  },
  's3vectors-indexing-decrypts': {
    principal: 'indexing.s3vectors.amazonaws.com',
    actions: ['kms:Decrypt'],
    resource: 'the key of the vector bucket',
    source: 'the vector bucket',
    context: (s) => ({ ...sourceContext(s), 'kms:EncryptionContextKeys': S3_VECTORS_CONTEXT_KEYS }),
    citation: S3_VECTORS_ENCRYPTION,
  },
  // CloudWatch Logs encrypting a log group.
  'logs-encrypts-log-group': {
    principal: (s) => `logs.${s.region}.amazonaws.com`,
    actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'],
    resource: 'the project key',
    source: 'the log group (its ARN without ":*")',
    context: (s) => ({ 'kms:EncryptionContext:aws:logs:arn': s.source }),
    citation: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html',
  },
  // Bedrock model-invocation logging: the role it assumes for the log group,
  // and its own delivery to the bucket (with the bucket's KMS key). AWS
  // documents both keys, and the aws:SourceArn value only as a pattern
  // (arn:aws:bedrock:<region>:<account>:*).
  'bedrock-assumes-invocation-logging-role': {
    principal: 'bedrock.amazonaws.com',
    actions: ['sts:AssumeRole'],
    resource: 'the model-invocation logging role',
    source: 'a Bedrock resource of the account whose invocations are logged',
    context: sourceContext,
    citation: BEDROCK_INVOCATION_LOGGING,
    assumption:
      'AWS documents the `aws:SourceArn` value only as the pattern `arn:aws:bedrock:<region>:<account>:*`; the tests use an inference-profile ARN of the account and region as `<source>`.',
  },
  'bedrock-delivers-invocation-logs': {
    principal: 'bedrock.amazonaws.com',
    actions: ['s3:PutObject'],
    resource: '<prefix>/AWSLogs/<account>/BedrockModelInvocationLogs/… in the destination bucket',
    source: 'a Bedrock resource of the account whose invocations are logged',
    context: sourceContext,
    citation: BEDROCK_INVOCATION_LOGGING,
    assumption:
      'AWS documents the `aws:SourceArn` value only as the pattern `arn:aws:bedrock:<region>:<account>:*`; the tests use an inference-profile ARN of the account and region as `<source>`.',
  },
  'bedrock-encrypts-invocation-logs': {
    principal: 'bedrock.amazonaws.com',
    actions: ['kms:GenerateDataKey'],
    resource: 'the key of the destination bucket',
    source: 'a Bedrock resource of the account whose invocations are logged',
    context: sourceContext,
    citation: BEDROCK_INVOCATION_LOGGING,
    assumption:
      'AWS documents the `aws:SourceArn` value only as the pattern `arn:aws:bedrock:<region>:<account>:*`; the tests use an inference-profile ARN of the account and region as `<source>`.',
  },
  // Lambda.
  'lambda-assumes-execution-role': {
    principal: 'lambda.amazonaws.com',
    actions: ['sts:AssumeRole'],
    resource: 'a function execution role',
    source: null,
    context: () => ({}),
    citation: 'https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html',
  },
  'lambda-url-invocation': {
    principal: 'caller',
    actions: ['lambda:InvokeFunctionUrl'],
    resource: 'the function',
    source: null,
    context: () => ({ 'lambda:FunctionUrlAuthType': 'AWS_IAM' }),
    citation: 'https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html',
  },
  'lambda-url-invokes-function': {
    principal: 'caller',
    actions: ['lambda:InvokeFunction'],
    resource: 'the function',
    source: null,
    context: () => ({ 'lambda:InvokedViaFunctionUrl': 'true' }),
    citation: 'https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html',
  },
  // VPC flow logs.
  'flow-logs-assume-role': {
    principal: 'vpc-flow-logs.amazonaws.com',
    actions: ['sts:AssumeRole'],
    resource: 'the flow-log role',
    source: 'the flow log',
    context: sourceContext,
    citation: 'https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html',
  },
  // AWS Config delivering configuration snapshots and history.
  'config-checks-bucket': {
    principal: 'config.amazonaws.com',
    actions: ['s3:GetBucketAcl', 's3:ListBucket'],
    resource: 'the Config delivery bucket',
    source: null,
    context: (s) => ({ 'aws:SourceAccount': s.account }),
    citation: 'https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-policy.html',
  },
  'config-delivers': {
    principal: 'config.amazonaws.com',
    actions: ['s3:PutObject'],
    resource: 'AWSLogs/<account>/Config/… in the Config delivery bucket',
    source: null,
    context: (s) => ({ 'aws:SourceAccount': s.account, 's3:x-amz-acl': 'bucket-owner-full-control' }),
    citation: 'https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-policy.html',
  },
  'config-encrypts-deliveries': {
    principal: 'config.amazonaws.com',
    actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
    resource: 'the key of the Config delivery bucket',
    source: null,
    context: (s) => ({ 'aws:SourceAccount': s.account }),
    citation: 'https://docs.aws.amazon.com/config/latest/developerguide/s3-kms-key-policy.html',
  },
  // The deliveries into SSE-KMS buckets again, with the encryption headers a
  // service may send that no AWS page shows (none of these pages says which):
  // `aws:kms` without a key id is the case the buckets' DenyKmsWithoutTheKeyId
  // must never refuse (lib/data-protection/encryption-fence.ts).
  'bedrock-delivers-invocation-logs-with-sse-headers': {
    principal: 'bedrock.amazonaws.com',
    actions: ['s3:PutObject'],
    resource: '<prefix>/AWSLogs/<account>/BedrockModelInvocationLogs/… in the destination bucket',
    source: 'a Bedrock resource of the account whose invocations are logged',
    context: sourceContext,
    citation: BEDROCK_INVOCATION_LOGGING,
    callerKeys: ['s3:x-amz-server-side-encryption', 's3:x-amz-server-side-encryption-aws-kms-key-id'],
    assumption:
      'Which encryption headers Bedrock sends with its deliveries is not documented; tests send each variant (none, `aws:kms` with or without a key id). `aws:SourceArn` as in bedrock-delivers-invocation-logs.',
  },
  'cloudtrail-writes-log-files-with-sse-headers': {
    principal: 'cloudtrail.amazonaws.com',
    actions: ['s3:PutObject'],
    resource: 'AWSLogs/<account>/… in the trail bucket',
    source: 'the trail',
    context: (s) => ({ 'aws:SourceArn': s.source, 's3:x-amz-acl': 'bucket-owner-full-control' }),
    citation: 'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html',
    quote: CLOUDTRAIL_BUCKET_SOURCE_ARN,
    callerKeys: ['s3:x-amz-server-side-encryption', 's3:x-amz-server-side-encryption-aws-kms-key-id'],
    assumption:
      'Which encryption headers CloudTrail sends with log and digest files is not documented (an archived page says digest files are SSE-S3); tests send each variant.',
  },
  'guardduty-exports-findings-with-sse-headers': {
    principal: 'guardduty.amazonaws.com',
    actions: ['s3:PutObject'],
    resource: 'the findings prefix of the findings bucket',
    source: 'the detector',
    context: sourceContext,
    citation: 'https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_exportfindings.html',
    callerKeys: ['s3:x-amz-server-side-encryption', 's3:x-amz-server-side-encryption-aws-kms-key-id'],
    assumption:
      'Which encryption headers GuardDuty sends with exported findings is not documented; tests send each variant.',
  },
  'config-delivers-with-sse-headers': {
    principal: 'config.amazonaws.com',
    actions: ['s3:PutObject'],
    resource: 'AWSLogs/<account>/Config/… in the Config delivery bucket',
    source: null,
    context: (s) => ({ 'aws:SourceAccount': s.account, 's3:x-amz-acl': 'bucket-owner-full-control' }),
    citation: 'https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-policy.html',
    callerKeys: ['s3:x-amz-server-side-encryption', 's3:x-amz-server-side-encryption-aws-kms-key-id'],
    assumption:
      'Which encryption headers AWS Config sends with its deliveries is not documented; tests send each variant.',
  },
} as const satisfies Record<string, ServiceRequestRow>;

export type ServiceRequestId = keyof typeof SERVICE_REQUESTS;

/** Rows that rest on an assumption: no citation, or keys no citation covers. */
export function assumptions(): { id: ServiceRequestId; keys: readonly string[] }[] {
  return (Object.entries(SERVICE_REQUESTS) as [ServiceRequestId, ServiceRequestRow][])
    .filter(([, row]) => row.citation === null || (row.uncitedKeys ?? []).length > 0)
    .map(([id, row]) => ({ id, keys: row.citation === null ? ['(all)'] : (row.uncitedKeys ?? []) }));
}

/**
 * Context keys only AWS sets: a test may not pass them to `PolicyWorld.decide`,
 * only get them from a row through `PolicyWorld.serviceRequest`.
 */
export const SERVICE_SET_KEY =
  /^(kms:ViaService|kms:CallerAccount|kms:EncryptionContext:.+|kms:EncryptionContextKeys|kms:GrantIsForAWSResource|aws:SourceArn|aws:SourceAccount|aws:SourceOrgID|aws:SourceOrgPaths|aws:PrincipalIsAWSService|aws:PrincipalServiceName|aws:CalledVia.*|aws:ViaAWSService|aws:SourceVpce|lambda:FunctionUrlAuthType|lambda:InvokedViaFunctionUrl|bedrock:InferenceProfileArn|events:ManagedBy)$/i;
