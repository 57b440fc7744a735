import { z } from 'zod';
import { BINARY_DOCUMENT_POLICIES } from '../shared/promotion-contract';
import {
  asNumber,
  CHUNKING_STRATEGIES,
  DEFAULT_GUARDDUTY_FEATURES,
  EMBEDDING_DIMENSIONS,
  EMBEDDING_MODEL_IDS,
  fraction,
  GUARDDUTY_FEATURES,
  LOG_RETENTION_DAYS,
  MODEL_ID_PATTERN,
  onOff,
  SERVICE_SWITCH_ALLOWED,
  serviceSwitch,
  setting,
  wholeNumber,
} from './setting-kinds';

/**
 * Every setting a user may change, in one place.
 *
 * Defaults live here, not in cdk.json (which holds CDK feature flags only).
 * Values come from settings.json (written by `npm run config -- set` and
 * `npm run preflight -- --save`, read by bin/app.ts: settings-file.ts), from
 * `cdk synth -c key=value` for one command, or from a user's own entries in
 * cdk.context.json or the `context` block of cdk.json.
 * The CLI hands `-c` values over as strings, so numbers and booleans accept their
 * string spelling too. Each entry carries the sentence that explains what it
 * changes and what it allows: the error message and docs/configuration.md (npm run docs) read from here.
 */
export const SETTINGS = {
  appName: setting(
    z
      .string()
      .regex(/^[A-Z][A-Za-z0-9]{2,24}$/)
      .default('GuardedGenAi'),
    'a PascalCase name of 3 to 25 letters and digits, starting with a capital letter',
    'Prefix of every stack name and of the KMS alias, so that a second copy with another name can live in the same account and region.',
  ),
  removalPolicy: setting(
    z.enum(['retain', 'destroy']).default('retain'),
    '"retain" or "destroy"',
    'What happens to every stateful resource when a stack is deleted: the three KMS keys (project, guardrail, alerts), the buckets with their objects, the log groups, the S3 Vectors store, the model card, and the GuardDuty detector, Macie session and Security Hub hub the app created. "destroy" is for a throwaway sandbox only: it empties the buckets and schedules the keys for deletion. The deployed template decides, not the flags of `cdk destroy`: save the setting and deploy before you tear down (docs/teardown.md).',
  ),
  recordsRetentionDays: setting(
    wholeNumber(1, 3650, 90),
    'a whole number of days from 1 to 3650',
    'How long objects under the data bucket\'s "records/" prefix (audit records of model invocations) are kept before they expire.',
  ),
  noncurrentVersionRetentionDays: setting(
    wholeNumber(1, 3650, 30),
    'a whole number of days from 1 to 3650',
    'How long an overwritten or deleted object version stays recoverable in the data and log buckets.',
  ),
  accessLogRetentionDays: setting(
    wholeNumber(1, 3650, 365),
    'a whole number of days from 1 to 3650',
    'How long S3 server access logs are kept (those of the data bucket, and of the trail and findings buckets of the threat-detection stack).',
  ),
  objectLock: setting(
    onOff(false),
    'true or false',
    'Turn on S3 Object Lock (governance mode) for the data bucket, so that no object version can be deleted or overwritten before its retention ends. Decide before the first deployment; it cannot be combined with removalPolicy "destroy".',
  ),
  objectLockRetentionDays: setting(
    wholeNumber(1, 3650, 30),
    'a whole number of days from 1 to 3650',
    'Default retention of every new object version when objectLock is on.',
  ),
  modelId: setting(
    z.string().regex(MODEL_ID_PATTERN).default('amazon.nova-micro-v1:0'),
    'a Bedrock foundation-model id such as "amazon.nova-micro-v1:0", or an inference profile id starting with "us.", "eu.", "apac." or "global."',
    'The model the invoke function calls. Bedrock enables access to its models by default (an SCP or IAM policy can still refuse one; Anthropic models may ask for a use case form first); an inference profile spreads requests over the regions of its geography.',
  ),
  guardrailFilterStrength: setting(
    z.enum(['LOW', 'MEDIUM', 'HIGH']).default('HIGH'),
    '"LOW", "MEDIUM" or "HIGH"',
    'Strength of the guardrail content filters (hate, insults, sexual, violence, misconduct) on input and output. Higher blocks more, with more false positives.',
  ),
  groundingThreshold: setting(
    fraction(0, 0.99, 0.75),
    'a number from 0 to 0.99',
    'Contextual grounding check: answers less grounded in the supplied source than this are blocked. Applies only to requests that carry a grounding source.',
  ),
  relevanceThreshold: setting(
    fraction(0, 0.99, 0.75),
    'a number from 0 to 0.99',
    'Contextual relevance check: answers less relevant to the question than this are blocked. Applies only to requests that carry a grounding source.',
  ),
  maxTokensCap: setting(
    wholeNumber(1, 8192, 1024),
    'a whole number from 1 to 8192',
    'Largest maxTokens a request may ask for: a cap on the cost of one answer.',
  ),
  invokeReservedConcurrency: setting(
    wholeNumber(0, 1000, 0),
    'a whole number from 0 (no reservation) to 1000',
    'Opt-in cost cap: reserve this many concurrent executions for the invoke function, so that at most this many answers are generated at once. 0 (the default) reserves none, because Lambda refuses a reservation that leaves less than 100 unreserved executions and new accounts often have a quota of only 10; `npm run preflight` says whether your account can afford a value.',
  ),
  inCodeSpans: setting(
    onOff(false),
    'true or false',
    "OpenTelemetry spans for the invoke function's calls to Bedrock and S3, sent through Lambda's X-Ray daemon with AWS's UDP exporter, under the invocation's trace. Off by default: loading the OpenTelemetry SDK adds to every cold start (bench/results.md), and Lambda's own active tracing, always on, already records each invocation.",
  ),
  logRetentionDays: setting(
    z
      .preprocess(
        asNumber,
        z.number().refine((n) => (LOG_RETENTION_DAYS as readonly number[]).includes(n)),
      )
      .default(365),
    `one of the CloudWatch Logs retention periods: ${LOG_RETENTION_DAYS.join(', ')}`,
    "How long the invoke function's logs are kept.",
  ),
  availabilityZones: setting(
    z
      .preprocess(
        (value) =>
          typeof value === 'string'
            ? value
                .split(',')
                .map((az) => az.trim())
                .filter((az) => az.length > 0)
            : value,
        z
          .array(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/))
          .refine((list) => list.length === 0 || (list.length === 2 && list[0] !== list[1])),
      )
      .default([]),
    'empty, or two distinct Availability Zone names such as "eu-west-1a,eu-west-1b"',
    'The two Availability Zones of the isolated network. Empty: the first two of the region (Fn::GetAZs). Name them when the Bedrock Runtime endpoint is not offered in those (`npm run preflight` checks).',
  ),
  isolatedNetwork: setting(
    onOff(false),
    'true or false',
    'Run the invoke function in a VPC with no internet route, reaching Bedrock Runtime, X-Ray and (with knowledgeBase) Bedrock Agent Runtime through interface endpoints and S3 through a gateway endpoint, each limited to this project; the data bucket then refuses writes from outside that endpoint. Interface endpoints cost money every hour (see docs/cost.md).',
  ),
  auditRecords: setting(
    onOff(true),
    'true or false',
    'Write an audit record of every invocation (with the prompt and answer as the guardrail left them) under "records/" in the data bucket.',
  ),
  knowledgeBase: setting(
    onOff(true),
    'true or false',
    'Retrieval-augmented generation: a Bedrock knowledge base on an S3 Vectors index (near-zero idle cost), fed only with documents dropped under "incoming/" that passed the malware scan and, for text, the guardrail\'s sensitive-information policy. Needs malwareProtection true: the scan result is what promotes a document.',
  ),
  agent: setting(
    onOff(false),
    'true or false',
    "The guarded agent (stack <appName>-Agent, docs/agent.md): a Bedrock agent whose tools act only on the signed-in customer's own plan, ask a person before any change, and write an audit record of every call. Off by default: Bedrock Agents (now Agents Classic) is closed to accounts that did not use it before 30 July 2026, so a new sandbox account cannot create it; it costs nothing idle.",
  ),
  modelCustomization: setting(
    onOff(false),
    'true or false',
    'Guarded model customization (stack <appName>-Customization, docs/customization.md): training data enters only through `npm run customize -- prepare`, is approved after the malware scan, a format check and the sensitive-information screen, and a fine-tuning job of the configured Amazon Nova model reads only approved data with a role of its own. The stack costs nothing idle; a job, the custom model it makes (stored monthly) and its deployment bill only once `npm run customize` creates them, and it says what. Off by default: Bedrock fine-tunes Nova models, and deploys the result on demand, in us-east-1 only (elsewhere the stack deploys, and `npm run customize` says so before it calls Bedrock). Needs malwareProtection true and modelId a Nova Micro, Lite or Pro model.',
  ),
  customModelApproval: setting(
    z.union([z.literal(''), z.string().regex(/^[0-9a-f]{64}$/)]).default(''),
    "empty, or the 64 hexadecimal characters of a comparison file's SHA-256 (customization/comparisons/<sha256>.json, written by `npm run customize -- compare`)",
    'Point the invoke function at a custom model: the SHA-256 of the comparison that shows it at least as safe as its base model (the same red-team corpus, a block rate no lower, no more toxic). Synth reads that file, checks its digest and its verdict, and refuses anything else; the Customization stack then carries a model card for the custom model. Empty (the default): the invoke function serves modelId.',
  ),
  binaryDocuments: setting(
    z.enum(BINARY_DOCUMENT_POLICIES).default('refuse'),
    BINARY_DOCUMENT_POLICIES.map((p) => `"${p}"`).join(' or '),
    'PDF, Word and Excel documents dropped for the knowledge base, whose text the promotion function cannot read to screen for personal data: "refuse" leaves them in incoming/ with the reason binary-not-screened (the default; convert them to text or Markdown, which are screened), "promote-unscreened" indexes them on the malware verdict alone, so personal data in them reaches the index and citations. Text documents (.txt, .md, .html, .csv) are always screened (docs/knowledge-base.md).',
  ),
  embeddingModelId: setting(
    z.enum(EMBEDDING_MODEL_IDS).default(EMBEDDING_MODEL_IDS[0]),
    EMBEDDING_MODEL_IDS.map((id) => `"${id}"`).join(' or '),
    'The embedding model of the knowledge base (Amazon Titan Text Embeddings V2; Bedrock grants access to serverless models without a console step). Changing it on a deployed app makes a new knowledge base, into which every document is indexed again (docs/knowledge-base.md, "Changing the embedding or chunking settings").',
  ),
  embeddingDimensions: setting(
    z
      .preprocess(
        asNumber,
        z.number().refine((n) => (EMBEDDING_DIMENSIONS as readonly number[]).includes(n)),
      )
      .default(1024),
    `one of ${EMBEDDING_DIMENSIONS.join(', ')}`,
    'Length of each embedding vector. Smaller vectors cost less to store and query, with somewhat less accurate retrieval. Changing it on a deployed app makes a new knowledge base and a new vector index (the old index is kept unless removalPolicy is "destroy").',
  ),
  chunkingStrategy: setting(
    z.enum(CHUNKING_STRATEGIES).default('fixed-size'),
    CHUNKING_STRATEGIES.map((c) => `"${c}"`).join(', '),
    'How documents are cut into passages before embedding: "fixed-size" (chunkMaxTokens with chunkOverlapPercent overlap; predictable and cheap), "semantic" (cut where the meaning changes; costs a model call per sentence group), "hierarchical" (small passages matched, their larger parent returned), or "none" (one passage per document). Changing this or the chunk sizes on a deployed app makes a new data source, which indexes every document again.',
  ),
  chunkMaxTokens: setting(
    wholeNumber(20, 8192, 300),
    'a whole number from 20 to 8192',
    'Largest passage, in tokens, for the "fixed-size" and "semantic" strategies (the child passage for "hierarchical"). Shorter passages match more precisely; longer ones carry more context per citation.',
  ),
  chunkOverlapPercent: setting(
    wholeNumber(1, 99, 20),
    'a whole number from 1 to 99',
    'For "fixed-size": how much of each passage repeats in the next, so that a sentence cut at a boundary is still found whole.',
  ),
  retrievalResultsCap: setting(
    wholeNumber(1, 20, 5),
    'a whole number from 1 to 20',
    'Most passages a request may ask the knowledge base for (its "numberOfResults"; a request that does not say gets 5, or the cap if lower). More passages ground better but cost more input tokens per answer.',
  ),
  modelInvocationLogging: setting(
    serviceSwitch('create'),
    SERVICE_SWITCH_ALLOWED,
    'Bedrock model-invocation logging, one setting per account and region: "create" turns it on, writing every invocation (prompts and answers in full) to an encrypted log group of the operations stack and under "model-invocations/" of the data bucket, and refuses to replace a configuration someone else made; "existing" leaves an existing configuration alone; "off" changes nothing. `npm run preflight` says which one the account needs.',
  ),
  dailyTokenBudget: setting(
    wholeNumber(1000, 1_000_000_000, 1_000_000),
    'a whole number of tokens from 1,000 to 1,000,000,000',
    'Input plus output tokens the invoke function may use in a day before the token-budget alarm notifies the alert topic (docs/runbook.md). An alarm, not a limit: requests are still answered.',
  ),
  enforcedGuardrail: setting(
    z.enum(['create', 'off']).default('off'),
    '"create" or "off"',
    'Account-wide guardrail enforcement, one configuration per account and region: "create" makes every Bedrock inference call in the account and region (not only this app\'s) go through the project guardrail\'s published version, on top of any guardrail the call names itself; "off" (the default) leaves the account alone. Read docs/governance.md before turning it on.',
  ),
  modelRiskRating: setting(
    z.enum(['Low', 'Medium', 'High', 'Unknown']).default('Medium'),
    '"Low", "Medium", "High" or "Unknown"',
    'The risk rating the SageMaker model card records for this deployment, with the reasons the card gives (docs/governance.md).',
  ),
  modelCardStatus: setting(
    z.enum(['Draft', 'PendingReview', 'Approved']).default('Draft'),
    '"Draft", "PendingReview" or "Approved"',
    'Review status of the model card. A person changes it after reading the card and the evaluation results, never a default; "PendingReview" and "Approved" also need modelCardReviewedDigest, so a review holds only for the content that was read. SageMaker refuses a content and a status change in one update, so synth refuses a status other than Draft whose digest does not match the content, and a Draft whose digest is still set but no longer matches: change the status and the content in separate deployments (docs/governance.md).',
  ),
  modelCardReviewedDigest: setting(
    z.union([z.literal(''), z.string().regex(/^[0-9a-f]{16}$/)]).default(''),
    'empty, or the 16 hexadecimal characters of the model card content digest (the Governance stack output ModelCardContentDigest)',
    'The content digest of the deployed Draft model card a reviewer read (the ModelCardContentDigest output). Required with modelCardStatus "PendingReview" or "Approved", and synth fails when it no longer matches the card. Keep it set in the deployment that moves the card back to Draft; remove it, and change the content, in the next one.',
  ),
  guardDuty: setting(
    serviceSwitch('create'),
    SERVICE_SWITCH_ALLOWED,
    'Amazon GuardDuty in this account and region: "create" a detector, use an "existing" one (give guardDutyDetectorId; find it with `aws guardduty list-detectors`), or leave the service "off". Alerts on GuardDuty findings work in both "create" and "existing".',
  ),
  guardDutyDetectorId: setting(
    z.union([z.literal(''), z.string().regex(/^[a-z0-9]{32}$/)]).default(''),
    'empty, or the 32-character id of a detector (from `aws guardduty list-detectors`)',
    'The detector to attach to when guardDuty is "existing"; leave empty otherwise.',
  ),
  guardDutyFeatures: setting(
    z
      .preprocess(
        (value) =>
          typeof value === 'string'
            ? value
                .split(',')
                .map((f) => f.trim())
                .filter((f) => f.length > 0)
            : value,
        z.array(z.enum(GUARDDUTY_FEATURES)).refine((list) => new Set(list).size === list.length),
      )
      .default([...DEFAULT_GUARDDUTY_FEATURES]),
    `a list (or comma-separated string) of distinct features from: ${GUARDDUTY_FEATURES.join(', ')}`,
    'Protection plans the detector turns on when guardDuty is "create". RUNTIME_MONITORING replaces the legacy EKS_RUNTIME_MONITORING; the two cannot be combined. Leaving out S3_DATA_EVENTS fails the compliance gate (Control Tower control CT.GUARDDUTY.PR.1 requires S3 protection).',
  ),
  guardDutyFindingsExport: setting(
    onOff(false),
    'true or false',
    'Export GuardDuty findings to an encrypted, access-logged S3 bucket of this stack, for retention beyond the 90 days GuardDuty keeps them. Needs guardDuty "create" or "existing".',
  ),
  malwareProtection: setting(
    onOff(true),
    'true or false',
    'GuardDuty Malware Protection for S3 on the data bucket: every new object is scanned and tagged with the result, and objects with threats raise an alert. Works without a detector; billed per GB and per object scanned.',
  ),
  macie: setting(
    serviceSwitch('off'),
    SERVICE_SWITCH_ALLOWED,
    'Amazon Macie in this account and region: "create" the Macie session, use an "existing" one (`aws macie2 get-macie-session` answers), or leave the service "off" (the default). With "create" and "existing" the stack adds its custom data identifier, allow list and a weekly discovery job on the audit records. Off by default because Macie bills every S3 bucket of the account each month, so its cost grows with the account rather than with this app (docs/cost.md says what it adds back).',
  ),
  accessAnalyzer: setting(
    serviceSwitch('create'),
    SERVICE_SWITCH_ALLOWED,
    'IAM Access Analyzer for external access: "create" an account analyzer, rely on an "existing" one (`aws accessanalyzer list-analyzers --type ACCOUNT`), or "off". Alerts on its findings work in both "create" and "existing".',
  ),
  unusedAccessAnalyzer: setting(
    serviceSwitch('off'),
    SERVICE_SWITCH_ALLOWED,
    'IAM Access Analyzer for unused access (roles, keys and permissions nobody used): "create", rely on an "existing" one (`aws accessanalyzer list-analyzers --type ACCOUNT_UNUSED_ACCESS`), or "off" (the default). Off by default because it bills every IAM role and user of the account each month, so its cost grows with the account (a landing zone alone brings dozens of roles); docs/cost.md says what it adds back.',
  ),
  unusedAccessAgeDays: setting(
    wholeNumber(1, 365, 90),
    'a whole number of days from 1 to 365',
    'Access unused for longer than this is reported by the unused-access analyzer.',
  ),
  cloudTrail: setting(
    onOff(true),
    'true or false',
    "A CloudTrail trail of this stack: management events of all regions plus the data bucket's object-level events, to its own encrypted bucket with log file validation, and to an encrypted CloudWatch Logs group. Turn it off where an organization trail already records the account.",
  ),
  securityHub: setting(
    z.enum(['create', 'off']).default('off'),
    '"create" or "off"',
    'AWS Security Hub: "create" enables it without the default standards and subscribes the AWS Foundational Security Best Practices standard (it needs configRecorder "create" or "existing": most of its controls are AWS Config rules); "off" leaves the service alone, which is also the choice when it is already enabled (GuardDuty, Macie and Access Analyzer send it their findings on their own).',
  ),
  configRecorder: setting(
    serviceSwitch('off'),
    SERVICE_SWITCH_ALLOWED,
    'AWS Config in this account and region: "create" a recorder of every supported resource type (continuous recording) with a delivery channel to an encrypted bucket of this project, rely on an "existing" recorder (`aws configservice describe-configuration-recorders`), or "off". Billed per configuration item recorded (see docs/cost.md). Security Hub controls evaluate only with a recorder.',
  ),
  alertSeverity: setting(
    fraction(1, 8.9, 7),
    'a number from 1 to 8.9 (GuardDuty severity: 1 low, 4 medium, 7 high)',
    'GuardDuty findings at or above this severity are sent to the alert topic.',
  ),
  alertEmail: setting(
    z.union([z.literal(''), z.email()]).default(''),
    'empty, or an e-mail address',
    'Subscribe this address to the alert topic (AWS sends a confirmation e-mail that must be accepted). Empty: no subscription; subscribe another endpoint to the topic yourself.',
  ),
} as const;

type Settings = typeof SETTINGS;
export type SettingName = keyof Settings;

/** The validated configuration every stack receives. */
export type ProjectConfig = {
  readonly [K in SettingName]: z.output<Settings[K]['schema']>;
};
