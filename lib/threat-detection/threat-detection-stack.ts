import { CfnOutput, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { RECORDS_PREFIX } from '../shared/data-layout';
import { SecureBucket } from '../data-protection/secure-bucket';
import { AccessAnalyzers } from './access-analyzers';
import { ALERT_SOURCES } from './alert-sources';
import { AuditTrail } from './audit-trail';
import { FindingAlerts, type AlertSource } from './finding-alerts';
import { type DetectorChoice, ThreatDetector } from './threat-detector';
import { SensitiveDataDiscovery } from './sensitive-data-discovery';
import { S3MalwareProtection } from './s3-malware-protection';
import { SecurityHubBaseline } from './security-hub-baseline';
import { ConfigurationRecorder } from './configuration-recorder';

/**
 * An account-level service: turned on by this stack ("create"), already on in
 * the account and only attached to ("existing"), or left alone ("off").
 */
export type ServiceSwitch = 'create' | 'existing' | 'off';

export interface ThreatDetectionStackProps extends StackProps {
  /**
   * Whether buckets, log groups and the services holding findings survive the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /** How long an overwritten or deleted object version stays recoverable. */
  readonly noncurrentVersionRetention: Duration;
  /** How long S3 server access logs of this stack's buckets are kept. */
  readonly accessLogRetention: Duration;
  readonly logRetention: logs.RetentionDays;
  /**
   * GuardDuty: a detector to create (with its features) or the id of one the account has.
   * @default - GuardDuty left alone
   */
  readonly guardDuty?: DetectorChoice;
  /**
   * Export GuardDuty findings to an encrypted bucket of this stack.
   * @default false
   */
  readonly findingsExport?: boolean;
  /** Malware Protection for S3 on the data bucket. */
  readonly malwareProtection: boolean;
  readonly macie: ServiceSwitch;
  readonly accessAnalyzer: ServiceSwitch;
  readonly unusedAccessAnalyzer: ServiceSwitch;
  /** Access unused for longer than this is reported. */
  readonly unusedAccessAge: Duration;
  readonly cloudTrail: boolean;
  /**
   * Enable Security Hub with the Foundational Security Best Practices standard.
   * @default false
   */
  readonly securityHub?: boolean;
  readonly configRecorder: ServiceSwitch;
  /** GuardDuty findings at or above this severity reach the alert topic. */
  readonly alertSeverity: number;
  /**
   * Subscribe this address to the alert topic.
   * @default - no subscription
   */
  readonly alertEmail?: string;
  /**
   * Let the CloudWatch alarms whose names start with this prefix publish to the
   * alert topic (the app's alarms are named `<app>-...` by the stacks that own
   * them, which are built on this one).
   * @default - no alarm may publish
   */
  readonly alarmNamePrefix?: string;
  /**
   * The ingestion stack's promotion queues are encrypted with the alert key
   * too (EventBridge queues scan results there), so the key admits EventBridge
   * even when no alert rule exists.
   * @default false
   */
  readonly scanResultQueues?: boolean;
  readonly key: kms.IKey;
  /** The bucket that is watched: scanned for malware, classified by Macie, its object events recorded. */
  readonly dataBucket: SecureBucket;
}

/**
 * The threat-detection baseline around the data: GuardDuty (with Malware
 * Protection for S3 on the data bucket), Macie, IAM Access Analyzer,
 * CloudTrail and, when asked for, Security Hub; and the alerts that bring
 * their findings to a person.
 *
 * A stack of its own because these are account-level services: each has a
 * switch to create it, attach to what the account already runs, or leave it
 * alone, so the stack deploys into a fresh sandbox and into an account that
 * already runs some of them.
 */
export class ThreatDetectionStack extends Stack {
  public readonly detector?: ThreatDetector;
  public readonly malwareProtection?: S3MalwareProtection;
  public readonly sensitiveData?: SensitiveDataDiscovery;
  public readonly accessAnalyzers: AccessAnalyzers;
  public readonly trail?: AuditTrail;
  public readonly securityHub?: SecurityHubBaseline;
  public readonly configRecorder?: ConfigurationRecorder;
  public readonly alerts: FindingAlerts;
  /** Receives the S3 server access logs of this stack's buckets, when it has any. */
  public readonly accessLogBucket?: SecureBucket;

  constructor(scope: Construct, id: string, props: ThreatDetectionStackProps) {
    super(scope, id, props);
    const { key, dataBucket, logRetention, noncurrentVersionRetention } = props;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const exportFindings = (props.findingsExport ?? false) && props.guardDuty !== undefined;

    if (props.cloudTrail || exportFindings || props.configRecorder === 'create') {
      // Access logs cannot cross stacks: the log bucket's policy names each
      // source bucket, and the data-protection stack cannot refer to this one.
      this.accessLogBucket = SecureBucket.forAccessLogs(this, 'AccessLogs', {
        noncurrentVersionRetention,
        retention: props.accessLogRetention,
        removalPolicy,
      });
    }

    // Construct ids name the service ("GuardDuty", "Macie", "CloudTrail") rather
    // than the construct: they are part of the logical ids of deployed,
    // stateful resources (a detector, a session, buckets), which a rename would replace.
    if (props.guardDuty) {
      this.detector = new ThreatDetector(this, 'GuardDuty', {
        choice: props.guardDuty,
        removalPolicy,
        findingsExport:
          exportFindings && this.accessLogBucket
            ? {
                key,
                accessLogs: this.accessLogBucket.bucket,
                noncurrentVersionRetention,
                removalPolicy,
              }
            : undefined,
      });
      new CfnOutput(this, 'GuardDutyDetectorId', { value: this.detector.detectorId });
      if (props.guardDuty.kind === 'create') {
        new CfnOutput(this, 'GuardDutyFeatures', { value: props.guardDuty.features.join(',') });
      }
    }

    if (props.malwareProtection) {
      this.malwareProtection = new S3MalwareProtection(this, 'MalwareProtection', { bucket: dataBucket });
      new CfnOutput(this, 'MalwareProtectionPlanId', {
        value: this.malwareProtection.plan.attrMalwareProtectionPlanId,
      });
      new CfnOutput(this, 'MalwarePassRolePolicyArn', {
        value: this.malwareProtection.passRolePolicy.managedPolicyArn,
      });
    }

    if (props.macie !== 'off') {
      this.sensitiveData = new SensitiveDataDiscovery(this, 'Macie', {
        session: props.macie,
        bucket: dataBucket,
        prefix: RECORDS_PREFIX,
        logKey: key,
        logRetention,
        removalPolicy,
      });
      new CfnOutput(this, 'MacieClassificationJobId', { value: this.sensitiveData.jobId });
    }

    this.accessAnalyzers = new AccessAnalyzers(this, 'AccessAnalyzer', {
      externalAccess: props.accessAnalyzer === 'create',
      unusedAccessAgeDays: props.unusedAccessAnalyzer === 'create' ? props.unusedAccessAge.toDays() : undefined,
    });

    if (props.cloudTrail && this.accessLogBucket) {
      this.trail = new AuditTrail(this, 'CloudTrail', {
        key,
        watchedBucket: dataBucket.bucket,
        accessLogs: this.accessLogBucket.bucket,
        logRetention,
        noncurrentVersionRetention,
        removalPolicy,
      });
      new CfnOutput(this, 'TrailArn', { value: this.trail.trailArn });
    }
    for (const [name, analyzer] of [
      ['ExternalAccessAnalyzerArn', this.accessAnalyzers.externalAccess],
      ['UnusedAccessAnalyzerArn', this.accessAnalyzers.unusedAccess],
    ] as const) {
      if (analyzer) new CfnOutput(this, name, { value: analyzer.attrArn });
    }

    if (props.configRecorder === 'create' && this.accessLogBucket) {
      this.configRecorder = new ConfigurationRecorder(this, 'ConfigurationRecorder', {
        key,
        logRetention,
        accessLogs: this.accessLogBucket.bucket,
        noncurrentVersionRetention,
        removalPolicy,
      });
      new CfnOutput(this, 'ConfigRecorderName', { value: this.configRecorder.recorder.ref });
    }

    if (props.securityHub) {
      this.securityHub = new SecurityHubBaseline(this, 'SecurityHub', removalPolicy);
      // Controls need the recorder; a standard enabled first reports them as failing to evaluate.
      if (this.configRecorder) {
        this.securityHub.standard.node.addDependency(this.configRecorder.recorder, this.configRecorder.deliveryChannel);
      }
    }

    this.alerts = new FindingAlerts(this, 'Alerts', {
      removalPolicy,
      sources: alertSources(props),
      email: props.alertEmail,
      alarmNamePrefix: props.alarmNamePrefix,
      scanResultQueues: props.scanResultQueues,
    });
    new CfnOutput(this, 'AlertTopicArn', { value: this.alerts.topic.topicArn });
    new CfnOutput(this, 'AlertDeadLetterQueueUrl', { value: this.alerts.deadLetters.queueUrl });
    if (this.alerts.rules.length > 0) {
      new CfnOutput(this, 'AlertRuleNames', { value: this.alerts.ruleNames.join(',') });
    }
  }
}

/** The findings that reach the alert topic: those of every service that is on, created here or not. */
function alertSources(props: ThreatDetectionStackProps): AlertSource[] {
  const sources: AlertSource[] = [];
  if (props.guardDuty) sources.push(ALERT_SOURCES.guardDutyFindings(props.alertSeverity));
  if (props.malwareProtection) sources.push(ALERT_SOURCES.malwareFound(props.dataBucket.bucket.bucketName));
  if (props.macie !== 'off') sources.push(ALERT_SOURCES.maciePolicyFindings(), ALERT_SOURCES.macieSensitiveData());
  if (props.accessAnalyzer !== 'off') sources.push(ALERT_SOURCES.externalAccessFindings());
  if (props.unusedAccessAnalyzer !== 'off') sources.push(ALERT_SOURCES.unusedAccessFindings());
  return sources;
}
