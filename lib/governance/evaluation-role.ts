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
 * That page's Bedrock statement (Sid AllowAccessToBedrockResources) lists:
 * InvokeModel, InvokeModelWithResponseStream, CreateModelInvocationJob,
 * StopModelInvocationJob, GetProvisionedModelThroughput, GetInferenceProfile,
 * ListInferenceProfiles, GetImportedModel, GetPromptRouter and
 * sagemaker:InvokeEndpoint, over foundation models, inference profiles,
 * provisioned and imported models, prompt routers and SageMaker endpoints.
 * Each is granted here for the kind of model this app can be configured with
 * (a foundation model, or a system inference profile: lib/config's model id
 * pattern admits nothing else). GetProvisionedModelThroughput,
 * GetImportedModel, GetPromptRouter and sagemaker:InvokeEndpoint act only on
 * provisioned models, imported models, prompt routers and endpoints, none of
 * which the app can name, so they are left out rather than granted on "*".
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
    const modelInvocationJobs = arnInAccount(stack, 'bedrock', 'model-invocation-job/*');

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
      // The bucket-ARN context stays: the project key is only ever used here
      // for objects of our bucket. Bedrock's own temporary copy lives in "an
      // AWS-owned Amazon S3 bucket" and "If no customer managed key is
      // specified then an Amazon Bedrock owned key is used by default"
      // (evaluation-data-management.html); `npm run evaluate` never sets
      // customerEncryptionKeyId (test/scripts/evaluate/job.test.ts), so that
      // copy never asks for this key.
      // https://docs.aws.amazon.com/bedrock/latest/userguide/evaluation-data-management.html
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
      // The same statement of the page lists, as "the exact IAM actions that
      // are required", bedrock:CreateModelInvocationJob and
      // bedrock:StopModelInvocationJob: the job may run its generation step
      // as a batch inference job of its own. The Service Authorization
      // Reference requires the model-invocation-job resource (a job id we
      // cannot know: this account and region, any id) and the model for
      // CreateModelInvocationJob (its model types are custom-model and
      // foundation-model, no inference profile); Stop takes the job alone.
      // The model is the configured foundation model (behind a profile, in
      // any region of the profile's geography: the action has no
      // bedrock:InferenceProfileArn key to confine it with, and the required
      // job ARN already pins account and region).
      // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonbedrock.html
      new iam.PolicyStatement({
        sid: 'RunTheGenerationAsABatchJob',
        actions: ['bedrock:CreateModelInvocationJob'],
        resources: [modelInvocationJobs, ...foundationModelArns],
      }),
      new iam.PolicyStatement({
        sid: 'StopTheBatchJob',
        actions: ['bedrock:StopModelInvocationJob'],
        resources: [modelInvocationJobs],
      }),
      // ListInferenceProfiles is on the page's list too, for every job; the
      // action has no resource type, so "*" is the only form it takes. It
      // lists profile names and their model ARNs, nothing of our data.
      new iam.PolicyStatement({
        sid: 'ListInferenceProfiles',
        actions: ['bedrock:ListInferenceProfiles'],
        resources: ['*'],
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
    acknowledgeWildcardResource(
      this.policy,
      modelInvocationJobs,
      'A batch job the evaluation job starts gets an id only when it is created; the ARN pins this account and region, and the role can only create jobs for the configured model and stop them.',
    );
    acknowledgeWildcardResource(
      this.policy,
      '*',
      'bedrock:ListInferenceProfiles has no resource type (Service Authorization Reference), so "*" is its only form; AWS lists it as required for automatic evaluation jobs, and it reveals profile names and model ARNs only.',
    );
    if (profileArn) {
      acknowledgeWildcardResource(
        this.policy,
        foundationModelArns[0],
        'An inference profile routes to this one foundation model in any region of its geography (a list that changes over time); invocation is allowed only through our profile (bedrock:InferenceProfileArn), and a batch job only in this account and region (its model-invocation-job ARN).',
      );
    }
  }
}
