/** Where things live in the data bucket: the stacks that write, read and watch it agree on these keys. */

/** Audit records of model invocations; they expire after recordsRetentionDays. */
export const RECORDS_PREFIX = 'records/';

/**
 * The object GuardDuty Malware Protection for S3 writes to check that its role
 * may act on the bucket.
 * https://docs.aws.amazon.com/guardduty/latest/ug/malware-protection-s3-iam-policy-prerequisite.html
 */
export const MALWARE_PROTECTION_VALIDATION_OBJECT = 'malware-protection-resource-validation-object';

/**
 * The tag GuardDuty Malware Protection for S3 sets on each object it scanned,
 * whose value (`NO_THREATS_FOUND`, ...) promotion and training-data approval
 * trust: only its role may set it (the data bucket's policy).
 * https://docs.aws.amazon.com/guardduty/latest/ug/monitoring-malware-protection-s3-scans-gdu.html
 */
export const MALWARE_SCAN_TAG = 'GuardDutyMalwareScanStatus';

/**
 * Where users drop documents for the knowledge base. Untrusted: nothing here is
 * ever indexed. Malware Protection scans each new object, and the promotion
 * function copies the clean ones to KNOWLEDGE_PREFIX.
 */
export const INCOMING_PREFIX = 'incoming/';

/** Documents that passed the malware scan (and, for text, the guardrail): the knowledge base's data source reads only these. */
export const KNOWLEDGE_PREFIX = 'knowledge/';

/** Bedrock's model-invocation logs (full prompts and answers), when the operations stack turns logging on. */
export const MODEL_INVOCATIONS_PREFIX = 'model-invocations/';

/**
 * Governance (evaluation and red-teaming). Under one prefix so that one write
 * fence exemption and one operator policy cover it; each part has one writer.
 */
export const EVALUATIONS_PREFIX = 'evaluations/';

/** Prompt datasets a Bedrock model-evaluation job reads (uploaded by `npm run evaluate`). */
export const EVALUATION_DATASETS_PREFIX = `${EVALUATIONS_PREFIX}datasets/`;

/** Where Bedrock model-evaluation jobs write their results; only the evaluation role may write here. */
export const EVALUATION_RESULTS_PREFIX = `${EVALUATIONS_PREFIX}results/`;

/** Runs of `npm run redteam`, one JSON document each. */
export const REDTEAM_RUNS_PREFIX = `${EVALUATIONS_PREFIX}redteam/`;

/**
 * Model customization (docs/customization.md). Training data is untrusted
 * until the approval function has checked it; a customization job reads the
 * approved copies only.
 */
export const TRAINING_PREFIX = 'training/';

/** Where `npm run customize -- prepare` uploads a training file: the drop zone nothing reads but the approval function. */
export const TRAINING_INTAKE_PREFIX = `${TRAINING_PREFIX}intake/`;

/** Training files that passed the malware scan, the format check and the sensitive-information screen, each with its manifest; one writer. */
export const TRAINING_APPROVED_PREFIX = `${TRAINING_PREFIX}approved/`;

/** Where Bedrock, as the customization job role, writes a job's metrics; one writer. */
export const CUSTOMIZATION_OUTPUT_PREFIX = `${TRAINING_PREFIX}output/`;

/** Comparisons of a custom model with its base model (`npm run customize -- compare`). */
export const COMPARISONS_PREFIX = `${EVALUATIONS_PREFIX}comparisons/`;
