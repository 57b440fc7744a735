import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { acknowledgeWildcardResource } from '../compliance/acknowledge';
import { keyThroughS3Statement } from '../data-protection/prefix-write';
import { guardrailUseStatements } from '../guarded-ai/guardrail-use';
import { modelArns, type ModelTarget } from '../guarded-ai/model';
import {
  COMPARISONS_PREFIX,
  CUSTOMIZATION_OUTPUT_PREFIX,
  REDTEAM_RUNS_PREFIX,
  TRAINING_APPROVED_PREFIX,
  TRAINING_INTAKE_PREFIX,
  TRAINING_PREFIX,
} from '../shared/data-layout';
import { arnInAccount } from '../shared/names';
import { customizationJobArns } from './job-role';

export interface CustomizationOperatorPolicyProps {
  readonly bucket: s3.IBucket;
  readonly key: kms.IKey;
  /** What calling the approval function's URL takes. */
  readonly approvalCallStatements: readonly iam.PolicyStatement[];
  /** The one role customization jobs may be started with. */
  readonly jobRole: iam.IRole;
  /** The customization base model (`amazon.nova-micro-v1:0:128k`), in this region. */
  readonly baseModelIdentifier: string;
  /** The configured model, which `npm run redteam -- --model base` calls for the comparison. */
  readonly model: ModelTarget;
  /** The project guardrail, applied to both models in the comparison, with the key that encrypts it alone. */
  readonly guardrail: { readonly arn: string; readonly keyArn: string };
  /** Stacks whose outputs the command reads (DescribeStacks). */
  readonly stackNames: readonly string[];
}

/**
 * For the people who fine-tune (`npm run customize`): put training data in
 * the drop zone and ask for its approval, start and watch jobs with the one
 * job role, deploy, red-team and delete what they made, and write the
 * comparison. Nothing here writes training/approved/ or training/output/:
 * the bucket lets only the approval function and the job role do that.
 */
export function customizationOperatorPolicy(
  scope: Construct,
  props: CustomizationOperatorPolicyProps,
): iam.ManagedPolicy {
  const stack = Stack.of(scope);
  const { bucket, key } = props;
  const intake = bucket.arnForObjects(`${TRAINING_INTAKE_PREFIX}*`);
  const comparisons = bucket.arnForObjects(`${COMPARISONS_PREFIX}*`);
  // `npm run redteam -- --model` uploads its runs, which compare reads.
  const redteamRuns = bucket.arnForObjects(`${REDTEAM_RUNS_PREFIX}*`);
  const readable = [TRAINING_APPROVED_PREFIX, CUSTOMIZATION_OUTPUT_PREFIX].map((p) => bucket.arnForObjects(`${p}*`));
  const jobs = customizationJobArns(stack);
  const models = arnInAccount(stack, 'bedrock', 'custom-model/*');
  const deployments = arnInAccount(stack, 'bedrock', 'custom-model-deployment/*');
  const baseModel = `arn:${stack.partition}:bedrock:${stack.region}::foundation-model/${props.baseModelIdentifier}`;
  const { profileArn, foundationModelArns } = modelArns(stack, props.model);
  const stacks = props.stackNames.map((name) => arnInAccount(stack, 'cloudformation', `stack/${name}/*`));

  const policy = new iam.ManagedPolicy(scope, 'OperatorPolicy', {
    description: 'Fine-tune the configured Nova model on approved data, deploy, compare and delete the result.',
    statements: [
      ...props.approvalCallStatements,
      new iam.PolicyStatement({
        sid: 'UploadTrainingDataRunsAndComparisons',
        actions: ['s3:PutObject'],
        resources: [intake, redteamRuns, comparisons],
      }),
      // The scan tag of the version just uploaded, which `prepare` waits for.
      new iam.PolicyStatement({ sid: 'ReadTheScanTag', actions: ['s3:GetObjectVersionTagging'], resources: [intake] }),
      new iam.PolicyStatement({ sid: 'ReadManifestsAndJobOutput', actions: ['s3:GetObject'], resources: readable }),
      new iam.PolicyStatement({
        sid: 'ListTheTrainingData',
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': `${TRAINING_PREFIX}*` } },
      }),
      keyThroughS3Statement(bucket, key, 'UseTheKeyThroughS3ForThisBucket'),
      // Authorised on three resources at once: the base model, the custom
      // model it makes and the job (the policy AWS shows for starting one,
      // https://docs.aws.amazon.com/step-functions/latest/dg/connect-bedrock.html).
      new iam.PolicyStatement({
        sid: 'FineTuneTheBaseModel',
        actions: ['bedrock:CreateModelCustomizationJob'],
        resources: [baseModel, models, jobs],
      }),
      new iam.PolicyStatement({
        sid: 'WatchAndStopJobs',
        actions: ['bedrock:GetModelCustomizationJob', 'bedrock:StopModelCustomizationJob'],
        resources: [jobs],
      }),
      new iam.PolicyStatement({
        sid: 'DeployAndDeleteCustomModels',
        actions: [
          'bedrock:GetCustomModel',
          'bedrock:DeleteCustomModel',
          'bedrock:CreateCustomModelDeployment',
          'bedrock:GetCustomModelDeployment',
          'bedrock:DeleteCustomModelDeployment',
        ],
        resources: [models, deployments],
      }),
      // Whether a create call that carries tags is also authorised as
      // TagResource is not stated for these calls; allowing it on the same
      // resource types makes the path work either way.
      new iam.PolicyStatement({
        sid: 'TagAndReadTagsOfWhatTheyMake',
        actions: ['bedrock:TagResource', 'bedrock:ListTagsForResource'],
        resources: [jobs, models, deployments],
      }),
      new iam.PolicyStatement({
        sid: 'ListJobsModelsAndDeployments',
        actions: [
          'bedrock:ListModelCustomizationJobs',
          'bedrock:ListCustomModels',
          'bedrock:ListCustomModelDeployments',
        ],
        resources: ['*'],
      }),
      // The comparison: the same red-team corpus through Converse on the
      // configured model and on a deployment, with the project guardrail.
      new iam.PolicyStatement({
        sid: 'RedTeamTheBaseAndCustomModels',
        actions: ['bedrock:InvokeModel'],
        resources: [...(profileArn ? [profileArn] : []), ...foundationModelArns, deployments, models],
      }),
      ...guardrailUseStatements(props.guardrail.arn, props.guardrail.keyArn, 'ApplyTheProjectGuardrail'),
      // A model encrypted with a customer key needs the caller's permission to
      // use it ("If the model is encrypted with a AWS KMS key, you must have
      // permission to use that key",
      // https://docs.aws.amazon.com/bedrock/latest/userguide/deploy-custom-model-on-demand.html),
      // through Bedrock only.
      new iam.PolicyStatement({
        sid: 'UseTheKeyThroughBedrockForCustomModels',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey', 'kms:CreateGrant'],
        resources: [key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `bedrock.${stack.region}.amazonaws.com` } },
      }),
      new iam.PolicyStatement({
        sid: 'PassTheJobRoleToBedrock',
        actions: ['iam:PassRole'],
        resources: [props.jobRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'bedrock.amazonaws.com' } },
      }),
      new iam.PolicyStatement({
        sid: 'ReadTheAppStackOutputs',
        actions: ['cloudformation:DescribeStacks'],
        resources: stacks,
      }),
    ],
  });

  const ack = (resource: string, reason: string) => acknowledgeWildcardResource(policy, resource, reason);
  ack(
    intake,
    'Each batch is a folder of its own name under training/intake/, the untrusted drop zone; never training/approved/.',
  );
  ack(comparisons, 'Each comparison is named by its own SHA-256 under evaluations/comparisons/.');
  ack(redteamRuns, 'Each red-team run of either model is named by its run id under evaluations/redteam/.');
  for (const arn of readable)
    ack(
      arn,
      'Manifests of approved batches and the metrics of jobs, read to start and follow a job; nothing else in the bucket.',
    );
  ack(
    jobs,
    'Job ids are assigned by Bedrock when a job starts; limited to customization jobs of this account and region.',
  );
  ack(
    models,
    'Custom model ids are assigned by Bedrock when a job ends; limited to custom models of this account and region.',
  );
  ack(
    deployments,
    'Deployment ids are assigned by Bedrock; limited to custom model deployments of this account and region.',
  );
  ack('*', 'The three List actions have no resource type: the API accepts only "*".');
  if (foundationModelArns[0].includes(':*::')) {
    ack(
      foundationModelArns[0],
      'The configured model is an inference profile, which reaches its one foundation model in any region of its geography.',
    );
  }
  for (const arn of stacks) {
    ack(
      arn,
      'A stack ARN ends in the id CloudFormation assigns at creation; DescribeStacks is limited to this stack name in this account and region.',
    );
  }
  return policy;
}
