import type { CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { THREAT_DETECTION_OFF } from '../../lib/compliance/configurations';
import { buildApp, TEST_ENV } from '../support/build-app';
import { matchesPattern, renderInputTransformer } from '../support/event-pattern';
import { PolicyWorld } from '../support/iam-harness';
import {
  ACCESS_ANALYZER_FINDING,
  GUARDDUTY_FINDING,
  GUARDDUTY_LOW_FINDING,
  MACIE_FINDING,
  malwareScanResult,
  type SampleEvent,
  UNUSED_ACCESS_FINDING,
} from './sample-events';

type Json = Parameters<PolicyWorld['resolve']>[0];
interface DeployedRule {
  readonly pattern: Record<string, Json>;
  readonly transformer: { InputPathsMap: Record<string, string>; InputTemplate: string };
}

/** The alert rules of the threat-detection stack, keyed by construct id, with every reference resolved. */
function deployedRules(overrides: Record<string, unknown> = {}): {
  rules: Record<string, DeployedRule>;
  dataBucket: string;
} {
  const { app, stacks } = buildApp(overrides);
  const world = new PolicyWorld(app.synth(), TEST_ENV);
  const stack = stacks.threatDetection;
  const template = Template.fromStack(stack).toJSON() as {
    Resources: Record<string, { Type: string; Properties: Record<string, Json> }>;
  };
  const rules: Record<string, DeployedRule> = {};
  for (const rule of stacks.threatDetection.alerts.rules) {
    const logicalId = stack.getLogicalId(rule.node.defaultChild as CfnElement);
    const properties = world.resolve(template.Resources[logicalId].Properties as Json, stack.stackName) as {
      EventPattern: Record<string, Json>;
      Targets: { InputTransformer: DeployedRule['transformer'] }[];
    };
    rules[rule.node.id] = { pattern: properties.EventPattern, transformer: properties.Targets[0].InputTransformer };
  }
  return { rules, dataBucket: world.arnOf(stacks.dataProtection.dataBucket.bucket).replace('arn:aws:s3:::', '') };
}

const defaults = deployedRules();
const matching = (rule: DeployedRule, event: SampleEvent) => matchesPattern(rule.pattern, event);

describe('alert rules against the sample events of the AWS documentation', () => {
  const samples: Record<string, SampleEvent> = {
    GuardDutyFindings: GUARDDUTY_FINDING,
    MalwareFound: malwareScanResult(defaults.dataBucket),
    MacieFindings: MACIE_FINDING,
    AccessAnalyzerFindings: ACCESS_ANALYZER_FINDING,
  };

  test('the default configuration has exactly one rule per finding source', () => {
    expect(Object.keys(defaults.rules).sort()).toEqual(Object.keys(samples).sort());
  });

  test.each(Object.keys(samples))('%s matches its own sample and no other source', (id) => {
    for (const [sampleOf, event] of Object.entries(samples)) {
      expect({ rule: id, sample: sampleOf, matches: matching(defaults.rules[id], event) }).toEqual({
        rule: id,
        sample: sampleOf,
        matches: sampleOf === id,
      });
    }
  });

  test('GuardDuty: severity 8 alerts and severity 2 does not at the default threshold (7)', () => {
    expect(matching(defaults.rules.GuardDutyFindings, GUARDDUTY_FINDING)).toBe(true);
    expect(matching(defaults.rules.GuardDutyFindings, GUARDDUTY_LOW_FINDING)).toBe(false);
  });

  test('GuardDuty: alertSeverity=2 => low findings alert too', () => {
    const { rules } = deployedRules({ alertSeverity: 2 });
    expect(matching(rules.GuardDutyFindings, GUARDDUTY_LOW_FINDING)).toBe(true);
  });

  test('malware: a clean scan, or threats in another bucket, do not alert', () => {
    expect(matching(defaults.rules.MalwareFound, malwareScanResult(defaults.dataBucket, 'NO_THREATS_FOUND'))).toBe(
      false,
    );
    expect(matching(defaults.rules.MalwareFound, malwareScanResult('someone-elses-bucket'))).toBe(false);
  });

  test('Access Analyzer: unused-access findings alert too; archived or deleted findings do not', () => {
    const rule = defaults.rules.AccessAnalyzerFindings;
    expect(matching(rule, UNUSED_ACCESS_FINDING)).toBe(true);
    const detail = ACCESS_ANALYZER_FINDING.detail as Record<string, Json>;
    expect(matching(rule, { ...ACCESS_ANALYZER_FINDING, detail: { ...detail, status: 'ARCHIVED' } })).toBe(false);
    expect(matching(rule, { ...ACCESS_ANALYZER_FINDING, detail: { ...detail, isDeleted: true } })).toBe(false);
  });

  test('unused-access analyzer off => its findings do not alert, external ones still do', () => {
    const { rules } = deployedRules({ unusedAccessAnalyzer: 'off' });
    expect(matching(rules.AccessAnalyzerFindings, UNUSED_ACCESS_FINDING)).toBe(false);
    expect(matching(rules.AccessAnalyzerFindings, ACCESS_ANALYZER_FINDING)).toBe(true);
  });

  test('services left off have no rule; "existing" services keep theirs', () => {
    const off = deployedRules(THREAT_DETECTION_OFF);
    expect(Object.keys(off.rules)).toEqual([]);
    const existing = deployedRules({
      guardDuty: 'existing',
      guardDutyDetectorId: '0123456789abcdef0123456789abcdef',
      macie: 'existing',
      accessAnalyzer: 'existing',
      unusedAccessAnalyzer: 'existing',
    });
    expect(Object.keys(existing.rules).sort()).toEqual(Object.keys(samples).sort());
  });
});

describe('alert messages are short and readable', () => {
  const render = (id: string, event: SampleEvent) => renderInputTransformer(defaults.rules[id].transformer, event);

  test('GuardDuty: severity, title, type, resource and a console link to the finding', () => {
    const message = render('GuardDutyFindings', GUARDDUTY_FINDING);
    expect(message).toContain('severity 8');
    expect(message).toContain('Credentials for instance role GeneratedFindingUserName used from external IP address.');
    expect(message).toContain('UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS');
    expect(message).toContain('resource AccessKey in account 111122223333');
    expect(message).toContain(
      'https://us-east-1.console.aws.amazon.com/guardduty/home?region=us-east-1#/findings?fId=16afba5c5c43e07c9e3e5e2e544e95df',
    );
    expect(message.length).toBeLessThan(600);
  });

  test('malware: the object, its version and a console link', () => {
    const message = render('MalwareFound', malwareScanResult(defaults.dataBucket));
    expect(message).toContain(`Malware found in s3://${defaults.dataBucket}/objectKey`);
    expect(message).toContain('version NpeIP.i5R7OBO0bChPbGTmSsym5UohWS');
    expect(message).toContain(
      `https://ca-central-1.console.aws.amazon.com/s3/object/${defaults.dataBucket}?region=ca-central-1`,
    );
  });

  test('Macie: severity, title, type and a console link', () => {
    const message = render('MacieFindings', MACIE_FINDING);
    expect(message).toContain('Macie finding, severity Low: Encryption is disabled for the S3 bucket');
    expect(message).toContain('Policy:IAMUser/S3BucketEncryptionDisabled');
    expect(message).toContain('https://us-east-1.console.aws.amazon.com/macie/home?region=us-east-1');
  });

  test('Access Analyzer: what kind of finding, on which resource', () => {
    expect(render('AccessAnalyzerFindings', ACCESS_ANALYZER_FINDING)).toContain(
      'Access Analyzer Finding: AWS::S3::Bucket arn:aws:s3:::amzn-s3-demo-bucket',
    );
    expect(render('AccessAnalyzerFindings', UNUSED_ACCESS_FINDING)).toContain(
      'Unused Access Finding for IAM entities: AWS::IAM::Role arn:aws:iam::111122223333:role/FindingIntegTestFakeRole (UnusedPermission)',
    );
  });
});
