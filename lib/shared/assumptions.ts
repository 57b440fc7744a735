/**
 * The register of assumptions: what the templates and tools rely on that no
 * AWS page states. Each entry says how far the evidence goes, what fails (and
 * whether anyone would notice) if the assumption is wrong, and which
 * `npm run verify` check settles it in a real account, or why none does.
 *
 * It lives in lib/shared, not under test/, because three kinds of code read
 * it: the test harness (service-requests.ts rows name an entry for each key
 * no citation covers, and the coverage test accepts a condition key on a
 * service principal only when a cited row or an entry here covers it), the
 * generator of docs/assumptions.md, and the command-line tools (a verify
 * check can name the entries it settles). It is plain data: no aws-cdk-lib,
 * so a script can import it without loading the CDK.
 *
 * `npx tsx test/support/assumptions-doc.ts` regenerates docs/assumptions.md.
 */

/** How far the public evidence goes. */
export type EvidenceLevel =
  /** No AWS page says it either way. */
  | 'undocumented'
  /** AWS pages say different things. */
  | 'contradicted'
  /** Only non-AWS sources (issues, blog posts, public code) show it. */
  | 'community-only'
  /** An AWS page shows part of it (another service, another path, or the key but not its value). */
  | 'partial';

/** The checks of `npm run verify` (existing, and those agreed for issue 22). */
export const VERIFY_CHECKS = [
  'malware',
  'macie',
  'cloudtrail',
  'enforcement',
  'guardrail',
  'benign',
  'denied-topic',
  'card-number',
  'audit-records',
  'knowledge',
  'guardduty',
  'alerts',
  'access-analyzer',
  'findings-export',
  'trail-delivery',
  'access-logs',
  'config-delivery',
  'invocation-logs',
  'alarm-delivery',
  'rule-dead-letters',
  'ingestion-outcome',
  'flow-logs',
  'in-code-spans',
  'agent',
] as const;
export type VerifyCheckId = (typeof VERIFY_CHECKS)[number];

/** What happens when the assumption is wrong, and whether it shows. */
export interface Consequence {
  readonly fails: string;
  /**
   * `silent`: nothing reports it (no error to a caller, no alarm);
   * `alarmed`: an alarm or an alert reports it; `visible`: a caller or a
   * deployment gets an error.
   */
  readonly visibility: 'silent' | 'alarmed' | 'visible';
}

/** Who settles an assumption: checks of `npm run verify`, or why none does. */
export type Settlement =
  { readonly verify: readonly [VerifyCheckId, ...VerifyCheckId[]] } | { readonly notCheckedByVerify: string };

export interface Assumption {
  /** What is assumed, in a sentence. */
  readonly statement: string;
  readonly evidence: EvidenceLevel;
  /** What the pages (and other sources) say, with their addresses. */
  readonly evidenceDetail: string;
  readonly ifWrong: Consequence;
  readonly settledBy: Settlement;
  /** Rows of test/support/service-requests.ts whose uncited keys or assumption this entry is. */
  readonly rows?: readonly string[];
  /** Condition keys a service principal is required to send that this entry covers without a row. */
  readonly covers?: readonly { readonly principal: string; readonly keys: readonly string[] }[];
  /** What in the project relies on it (file or resource). */
  readonly reliedOnBy: string;
}

const NOT_VERIFY_DEPLOY =
  'a wrong assumption fails the deployment with an error that names the resource; verify runs only after a successful deploy';

export const ASSUMPTIONS = {
  'kms-via-service': {
    statement:
      'When S3, SNS, Bedrock or Macie (through S3) call KMS for a caller, the request carries `kms:ViaService` = `<service>.<region>.amazonaws.com`.',
    evidence: 'partial',
    evidenceDetail:
      'The KMS condition-key page documents `kms:ViaService` and the services that support it (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service); the pages of the rows that rely on it (SNS, Macie, Bedrock guardrails) show their statements without it (the guardrail key policy grants users a plain `kms:Decrypt`, https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-permissions-kms.html).',
    ifWrong: {
      fails:
        'A statement that requires it never matches: the caller gets AccessDenied from KMS (publishing a promotion report, reading an object). The guardrail key, the alert key and Macie statements do not require it.',
      visibility: 'visible',
    },
    settledBy: { verify: ['audit-records', 'ingestion-outcome'] },
    rows: ['sns-uses-key-for-publisher', 'macie-decrypts-through-s3', 'bedrock-decrypts-guardrail'],
    reliedOnBy:
      'lib/ingestion/promotion-permissions.ts, lib/data-protection/prefix-write.ts, lib/governance/evaluation-role.ts (S3 only, which kms:ViaService documents)',
  },
  'profile-guardrail-condition': {
    statement:
      "With an inference profile, the request Bedrock routes to the foundation model carries `bedrock:InferenceProfileArn` = the profile ARN, and the caller's `bedrock:GuardrailIdentifier` is evaluated again on it, as on the profile request.",
    evidence: 'partial',
    evidenceDetail:
      'inference-profiles-prereq.html says to "use the `aws:InferenceProfileArn` condition key" in a statement that scopes to `foundation-model` resources (https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-prereq.html); the stored copies break off before its example statement, so the `bedrock:` name the policy uses is shown only by public code; no page says which caller keys accompany the routed request.',
    ifWrong: {
      fails:
        'Every answer through an inference profile is denied (the invoke role allows the model only under the profile and guardrail conditions).',
      visibility: 'visible',
    },
    settledBy: { verify: ['benign'] },
    rows: ['bedrock-profile-routes-to-model'],
    reliedOnBy: 'lib/guarded-ai/invoke-permissions.ts',
  },
  'service-delivery-sse-headers': {
    statement:
      'Which server-side-encryption headers Bedrock, CloudTrail, GuardDuty and AWS Config send with their deliveries to our buckets does not matter: the buckets refuse `aws:kms` without a key id only while `aws:PrincipalIsAWSService` is false, so every variant of a service delivery is admitted.',
    evidence: 'undocumented',
    evidenceDetail:
      'No page of the four services says which headers their deliveries carry (an archived CloudTrail page says digest files are SSE-S3, see cloudtrail-digest-encryption); the design rests instead on the IAM global key `aws:PrincipalIsAWSService`, documented as true for calls "made directly by an AWS service principal" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalisawsservice) (core review F3).',
    ifWrong: {
      fails:
        'If a delivery were signed so that `aws:PrincipalIsAWSService` is false and sent `aws:kms` without a key id, the bucket would refuse it: that delivery stops while the service keeps running.',
      visibility: 'silent',
    },
    settledBy: { verify: ['trail-delivery', 'findings-export', 'config-delivery', 'invocation-logs'] },
    rows: [
      'bedrock-delivers-invocation-logs-with-sse-headers',
      'cloudtrail-writes-log-files-with-sse-headers',
      'guardduty-exports-findings-with-sse-headers',
      'config-delivers-with-sse-headers',
    ],
    reliedOnBy:
      'lib/data-protection/encryption-fence.ts (DenyKmsWithoutTheKeyId on the data, trail, findings and Config buckets)',
  },
  'cloudtrail-digest-encryption': {
    statement:
      'CloudTrail writes digest files into the trail bucket in a way the bucket policy (only SSE-KMS with the project key) and the key policy (context `aws:cloudtrail:arn`) admit.',
    evidence: 'contradicted',
    evidenceDetail:
      'An older CloudTrail page: "Enabling server-side encryption encrypts the log files but not the digest files with SSE-KMS. Digest files are encrypted with SSE-S3." (awsdocs/aws-cloudtrail-user-guide, encrypting-cloudtrail-log-files-with-aws-kms.md); the current key-policy page: the key must let CloudTrail "encrypt your log files, digest files, and event data stores" (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html) (core review F5).',
    ifWrong: {
      fails:
        'Digest files are refused by the bucket policy or the key policy: log-file validation has nothing to validate, while the trail keeps logging.',
      visibility: 'silent',
    },
    settledBy: { verify: ['trail-delivery'] },
    reliedOnBy: 'CloudTrailLogsBucketPolicy (DenyOtherEncryptionTypes), project-key CloudTrail statements',
  },
  'config-delete-order': {
    statement:
      'Deleting the configuration recorder and its delivery channel succeeds once the recorder is stopped: the custom resource `Custom::ConfigRecorderStop`, which depends on both and so is deleted before them, calls StopConfigurationRecorder, and CloudFormation then deletes the channel.',
    evidence: 'partial',
    evidenceDetail:
      'DeleteDeliveryChannel fails while a recorder runs ("Failed to delete last specified delivery channel ... because there is a running configuration recorder", https://github.com/hashicorp/terraform-provider-aws/pull/2910); no page says what the CloudFormation handlers do (core review F4). The order is documented: with DependsOn, "Resource A is deleted before resource B" (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-dependson.html). That a stopped recorder is enough for the channel delete is not stated.',
    ifWrong: {
      fails:
        'cdk destroy, npm run teardown, or switching configRecorder off ends in DELETE_FAILED / UPDATE_ROLLBACK_FAILED.',
      visibility: 'visible',
    },
    settledBy: {
      notCheckedByVerify:
        'verify checks a deployed app and deletes nothing; one teardown with configRecorder=create settles it (if it fails, `aws configservice delete-configuration-recorder` and retry)',
    },
    reliedOnBy:
      'ThreatDetection ConfigurationRecorder, its delivery channel and Custom::ConfigRecorderStop (configRecorder=create)',
  },
  'knowledge-base-rename': {
    statement:
      'Changing only the Name of AWS::Bedrock::KnowledgeBase and AWS::Bedrock::DataSource (the digest suffix the app adds for non-default embedding or chunking settings) updates them in place, as on the first upgrade of an app deployed with non-default settings.',
    evidence: 'partial',
    evidenceDetail:
      'The CloudFormation reference lists Name as "Update requires: No interruption" for both, and VectorKnowledgeBaseConfiguration, StorageConfiguration, ChunkingConfiguration and KnowledgeBaseId as "Replacement" (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-bedrock-knowledgebase.html, https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-bedrock-datasource.html, read in a generated copy of the reference, second-opinion review of issue 22); the DataSource page warns that a replacement "can happen if you also change the Name".',
    ifWrong: {
      fails:
        'That one upgrade replaces the knowledge base and data source: a new, empty index is used until an ingestion job runs (the documented step after any such change).',
      visibility: 'visible',
    },
    settledBy: {
      notCheckedByVerify:
        'it happens once, during an upgrade; `cdk diff` (or the change set) shows whether CloudFormation replaces or modifies',
    },
    reliedOnBy: 'lib/knowledge/generation.ts, lib/knowledge/knowledge-base.ts',
  },
  'ssm-parameter-rollback': {
    statement:
      "After a knowledge-base setting change, a consumer stack (GuardedInvoke, Ingestion) that fails and rolls back still resolves the previous generation's `{{resolve:ssm:...}}` parameters.",
    evidence: 'undocumented',
    evidenceDetail:
      "The Knowledge stack deletes the old generation's parameters in its own update; no page says how a dynamic reference of the previous template behaves on rollback (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references-ssm.html) (second-opinion review of issue 22).",
    ifWrong: {
      fails:
        'The consumer stack ends in UPDATE_ROLLBACK_FAILED; continue-update-rollback skipping it, then a deploy, recovers it.',
      visibility: 'visible',
    },
    settledBy: { notCheckedByVerify: NOT_VERIFY_DEPLOY },
    reliedOnBy: 'lib/knowledge/knowledge-stack.ts (the id parameters), GuardedInvoke and Ingestion',
  },
  'ssm-reference-in-policy': {
    statement:
      'A `{{resolve:ssm:...}}` dynamic reference inside an Fn::Join resolves in IAM policy documents and the interface endpoint policy, as it does in plain string properties.',
    evidence: 'partial',
    evidenceDetail:
      'CloudFormation documents dynamic references for resource properties (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references-ssm.html); no page shows one inside a policy document built with Fn::Join.',
    ifWrong: {
      fails:
        'The GuardedInvoke or Ingestion deployment fails with a malformed-policy error, or retrieval is refused with AccessDenied.',
      visibility: 'visible',
    },
    settledBy: { verify: ['knowledge', 'ingestion-outcome'] },
    reliedOnBy:
      'GuardedInvoke (Retrieve statement, Agent Runtime endpoint policy), Ingestion (StartIngestionJob statement)',
  },
  'kb-application-log-delivery': {
    statement:
      "The knowledge base's application logs arrive in a log group encrypted with the project key, and each line names the ingestion job id the alert's filter command searches for.",
    evidence: 'partial',
    evidenceDetail:
      'The delivery policy is the one CloudWatch Logs documents (with aws:SourceAccount and aws:SourceArn, https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-infrastructure-V2-CloudWatchLogs.html); encryption rests on "all newly ingested data for the log group is encrypted using this key" (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html), and no page shows a key statement for the delivery service into CloudWatch Logs; the content of Bedrock\'s log lines was not read (knowledge review F2).',
    ifWrong: {
      fails:
        'The per-document lines are missing or not found by the job id: an ingestion alert still arrives (from the job statistics), but says less about which document failed.',
      visibility: 'silent',
    },
    settledBy: {
      notCheckedByVerify:
        'verify reads the job statistics (ingestion-outcome), not the log lines; `aws logs filter-log-events --log-group-name <ApplicationLogGroupName>` after one ingestion settles it',
    },
    reliedOnBy: "lib/knowledge/application-logs.ts, lambda/promote (the alert's documentLogs command)",
  },
  'region-support-by-registry-type': {
    statement:
      "A CloudFormation registry type being present in the region (preflight's DescribeType) means the service behind it works there for this app (S3 Vectors, knowledge bases on S3 Vectors, Malware Protection for S3, the enforced guardrail configuration).",
    evidence: 'partial',
    evidenceDetail:
      'DescribeType "Returns detailed information about an extension from the CloudFormation registry in your current account and Region" (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeType.html); a type can exist before every feature of the service does. Model evaluation has no type: preflight compares the region with a copied list.',
    ifWrong: {
      fails: 'The deployment fails at the stack that creates the resource, after the earlier stacks exist.',
      visibility: 'visible',
    },
    settledBy: { notCheckedByVerify: NOT_VERIFY_DEPLOY },
    reliedOnBy: 'scripts/preflight (region checks)',
  },
  'teardown-api-behaviour': {
    statement:
      'npm run teardown reads AWS as its stubs do: S3 refuses to delete a version under Object Lock retention with AccessDenied (it checks GetObjectRetention and the legal hold first), the model card\'s physical id is its name or its ARN, a key already pending deletion needs nothing more, and Macie and Security Hub say "not enabled" in a recognisable error.',
    evidence: 'partial',
    evidenceDetail:
      "The S3, KMS, SageMaker, Macie and Security Hub API references give the operations and error types (for example https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectRetention.html, https://docs.aws.amazon.com/kms/latest/APIReference/API_ScheduleKeyDeletion.html); the exact error of a locked version and the model card's physical id in CloudFormation were not read on an AWS page (the teardown helper of issue 28).",
    ifWrong: {
      fails:
        'teardown stops with an error naming the resource and what is left, or reports something as still billing that is gone; a re-run continues.',
      visibility: 'visible',
    },
    settledBy: {
      notCheckedByVerify:
        'teardown deletes what verify checks; one `npm run teardown -- --purge` in a sandbox with objectLock=true settles all four',
    },
    reliedOnBy: 'scripts/teardown/',
  },
  'guardduty-scan-status-reasons': {
    statement:
      'The Malware Protection scan-result event carries the reasons a scan was skipped or failed as `detail.statusReasons` or `detail.scanResultDetails.statusReasons` (the function reads either).',
    evidence: 'undocumented',
    evidenceDetail:
      'The event reference shows the result fields (https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-guardduty.html) and the scan-status values (https://docs.aws.amazon.com/guardduty/latest/ug/monitoring-malware-protection-s3-scans-gdu.html), not where reasons are; `StatusReasons` codes of the plan itself are free strings (harness review section 5).',
    ifWrong: {
      fails: 'A refusal for UNSUPPORTED, ACCESS_DENIED or FAILED says no reason; the document is still refused.',
      visibility: 'visible',
    },
    settledBy: {
      notCheckedByVerify:
        'verify uploads a clean and an EICAR file, which give NO_THREATS_FOUND and THREATS_FOUND; it makes no scan fail',
    },
    reliedOnBy: 'lambda/promote/event.ts',
  },
  'regex-mask-tag': {
    statement:
      'A text the guardrail masks for a custom regex is replaced by `{<regex name>}`, the same form AWS shows for entity types (`{NAME}`, `{EMAIL}`).',
    evidence: 'partial',
    evidenceDetail:
      'The sensitive-information filter page gives "{NAME}" and "{EMAIL}" as the tags of masked entity types and shows none for a regex (https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-sensitive-filters.html); the regex tag is the function\'s own choice, since it never uses the output text.',
    ifWrong: {
      fails:
        'Masked regex matches in indexed documents look different from what the guardrail writes in answers; nothing is lost or exposed.',
      visibility: 'silent',
    },
    settledBy: {
      notCheckedByVerify:
        'the tag is written by the promotion function, not read from AWS, so no check could disprove it',
    },
    reliedOnBy: 'lambda/promote/check.ts',
  },
  'kb-non-ascii-text': {
    statement: 'The knowledge base indexes `.txt` documents holding non-ASCII UTF-8 text as that text.',
    evidence: 'undocumented',
    evidenceDetail:
      'AWS lists `.txt` as plain text in ASCII (https://docs.aws.amazon.com/bedrock/latest/userguide/knowledge-base-ds.html); the promotion function screens UTF-8 text, but how the knowledge base reads it is not described.',
    ifWrong: {
      fails: 'A promoted document with non-ASCII text is indexed garbled, or not at all: answers miss it.',
      visibility: 'silent',
    },
    settledBy: { verify: ['ingestion-outcome'] },
    reliedOnBy: 'lambda/promote/content.ts (TEXT formats), docs/knowledge-base.md',
  },
  'enforcement-inference-only': {
    statement:
      'An account-wide enforced guardrail screens inference calls (Converse, InvokeModel) only, not ApplyGuardrail calls and not the excluded embedding model.',
    evidence: 'partial',
    evidenceDetail:
      'The enforced-guardrail resources list the models they include and exclude (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-bedrock-enforcedguardrailconfiguration.html); no page says whether ApplyGuardrail is covered, and the meaning of COMPREHENSIVE is not defined (governance review F10).',
    ifWrong: {
      fails:
        "With enforcement on, the promotion function's ApplyGuardrail calls fail and records reach the promotion dead-letter alarm; the knowledge base's embedding calls could fail ingestion.",
      visibility: 'alarmed',
    },
    settledBy: { verify: ['enforcement', 'ingestion-outcome'] },
    reliedOnBy: 'lib/guarded-ai/enforced-guardrail.ts, docs/governance.md',
  },
  'model-card-update-split': {
    statement:
      "CloudFormation's model-card handler, given a content-only change of a Draft card (the only content change synth lets through), calls UpdateModelCard without a status change, and a status-only change without the content.",
    evidence: 'undocumented',
    evidenceDetail:
      '"You cannot update both model card content and model card status in a single call" (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_UpdateModelCard.html); the handler source is not public (governance review F3). Synth refuses a content change under PendingReview or Approved, and a Draft whose reviewed digest is still set but no longer matches (lib/governance/model-card-review.ts); it cannot see a deployment that removes the digest, sets Draft and changes the content at once (docs/governance.md).',
    ifWrong: {
      fails:
        'An update that changes the card content (model, guardrail policy, risk rating) or its status fails the Governance stack update.',
      visibility: 'visible',
    },
    settledBy: {
      notCheckedByVerify:
        'it shows only when a deployed card is updated; deploy, then change only modelRiskRating, then only modelCardStatus',
    },
    reliedOnBy: 'lib/governance/model-card.ts, lib/governance/model-card-review.ts',
  },
  'invocation-logging-large-data': {
    statement:
      'Bedrock writes request and response bodies over 100 KB for the CloudWatch destination to `largeDataDeliveryS3Config`, as `bedrock.amazonaws.com` under the prefix the bucket policy admits.',
    evidence: 'undocumented',
    evidenceDetail:
      'API_CloudWatchConfig documents the field, not the key path nor the writer (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_CloudWatchConfig.html) (governance review F7).',
    ifWrong: {
      fails:
        'Large bodies are missing from the CloudWatch log events; the S3 destination still holds the full request and response. The invocation-log-delivery-failures alarm watches ModelInvocationLargeDataS3DeliveryFailure (if Bedrock publishes it: invocation-logging-delivery-metrics).',
      visibility: 'alarmed',
    },
    settledBy: {
      notCheckedByVerify:
        "verify's invocation-logs check sends a small request; a request over 100 KB and the delivery-failure metrics settle it",
    },
    reliedOnBy: 'lambda/invocation-logging/configuration.ts, DataBucketPolicy (bedrock.amazonaws.com statement)',
  },
  'evaluation-role-permissions': {
    statement:
      "An automatic evaluation job's service role needs, of the actions AWS lists, only those that apply to a foundation model or a system inference profile (the project grants InvokeModel*, CreateModelInvocationJob on model-invocation-job/* and the foundation model, StopModelInvocationJob, GetInferenceProfile on the profile, ListInferenceProfiles; it omits GetProvisionedModelThroughput, GetImportedModel, GetPromptRouter and sagemaker:InvokeEndpoint), and with no customerEncryptionKeyId Bedrock's temporary copy of the data does not use the project key, so the key's use through S3 for the data bucket's encryption context is enough.",
    evidence: 'partial',
    evidenceDetail:
      'automatic-service-roles.html, Sid AllowAccessToBedrockResources, lists the actions over every model kind "as the exact IAM actions that are required" (https://docs.aws.amazon.com/bedrock/latest/userguide/automatic-service-roles.html); the Service Authorization Reference authorises CreateModelInvocationJob on custom-model, foundation-model and model-invocation-job, not on inference profiles (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonbedrock.html); evaluation-data-management.html: Bedrock keeps its temporary copy "in an AWS-owned Amazon S3 bucket" and "If no customer managed key is specified then an Amazon Bedrock owned key is used by default" (https://docs.aws.amazon.com/bedrock/latest/userguide/evaluation-data-management.html) (governance review F1, F2).',
    ifWrong: {
      fails: 'Evaluation jobs end Failed with an access error.',
      visibility: 'visible',
    },
    settledBy: {
      notCheckedByVerify:
        '`npm run evaluate` runs a job (it costs model tokens); its failure message, and CloudTrail for the role, settle it',
    },
    reliedOnBy: 'lib/governance/evaluation-role.ts',
  },
  's3vectors-caller-kms-context': {
    statement:
      "When S3 Vectors uses the vector bucket's key for a caller (the knowledge base's role), the request carries `kms:ViaService` = `s3vectors.<region>.amazonaws.com` and the encryption-context keys `aws:s3vectors:arn` and `aws:s3vectors:resource-id`.",
    evidence: 'partial',
    evidenceDetail:
      "The S3 Vectors encryption page documents the statement for the indexing principal with those context keys (https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-vectors-data-encryption.html); nothing shows them on the caller's path (harness review section 7).",
    ifWrong: {
      fails:
        "A statement requiring them fails the knowledge base's vector writes and queries; the knowledge base role's statement does not require them.",
      visibility: 'visible',
    },
    settledBy: { verify: ['knowledge'] },
    rows: ['s3vectors-uses-key-for-caller'],
    reliedOnBy:
      'test/knowledge (least-privilege tests use the row); lib/knowledge/knowledge-base-role.ts requires neither',
  },
  's3vectors-indexing-kms-context': {
    statement:
      "S3 Vectors' background indexing calls `kms:Decrypt` on the vector bucket's key as `indexing.s3vectors.amazonaws.com`, with `aws:SourceAccount` = the account, `aws:SourceArn` = the vector bucket ARN and the encryption-context keys `aws:s3vectors:arn` and `aws:s3vectors:resource-id`.",
    evidence: 'community-only',
    evidenceDetail:
      'The harness review read the S3 Vectors encryption page as documenting this statement (https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-vectors-data-encryption.html, harness review section 7), but every stored copy breaks off before its key-policy section, so no AWS text could be quoted (quote review, issue 22); public code that cites the page (CDK constructs for vector buckets) requires the same keys; public reports show index creation failing with "Insufficient access to perform asynchronous indexing" when the principal cannot use the key.',
    ifWrong: {
      fails:
        'The indexing principal cannot decrypt with the project key: creating the vector index fails, or the knowledge base cannot index or query its vectors.',
      visibility: 'visible',
    },
    settledBy: { verify: ['knowledge'] },
    rows: ['s3vectors-indexing-decrypts'],
    reliedOnBy: 'lib/knowledge/key-uses.ts (project-key statement S3VectorsMaintainsTheIndex)',
  },
  'xray-endpoint': {
    statement:
      'A function in the isolated VPC with active tracing needs the X-Ray interface endpoint: the Lambda-managed X-Ray daemon sends from inside the VPC.',
    evidence: 'community-only',
    evidenceDetail:
      'Lambda runs the daemon itself (https://docs.aws.amazon.com/xray/latest/devguide/xray-services-lambda.html) but no page describes its network path; a public issue shows it at a link-local address (https://github.com/aws/aws-xray-daemon/issues/26) (core review #8, F13).',
    ifWrong: {
      fails: 'The endpoint costs about $14-15 a month for nothing; traces arrive either way.',
      visibility: 'silent',
    },
    settledBy: {
      notCheckedByVerify:
        'the endpoint is kept, so traces arrive whichever way is true; settling it needs a deployment without the endpoint',
    },
    reliedOnBy: 'GuardedInvoke InvokeEndpointsXRay (isolatedNetwork)',
  },
  'cloudwatch-free-alarm-metrics': {
    statement:
      "CloudWatch's always-free allowance of 10 alarm metrics covers alarms on metric math over listed metrics (most of the app's alarms), each metric they retrieve counting as one alarm metric, once per account across regions.",
    evidence: 'partial',
    evidenceDetail:
      'The pricing page lists the allowance as "10 Alarm metrics (only applicable to Standard resolution alarms that list metrics directly and don\'t use a Metrics Insights query)" (https://aws.amazon.com/cloudwatch/pricing/); a math alarm lists its metrics in its definition, but no page says in so many words that it counts. Single-metric alarms are plain metric alarms (lib/operations/any-of-metrics.ts), which the sentence covers.',
    ifWrong: {
      fails:
        'The default idles about $0.50 a month above the figure npm run cost gives with the allowance (5 of its alarm metrics are in plain alarms; the list-price figure is unaffected).',
      visibility: 'silent',
    },
    settledBy: {
      notCheckedByVerify: 'a bill, not an API, shows it: the CloudWatch line of the first full month in Cost Explorer',
    },
    reliedOnBy: 'scripts/cost/cloudwatch.ts (the totals with the allowance counted)',
  },
  'otel-udp-spans': {
    statement:
      "With inCodeSpans on, the X-Ray daemon Lambda runs takes the OTLP datagrams of AWS's X-Ray UDP span exporter and X-Ray stores them under the invocation's trace, with the execution role's xray:PutTraceSegments; the span of the last call (the audit write) leaves before Lambda freezes the environment.",
    evidence: 'partial',
    evidenceDetail:
      "AWS's migration guide gives this exact recipe for Lambda (\"A Simple Span Processor with an X-Ray UDP span exporter to send Traces to Lambda's UDP X-Ray endpoint\", https://docs.aws.amazon.com/xray/latest/devguide/xray-migration-opentelemetry.html, Java page; the Node.js page's Lambda section could not be read), and the exporter's README says it \"will work with the X-Ray Daemon that runs in an AWS Lambda Environment\". No page says which permission the daemon uses for OTLP spans, or whether they need Transaction Search; locally, the last span's datagram leaves before the process exits (test/guarded-ai/bundle.test.ts). The exporter's only release (0.0.2) pins OpenTelemetry 1.30, feature-frozen since December 2024; advisory GHSA-8988-4f7v-96qf on @opentelemetry/core below 2.8.0 concerns the baggage propagator, which the function does not use. The verify check finds the run's trace by the request id in Lambda's AWS::Lambda segment, which public trace dumps show but no AWS page describes; without it the check waits, it never passes.",
    ifWrong: {
      fails:
        'The call spans are missing from the trace; the invocation segments of active tracing are still there, and requests are answered as before.',
      visibility: 'silent',
    },
    // With inCodeSpans=true (off by default, when the check skips).
    settledBy: { verify: ['in-code-spans'] },
    reliedOnBy: 'lambda/invoke/tracing.ts (inCodeSpans)',
  },
  'endpoint-zones-and-policies': {
    statement:
      'The bedrock-agent-runtime and xray endpoint services are offered in the two zones the isolated network uses, and accept an endpoint policy.',
    evidence: 'undocumented',
    evidenceDetail:
      'The Bedrock PrivateLink page lists the services as "available in multiple Availability Zones" (https://docs.aws.amazon.com/bedrock/latest/userguide/vpc-interface-endpoints.html); zones per account come from DescribeVpcEndpointServices (core review F1).',
    ifWrong: { fails: 'CreateVpcEndpoint fails and GuardedInvoke rolls back.', visibility: 'visible' },
    settledBy: { notCheckedByVerify: NOT_VERIFY_DEPLOY },
    reliedOnBy: 'lib/network (isolatedNetwork), scripts/preflight',
  },
  'guardduty-features-region': {
    statement:
      'Every GuardDuty feature the detector enables is offered in the region, or CreateDetector ignores one that is not.',
    evidence: 'undocumented',
    evidenceDetail:
      'AWS lists regions without some features (https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_regions.html) but not what CreateDetector does with one (core review F6).',
    ifWrong: {
      fails: 'The detector is not created (deploy fails) or a feature is silently off.',
      visibility: 'visible',
    },
    settledBy: { verify: ['guardduty'] },
    reliedOnBy: 'ThreatDetection GuardDutyDetector Features',
  },
  'flow-log-first-delivery': {
    statement:
      'VPC flow-log delivery recovers by itself if the flow log is created before its role can write to the log group.',
    evidence: 'undocumented',
    evidenceDetail:
      'core review F8: the flow log has no DependsOn on the role policy; no page says whether delivery retries.',
    ifWrong: { fails: 'The flow log stays in an access error and records nothing.', visibility: 'silent' },
    settledBy: { verify: ['flow-logs'] },
    reliedOnBy: 'DataProtection NetworkVpcFlowLog (isolatedNetwork)',
  },
  'macie-service-role-path': {
    statement:
      "`aws:PrincipalArn` of Macie's service-linked role session is `arn:aws:iam::<account>:role/aws-service-role/macie.amazonaws.com/AWSServiceRoleForAmazonMacie` (path included), which the project-key statement names.",
    evidence: 'partial',
    evidenceDetail:
      'IAM documents aws:PrincipalArn as the role ARN, and role ARNs include the path (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn); Macie documents the role as the principal (https://docs.aws.amazon.com/macie/latest/user/discovery-supported-encryption-types.html) (core review #9).',
    ifWrong: {
      fails: 'Macie cannot decrypt objects and reports them as unclassifiable; its job still completes.',
      visibility: 'silent',
    },
    settledBy: {
      notCheckedByVerify:
        "the macie check reads the session and the job's status, not whether the job could decrypt an object (the job's statistics would show it)",
    },
    reliedOnBy: 'lib/threat-detection/key-uses.ts (Macie statement on the project key)',
  },
  'eicar-detection': {
    statement:
      'GuardDuty Malware Protection for S3 reports the EICAR test file as THREATS_FOUND within the verify timeout, and tags the object.',
    evidence: 'community-only',
    evidenceDetail:
      'Only community lab reports show EICAR giving Object:S3/MaliciousFile; AWS promises no test file and no scan latency (harness review section 4).',
    ifWrong: { fails: 'The malware check reports a failure on a working plan.', visibility: 'visible' },
    settledBy: { verify: ['malware'] },
    reliedOnBy: 'scripts/verify/data-checks.ts',
  },
  'sample-findings-delivery': {
    statement:
      'A GuardDuty sample finding reaches EventBridge (and so the alert topic) when it is created; a repeated sample of the same type is an update published at the export frequency.',
    evidence: 'community-only',
    evidenceDetail:
      'Sample findings are meant for testing EventBridge (https://docs.aws.amazon.com/guardduty/latest/ug/sample_findings.html); aggregation of repeated samples is shown only by community reports (harness review section 4).',
    ifWrong: { fails: 'The alerts check fails on a working alert path.', visibility: 'visible' },
    settledBy: { verify: ['alerts'] },
    reliedOnBy: 'scripts/verify/threat-checks.ts',
  },
  'model-availability-fields': {
    statement:
      "GetFoundationModelAvailability's `agreementAvailability.status` = AVAILABLE means the model can be invoked without accepting an agreement.",
    evidence: 'undocumented',
    evidenceDetail:
      'The API reference names the fields only ("Agreement availability.") (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_GetFoundationModelAvailability.html) (harness review section 4).',
    ifWrong: {
      fails: 'Preflight passes a model that cannot be invoked, or refuses one that can.',
      visibility: 'visible',
    },
    settledBy: { verify: ['benign'] },
    reliedOnBy: 'scripts/preflight/model.ts',
  },
  'guardrail-piece-coverage': {
    statement:
      'ApplyGuardrail guards the whole of each 25,000-character piece the promotion function sends (`guardrailCoverage.textCharacters.guarded` = `total`), at the text-unit rate the function plans for.',
    evidence: 'undocumented',
    evidenceDetail:
      'ApplyGuardrail returns the coverage (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ApplyGuardrail.html); no page gives a per-request size limit (knowledge review F3, F8).',
    ifWrong: {
      fails:
        'Pieces are refused as not fully guarded (the function refuses `guarded < total`), or a batch times out and retries into the dead-letter queue.',
      visibility: 'alarmed',
    },
    settledBy: { verify: ['ingestion-outcome'] },
    reliedOnBy: 'lambda/promote/check.ts',
  },
  'kb-markdown-extension': {
    statement: 'The knowledge base indexes `.markdown` files as it does `.md`.',
    evidence: 'undocumented',
    evidenceDetail:
      'The supported-format list names `.md` (https://docs.aws.amazon.com/bedrock/latest/userguide/knowledge-base-ds.html) (knowledge review F11).',
    ifWrong: { fails: 'A promoted `.markdown` document is skipped by ingestion.', visibility: 'silent' },
    settledBy: { verify: ['ingestion-outcome'] },
    reliedOnBy: 'lambda/promote/content.ts',
  },
  'invocation-logging-delivery-metrics': {
    statement:
      'Bedrock publishes `ModelInvocationLogsCloudWatchDeliveryFailure`, `ModelInvocationLogsS3DeliveryFailure` and `ModelInvocationLargeDataS3DeliveryFailure` in `AWS/Bedrock`, with no dimension, when invocation-log delivery fails.',
    evidence: 'partial',
    evidenceDetail:
      'An earlier version of the English monitoring page says "For each delivery success or failure attempt, the following Amazon CloudWatch metrics are emitted under the namespace AWS/Bedrock, and Across all model IDs dimension" and lists the six delivery metrics (https://docs.aws.amazon.com/bedrock/latest/userguide/monitoring.html); the current page says only that the namespace carries "model invocation logging delivery" metrics (https://docs.aws.amazon.com/bedrock/latest/userguide/monitoring-runtime-metrics.html). "Across all model IDs" is read as no dimension (governance review F6).',
    ifWrong: { fails: 'The delivery alarm never fires while logs are lost.', visibility: 'silent' },
    settledBy: { verify: ['invocation-logs'] },
    reliedOnBy:
      'lib/operations/operational-alarms.ts (invocation-log-delivery-failures), lib/operations/service-metrics.ts, the dashboard row "Delivery"',
  },
  'evaluation-profile-authorisation': {
    statement:
      'CreateEvaluationJob for a model named by an inference profile (a bare `us.`/`eu.`/`apac.` id, or the ARN `npm run evaluate` sends for a `global.` profile) is authorised against the foundation-model ARN the operator policy grants, and the job runs through the profile.',
    evidence: 'partial',
    evidenceDetail:
      'The Service Authorization Reference lists CreateEvaluationJob on custom-model, default-prompt-router, foundation-model and prompt-router, no inference profile (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonbedrock.html); the user guide says "you can also include an inference profile in the job by specifying its ARN in the modelIdentifier field" (https://docs.aws.amazon.com/bedrock/latest/userguide/model-evaluation-jobs-management-create.html) (governance review section 4, item 6; harness review section 7).',
    ifWrong: {
      fails: '`npm run evaluate` is refused (AccessDenied or ValidationException) for a profile model id.',
      visibility: 'visible',
    },
    settledBy: {
      notCheckedByVerify:
        '`npm run evaluate` with the profile model deployed (it costs model tokens); its error settles it',
    },
    reliedOnBy: 'scripts/evaluate/job.ts (modelIdentifier), lib/governance/operator-policy.ts',
  },
  'evaluation-result-layout': {
    statement:
      "An automatic job's results are JSON Lines files either named `<uuid>_output.jsonl` (one per dataset) or `<metric>_<dataset>.jsonl` in the `datasets` folder, and metric names contain no underscore.",
    evidence: 'contradicted',
    evidenceDetail:
      'The same page gives both: the path `.../datasets/dataset/file-uuid_output.jsonl` and "The file uses the following naming convention metric_input-dataset.jsonl" (https://docs.aws.amazon.com/bedrock/latest/userguide/model-evaluation-report-s3.html) (harness review section 7).',
    ifWrong: {
      fails: '`npm run evaluate --results` reports no results (or scores under the wrong dataset) for a completed job.',
      visibility: 'visible',
    },
    settledBy: { notCheckedByVerify: 'one completed `npm run evaluate` job settles it; verify runs no evaluation job' },
    reliedOnBy: 'scripts/evaluate/results.ts',
  },
  'guardrail-metrics-scope': {
    statement:
      "`AWS/Bedrock/Guardrails` metrics (`Invocations`, `InvocationsIntervened` by `GuardrailArn` and `GuardrailVersion`) count guardrails applied inside model calls (the function's Converse, the account-wide enforcement), not only ApplyGuardrail calls.",
    evidence: 'partial',
    evidenceDetail:
      'The guardrail metrics page names the namespace ("Choose the AWS/Bedrock/Guardrails namespace"), the dimensions and the metrics, and describes `Invocations` as the "Number of requests to the ApplyGuardrail API operation" (https://docs.aws.amazon.com/bedrock/latest/userguide/monitoring-guardrails-cw-metrics.html) (governance review F15).',
    ifWrong: {
      fails:
        "The dashboard's guardrail row of the account shows only ApplyGuardrail calls (the promotion function, red-team runs); no alarm depends on it.",
      visibility: 'silent',
    },
    settledBy: {
      notCheckedByVerify:
        'a dashboard row only: after `npm run verify -- --only denied-topic`, the row shows the intervention or not',
    },
    reliedOnBy: 'lib/operations/service-dashboard.ts (the guardrails-of-the-account row)',
  },
  'dynamodb-decrypt-only': {
    statement:
      "The agent's executor reads and writes its DynamoDB table, encrypted with the project key, holding on that key only `kms:Decrypt` through DynamoDB (`kms:ViaService`) with the table's name in the encryption context: no `kms:GenerateDataKey`, `kms:Encrypt` or `kms:CreateGrant` of its own.",
    evidence: 'partial',
    evidenceDetail:
      'The DynamoDB encryption usage notes describe the calls DynamoDB makes to KMS for a table with a customer managed key, with `aws:dynamodb:tableName` in the encryption context, and that DynamoDB uses its own grants for the table key (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.usagenotes.html); no page says which KMS permissions the caller of a write (UpdateItem) needs beyond Decrypt, and public policies usually grant more.',
    ifWrong: {
      fails:
        "The store's seed (a PutItem at the first deployment) fails, so the first deployment of the Agent stack fails and rolls back; had it passed, every write of the agent's tools (a confirmed change of a feature or a note) would fail with a KMS AccessDenied, answered as the store being unavailable.",
      visibility: 'visible',
    },
    settledBy: { verify: ['agent'] },
    reliedOnBy: 'lib/agent/table-key.ts (UseTheKeyThroughThisTable on the executor and seed roles)',
  },
  'agent-caller-key-use': {
    statement:
      "A caller of InvokeAgent on an agent encrypted with the project key needs, besides `bedrock:InvokeAgent` on the alias, no more of the key than `kms:GenerateDataKey` and `kms:Decrypt` with `kms:EncryptionContext:aws:bedrock:arn` = the agent's ARN (the caller policy grants exactly that), if it needs the key at all.",
    evidence: 'partial',
    evidenceDetail:
      'The page for agents created before 22 January 2025 asks for this statement on "an IAM role or user with permissions to make InvokeAgent calls" (https://docs.aws.amazon.com/bedrock/latest/userguide/encryption-agents.html); the page for newer agents lists the fields a customer key encrypts (instruction, prompt templates, action-group schemas) and does not say whether InvokeAgent needs the caller to hold the key (https://docs.aws.amazon.com/bedrock/latest/userguide/cmk-agent-resources.html).',
    ifWrong: {
      fails:
        '`npm run agent`, the agent red team and the verify check are refused (AccessDeniedException naming KMS) although the caller holds the caller policy; if the statement is not needed, it is harmless but one grant too many.',
      visibility: 'visible',
    },
    settledBy: { verify: ['agent'] },
    reliedOnBy: 'lib/agent/caller-policy.ts (UseTheKeyForThisAgentOnly)',
  },
  'agent-confirmation-round': {
    statement:
      'When the trusted caller answers a USER_CONFIRMATION prompt with CONFIRM, Bedrock invokes the executor with exactly the parameters the prompt showed, and with the session attributes sent in that same InvokeAgent call (the confirmedCall the executor checks).',
    evidence: 'partial',
    evidenceDetail:
      'The user-confirmation page shows the returnControl event and the request that answers it (sessionState with invocationId, returnControlInvocationResults and session attributes), and says a confirmed function is invoked and a denied one is not (https://docs.aws.amazon.com/bedrock/latest/userguide/agents-userconfirmation.html); it does not say that the invocation carries the parameters unchanged, nor that attributes sent with the answer reach the function that runs because of it.',
    ifWrong: {
      fails:
        'Every confirmed write is refused by the executor as a confirmation of other parameters, or as missing: the agent can read plans but change nothing. Nothing is written unconfirmed either way.',
      visibility: 'visible',
    },
    settledBy: { verify: ['agent'] },
    reliedOnBy: 'lambda/agent-tools/confirmation.ts, scripts/agent/session.ts (the confirmedCall sent with CONFIRM)',
  },
  'agent-turn-bound': {
    statement:
      "Bedrock hands the prompt session attributes the trusted caller sends with a turn (the turn id, TURN_ID) to every tool call of that turn, including those after a confirmation round, and the next turn's id replaces it; so the executor's count of a turn's tool calls, kept in the store under the turn id, bounds one turn and does not carry into the next.",
    evidence: 'partial',
    evidenceDetail:
      'The session-context page says prompt session attributes persist over a single turn and session attributes over the session, a turn being one InvokeAgent request and response (https://docs.aws.amazon.com/bedrock/latest/userguide/agents-session-state.html); it does not say how a turn that returns control for a confirmation counts, nor whether values an action group returns are passed on, which is why the count is kept in the store and the caller names each turn.',
    ifWrong: {
      fails:
        "Tool calls are refused as naming no turn (the tools stop working), or a turn's count spills into the next one and a later turn is refused as over the bound; a loop is still stopped, since every call is counted.",
      visibility: 'visible',
    },
    settledBy: { verify: ['agent'] },
    reliedOnBy: 'lambda/agent-tools/turn.ts, scripts/agent/session.ts (the turn id of each turn and round)',
  },
  'nova-custom-model-key': {
    statement:
      'The key-policy statement the Nova guide gives for provisioned throughput of a custom model (Bedrock as a service principal, kms:Decrypt and kms:GenerateDataKey when the encryption context names a custom model) is what an on-demand deployment needs too, and Bedrock sends kms:EncryptionContextKeys on those requests.',
    evidence: 'partial',
    evidenceDetail:
      'The Nova encryption page shows the statement and its condition for provisioned throughput (https://docs.aws.amazon.com/nova/latest/userguide/customize-fine-tune-encrypt.html); the on-demand deployment page says only that "If the model is encrypted with a AWS KMS key, you must have permission to use that key" (https://docs.aws.amazon.com/bedrock/latest/userguide/deploy-custom-model-on-demand.html).',
    ifWrong: {
      fails:
        'CreateCustomModelDeployment ends Failed with a KMS message, which `npm run customize -- deploy` prints; nothing is served from the custom model.',
      visibility: 'visible',
    },
    settledBy: {
      notCheckedByVerify:
        'only a fine-tuned model can settle it, which costs a training job and a month of storage: `npm run customize -- deploy` after a job, which reports the deployment failure',
    },
    rows: ['bedrock-uses-key-for-nova-custom-model'],
    reliedOnBy: 'lib/customization/key-use.ts (the project key policy with modelCustomization on)',
  },
  'custom-deployment-invocation': {
    statement:
      'Converse on a custom model deployment accepts the project guardrail (guardrailConfig) as it does for the foundation model, and is authorised on the deployment ARN or the custom model ARN, which the invoke role and the operator policy both allow.',
    evidence: 'undocumented',
    evidenceDetail:
      'The deployment page says to use "the deployment\'s Amazon Resource Name (ARN) as the modelId parameter" (https://docs.aws.amazon.com/bedrock/latest/userguide/deploy-custom-model-on-demand.html); the guardrails page covers "foundation models" and names no custom models either way (https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-supported.html); no page shows an IAM policy for InvokeModel through a deployment.',
    ifWrong: {
      fails:
        'If the guardrail cannot be applied, the red-team run of the deployment records every entry as an error, so no comparison can pass and synth refuses the approval. If the invoke role lacks an ARN the call is authorised on (the run is signed by the operator, whose policy is broader), the first answer after the approval is an error: clearing customModelApproval and deploying serves the base model again.',
      visibility: 'visible',
    },
    settledBy: {
      notCheckedByVerify:
        '`npm run redteam -- --model <deployment ARN>` settles the guardrail before any approval; the invoke role is settled by the first `npm run ask` (or `npm run verify -- --only benign`) after the approval is deployed (the deployment bills per token only, the model per month)',
    },
    reliedOnBy:
      'lib/guarded-ai/model.ts (customModelArns), lib/customization/operator-policy.ts, scripts/redteam/model-target.ts',
  },
  'customization-key-principals': {
    statement:
      'Using the project key for a custom model takes the job role and the person who starts the job or deploys the model each to hold kms:Decrypt, GenerateDataKey, DescribeKey and CreateGrant through Bedrock (kms:ViaService); the key policy delegates to IAM, so identity policies are enough.',
    evidence: 'partial',
    evidenceDetail:
      'The custom-model encryption page shows the statement for "arn:aws:iam::${account-id}:role/${role}" without saying whether that is the service role or the caller, and a CloudTrail CreateGrant example invoked by Bedrock from an assumed role (https://docs.aws.amazon.com/bedrock/latest/userguide/encryption-custom-job.html); both principals hold it here, so the path works either way.',
    ifWrong: {
      fails:
        'CreateModelCustomizationJob or CreateCustomModelDeployment is refused with a KMS AccessDenied, which the command prints with the principal to give the key to.',
      visibility: 'visible',
    },
    settledBy: {
      notCheckedByVerify:
        'a job costs money: `npm run customize -- start` on the smallest approved batch settles it (its first minutes, before any training is billed, fail if the key is refused)',
    },
    rows: ['bedrock-uses-key-for-caller-custom-model', 'bedrock-creates-grant-for-caller-custom-model'],
    reliedOnBy: 'lib/customization/job-role.ts, lib/customization/operator-policy.ts',
  },
} as const satisfies Record<string, Assumption>;

export type AssumptionId = keyof typeof ASSUMPTIONS;
