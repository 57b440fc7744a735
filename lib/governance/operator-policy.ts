import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { keyThroughS3Statement } from '../data-protection/prefix-write';
import { acknowledgeWildcardResource } from '../compliance/acknowledge';
import { functionUrlCallStatements } from '../guarded-ai/invoker-policy';
import { modelArns, type ModelTarget } from '../guarded-ai/model';
import { EVALUATION_DATASETS_PREFIX, EVALUATIONS_PREFIX, REDTEAM_RUNS_PREFIX } from '../shared/data-layout';
import { arnInAccount } from '../shared/names';
import { guardrailUseStatements } from '../guarded-ai/guardrail-use';

export interface GovernanceOperatorPolicyProps {
  /** The guarded invoke function red-teaming calls through its URL. */
  readonly functionArn: string;
  /** The project guardrail, which red-teaming may also apply on its own. */
  readonly guardrailArn: string;
  /** The key that encrypts the guardrail, and nothing else. */
  readonly guardrailKeyArn: string;
  /** The project key: the evaluations/ objects are encrypted with it (used through S3 only). */
  readonly key: kms.IKey;
  /** The data bucket: its evaluations/ prefix holds datasets, results and red-team runs. */
  readonly bucket: s3.IBucket;
  /** The service role evaluation jobs run as: the one role the operator may pass. */
  readonly evaluationRole: iam.IRole;
  /** The configured model: the one an operator may start evaluation jobs on. */
  readonly model: ModelTarget;
  /** Stacks whose outputs the scripts read (DescribeStacks). */
  readonly stackNames: readonly string[];
}

/**
 * For the people who red-team and evaluate the deployment (`npm run redteam`,
 * `npm run evaluate`): call the function, apply the guardrail, upload
 * datasets and red-team runs, start and watch evaluation jobs of the
 * configured model with the evaluation role, read what they produce. Separate
 * from the invoker policy: calling the service does not make one an evaluator.
 * https://docs.aws.amazon.com/bedrock/latest/userguide/model-evaluation-type-automatic.html
 */
export function governanceOperatorPolicy(scope: Construct, props: GovernanceOperatorPolicyProps): iam.ManagedPolicy {
  const stack = Stack.of(scope);
  const { bucket, key } = props;
  const uploads = [`${EVALUATION_DATASETS_PREFIX}*`, `${REDTEAM_RUNS_PREFIX}*`].map((k) => bucket.arnForObjects(k));
  const everything = bucket.arnForObjects(`${EVALUATIONS_PREFIX}*`);
  const jobs = arnInAccount(stack, 'bedrock', 'evaluation-job/*');
  const { profileArn, foundationModelArns } = modelArns(stack, props.model);
  const stacks = props.stackNames.map((name) => arnInAccount(stack, 'cloudformation', `stack/${name}/*`));

  const policy = new iam.ManagedPolicy(scope, 'OperatorPolicy', {
    description: 'Red-team and evaluate the deployment: call the function, apply the guardrail, run evaluation jobs.',
    statements: [
      ...functionUrlCallStatements(props.functionArn),
      // The project key stays usable only through S3, for this bucket.
      ...guardrailUseStatements(props.guardrailArn, props.guardrailKeyArn),
      // Results are written by the evaluation role alone (the bucket policy
      // denies everyone else): operators upload only inputs and their runs.
      new iam.PolicyStatement({
        sid: 'UploadDatasetsAndRedTeamRuns',
        actions: ['s3:PutObject'],
        resources: uploads,
      }),
      new iam.PolicyStatement({
        sid: 'ReadTheEvaluations',
        actions: ['s3:GetObject'],
        resources: [everything],
      }),
      new iam.PolicyStatement({
        sid: 'ListTheEvaluations',
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': `${EVALUATIONS_PREFIX}*` } },
      }),
      keyThroughS3Statement(bucket, key, 'UseTheKeyThroughS3ForThisBucket'),
      // CreateEvaluationJob is authorised on the model (foundation-model,
      // custom-model or prompt-router resource types; no job type), so it is
      // limited to the configured model. The reference lists no
      // inference-profile type, yet a job may name a profile; the profile ARN
      // is listed too, which grants nothing if the action never matches it.
      // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonbedrock.html
      // https://docs.aws.amazon.com/bedrock/latest/userguide/model-evaluation-jobs-management-create.html
      new iam.PolicyStatement({
        sid: 'EvaluateTheConfiguredModel',
        actions: ['bedrock:CreateEvaluationJob'],
        resources: profileArn ? [profileArn, ...foundationModelArns] : foundationModelArns,
      }),
      new iam.PolicyStatement({
        sid: 'WatchAndStopEvaluationJobs',
        actions: ['bedrock:GetEvaluationJob', 'bedrock:StopEvaluationJob'],
        resources: [jobs],
      }),
      new iam.PolicyStatement({
        sid: 'ListEvaluationJobs',
        actions: ['bedrock:ListEvaluationJobs'],
        resources: ['*'],
      }),
      // The documented caller policy passes the service role to Bedrock only.
      new iam.PolicyStatement({
        sid: 'PassTheEvaluationRoleToBedrock',
        actions: ['iam:PassRole'],
        resources: [props.evaluationRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'bedrock.amazonaws.com' } },
      }),
      new iam.PolicyStatement({
        sid: 'ReadTheAppStackOutputs',
        actions: ['cloudformation:DescribeStacks'],
        resources: stacks,
      }),
    ],
  });

  for (const upload of uploads) {
    acknowledgeWildcardResource(
      policy,
      upload,
      'Operators upload dataset files and red-team runs of any name under these two prefixes only; never results/, records/ or knowledge/.',
    );
  }
  acknowledgeWildcardResource(
    policy,
    everything,
    'Operators read what evaluation produces (datasets, job results, red-team runs), all under the one evaluations/ prefix; nothing else in the bucket.',
  );
  if (foundationModelArns[0].includes(':*::')) {
    acknowledgeWildcardResource(
      policy,
      foundationModelArns[0],
      'The configured model is an inference profile: an evaluation job of it is authorised on its one foundation model, which the profile reaches in any region of its geography.',
    );
  }
  acknowledgeWildcardResource(
    policy,
    jobs,
    'Evaluation job ids are assigned by Bedrock when a job starts; Get/Stop are limited to jobs of this account and region.',
  );
  acknowledgeWildcardResource(
    policy,
    '*',
    'bedrock:ListEvaluationJobs has no resource type: the API accepts only "*".',
  );
  for (const arn of stacks) {
    acknowledgeWildcardResource(
      policy,
      arn,
      'A stack ARN ends in the id CloudFormation assigns at creation; DescribeStacks is limited to this stack name in this account and region.',
    );
  }
  return policy;
}
