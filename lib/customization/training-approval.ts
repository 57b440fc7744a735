import * as path from 'node:path';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeWildcardResource } from '../compliance/acknowledge';
import { projectKeyLogGroup } from '../compliance/deploy-time-function';
import { acknowledgeFunctionFindings } from '../compliance/function-findings';
import { esmBundling } from '../esm-bundling';
import type { PublishedGuardrail } from '../guarded-ai/guardrail';
import { functionUrlCallStatements } from '../guarded-ai/invoker-policy';
import { ingestionGuardrail } from '../ingestion/ingestion-guardrail';
import type { TrainingApprovalEnvironment } from '../shared/customization-contract';
import { trainingApprovalRoleName } from '../shared/names';
import { approvalPermissions } from './approval-permissions';

export interface TrainingApprovalProps {
  readonly dataBucket: s3.IBucket;
  readonly key: kms.IKey;
  /** The key that encrypts the guardrails alone (guarded-invoke stack). */
  readonly guardrailKeyArn: string;
  /** The customization base model the data is checked for. */
  readonly baseModel: string;
  readonly logRetention: logs.RetentionDays;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The one way training data becomes trusted (notes, data preparation for
 * fine-tuning: the data's governance decides what the model learns). A batch
 * uploaded under training/intake/ is approved only by this function, which
 * checks the uploaded version itself, whatever the caller says about it:
 * GuardDuty's malware verdict, the format the base model's fine-tuning
 * takes, and every record's text against the sensitive-information policy.
 * Only then does it copy the file to training/approved/, where the bucket lets
 * no one else write, with a manifest that names the file's digest, the
 * checks and who asked.
 *
 * Called through an IAM-authenticated function URL, so that "who asked" is
 * the principal Lambda verified (the authorizer's userArn), not a name the
 * caller sends. Synchronous: the caller learns the verdict, and a batch has
 * no state between calls but the objects themselves.
 */
export class TrainingApproval extends Construct {
  public readonly function: NodejsFunction;
  public readonly functionUrl: lambda.FunctionUrl;
  public readonly role: iam.Role;
  public readonly policy: iam.ManagedPolicy;
  public readonly logGroup: logs.LogGroup;
  /** The sensitive-information policy alone, which every record's text must pass. */
  public readonly guardrail: PublishedGuardrail;

  constructor(scope: Construct, id: string, props: TrainingApprovalProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.logGroup = projectKeyLogGroup(this, 'Logs', {
      key: props.key,
      retention: props.logRetention,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      whyShortRetentionIsEnough:
        'every approval leaves its manifest in the bucket, and every refusal is answered to the person who asked.',
    });
    this.guardrail = ingestionGuardrail(
      this,
      props.guardrailKeyArn,
      'Screens training data for fine-tuning: the sensitive-information policy alone.',
    );
    this.role = new iam.Role(this, 'Role', {
      // Named: the data bucket lets only this role write under training/approved/.
      roleName: trainingApprovalRoleName(stack.stackName),
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Training-data approval: checks a batch under training/intake/ and copies it to training/approved/',
    });
    const { statements, wildcards } = approvalPermissions({
      dataBucket: props.dataBucket,
      key: props.key,
      guardrailArn: this.guardrail.guardrailArn,
      guardrailKeyArn: props.guardrailKeyArn,
      logGroupArn: this.logGroup.logGroupArn,
    });
    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      description: 'Everything the training-data approval function may do.',
      roles: [this.role],
      statements,
    });
    for (const [resource, reason] of wildcards) acknowledgeWildcardResource(this.policy, resource, reason);

    const environment: TrainingApprovalEnvironment = {
      DATA_BUCKET: props.dataBucket.bucketName,
      KMS_KEY_ARN: props.key.keyArn,
      GUARDRAIL_ARN: this.guardrail.guardrailArn,
      GUARDRAIL_VERSION: this.guardrail.versionNumber,
      BASE_MODEL: props.baseModel,
    };
    this.function = new NodejsFunction(this, 'Function', {
      description:
        'Approves a training batch after the malware scan, the format check and the sensitive-information screen.',
      entry: path.join(__dirname, '..', '..', 'lambda', 'training-approval', 'index.ts'),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      // The file is held in memory while its records are screened (at most
      // MAX_TRAINING_BYTES, lib/shared/training-data.ts).
      memorySize: 1024,
      // Ends before the caller's HTTP client gives up on the answer (300 s,
      // lib/shared/training-data.ts MAX_TRAINING_BYTES): a 4 MiB file is about
      // 4,600 guardrail text units, some 3 minutes at a new account's rate.
      timeout: Duration.seconds(270),
      role: this.role.withoutPolicyUpdates(),
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      tracing: lambda.Tracing.ACTIVE,
      environment: { ...environment, NODE_OPTIONS: '--enable-source-maps' },
      bundling: esmBundling('training-approval'),
    });
    this.function.node.addDependency(this.policy);
    this.functionUrl = this.function.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });
    acknowledgeApprovalFunction(this.function);
  }

  /** What calling the function's URL takes (for the operator policy). */
  public callStatements(): iam.PolicyStatement[] {
    return functionUrlCallStatements(this.function.functionArn);
  }
}

function acknowledgeApprovalFunction(fn: NodejsFunction): void {
  acknowledgeFunctionFindings(fn.node.defaultChild as lambda.CfnFunction, {
    deadLetterQueue:
      'Called only synchronously through its function URL: the caller receives every failure as a status and JSON message, and nothing is queued that could be lost.',
    reservedConcurrency:
      'Called by a person preparing training data, one batch at a time; a reservation would take from new accounts with a concurrency quota of 10 what this rare call never needs.',
    outsideVpc:
      "Calls only S3 and Bedrock, limited by IAM to this project's training prefixes and its own guardrail; it holds no data between invocations, and training/approved/ is exempt from the network's write fence because this role is its sole writer.",
  });
}
