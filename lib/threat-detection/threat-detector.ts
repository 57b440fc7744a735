import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as guardduty from 'aws-cdk-lib/aws-guardduty';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { GuardDutyFeature } from '../config';
import { SecureBucket } from '../data-protection/secure-bucket';
import { accountServiceRemoval } from './account-service-removal';
import { arnInAccount } from '../shared/names';

/** Prefix of the findings-export bucket under which GuardDuty writes. */
export const FINDINGS_EXPORT_PREFIX = 'guardduty/';

/** What to do with GuardDuty in this account and region. */
export type DetectorChoice =
  | { readonly kind: 'create'; readonly features: readonly GuardDutyFeature[] }
  | { readonly kind: 'existing'; readonly detectorId: string };

export interface ThreatDetectorProps {
  readonly choice: DetectorChoice;
  /**
   * Whether a detector created here survives the deletion of the stack. The
   * detector holds the account's findings: deleting it deletes them.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Export findings to an encrypted bucket of this construct.
   * @default - no export
   */
  readonly findingsExport?: {
    readonly key: kms.IKey;
    readonly accessLogs: s3.IBucket;
    readonly noncurrentVersionRetention: Duration;
    readonly removalPolicy: RemovalPolicy;
  };
}

/**
 * Amazon GuardDuty: continuous threat detection from the account's logs
 * (notes, security chapter: threat detection is one of the foundational
 * services every AI workload sits on).
 *
 * GuardDuty allows one detector per account and region, so an account that
 * already has one gets "existing": this construct then only refers to it, and
 * everything that needs a detector id (the findings export) still attaches.
 */
export class ThreatDetector extends Construct {
  public readonly detectorId: string;
  public readonly detectorArn: string;
  /** The bucket findings are exported to, when export is on. */
  public readonly findingsBucket?: SecureBucket;

  constructor(scope: Construct, id: string, props: ThreatDetectorProps) {
    super(scope, id);
    const stack = Stack.of(this);

    if (props.choice.kind === 'create') {
      const features = props.choice.features;
      if (features.includes('RUNTIME_MONITORING') && features.includes('EKS_RUNTIME_MONITORING')) {
        throw new Error(`${this.node.path}: RUNTIME_MONITORING supersedes EKS_RUNTIME_MONITORING; enable one`);
      }
      const detector = new guardduty.CfnDetector(this, 'Detector', {
        enable: true,
        // Findings reach EventBridge (and the alert topic) within 15 minutes
        // instead of the default six hours for updates.
        findingPublishingFrequency: 'FIFTEEN_MINUTES',
        // Protection plans as `Features` only: CloudFormation rejects a
        // detector that mixes them with the legacy `DataSources` block.
        features: features.map((name) => ({ name, status: 'ENABLED' })),
      });
      detector.applyRemovalPolicy(accountServiceRemoval(props.removalPolicy));
      this.detectorId = detector.ref;
      if (features.includes('S3_DATA_EVENTS')) {
        // CT.GUARDDUTY.PR.1
        Validations.of(detector).acknowledge({
          id: 'cdk-validator-cfnguard::guardduty_s3_protection_enabled_check',
          reason:
            'S3 protection IS on, as the S3_DATA_EVENTS feature; the Guard rule only reads the legacy DataSources.S3Logs, which CloudFormation refuses to combine with Features. Without S3_DATA_EVENTS in guardDutyFeatures this finding stands and the gate fails.',
        });
      }
    } else {
      this.detectorId = props.choice.detectorId;
    }
    this.detectorArn = arnInAccount(stack, 'guardduty', `detector/${this.detectorId}`);

    if (props.findingsExport) {
      this.findingsBucket = this.exportFindings(props.findingsExport);
    }
  }

  /**
   * GuardDuty keeps findings for 90 days; exporting them to S3 keeps them as
   * long as the bucket's lifecycle says. The bucket policy lets GuardDuty
   * write only for this detector and this account.
   * https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_exportfindings.html
   */
  private exportFindings(props: NonNullable<ThreatDetectorProps['findingsExport']>): SecureBucket {
    const bucket = new SecureBucket(this, 'Findings', {
      // No S3 Bucket Key: GuardDuty's page grants it kms:GenerateDataKey
      // alone and says nothing of Bucket Keys, while CloudTrail's says a
      // Bucket Key needs kms:Decrypt as well
      // (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html).
      // Without one the export works with the documented statement either
      // way; GuardDuty writes a few objects every 15 minutes, so the saved
      // KMS requests would be worth little.
      encryption: { kind: 'kms', key: props.key, bucketKey: false },
      serverAccessLogs: { bucket: props.accessLogs, prefix: 'guardduty-findings/' },
      // No expiry: keeping findings longer than GuardDuty does is the point.
      noncurrentVersionRetention: props.noncurrentVersionRetention,
      objectLockOmittedReason:
        'findings are copies of what GuardDuty holds; versioning and the RETAIN policy keep them, and a sandbox must be able to delete the bucket.',
      removalPolicy: props.removalPolicy,
    });
    const stack = Stack.of(this);
    const fromThisDetector = {
      StringEquals: { 'aws:SourceAccount': stack.account, 'aws:SourceArn': this.detectorArn },
    };
    const guardDuty = new iam.ServicePrincipal('guardduty.amazonaws.com');
    bucket.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'GuardDutyFindsTheBucket',
        principals: [guardDuty],
        actions: ['s3:GetBucketLocation'],
        resources: [bucket.bucket.bucketArn],
        conditions: fromThisDetector,
      }),
    );
    bucket.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'GuardDutyWritesFindings',
        principals: [guardDuty],
        actions: ['s3:PutObject'],
        resources: [bucket.bucket.arnForObjects(`${FINDINGS_EXPORT_PREFIX}*`)],
        conditions: fromThisDetector,
      }),
    );
    const destination = new guardduty.CfnPublishingDestination(this, 'FindingsExport', {
      detectorId: this.detectorId,
      destinationType: 'S3',
      destinationProperties: {
        destinationArn: `${bucket.bucket.bucketArn}/${FINDINGS_EXPORT_PREFIX}`,
        kmsKeyArn: props.key.keyArn,
      },
    });
    // GuardDuty tests that it can write when the destination is created.
    if (bucket.bucket.policy) destination.node.addDependency(bucket.bucket.policy);
    return bucket;
  }
}
