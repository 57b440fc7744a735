import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { logAndTraceStatements } from '../compliance/function-permissions';
import { keyThroughS3ForUploadsStatement } from '../data-protection/prefix-write';
import { guardrailUseStatements } from '../guarded-ai/guardrail-use';
import { TRAINING_APPROVED_PREFIX, TRAINING_INTAKE_PREFIX } from '../shared/data-layout';

export interface ApprovalPermissionsProps {
  readonly dataBucket: s3.IBucket;
  readonly key: kms.IKey;
  /** The training-data guardrail (the sensitive-information policy alone). */
  readonly guardrailArn: string;
  /** The key that encrypts the guardrails, and nothing else. */
  readonly guardrailKeyArn: string;
  readonly logGroupArn: string;
}

/**
 * Everything the approval function may do, and the reason for each wildcard
 * resource: read the uploaded version and its scan tag under
 * training/intake/, screen its text with the guardrail, and write the
 * approved copy and its manifest under training/approved/, where the bucket
 * lets no one else write.
 */
export function approvalPermissions(props: ApprovalPermissionsProps): {
  statements: iam.PolicyStatement[];
  wildcards: [string, string][];
} {
  const bucket = props.dataBucket;
  const intake = bucket.arnForObjects(`${TRAINING_INTAKE_PREFIX}*`);
  const approved = bucket.arnForObjects(`${TRAINING_APPROVED_PREFIX}*`);
  const telemetry = logAndTraceStatements(props.logGroupArn);
  const statements = [
    // The version the caller uploaded, by its id: GetObject and
    // GetObjectTagging with a VersionId are authorised as the Version actions.
    new iam.PolicyStatement({
      sid: 'ReadTheUploadedVersionAndItsScanTag',
      actions: ['s3:GetObjectVersion', 's3:GetObjectVersionTagging'],
      resources: [intake],
    }),
    // A GET of a missing key answers 403 to a caller who may not list the
    // bucket; with the list, an unknown batch is a clear 404.
    new iam.PolicyStatement({
      sid: 'ListOnlyTrainingData',
      actions: ['s3:ListBucket'],
      resources: [bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${TRAINING_INTAKE_PREFIX}*`, `${TRAINING_APPROVED_PREFIX}*`] } },
    }),
    // The copy, and the manifest an approved batch keeps: read back to
    // answer a repeated request, never overwritten by a different file.
    new iam.PolicyStatement({
      sid: 'WriteApprovedTrainingData',
      actions: ['s3:GetObject', 's3:PutObject'],
      resources: [approved],
    }),
    keyThroughS3ForUploadsStatement(bucket, props.key, intake),
    ...guardrailUseStatements(props.guardrailArn, props.guardrailKeyArn, 'ScreenTrainingTextWithTheGuardrail'),
    ...telemetry.statements,
  ];
  const wildcards: [string, string][] = [
    ...telemetry.wildcards,
    [intake, 'Each batch is a folder under training/intake/ named by whoever prepares it; nothing else is read.'],
    [approved, 'Each approved batch is a folder under training/approved/; the function writes nowhere else.'],
  ];
  return { statements, wildcards };
}
