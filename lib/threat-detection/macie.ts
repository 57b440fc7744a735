import { createHash } from 'node:crypto';
import { Aws, Duration, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as macie from 'aws-cdk-lib/aws-macie';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledgeProjectKeyLogGroup, acknowledgeWildcardResource } from '../compliance/acknowledge';
import type { SecureBucket } from '../data-protection/secure-bucket';
import { INTERNAL_ID_PATTERN } from '../guarded-ai/guardrail';
import { arnInAccount } from './names';

/**
 * Identifiers that look like ours but are the documented examples (`GGA-0000-…`)
 * used in the README, the tests and sample prompts: not sensitive, so Macie
 * should not report them.
 */
export const EXAMPLE_ID_PATTERN = 'GGA-0000-[A-Z0-9]{6}';

export interface SensitiveDataDiscoveryProps {
  /** Turn Macie on here ("create"), or rely on the session the account has ("existing"). */
  readonly session: 'create' | 'existing';
  /** The bucket to look into. */
  readonly bucket: SecureBucket;
  /** Only objects under this prefix are classified. */
  readonly prefix: string;
  /** Key for the log group of the job provider's function. */
  readonly logKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  /**
   * Whether a Macie session created here survives the deletion of the stack
   * (disabling Macie deletes its findings and jobs).
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Amazon Macie: find sensitive data before anyone relies on it (notes,
 * security chapter: discover and classify the data that feeds and leaves an
 * AI workload).
 *
 * Macie's managed identifiers find PII and credentials; a custom data
 * identifier teaches it the project's own record-id format (the one the
 * guardrail blocks in answers), and an allow list keeps the documented
 * example ids out of the findings. A weekly job classifies new audit records.
 */
export class SensitiveDataDiscovery extends Construct {
  public readonly session?: macie.CfnSession;
  public readonly customDataIdentifier: macie.CfnCustomDataIdentifier;
  public readonly allowList: macie.CfnAllowList;
  /** The custom resource that creates the classification job. */
  public readonly job: cr.AwsCustomResource;
  /** The execution role of the job provider's function. */
  public readonly jobProviderRole: iam.Role;
  /** What that role may do with Macie. */
  public readonly jobPolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: SensitiveDataDiscoveryProps) {
    super(scope, id);
    const stack = Stack.of(this);

    if (props.session === 'create') {
      this.session = new macie.CfnSession(this, 'Session', {
        status: 'ENABLED',
        // Findings reach EventBridge within 15 minutes (default: 6 hours).
        findingPublishingFrequency: 'FIFTEEN_MINUTES',
      });
      this.session.applyRemovalPolicy(props.removalPolicy ?? RemovalPolicy.RETAIN);
    }

    // Names must be unique in the account: derived from the stack name.
    this.customDataIdentifier = new macie.CfnCustomDataIdentifier(this, 'InternalIdentifier', {
      name: `${stack.stackName}-internal-record-id`,
      description: 'Internal record identifiers (GGA-yyyy-XXXXXX), the format the guardrail blocks in answers',
      regex: INTERNAL_ID_PATTERN,
    });
    this.allowList = new macie.CfnAllowList(this, 'ExampleIdentifiers', {
      name: `${stack.stackName}-example-record-ids`,
      description: 'Documented example identifiers (GGA-0000-...): not sensitive',
      criteria: { regex: EXAMPLE_ID_PATTERN },
    });
    for (const resource of [this.customDataIdentifier, this.allowList]) {
      if (this.session) resource.node.addDependency(this.session);
    }

    this.jobProviderRole = new iam.Role(this, 'JobProviderRole', {
      description: 'Runs the custom resource that creates and cancels the Macie classification job',
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    const { job, policy } = this.classificationJob(props);
    this.job = job;
    this.jobPolicy = policy;
  }

  /**
   * CloudFormation has no resource for Macie classification jobs, so CDK's
   * AwsCustomResource calls the Macie API, which makes each step idempotent:
   * - create: the client token is a digest of the job definition and the
   *   stack's id, so a retried create returns the same job instead of a
   *   second one;
   * - update: a changed definition is a new token, hence a new job, and
   *   CloudFormation then deletes the old one;
   * - delete: cancels the job; a job that is already cancelled or gone is fine.
   * Jobs cannot be edited in place, which is why update means replace.
   */
  private classificationJob(props: SensitiveDataDiscoveryProps): {
    job: cr.AwsCustomResource;
    policy: iam.ManagedPolicy;
  } {
    const stack = Stack.of(this);
    const definition = {
      jobType: 'SCHEDULED',
      scheduleFrequency: { weeklySchedule: { dayOfWeek: 'MONDAY' } },
      // Scan what is already there on creation; later runs see new objects only.
      initialRun: true,
      managedDataIdentifierSelector: 'RECOMMENDED',
      customDataIdentifierIds: [this.customDataIdentifier.attrId],
      allowListIds: [this.allowList.attrId],
      s3JobDefinition: {
        bucketDefinitions: [{ accountId: stack.account, buckets: [props.bucket.bucket.bucketName] }],
        scoping: {
          includes: {
            and: [{ simpleScopeTerm: { comparator: 'STARTS_WITH', key: 'OBJECT_KEY', values: [props.prefix] } }],
          },
        },
      },
    };
    const digest = createHash('sha256')
      .update(JSON.stringify(stack.resolve({ stack: stack.stackName, definition })))
      .digest('hex')
      .slice(0, 16);
    // Macie remembers a client token: a stack deleted and created again with
    // the same definition would get the old, cancelled job back. The stack's
    // own id (a UUID per creation) makes the token unique to this stack.
    const stackUuid = Fn.select(2, Fn.split('/', Aws.STACK_ID));
    const create: cr.AwsSdkCall = {
      service: 'Macie2',
      action: 'createClassificationJob',
      parameters: {
        ...definition,
        clientToken: `${digest}-${stackUuid}`,
        name: `${stack.stackName}-records-${digest.slice(0, 8)}`,
        description: `Weekly discovery of sensitive data under ${props.prefix} of the data bucket`,
      },
      physicalResourceId: cr.PhysicalResourceId.fromResponse('jobId'),
      outputPaths: ['jobId', 'jobArn'],
    };
    const jobs = arnInAccount(stack, 'macie2', 'classification-job/*');

    const logGroup = new logs.LogGroup(this, 'JobProviderLogs', {
      encryptionKey: props.logKey,
      retention: props.logRetention,
    });
    acknowledgeProjectKeyLogGroup(
      logGroup,
      props.logRetention,
      'it only records the create and cancel calls of the job, which CloudTrail also records.',
    );
    const logPolicy = new iam.ManagedPolicy(this, 'JobProviderLogPolicy', {
      roles: [this.jobProviderRole],
      statements: [
        new iam.PolicyStatement({
          sid: 'WriteOwnLogs',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [logGroup.logGroupArn],
        }),
      ],
    });
    acknowledgeWildcardResource(
      logPolicy,
      logGroup.logGroupArn,
      'The ":*" suffix of a log group ARN covers its log streams, whose names Lambda chooses; no other log group is reachable.',
    );

    // The provider's permissions, as a customer-managed policy on our own role
    // (AwsCustomResource would otherwise add an inline policy).
    const jobPolicy = new iam.ManagedPolicy(this, 'JobProviderPolicy', {
      roles: [this.jobProviderRole],
      statements: [
        new iam.PolicyStatement({
          sid: 'CreateTheJobWithOurIdentifierAndAllowList',
          actions: ['macie2:CreateClassificationJob'],
          resources: [jobs, this.customDataIdentifier.attrArn, this.allowList.attrArn],
        }),
        new iam.PolicyStatement({
          sid: 'CancelJobs',
          actions: ['macie2:UpdateClassificationJob'],
          resources: [jobs],
        }),
      ],
    });
    acknowledgeWildcardResource(
      jobPolicy,
      jobs,
      'Macie assigns the job id when the job is created, so no policy can name it beforehand; the role can only create and cancel classification jobs, in this account and region.',
    );
    const job = new cr.AwsCustomResource(this, 'ClassificationJob', {
      resourceType: 'Custom::MacieClassificationJob',
      onCreate: create,
      onUpdate: create,
      onDelete: {
        service: 'Macie2',
        action: 'updateClassificationJob',
        parameters: { jobId: new cr.PhysicalResourceIdReference(), jobStatus: 'CANCELLED' },
        // Already cancelled, finished or deleted by hand: nothing left to do.
        ignoreErrorCodesMatching: 'ResourceNotFoundException|ValidationException',
      },
      role: this.jobProviderRole,
      logGroup,
      timeout: Duration.minutes(2),
      installLatestAwsSdk: false,
    });
    job.node.addDependency(logPolicy, jobPolicy);
    for (const dependency of [this.session, this.customDataIdentifier, this.allowList]) {
      if (dependency) job.node.addDependency(dependency);
    }
    this.acknowledgeProviderFunction();
    return { job, policy: jobPolicy };
  }

  /** The provider is CDK's singleton function behind every AwsCustomResource of the stack. */
  private acknowledgeProviderFunction(): void {
    const provider = Stack.of(this).node.tryFindChild('AWS679f53fac002430cb0da5b7982bd2287');
    const fn = provider?.node.defaultChild;
    if (!(fn instanceof lambda.CfnFunction)) return;
    const ack = (id: string, reason: string) => Validations.of(fn).acknowledge({ id, reason });
    const runsOnDeploy =
      'CDK-owned custom-resource provider: it runs only when CloudFormation creates, updates or deletes the Macie job, calls only the Macie API (its role allows create and cancel of classification jobs), and holds no data.';
    for (const id of [
      'NIST.800.53.R5-LambdaDLQ',
      'HIPAA.Security-LambdaDLQ',
      'Serverless-LambdaDLQ',
      'NIST.800.53.R5-LambdaConcurrency',
      'HIPAA.Security-LambdaConcurrency',
      'NIST.800.53.R5-LambdaInsideVPC',
      'HIPAA.Security-LambdaInsideVPC',
      'PCI.DSS.321-LambdaInsideVPC',
      'Serverless-LambdaTracing',
      'Serverless-LambdaDefaultMemorySize',
      // CT.LAMBDA.PR.3
      'cdk-validator-cfnguard::lambda_inside_vpc_check',
    ]) {
      ack(id, runsOnDeploy);
    }
  }
}
