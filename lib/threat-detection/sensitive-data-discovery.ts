import { createHash } from 'node:crypto';
import { Aws, CustomResource, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as macie from 'aws-cdk-lib/aws-macie';
import { Construct } from 'constructs';
import { CustomResourceProvider } from '../compliance/custom-resource-provider';
import { functionLogs } from '../compliance/deploy-time-function';
import type { SecureBucket } from '../data-protection/secure-bucket';
import { EXAMPLE_ID_PATTERN, INTERNAL_ID_PATTERN } from '../shared/record-ids';
import { accountServiceRemoval } from './account-service-removal';
import {
  JOB_QUERY_INTERVAL,
  JOB_SERVICE_TIMEOUT,
  JOB_TOTAL_TIMEOUT,
  jobHandlerFunctions,
  jobProviderPolicy,
} from './classification-job-provider';

/** The first `length` hex digits of the SHA-256 of `value`'s JSON. */
function digestOf(value: unknown, length: number): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, length);
}

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
   * Whether a Macie session created here, and the job provider's log group,
   * survive the deletion of the stack (disabling Macie deletes its findings
   * and jobs).
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * The record-id format Macie reports. Keep it the format the guardrail blocks.
   * @default INTERNAL_ID_PATTERN
   */
  readonly recordIdPattern?: string;
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
  /** The custom resource that creates (and on deletion cancels) the classification job. */
  public readonly job: CustomResource;
  /** The classification job's id, known once it is deployed. */
  public readonly jobId: string;
  /** The handler that answers each request of that custom resource. */
  public readonly jobOnEvent: NodejsFunction;
  /** The handler the framework polls until the job exists. */
  public readonly jobIsComplete: NodejsFunction;
  /** The Provider framework that answers CloudFormation for the two handlers. */
  public readonly jobProvider: CustomResourceProvider;
  /** The execution role of the two handlers. */
  public readonly jobProviderRole: iam.Role;
  /** What that role may do with Macie. */
  public readonly jobPolicy: iam.ManagedPolicy;
  public readonly jobProviderLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: SensitiveDataDiscoveryProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    if (props.session === 'create') {
      this.session = new macie.CfnSession(this, 'Session', {
        status: 'ENABLED',
        // Findings reach EventBridge within 15 minutes (default: 6 hours).
        findingPublishingFrequency: 'FIFTEEN_MINUTES',
      });
      this.session.applyRemovalPolicy(accountServiceRemoval(removalPolicy));
    }

    // Every property of a custom data identifier is create-only, so a changed
    // definition replaces it, and CloudFormation creates the replacement before
    // deleting the original. Names must be unique in the account: the name is
    // the stack's name plus a digest of the definition, so the replacement gets
    // a new one.
    const identifier = {
      description: 'Internal record identifiers (GGA-yyyy-XXXXXX), the format the guardrail blocks in answers',
      regex: props.recordIdPattern ?? INTERNAL_ID_PATTERN,
    };
    this.customDataIdentifier = new macie.CfnCustomDataIdentifier(this, 'InternalIdentifier', {
      name: `${stack.stackName}-internal-record-id-${digestOf(identifier, 8)}`,
      ...identifier,
    });
    // An allow list is updated in place: its name can stay fixed.
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
    const providerLogs = functionLogs(
      this,
      { logGroup: 'JobProviderLogs', policy: 'JobProviderLogPolicy' },
      {
        role: this.jobProviderRole,
        key: props.logKey,
        retention: props.logRetention,
        removalPolicy,
        whyShortRetentionIsEnough:
          'it only records the create and cancel calls of the job, which CloudTrail also records.',
      },
    );
    this.jobProviderLogGroup = providerLogs.logGroup;
    const logPolicy = providerLogs.policy;
    this.jobPolicy = jobProviderPolicy(this, this.jobProviderRole);
    const handlers = jobHandlerFunctions(this, this.jobProviderRole, this.jobProviderLogGroup, [
      logPolicy,
      this.jobPolicy,
    ]);
    this.jobOnEvent = handlers.onEvent;
    this.jobIsComplete = handlers.isComplete;
    this.jobProvider = new CustomResourceProvider(this, 'JobFramework', {
      onEventHandler: this.jobOnEvent,
      isCompleteHandler: this.jobIsComplete,
      queryInterval: JOB_QUERY_INTERVAL,
      totalTimeout: JOB_TOTAL_TIMEOUT,
      logGroup: this.jobProviderLogGroup,
      logPolicy,
      job: 'creates, updates or deletes the Macie job (it invokes only the job handlers)',
      // The function that served the job before the framework.
      replacesFunction: 'JobProvider',
    });

    this.job = new CustomResource(this, 'Job', {
      resourceType: 'Custom::MacieClassificationJob',
      serviceToken: this.jobProvider.serviceToken,
      // The framework always answers; should it not, fail after this rather
      // than CloudFormation's default of an hour.
      serviceTimeout: JOB_SERVICE_TIMEOUT,
      properties: { Job: stack.toJsonString(this.classificationJob(props)) },
    });
    // The identifier and allow list are referenced by the job's definition;
    // the session is not, so it is an explicit dependency.
    if (this.session) this.job.node.addDependency(this.session);
    this.jobId = this.job.getAttString('JobId');
  }

  /**
   * The CreateClassificationJob request. Its client token makes the create
   * idempotent: it is a digest of the definition plus the stack's id, so a
   * retried create returns the same job, a changed definition gets a new job
   * (jobs cannot be edited), and a stack deleted and created again (a new
   * stack UUID) does not get its old, cancelled job back.
   */
  private classificationJob(props: SensitiveDataDiscoveryProps): Record<string, unknown> {
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
    const digest = digestOf(
      stack.resolve({
        stack: stack.stackName,
        definition,
        // The identifier's id is a reference, the same before and after a
        // replacement; its name is not, so a new identifier means a new job.
        identifier: this.customDataIdentifier.name,
        // Tokens of the former AwsCustomResource hashed no `provider`: the
        // old resource's cancel on upgrade can never hit a job made here.
        provider: 'lambda/macie-job',
      }),
      16,
    );
    const stackUuid = Fn.select(2, Fn.split('/', Aws.STACK_ID));
    return {
      ...definition,
      clientToken: `${digest}-${stackUuid}`,
      name: `${stack.stackName}-records-${digest.slice(0, 8)}`,
      description: `Weekly discovery of sensitive data under ${props.prefix} of the data bucket`,
    };
  }
}
