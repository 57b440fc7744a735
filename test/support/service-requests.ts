/**
 * The requests AWS services make on the app's behalf, and the request context
 * each carries. Tests never choose these keys: the harness
 * (`PolicyWorld.serviceRequest`) fills them from a row here and refuses keys
 * a row does not list, so a test cannot prove a policy with context the
 * service never sends.
 *
 * A row's `citation` is where AWS documents the keys, and its `quote` the
 * page's own words. `null`, keys listed in `uncitedKeys`, or an `assumption`
 * are assumptions: the row names its entry of the register
 * (lib/shared/assumptions.ts, docs/assumptions.md), which says what fails if
 * it is wrong and which `npm run verify` check settles it.
 */
import type { AssumptionId } from '../../lib/shared/assumptions';

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
   * The entry of the assumptions register (lib/shared/assumptions.ts) for the
   * row's uncited keys, its missing citation or its `assumption`. Required for
   * such a row (test/support/assumptions.test.ts).
   */
  readonly register?: AssumptionId;
  /**
   * Where the quote was read when that is not the cited page itself (an
   * archived copy of the page, say).
   */
  readonly quotedFrom?: string;
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
const GUARDDUTY_EXPORT = 'https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_exportfindings.html';
const GUARDDUTY_EXPORT_PERMISSIONS =
  'This requires you to add permissions to your S3 bucket and the AWS KMS key so that GuardDuty can use them to export findings in your account.';
/** The condition every one of the page's GuardDuty statements carries (bucket and key alike). */
const GUARDDUTY_EXPORT_KEYS =
  '"Condition": {"StringEquals": {"aws:SourceAccount": "111122223333", "aws:SourceArn": "arn:aws:guardduty:Region:111122223333:detector/SourceDetectorID"}}';
const GUARDDUTY_EXPORT_FROM =
  'the page source in awsdocs/amazon-guardduty-user-guide (guardduty_exportfindings.md, a revision later than the one the harness review read, which had no conditions); the current page shows the same key statement with a second account and Region for the key';
const MALWARE_PROTECTION_ROLE =
  'https://docs.aws.amazon.com/guardduty/latest/ug/malware-protection-s3-iam-policy-prerequisite.html';
const CONFIG_SOURCE_ACCOUNT =
  'You can use the `AWS:SourceAccount` condition in the Amazon S3 bucket policy above to restrict the Config service principal to only interact with the Amazon S3 bucket when performing operations on behalf of specific accounts.';
const CONFIG_ARCHIVED = 'the archived page source, awsdocs/aws-config-developer-guide on GitHub';
const S3_VECTORS_KMS_SENTENCE =
  'S3 Vectors also integrates with AWS Key Management Service (KMS) to provide flexible encryption key management options, allowing you to choose customer-managed keys for permission control and auditability.';
const S3_VECTORS_UNREAD =
  '(The stored copies of the page break off before its KMS key-policy section, so neither the principal nor the keys of this row could be read there.)';
/** Where the three invocation-logging statements were read: the page's own source, not a third-party policy. */
const INVOCATION_LOGGING_FROM =
  'a public copy of the page\'s Markdown source (found by its sentence "If configuring SSE-KMS on the bucket, add the below policy on the KMS key"), read 2026-12-07; mirrors of the live page (docs.aws.haqm.com) show the same bucket statement';
const INVOCATION_LOGGING_KEYS =
  '"Condition": {"StringEquals": {"aws:SourceAccount": "accountId"}, "ArnLike": {"aws:SourceArn": "arn:aws:bedrock:region:accountId:*"}}';
const INVOCATION_LOGGING_BUCKET =
  'Add a bucket policy to it like the one below [...] {"Sid": "AmazonBedrockLogsWrite", "Effect": "Allow", "Principal": {"Service": "bedrock.amazonaws.com"}, "Action": ["s3:PutObject"], "Resource": ["arn:aws:s3:::bucketName/prefix/AWSLogs/accountId/BedrockModelInvocationLogs/*"], ' +
  INVOCATION_LOGGING_KEYS +
  '}';
const CONFIG_DELIVERY_STATEMENT = `${CONFIG_SOURCE_ACCOUNT} (Its delivery statement: \`"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "AWS:SourceAccount": "sourceAccountID"}\`.)`;
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
    resource: 'the alert key (the alert dead-letter queue, the promotion queue and its dead-letter queue)',
    source: null,
    context: () => ({}),
    citation: SQS_KEY_MANAGEMENT,
    quote: SQS_EVENT_SOURCE_STATEMENT,
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
    register: 'kms-via-service',
    assumption: '`kms:ViaService` is not documented on the SNS page (the alert key statement does not use it).',
  },
  'sqs-uses-key-for-consumer': {
    principal: 'caller',
    actions: ['kms:Decrypt'],
    resource: 'the key of the queue',
    source: 'the SQS queue (SQS SSE)',
    // No key: the page shows the consumer's statement without a condition,
    // so a policy that required kms:ViaService or an encryption context here
    // would fail its test.
    context: () => ({}),
    citation: SQS_KEY_MANAGEMENT,
    quote:
      'When the data key reuse period expires, the consumer\'s next call to `ReceiveMesssage` also triggers a call to `kms:Decrypt`, to verify the integrity of the new data key before using it. Therefore, the consumer must have the `kms:Decrypt` permission for any customer master key (CMK) that is used to encrypt the messages in the specified queue. (Its statement: `"Action": ["kms:Decrypt"]` on the key ARN, with no Condition.)',
    quotedFrom:
      'the archived page source, awsdocs/amazon-sqs-developer-guide on GitHub (doc_source/sqs-key-management.md)',
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
    quote:
      'This section describes the permissions policy required for the CloudTrail role to send log events to CloudWatch Logs. (The page shows the permissions policy only; it gives no trust-policy condition.)',
  },
  // GuardDuty exporting findings.
  'guardduty-locates-export-bucket': {
    principal: 'guardduty.amazonaws.com',
    actions: ['s3:GetBucketLocation'],
    resource: 'the findings bucket',
    source: 'the detector',
    context: sourceContext,
    citation: GUARDDUTY_EXPORT,
    quote: `${GUARDDUTY_EXPORT_PERMISSIONS} {"Sid": "AllowGuardDutygetBucketLocation", "Effect": "Allow", "Principal": {"Service": "guardduty.amazonaws.com"}, "Action": "s3:GetBucketLocation", "Resource": "arn:aws:s3:::myBucketName", ${GUARDDUTY_EXPORT_KEYS}}`,
    quotedFrom: GUARDDUTY_EXPORT_FROM,
  },
  'guardduty-exports-findings': {
    principal: 'guardduty.amazonaws.com',
    actions: ['s3:PutObject'],
    resource: 'the findings prefix of the findings bucket',
    source: 'the detector',
    context: sourceContext,
    citation: GUARDDUTY_EXPORT,
    quote: `${GUARDDUTY_EXPORT_PERMISSIONS} {"Sid": "AllowGuardDutyPutObject", "Effect": "Allow", "Principal": {"Service": "guardduty.amazonaws.com"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::myBucketName/[optional prefix]/*", ${GUARDDUTY_EXPORT_KEYS}}`,
    quotedFrom: GUARDDUTY_EXPORT_FROM,
  },
  'guardduty-encrypts-findings': {
    principal: 'guardduty.amazonaws.com',
    actions: ['kms:GenerateDataKey'],
    resource: 'the project key',
    source: 'the detector',
    context: sourceContext,
    citation: GUARDDUTY_EXPORT,
    quote: `${GUARDDUTY_EXPORT_PERMISSIONS} {"Sid": "AllowGuardDutyKey", "Effect": "Allow", "Principal": {"Service": "guardduty.amazonaws.com"}, "Action": "kms:GenerateDataKey", "Resource": "arn:aws:kms:Region:111122223333:key/KMSKeyId", ${GUARDDUTY_EXPORT_KEYS}}`,
    quotedFrom: GUARDDUTY_EXPORT_FROM,
  },
  // GuardDuty Malware Protection for S3.
  'malware-protection-assumes-role': {
    principal: 'malware-protection-plan.guardduty.amazonaws.com',
    actions: ['sts:AssumeRole'],
    resource: 'the Malware Protection role',
    source: null,
    context: () => ({}),
    citation: MALWARE_PROTECTION_ROLE,
    quote:
      'For Malware Protection for S3 to scan and (optionally) add tags to your S3 objects, you can use service roles that has the necessary permissions to perform malware scan actions on your behalf. (Its trust-policy example has no Condition, as the harness review read the page.)',
  },
  'malware-protection-manages-its-rule': {
    principal: 'caller',
    actions: ['events:PutRule', 'events:DeleteRule', 'events:PutTargets', 'events:RemoveTargets'],
    resource: 'the EventBridge rule GuardDuty creates for the plan',
    source: null,
    context: () => ({ 'events:ManagedBy': 'malware-protection-plan.guardduty.amazonaws.com' }),
    citation: MALWARE_PROTECTION_ROLE,
    quote:
      'Allow Amazon EventBridge actions to create and manage the EventBridge managed rule so that Malware Protection for S3 can listen to your S3 object notifications. (Its statement for those actions has `"events:ManagedBy": "malware-protection-plan.guardduty.amazonaws.com"`, as the core review read the page.)',
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
    quote:
      'The `kms:ViaService` condition key limits use of a KMS key to requests from specified AWS services. [...] S3 Bucket Keys use the bucket ARN as encryption context.',
    quotedFrom:
      'the second sentence from the archived page source (awsdocs/amazon-s3-developer-guide, bucket-key.md); the first as AWS documentation repeats the KMS definition (a public copy in the code index)',
  },
  's3-delivers-access-logs': {
    principal: 'logging.s3.amazonaws.com',
    actions: ['s3:PutObject'],
    resource: 'the access-log bucket',
    source: 'the bucket whose requests are logged',
    context: sourceContext,
    citation:
      'https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html#grant-log-delivery-permissions-general',
    quote:
      'This example bucket policy grants `s3:PutObject` permissions to the logging service principal (`logging.s3.amazonaws.com`). [...] `DOC-EXAMPLE-DESTINATION-BUCKET` is the target bucket where server access logs will be delivered and `DOC-EXAMPLE-SOURCE-BUCKET` is the source bucket. (Its statement: `"ArnLike": {"aws:SourceArn": "arn:aws:s3:::DOC-EXAMPLE-SOURCE-BUCKET"}, "StringEquals": {"aws:SourceAccount": "SOURCE-ACCOUNT-ID"}`.)',
    quotedFrom:
      'the archived page source, awsdocs/amazon-s3-userguide on GitHub (doc_source/enable-server-access-logging.md)',
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
    citation:
      'https://docs.aws.amazon.com/macie/latest/user/discovery-supported-encryption-types.html, https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html',
    quote:
      'If an S3 object is encrypted, the permissions policy for the service-linked role typically grants Macie the permissions that it requires to decrypt and inspect the object for sensitive data. However, this depends on the type of encryption that was used to encrypt the object. It can also depend on whether Macie is allowed to use the appropriate encryption key. [...] S3 Bucket Keys use the bucket ARN as encryption context.',
    quotedFrom:
      'the Macie sentences from a stored copy of the Macie page (which breaks off before its key-policy statement); the last from the archived page source (awsdocs/amazon-s3-developer-guide, bucket-key.md)',
    uncitedKeys: ['kms:ViaService'],
    register: 'kms-via-service',
    assumption: '`kms:ViaService` is not documented on either page.',
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
    quote:
      'Add the following policy statements to grant permissions to guardrails users and guardrails creators. (Its users\' statement: `{"Sid": "PermissionsForGuardrailsUsers", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/role"}, "Action": "kms:Decrypt", "Resource": "*"}`, with no Condition.)',
    uncitedKeys: ['kms:ViaService'],
    register: 'kms-via-service',
    assumption: '`kms:ViaService` is not documented.',
  },
  'bedrock-profile-routes-to-model': {
    principal: 'caller',
    actions: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
    resource: 'a foundation model the profile routes to',
    source: 'the inference profile',
    context: (s) => ({ 'bedrock:InferenceProfileArn': s.source }),
    citation: 'https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-prereq.html',
    quote:
      'To restrict user access such that they can invoke a foundation model only through an inference profile, add a `Condition` field and use the `aws:InferenceProfileArn` condition key. Specify the inference profile that you want to filter access on. This condition can be included in a statement that scopes to the `foundation-model` resources.',
    quotedFrom:
      'stored proxy copies of the page (docs---aws.amazon.com.rproxy.goskope.com, fanyv88.com), which break off before its example statement',
    // The sentence names the key `aws:InferenceProfileArn`; the row (and the
    // policy) use `bedrock:InferenceProfileArn`, which no readable text shows.
    uncitedKeys: ['bedrock:InferenceProfileArn'],
    callerKeys: ['bedrock:GuardrailIdentifier'],
    register: 'profile-guardrail-condition',
    assumption:
      "that the routed request carries `bedrock:InferenceProfileArn` (the page's sentence writes `aws:InferenceProfileArn`), and that the caller's `bedrock:GuardrailIdentifier` is evaluated again on it.",
  },
  // Bedrock knowledge bases.
  'bedrock-assumes-knowledge-base-role': {
    principal: 'bedrock.amazonaws.com',
    actions: ['sts:AssumeRole'],
    resource: 'the knowledge base service role',
    source: 'the knowledge base',
    context: sourceContext,
    citation:
      'https://docs.aws.amazon.com/bedrock/latest/userguide/kb-permissions.html#kb-permissions-trust, https://docs.aws.amazon.com/bedrock/latest/userguide/kb-managed-permissions.html#kb-managed-permissions-trust',
    quote:
      'The following policy allows Amazon Bedrock to assume this role and create and manage knowledge bases. [...] Set the `aws:SourceAccount` value to your account ID. Use the `ArnEquals` or `ArnLike` condition to restrict the scope to specific knowledge bases. [...] As a best practice for security purposes, replace the `*` with specific knowledge base IDs after you have created them. (The trust statement, as the managed-knowledge-base page shows it: `"StringEquals": {"aws:SourceAccount": "123456789012"}, "ArnLike": {"AWS:SourceArn": "arn:aws:bedrock:us-east-1:123456789012:knowledge-base/*"}`.)',
    quotedFrom:
      'the sentences from a stored copy of kb-permissions.html (which breaks off before its statement); the statement from a stored proxy copy of kb-managed-permissions.html (docs---aws.amazon.com.rproxy.govskope.ca)',
  },
  // Bedrock model evaluation: the service role an evaluation job runs as.
  'bedrock-assumes-evaluation-role': {
    principal: 'bedrock.amazonaws.com',
    actions: ['sts:AssumeRole'],
    resource: 'the model-evaluation service role',
    source: 'the evaluation job (arn:aws:bedrock:<region>:<account>:evaluation-job/<id>)',
    context: sourceContext,
    citation: 'https://docs.aws.amazon.com/bedrock/latest/userguide/automatic-service-roles.html',
    quote:
      'You must also attach a trust policy that defines Amazon Bedrock as the service principal using bedrock.amazonaws.com. (Its trust example conditions on `aws:SourceAccount` and an `aws:SourceArn` of `evaluation-job/*`, as the governance review read the page.)',
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
    quote: `${S3_VECTORS_KMS_SENTENCE} ${S3_VECTORS_UNREAD}`,
    // The harness review read the page as documenting these keys for the indexing principal only (section 7).
    uncitedKeys: ['kms:ViaService', 'kms:EncryptionContextKeys'],
    register: 's3vectors-caller-kms-context',
  },
  's3vectors-indexing-decrypts': {
    principal: 'indexing.s3vectors.amazonaws.com',
    actions: ['kms:Decrypt'],
    resource: 'the key of the vector bucket',
    source: 'the vector bucket',
    context: (s) => ({ ...sourceContext(s), 'kms:EncryptionContextKeys': S3_VECTORS_CONTEXT_KEYS }),
    citation: S3_VECTORS_ENCRYPTION,
    quote: `${S3_VECTORS_KMS_SENTENCE} ${S3_VECTORS_UNREAD}`,
    uncitedKeys: ['aws:SourceArn', 'aws:SourceAccount', 'kms:EncryptionContextKeys'],
    register: 's3vectors-indexing-kms-context',
    assumption:
      'The stored copies of the page do not reach its key-policy statement: `aws:SourceArn`, `aws:SourceAccount` and the encryption-context keys of the indexing principal are read only from public code that cites the page.',
  },
  // CloudWatch Logs encrypting a log group.
  'logs-encrypts-log-group': {
    principal: (s) => `logs.${s.region}.amazonaws.com`,
    actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'],
    resource: 'the project key',
    source: 'the log group (its ARN without ":*")',
    context: (s) => ({ 'kms:EncryptionContext:aws:logs:arn': s.source }),
    citation: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html',
    quote:
      'CloudWatch Logs now supports encryption context, using `kms:EncryptionContext:aws:logs:arn` as the key and the ARN of the log group as the value for that key. (Its key-policy statement names `"Service": "logs.region.amazonaws.com"` with `"kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"`.)',
    quotedFrom:
      'the sentence from a stored copy of the current page; the statement from the archived page source (awsdocs/amazon-cloudwatch-logs-user-guide, encrypt-log-data-kms.md)',
  },
  // Bedrock model-invocation logging: the role it assumes for the log group,
  // and its own delivery to the bucket (with the bucket's KMS key). The page
  // shows `aws:SourceArn` only as a pattern (ArnLike
  // arn:aws:bedrock:<region>:<account>:*), which is what the policies use; the
  // tests send an inference-profile ARN of the account and region as <source>.
  'bedrock-assumes-invocation-logging-role': {
    principal: 'bedrock.amazonaws.com',
    actions: ['sts:AssumeRole'],
    resource: 'the model-invocation logging role',
    source: 'a Bedrock resource of the account whose invocations are logged',
    context: sourceContext,
    citation: BEDROCK_INVOCATION_LOGGING,
    quote:
      'Create an IAM role with the following permissions for CloudWatch Logs. **Trusted entity**: {"Effect": "Allow", "Principal": {"Service": "bedrock.amazonaws.com"}, "Action": "sts:AssumeRole", ' +
      INVOCATION_LOGGING_KEYS +
      '}',
    quotedFrom: INVOCATION_LOGGING_FROM,
  },
  'bedrock-delivers-invocation-logs': {
    principal: 'bedrock.amazonaws.com',
    actions: ['s3:PutObject'],
    resource: '<prefix>/AWSLogs/<account>/BedrockModelInvocationLogs/… in the destination bucket',
    source: 'a Bedrock resource of the account whose invocations are logged',
    context: sourceContext,
    citation: BEDROCK_INVOCATION_LOGGING,
    quote: INVOCATION_LOGGING_BUCKET,
    quotedFrom: INVOCATION_LOGGING_FROM,
  },
  'bedrock-encrypts-invocation-logs': {
    principal: 'bedrock.amazonaws.com',
    actions: ['kms:GenerateDataKey'],
    resource: 'the key of the destination bucket',
    source: 'a Bedrock resource of the account whose invocations are logged',
    context: sourceContext,
    citation: BEDROCK_INVOCATION_LOGGING,
    quote:
      '(Optional) If configuring SSE-KMS on the bucket, add the below policy on the KMS key: {"Effect": "Allow", "Principal": {"Service": "bedrock.amazonaws.com"}, "Action": "kms:GenerateDataKey", "Resource": "*", ' +
      INVOCATION_LOGGING_KEYS +
      '}',
    quotedFrom: INVOCATION_LOGGING_FROM,
  },
  // CloudWatch Logs' vended delivery (the knowledge base's application logs).
  'logs-delivery-writes-log-group': {
    principal: 'delivery.logs.amazonaws.com',
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    resource: 'the streams of the application log group',
    source: 'a CloudWatch Logs delivery of the account',
    context: (s) => ({ 'aws:SourceAccount': s.account, 'aws:SourceArn': s.source }),
    citation: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-infrastructure-V2-CloudWatchLogs.html',
    quote:
      'AWS automatically creates the following policy for it [...] {"Sid": "AWSLogDeliveryWrite20150319", "Effect": "Allow", "Principal": {"Service": ["delivery.logs.amazonaws.com"]}, "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": ["arn:aws:logs:us-east-1:0123456789:log-group:my-log-group:log-stream:*"], "Condition": {"StringEquals": {"aws:SourceAccount": ["0123456789"]}, "ArnLike": {"aws:SourceArn": ["arn:aws:logs:us-east-1:0123456789:*"]}}}',
    quotedFrom:
      "the page's Markdown source in the code index (the second-opinion review of issue 22); public policies that AWS wrote into accounts (Sid AWSLogDeliveryWrite20150319) carry the same two keys",
  },
  // Lambda.
  'lambda-assumes-execution-role': {
    principal: 'lambda.amazonaws.com',
    actions: ['sts:AssumeRole'],
    resource: 'a function execution role',
    source: null,
    context: () => ({}),
    citation: 'https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html',
    quote:
      "In order for Lambda to properly assume your execution role, the role's trust policy must specify the Lambda service principal (lambda.amazonaws.com) as a trusted service.",
  },
  'lambda-url-invocation': {
    principal: 'caller',
    actions: ['lambda:InvokeFunctionUrl'],
    resource: 'the function',
    source: null,
    context: () => ({ 'lambda:FunctionUrlAuthType': 'AWS_IAM' }),
    citation: 'https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html',
    quote:
      "If you choose the `AWS_IAM` auth type, users who need to invoke your Lambda function URL must have the `lambda:InvokeFunctionUrl` permission. [...] In the previous example, the `lambda:FunctionUrlAuthType` condition key value is `AWS_IAM`. This policy only allows access when your function URL's auth type is also `AWS_IAM`.",
    quotedFrom: 'the archived page source, awsdocs/aws-lambda-developer-guide on GitHub (doc_source/urls-auth.md)',
  },
  'lambda-url-invokes-function': {
    principal: 'caller',
    actions: ['lambda:InvokeFunction'],
    resource: 'the function',
    source: null,
    context: () => ({ 'lambda:InvokedViaFunctionUrl': 'true' }),
    citation: 'https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html',
    quote:
      'Starting in October 2025, new function URLs will require both lambda:InvokeFunctionUrl and lambda:InvokeFunction permissions',
    quotedFrom: 'the harness review, which quotes the page (2026-12-review-harness.md, row 37)',
  },
  // Bedrock agents (the Agent stack).
  'bedrock-assumes-agent-role': {
    principal: 'bedrock.amazonaws.com',
    actions: ['sts:AssumeRole'],
    resource: 'the agent service role',
    source: 'the agent (arn:aws:bedrock:<region>:<account>:agent/<id>)',
    context: sourceContext,
    citation: 'https://docs.aws.amazon.com/bedrock/latest/userguide/agents-permissions.html',
    quote:
      'As a best practice for security purposes, replace the * with specific agent IDs after you have created them. (The trust statement: `"StringEquals": {"aws:SourceAccount": "123456789012"}, "ArnLike": {"AWS:SourceArn": "arn:aws:bedrock:us-east-1:123456789012:agent/*"}`.)',
    quotedFrom: 'stored copies of the page, read by the research note of issue 25 (2026-12-07)',
  },
  'bedrock-invokes-action-group-function': {
    principal: 'bedrock.amazonaws.com',
    actions: ['lambda:InvokeFunction'],
    resource: "the action group's function",
    source: 'the agent (not its alias)',
    context: sourceContext,
    citation: 'https://docs.aws.amazon.com/bedrock/latest/userguide/agents-permissions.html#agents-permissions-lambda',
    quote:
      'Whether you use a custom role or not, you also need to attach a resource-based policy to the Lambda functions for the action groups in your agents to provide permissions for the service role to access the functions. (Its statement: `"Principal": {"Service": "bedrock.amazonaws.com"}, "Action": "lambda:InvokeFunction", "Condition": {"StringEquals": {"AWS:SourceAccount": "123456789012"}, "ArnLike": {"AWS:SourceArn": "arn:aws:bedrock:us-east-1:123456789012:agent/${agent-id}"}}`.)',
    quotedFrom: 'stored copies of the page, read by the research note of issue 25 (2026-12-07)',
  },
  // Bedrock encrypting and decrypting an agent's resources (instruction,
  // action groups) with its customer key, with the credentials of the
  // principal that calls the agent's APIs.
  'bedrock-uses-key-for-agent-resources': {
    principal: 'caller',
    actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
    resource: "the agent's customer key",
    source: 'the agent',
    context: (s) => ({ 'kms:EncryptionContext:aws:bedrock:arn': s.source }),
    citation: 'https://docs.aws.amazon.com/bedrock/latest/userguide/cmk-agent-resources.html',
    quote:
      'Attach the following identity-based policy to an IAM role or user with permissions to make calls to agent APIs that encrypt and decrypt agent resources on your behalf. (Its statement: `"Action": ["kms:GenerateDataKey", "kms:Decrypt"]`, `"Condition": {"StringEquals": {"kms:EncryptionContext:aws:bedrock:arn": "arn:aws:bedrock:us-east-1:123456789012:agent/${agent-id}"}}`.)',
    quotedFrom:
      'a stored copy of the page titled "Encryption of agent resources with customer managed keys (CMK)", read by the research note of issue 25',
  },
  // DynamoDB decrypting the table key with the caller's credentials.
  'dynamodb-uses-key-for-caller': {
    principal: 'caller',
    actions: ['kms:Decrypt'],
    resource: 'the key of the table',
    source: 'the table',
    context: (s) => ({
      'kms:ViaService': `dynamodb.${s.region}.amazonaws.com`,
      'kms:EncryptionContext:aws:dynamodb:tableName': s.source.split(':table/')[1],
      'kms:EncryptionContext:aws:dynamodb:subscriberId': s.account,
    }),
    citation: 'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.usagenotes.html',
    quote:
      'The event that records the `Decrypt` operation is similar to the following example event. The user is the principal in your AWS account who is accessing the table. [...] Table – The first key–value pair identifies the table that DynamoDB is encrypting. The key is `aws:dynamodb:tableName`. The value is the name of the table. Account – The second key–value pair identifies the AWS account. The key is `aws:dynamodb:subscriberId`. The value is the account ID.',
    quotedFrom:
      'the archived page sources, awsdocs/amazon-dynamodb-developer-guide and awsdocs/aws-kms-developer-guide on GitHub (2023); the KMS guide lists `dynamodb.<region>.amazonaws.com` among the kms:ViaService values',
  },
  // Bedrock model customization (lib/customization/).
  'bedrock-assumes-customization-job-role': {
    principal: 'bedrock.amazonaws.com',
    actions: ['sts:AssumeRole'],
    resource: 'the customization job role',
    source: 'the customization job (arn:aws:bedrock:<region>:<account>:model-customization-job/<base model>/<id>)',
    context: sourceContext,
    citation: 'https://docs.aws.amazon.com/bedrock/latest/userguide/custom-model-job-access-security.html',
    quote:
      'Set the `aws:SourceAccount` value to your account ID. [...] (Optional) Use the `ArnEquals` or `ArnLike` condition to restrict the scope to specific model customization jobs in your account ID. (The trust statement: `"Principal": {"Service": "bedrock.amazonaws.com"}, "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}, "ArnEquals": {"aws:SourceArn": "arn:aws:bedrock:us-east-1:111122223333:model-customization-job/*"}}`.)',
    quotedFrom: 'stored copies of the page, read by the research note of issue 26 (2026-12-07)',
  },
  // Bedrock itself using the key of a Nova custom model while it prepares the
  // model for inference: the one key it is shown sending is the encryption
  // context key naming a custom model.
  'bedrock-uses-key-for-nova-custom-model': {
    principal: 'bedrock.amazonaws.com',
    actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
    resource: 'the key of the custom model (the project key)',
    source: null,
    context: () => ({ 'kms:EncryptionContextKeys': ['aws:bedrock:custom-model'] }),
    citation: 'https://docs.aws.amazon.com/nova/latest/userguide/customize-fine-tune-encrypt.html',
    register: 'nova-custom-model-key',
    assumption:
      'The page gives the statement for provisioned throughput; that an on-demand deployment makes the same requests is assumed.',
    quote:
      'The `PermissionsNovaProvisionedThroughput` statement should be added by default to the key policy with `bedrock.amazonaws.com` as an allowed service principal with a condition that `kms:EncryptionContextKeys` are used. (Its condition: `"ForAnyValue:StringEquals": {"kms:EncryptionContextKeys": "aws:bedrock:custom-model"}`.)',
    quotedFrom: 'stored copies of the page, read by the research note of issue 26 (2026-12-07)',
  },
  // Bedrock using the custom model's key with the credentials of the job's
  // role or of the person who deploys or calls the model.
  'bedrock-uses-key-for-caller-custom-model': {
    principal: 'caller',
    actions: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
    resource: 'the key of the custom model (the project key)',
    source: null,
    context: (s) => ({ 'kms:ViaService': `bedrock.${s.region}.amazonaws.com` }),
    citation: 'https://docs.aws.amazon.com/bedrock/latest/userguide/encryption-custom-job.html',
    register: 'customization-key-principals',
    assumption:
      'The page does not say whether its key statement is for the service role or the caller; both hold it here.',
    quote:
      'As a best security practice, we recommend that you include the kms:ViaService condition key to limit access to the key to the Amazon Bedrock service. (Its statements: `"Action": ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:CreateGrant"]` to encrypt a model and `"Action": ["kms:Decrypt"]` to use it, each with `"Condition": {"StringLike": {"kms:ViaService": ["bedrock.${region}.amazonaws.com"]}}`.)',
    quotedFrom: 'stored copies of the page, read by the research note of issue 26 (2026-12-07)',
  },
  // The grant Bedrock creates for a custom model with the caller's
  // credentials: KMS marks a grant an integrated service asks for.
  'bedrock-creates-grant-for-caller-custom-model': {
    principal: 'caller',
    actions: ['kms:CreateGrant'],
    resource: 'the key of the custom model (the project key)',
    source: null,
    context: (s) => ({ 'kms:ViaService': `bedrock.${s.region}.amazonaws.com`, 'kms:GrantIsForAWSResource': 'true' }),
    citation:
      'https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-grant-is-for-aws-resource',
    quote:
      'Allows or denies permission for the CreateGrant, ListGrants, or RevokeGrant operations only when an AWS service integrated with AWS KMS calls the operation on the user\'s behalf. (The Bedrock page adds: "Amazon Bedrock creates a primary KMS grant associated with the custom model on your behalf by sending a CreateGrant request to AWS KMS", https://docs.aws.amazon.com/bedrock/latest/userguide/encryption-custom-job.html.)',
    quotedFrom: 'stored copies of the pages, read by the research notes of issue 26 (2026-12-07)',
    register: 'customization-key-principals',
    assumption:
      'Which principal Bedrock creates the grant as (the job role or the caller) is not said; both may, through Bedrock only.',
  },
  // VPC flow logs.
  'flow-logs-assume-role': {
    principal: 'vpc-flow-logs.amazonaws.com',
    actions: ['sts:AssumeRole'],
    resource: 'the flow-log role',
    source: 'the flow log',
    context: sourceContext,
    citation: 'https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html',
    quote:
      'Ensure that your role has the following trust policy, which allows the flow logs service to assume the role. [...] We recommend that you use the `aws:SourceAccount` and `aws:SourceArn` condition keys to protect yourself against the confused deputy problem. [...] The source account is the owner of the flow log and the source ARN is the flow log ARN. (Its condition block: `"StringEquals": {"aws:SourceAccount": "account_id"}, "ArnLike": {"aws:SourceArn": "arn:aws:ec2:region:account_id:vpc-flow-log/flow-log-id"}`.)',
    quotedFrom:
      'the archived page source, awsdocs/amazon-vpc-user-guide on GitHub (doc_source/flow-logs-cwl.md, section flow-logs-iam-role, since split into the cited page)',
  },
  // AWS Config delivering configuration snapshots and history.
  'config-checks-bucket': {
    principal: 'config.amazonaws.com',
    actions: ['s3:GetBucketAcl', 's3:ListBucket'],
    resource: 'the Config delivery bucket',
    source: null,
    context: (s) => ({ 'aws:SourceAccount': s.account }),
    citation: 'https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-policy.html',
    quote: CONFIG_SOURCE_ACCOUNT,
    quotedFrom: CONFIG_ARCHIVED,
  },
  'config-delivers': {
    principal: 'config.amazonaws.com',
    actions: ['s3:PutObject'],
    resource: 'AWSLogs/<account>/Config/… in the Config delivery bucket',
    source: null,
    context: (s) => ({ 'aws:SourceAccount': s.account, 's3:x-amz-acl': 'bucket-owner-full-control' }),
    citation: 'https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-policy.html',
    quote: CONFIG_DELIVERY_STATEMENT,
    quotedFrom: CONFIG_ARCHIVED,
  },
  'config-encrypts-deliveries': {
    principal: 'config.amazonaws.com',
    actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
    resource: 'the key of the Config delivery bucket',
    source: null,
    context: (s) => ({ 'aws:SourceAccount': s.account }),
    citation: 'https://docs.aws.amazon.com/config/latest/developerguide/s3-kms-key-policy.html',
    quote:
      'You can use the `AWS:SourceAccount` condition in the AWS KMS key policy above to restrict the Config service principal to only interact with the AWS KMS key when performing operations on behalf of specific accounts.',
    quotedFrom: CONFIG_ARCHIVED,
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
    quote: INVOCATION_LOGGING_BUCKET,
    quotedFrom: INVOCATION_LOGGING_FROM,
    callerKeys: ['s3:x-amz-server-side-encryption', 's3:x-amz-server-side-encryption-aws-kms-key-id'],
    register: 'service-delivery-sse-headers',
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
    register: 'service-delivery-sse-headers',
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
    quote: GUARDDUTY_EXPORT_PERMISSIONS,
    quotedFrom: GUARDDUTY_EXPORT_FROM,
    callerKeys: ['s3:x-amz-server-side-encryption', 's3:x-amz-server-side-encryption-aws-kms-key-id'],
    register: 'service-delivery-sse-headers',
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
    quote: CONFIG_DELIVERY_STATEMENT,
    quotedFrom: CONFIG_ARCHIVED,
    callerKeys: ['s3:x-amz-server-side-encryption', 's3:x-amz-server-side-encryption-aws-kms-key-id'],
    register: 'service-delivery-sse-headers',
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
