import type { CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { THREAT_DETECTION_OFF, THREAT_DETECTION_OPT_INS } from '../../tools/configurations';
import { synthesize, TEST_ENV } from '../support/build-app';
import { matchesPattern, renderInputTransformer } from '../support/event-pattern';
import { PolicyWorld } from '../support/iam-harness';
import { ALERT_SOURCES, MAX_ALERT_SOURCE_ID_LENGTH } from '../../lib/threat-detection/alert-sources';
import type { AlertSource } from '../../lib/threat-detection/finding-alerts';
import { alertRuleName, RULE_NAME_MAX_LENGTH, threatDetectionStackName } from '../../lib/shared/names';
import {
  ACCESS_ANALYZER_ERROR_FINDING,
  ACCESS_ANALYZER_FINDING,
  GUARDDUTY_FINDING,
  GUARDDUTY_LOW_FINDING,
  MACIE_POLICY_FINDING,
  MACIE_SENSITIVE_DATA_FINDING,
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
  const { assembly, stacks } = synthesize(overrides);
  const world = new PolicyWorld(assembly, TEST_ENV);
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

// Every alert source on: Macie and the unused-access analyzer are off by default (docs/cost.md).
const allOn = deployedRules(THREAT_DETECTION_OPT_INS);
const matching = (rule: DeployedRule, event: SampleEvent) => matchesPattern(rule.pattern, event);
const render = (rule: DeployedRule, event: SampleEvent) => renderInputTransformer(rule.transformer, event);
const withDetail = (event: SampleEvent, changes: Record<string, Json>): SampleEvent => ({
  ...event,
  detail: { ...(event.detail as Record<string, Json>), ...changes },
});

/** Every sample event, by name: the documented examples and variants that must not alert. */
const SAMPLES: Record<string, SampleEvent> = {
  guardDutyHigh: GUARDDUTY_FINDING,
  guardDutyLow: GUARDDUTY_LOW_FINDING,
  malware: malwareScanResult(allOn.dataBucket),
  malwareClean: malwareScanResult(allOn.dataBucket, 'NO_THREATS_FOUND'),
  malwareOtherBucket: malwareScanResult('someone-elses-bucket'),
  maciePolicy: MACIE_POLICY_FINDING,
  macieSensitiveData: MACIE_SENSITIVE_DATA_FINDING,
  externalAccess: ACCESS_ANALYZER_FINDING,
  externalAccessError: ACCESS_ANALYZER_ERROR_FINDING,
  externalAccessArchived: withDetail(ACCESS_ANALYZER_FINDING, { status: 'ARCHIVED' }),
  externalAccessDeleted: withDetail(ACCESS_ANALYZER_FINDING, { isDeleted: true }),
  unusedAccess: UNUSED_ACCESS_FINDING,
  unusedAccessResolved: withDetail(UNUSED_ACCESS_FINDING, { status: 'RESOLVED' }),
};

/** The samples each rule of the default configuration alerts on; every other sample it must ignore. */
const ALERTS_ON: Record<string, readonly string[]> = {
  GuardDutyFindings: ['guardDutyHigh'],
  MalwareFound: ['malware'],
  MaciePolicyFindings: ['maciePolicy'],
  MacieSensitiveData: ['macieSensitiveData'],
  ExternalAccessFindings: ['externalAccess', 'externalAccessError'],
  UnusedAccessFindings: ['unusedAccess'],
};

describe('alert sources', () => {
  // Every factory, so a new one cannot skip the check (the Record type demands all keys).
  const everySource: Record<keyof typeof ALERT_SOURCES, AlertSource> = {
    guardDutyFindings: ALERT_SOURCES.guardDutyFindings(7),
    malwareFound: ALERT_SOURCES.malwareFound('amzn-s3-demo-bucket'),
    maciePolicyFindings: ALERT_SOURCES.maciePolicyFindings(),
    macieSensitiveData: ALERT_SOURCES.macieSensitiveData(),
    externalAccessFindings: ALERT_SOURCES.externalAccessFindings(),
    unusedAccessFindings: ALERT_SOURCES.unusedAccessFindings(),
  };

  // The longest app name config accepts (/^[A-Z][A-Za-z0-9]{2,24}$/) gives the longest stack name.
  const longestStackName = threatDetectionStackName(`A${'a'.repeat(24)}`);

  test.each(Object.values(everySource).map((source) => [source.id]))(
    '%s is short enough for the rule name <longest stack name>-<id>',
    (id) => {
      expect(id).toMatch(/^[A-Za-z0-9]+$/);
      expect(id.length).toBeLessThanOrEqual(MAX_ALERT_SOURCE_ID_LENGTH);
      expect(alertRuleName(longestStackName, id).length).toBeLessThanOrEqual(RULE_NAME_MAX_LENGTH);
    },
  );

  test('MAX_ALERT_SOURCE_ID_LENGTH is exactly what the longest stack name leaves', () => {
    expect(longestStackName.length + 1 + MAX_ALERT_SOURCE_ID_LENGTH).toBe(RULE_NAME_MAX_LENGTH);
  });

  test('ids are unique', () => {
    const ids = Object.values(everySource).map((source) => source.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('alert rules against the sample events of the AWS documentation', () => {
  test('with Macie and the unused-access analyzer on, exactly the rules above', () => {
    expect(Object.keys(allOn.rules).sort()).toEqual(Object.keys(ALERTS_ON).sort());
  });

  test.each(Object.keys(ALERTS_ON))('%s matches only its own samples', (id) => {
    const matched = Object.entries(SAMPLES)
      .filter(([, event]) => matching(allOn.rules[id], event))
      .map(([name]) => name);
    expect(matched.sort()).toEqual([...ALERTS_ON[id]].sort());
  });

  test.each(Object.keys(ALERTS_ON))('%s renders its message from every sample it matches', (id) => {
    for (const name of ALERTS_ON[id]) {
      expect(() => render(allOn.rules[id], SAMPLES[name])).not.toThrow();
    }
  });

  test('a message reading a field its event lacks fails (why Macie has two rules)', () => {
    expect(() => render(allOn.rules.MacieSensitiveData, MACIE_POLICY_FINDING)).toThrow(
      /\$\.detail\.resourcesAffected\.s3Object\.key is missing in the Macie Finding event/,
    );
    expect(() => render(allOn.rules.UnusedAccessFindings, ACCESS_ANALYZER_FINDING)).toThrow(
      /\$\.detail\.findingType is missing in the Access Analyzer Finding event/,
    );
  });

  test('GuardDuty: alertSeverity=2 => low findings alert too', () => {
    const { rules } = deployedRules({ alertSeverity: 2 });
    expect(matching(rules.GuardDutyFindings, GUARDDUTY_LOW_FINDING)).toBe(true);
  });

  test('the default configuration (Macie and unused access off) => no rules of theirs, the others still alert', () => {
    const { rules } = deployedRules();
    expect(Object.keys(rules).sort()).toEqual(
      Object.keys(ALERTS_ON)
        .filter((id) => !['MaciePolicyFindings', 'MacieSensitiveData', 'UnusedAccessFindings'].includes(id))
        .sort(),
    );
    expect(matching(rules.ExternalAccessFindings, ACCESS_ANALYZER_FINDING)).toBe(true);
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
    expect(Object.keys(existing.rules).sort()).toEqual(Object.keys(ALERTS_ON).sort());
  });
});

describe('alert messages are short and readable', () => {
  const message = (id: string, sample: string) => render(allOn.rules[id], SAMPLES[sample]);

  test('GuardDuty: severity, type, account and a console link to the finding', () => {
    // fromText makes the template a JSON string, so the text arrives in quotes.
    expect(message('GuardDutyFindings', 'guardDutyHigh')).toBe(
      JSON.stringify(
        'GuardDuty finding, severity 8: UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS ' +
          'in account 111122223333 | ' +
          'https://us-east-1.console.aws.amazon.com/guardduty/home?region=us-east-1#/findings?fId=16afba5c5c43e07c9e3e5e2e544e95df',
      ),
    );
  });

  test('malware: the object and a console link', () => {
    const text = message('MalwareFound', 'malware');
    expect(text).toContain(`Malware found in s3://${allOn.dataBucket}/objectKey`);
    expect(text).toContain(
      `https://ca-central-1.console.aws.amazon.com/s3/object/${allOn.dataBucket}?region=ca-central-1&prefix=objectKey`,
    );
  });

  test('Macie policy finding: severity, title, type, the bucket and a console link', () => {
    expect(message('MaciePolicyFindings', 'maciePolicy')).toBe(
      JSON.stringify(
        'Macie finding, severity High: Block Public Access settings are disabled for the S3 bucket | ' +
          'type Policy:IAMUser/S3BlockPublicAccessDisabled | bucket s3://guarded-ai-data-111111111111-eu-west-1 | ' +
          'https://eu-west-1.console.aws.amazon.com/macie/home?region=eu-west-1#findings?itemId=64b917aa-3843-014c-91d8-937ffexample',
      ),
    );
  });

  test('Macie sensitive data finding: also the object', () => {
    expect(message('MacieSensitiveData', 'macieSensitiveData')).toContain(
      'type SensitiveData:S3Object/Multiple | object s3://guarded-ai-data-111111111111-eu-west-1/uploads/2026/customers.csv | ',
    );
  });

  test('Access Analyzer: which kind of finding, on which resource', () => {
    expect(message('ExternalAccessFindings', 'externalAccess')).toContain(
      'Access Analyzer: external access to AWS::S3::Bucket arn:aws:s3:::amzn-s3-demo-bucket in account 111122223333',
    );
    expect(message('UnusedAccessFindings', 'unusedAccess')).toContain(
      'Access Analyzer: unused access (UnusedPermission) on AWS::IAM::Role arn:aws:iam::111122223333:role/FindingIntegTestFakeRole in account 111122223333',
    );
  });

  test.each(Object.keys(ALERTS_ON))('%s messages stay short', (id) => {
    for (const name of ALERTS_ON[id]) expect(message(id, name).length).toBeLessThan(600);
  });
});
