import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { keyThroughS3Statement } from '../data-protection/prefix-write';
import { acknowledgeWildcardResource } from '../compliance/acknowledge';
import { modelArns, type ModelTarget } from '../guarded-ai/model';
import { EVALUATION_DATASETS_PREFIX, EVALUATION_RESULTS_PREFIX } from '../shared/data-layout';
import { arnInAccount } from '../shared/names';

export interface EvaluationRoleProps {
  /** Fixed in advance: the data bucket's policy names this role as the sole writer of the results prefix. */
  readonly roleName: string;
  /** The one model an evaluation job may invoke. */
  readonly model: ModelTarget;
  /** The data bucket (datasets in, results out) and its key. */
  readonly bucket: s3.IBucket;
  readonly key: kms.IKey;
  /**
   * The account-wide enforced guardrail, when it is on: every inference call
   * of the account goes through it, the evaluation job's included.
   * @default - no enforced guardrail
   */
  readonly enforcedGuardrail?: { readonly guardrailArn: string; readonly guardrailKeyArn: string };
}

/**
 * The service role Bedrock uses to run an automatic model-evaluation job:
 * read the prompt datasets, invoke the configured model, write the results.
 * Follows "Service role requirements for automatic model evaluation jobs",
 * with every resource narrowed to this project.
 * https://docs.aws.amazon.com/bedrock/latest/userguide/automatic-service-roles.html
 *
 * Jobs are created without customerEncryptionKeyId, so Bedrock keeps the job
 * metadata under an AWS owned key and needs no statement in the key policy;
 * the results are SSE-KMS objects in our bucket, written through S3.
 */
export class EvaluationRole extends Construct {
  public readonly role: iam.Role;
  public readonly policy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: EvaluationRoleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { bucket, key } = props;

    // The documented trust: Bedrock, for an evaluation job of this account
    // and region. The job ARN cannot be named (the job does not exist yet):
    // AWS requires the evaluation-job/* wildcard. (The page writes ArnEquals;
    // with a wildcard, ArnLike is the operator that means the same.)
    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      description: 'Bedrock model evaluation: read evaluations/datasets/, invoke the configured model, write results',
      assumedBy: new iam.ServicePrincipal('bedrock.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': arnInAccount(stack, 'bedrock', 'evaluation-job/*') },
        },
      }),
    });

    const datasets = bucket.arnForObjects(`${EVALUATION_DATASETS_PREFIX}*`);
    const results = bucket.arnForObjects(`${EVALUATION_RESULTS_PREFIX}*`);
    const { profileArn, foundationModelArns } = modelArns(stack, props.model);

    const statements = [
      // AllowAccessToCustomDatasets, narrowed to the datasets prefix.
      new iam.PolicyStatement({
        sid: 'ReadTheDatasets',
        actions: ['s3:GetObject'],
        resources: [datasets],
      }),
      // AllowAccessToOutputBucket, narrowed to the results prefix: the job
      // writes its output files there (multipart for large ones) and reads
      // them back. Nothing else in the bucket.
      new iam.PolicyStatement({
        sid: 'WriteTheResults',
        actions: ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload'],
        resources: [results],
      }),
      // Listing in the form AWS documents for the service role: the bucket,
      // in this account. Whether the job and its permission check always
      // list with a prefix is not documented, and an s3:prefix condition they
      // do not meet would fail every job (the knowledge base role is listed
      // the same way); listing shows key names only, and reading and writing
      // stay limited to the two prefixes.
      new iam.PolicyStatement({
        sid: 'ListTheDataBucket',
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { StringEquals: { 'aws:ResourceAccount': stack.account } },
      }),
      // Bucket-level actions of the documented output statement; they reveal
      // the bucket's region and the keys of uploads in progress, no content.
      new iam.PolicyStatement({
        sid: 'LocateTheBucket',
        actions: ['s3:GetBucketLocation', 's3:ListBucketMultipartUploads'],
        resources: [bucket.bucketArn],
      }),
      // SSE-KMS objects: S3 uses the key for the role, in the bucket's region
      // and (S3 Bucket Keys) with the bucket ARN as encryption context.
      // kms:DescribeKey is on the page's list too; it reveals the key's
      // metadata only, and is granted under the same conditions.
      // https://docs.aws.amazon.com/bedrock/latest/userguide/model-evaluation-security-data.html
      keyThroughS3Statement(bucket, key, 'UseTheKeyThroughS3ForThisBucket'),
      new iam.PolicyStatement({
        sid: 'DescribeTheKeyThroughS3',
        actions: ['kms:DescribeKey'],
        resources: [key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(bucket).region}.amazonaws.com` } },
      }),
      // AllowAccessToBedrockResources, narrowed to the configured model.
      new iam.PolicyStatement({
        sid: 'InvokeTheConfiguredModel',
        actions: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
        resources: profileArn ? [profileArn] : foundationModelArns,
      }),
    ];
    if (profileArn) {
      // Behind an inference profile the call reaches the foundation model in
      // one of the profile's regions: allowed only through this profile.
      // https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-prereq.html
      statements.push(
        new iam.PolicyStatement({
          sid: 'InvokeTheModelThroughTheProfile',
          actions: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
          resources: foundationModelArns,
          conditions: { StringEquals: { 'bedrock:InferenceProfileArn': profileArn } },
        }),
        new iam.PolicyStatement({
          sid: 'ReadTheInferenceProfile',
          actions: ['bedrock:GetInferenceProfile'],
          resources: [profileArn],
        }),
      );
    }
    if (props.enforcedGuardrail) {
      // An account-wide enforced guardrail applies to the job's model calls
      // too, and fails callers without ApplyGuardrail on it with
      // AccessDenied; guardrail users need kms:Decrypt on its key (the
      // documented form has no condition). That key encrypts the guardrail
      // alone: the project key stays usable only through S3.
      // https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-resource-based-policies.html
      // https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-permissions-kms.html
      statements.push(
        new iam.PolicyStatement({
          sid: 'ApplyTheEnforcedGuardrail',
          actions: ['bedrock:ApplyGuardrail'],
          resources: [props.enforcedGuardrail.guardrailArn],
        }),
        new iam.PolicyStatement({
          sid: 'ReadTheEncryptedGuardrail',
          actions: ['kms:Decrypt'],
          resources: [props.enforcedGuardrail.guardrailKeyArn],
        }),
      );
    }

    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      description: 'Everything a Bedrock model-evaluation job of this app may do',
      roles: [this.role],
      statements,
    });

    acknowledgeWildcardResource(
      this.policy,
      datasets,
      'A job reads the dataset files it is given, whatever their names, under the one evaluations/datasets/ prefix; nothing else in the bucket.',
    );
    acknowledgeWildcardResource(
      this.policy,
      results,
      'Bedrock names the result files after the job, its id and the model (not known in advance), under the one evaluations/results/ prefix this role alone may write.',
    );
    if (profileArn) {
      acknowledgeWildcardResource(
        this.policy,
        foundationModelArns[0],
        'An inference profile routes to this one foundation model in any region of its geography (a list that changes over time); the bedrock:InferenceProfileArn condition allows it only through our profile.',
      );
    }
  }
}
