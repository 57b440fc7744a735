import { CfnOutput, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { ProjectConfig } from '../config';
import { RECORDS_PREFIX } from '../data-protection/data-protection-stack';
import { SecureBucket } from '../data-protection/secure-bucket';
import { AccessAnalyzers } from './access-analyzer';
import { ALERT_SOURCES } from './alert-sources';
import { AuditTrail } from './audit-trail';
import { FindingAlerts, type AlertSource } from './findings-alerts';
import { ThreatDetector } from './guardduty';
import { SensitiveDataDiscovery } from './macie';
import { S3MalwareProtection } from './malware-protection';
import { SecurityHubBaseline } from './security-hub';
import { ConfigurationRecorder } from './config-recorder';

export type ThreatDetectionConfig = Pick<
  ProjectConfig,
  | 'removalPolicy'
  | 'noncurrentVersionRetentionDays'
  | 'accessLogRetentionDays'
  | 'logRetentionDays'
  | 'guardDuty'
  | 'guardDutyDetectorId'
  | 'guardDutyFeatures'
  | 'guardDutyFindingsExport'
  | 'malwareProtection'
  | 'macie'
  | 'accessAnalyzer'
  | 'unusedAccessAnalyzer'
  | 'unusedAccessAgeDays'
  | 'cloudTrail'
  | 'securityHub'
  | 'configRecorder'
  | 'alertSeverity'
  | 'alertEmail'
>;

export interface ThreatDetectionStackProps extends StackProps {
  readonly config: ThreatDetectionConfig;
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
    const { config, key, dataBucket } = props;
    const removalPolicy = config.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const logRetention = config.logRetentionDays as logs.RetentionDays;
    const noncurrentVersionRetention = Duration.days(config.noncurrentVersionRetentionDays);
    const exportFindings = config.guardDutyFindingsExport && config.guardDuty !== 'off';

    if (config.cloudTrail || exportFindings || config.configRecorder === 'create') {
      // Access logs cannot cross stacks: the log bucket's policy names each
      // source bucket, and the data-protection stack cannot refer to this one.
      this.accessLogBucket = SecureBucket.forAccessLogs(this, 'AccessLogs', {
        noncurrentVersionRetention,
        retention: Duration.days(config.accessLogRetentionDays),
        removalPolicy,
      });
    }

    if (config.guardDuty !== 'off') {
      this.detector = new ThreatDetector(this, 'GuardDuty', {
        choice:
          config.guardDuty === 'create'
            ? { kind: 'create', features: config.guardDutyFeatures }
            : { kind: 'existing', detectorId: config.guardDutyDetectorId },
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
      if (config.guardDuty === 'create') {
        new CfnOutput(this, 'GuardDutyFeatures', { value: config.guardDutyFeatures.join(',') });
      }
    }

    if (config.malwareProtection) {
      this.malwareProtection = new S3MalwareProtection(this, 'MalwareProtection', { bucket: dataBucket });
      new CfnOutput(this, 'MalwareProtectionPlanId', {
        value: this.malwareProtection.plan.attrMalwareProtectionPlanId,
      });
      new CfnOutput(this, 'MalwarePassRolePolicyArn', {
        value: this.malwareProtection.passRolePolicy.managedPolicyArn,
      });
    }

    if (config.macie !== 'off') {
      this.sensitiveData = new SensitiveDataDiscovery(this, 'Macie', {
        session: config.macie,
        bucket: dataBucket,
        prefix: RECORDS_PREFIX,
        logKey: key,
        logRetention,
        removalPolicy,
      });
      new CfnOutput(this, 'MacieClassificationJobId', { value: this.sensitiveData.jobId });
    }

    this.accessAnalyzers = new AccessAnalyzers(this, 'AccessAnalyzer', {
      externalAccess: config.accessAnalyzer === 'create',
      unusedAccessAgeDays: config.unusedAccessAnalyzer === 'create' ? config.unusedAccessAgeDays : undefined,
    });

    if (config.cloudTrail && this.accessLogBucket) {
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

    if (config.configRecorder === 'create' && this.accessLogBucket) {
      this.configRecorder = new ConfigurationRecorder(this, 'Config', {
        key,
        logRetention,
        accessLogs: this.accessLogBucket.bucket,
        noncurrentVersionRetention,
        removalPolicy,
      });
      new CfnOutput(this, 'ConfigRecorderName', { value: this.configRecorder.recorder.ref });
    }

    if (config.securityHub === 'create') {
      this.securityHub = new SecurityHubBaseline(this, 'SecurityHub', removalPolicy);
      // Controls need the recorder; a standard enabled first reports them as failing to evaluate.
      if (this.configRecorder) {
        this.securityHub.standard.node.addDependency(this.configRecorder.recorder, this.configRecorder.deliveryChannel);
      }
    }

    this.alerts = new FindingAlerts(this, 'Alerts', {
      key,
      sources: alertSources(config, dataBucket),
      email: config.alertEmail === '' ? undefined : config.alertEmail,
    });
    new CfnOutput(this, 'AlertTopicArn', { value: this.alerts.topic.topicArn });
    new CfnOutput(this, 'AlertDeadLetterQueueUrl', { value: this.alerts.deadLetters.queueUrl });
    if (this.alerts.rules.length > 0) {
      new CfnOutput(this, 'AlertRuleNames', { value: this.alerts.ruleNames.join(',') });
    }
  }
}

/** The findings that reach the alert topic: those of every service that is on, created here or not. */
function alertSources(config: ThreatDetectionConfig, dataBucket: SecureBucket): AlertSource[] {
  const sources: AlertSource[] = [];
  if (config.guardDuty !== 'off') sources.push(ALERT_SOURCES.guardDutyFindings(config.alertSeverity));
  if (config.malwareProtection) sources.push(ALERT_SOURCES.malwareFound(dataBucket.bucket.bucketName));
  if (config.macie !== 'off') sources.push(ALERT_SOURCES.maciePolicyFindings(), ALERT_SOURCES.macieSensitiveData());
  if (config.accessAnalyzer !== 'off') sources.push(ALERT_SOURCES.externalAccessFindings());
  if (config.unusedAccessAnalyzer !== 'off') sources.push(ALERT_SOURCES.unusedAccessFindings());
  return sources;
}
