/** Where things live in the data bucket: the stacks that write, read and watch it agree on these keys. */

/** Audit records of model invocations; they expire after recordsRetentionDays. */
export const RECORDS_PREFIX = 'records/';

/**
 * The object GuardDuty Malware Protection for S3 writes to check that its role
 * may act on the bucket.
 * https://docs.aws.amazon.com/guardduty/latest/ug/malware-protection-s3-iam-policy-prerequisite.html
 */
export const MALWARE_PROTECTION_VALIDATION_OBJECT = 'malware-protection-resource-validation-object';
