import { normalizeMarkdown } from '../../scripts/generated-block';
import * as fs from 'node:fs';
import { COMPLIANCE_CONFIGURATIONS } from '../../tools/configurations';
import { complianceSummary, fullReport, REPORT, SUMMARY_DOC, withSummary } from '../../scripts/compliance';
import { sharedSynthesis, TEST_ENV } from '../support/build-app';
import { lintTheConfigurations } from '../support/cfn-lint';
import { PolicyWorld } from '../support/iam-harness';
import { proveTheGate } from '../support/prove-gate';
import { APPROVED_CUSTOM_MODEL } from '../support/gate-matrix';
import { uncoveredConditionKeys } from '../support/condition-coverage';
import { refusalViolations } from '../support/refusals';

/**
 * The compliance configurations (tools/configurations.ts), each synthesized
 * once behind the gate and checked three ways from the same templates: the
 * gate proof, the report `npm run compliance` writes, and cfn-lint.
 */
const gated = (overrides: Readonly<Record<string, unknown>>) => sharedSynthesis(overrides);
proveTheGate(COMPLIANCE_CONFIGURATIONS, { compareUngated: true });
const summary = complianceSummary((overrides) => gated(overrides).record);
// cfn-lint also reads the approved custom model's templates (a test configuration:
// its comparison is a test fixture, which `npm run compliance` cannot read).
lintTheConfigurations(
  [...COMPLIANCE_CONFIGURATIONS, APPROVED_CUSTOM_MODEL],
  (overrides) => gated(overrides).assembly,
  TEST_ENV.region,
);

describe('npm run compliance', () => {
  test('every pack ran and left no unacknowledged finding, in every configuration', () => {
    expect(summary.packs.map((p) => p.pack)).toEqual(
      expect.arrayContaining([
        'AwsSolutions',
        'NIST.800.53.R5',
        'HIPAA.Security',
        'PCI.DSS.321',
        'Serverless',
        'Control Tower (cfn-guard)',
      ]),
    );
    for (const pack of summary.packs)
      expect({ pack: pack.pack, findings: pack.findings }).toEqual({ pack: pack.pack, findings: 0 });
    for (const pack of summary.packs.filter((p) => p.pack !== 'CloudFormation Validate'))
      expect(pack.rules).toBeGreaterThan(0);
  });

  test('every acknowledgement names a resource and gives a specific reason', () => {
    expect(summary.acknowledgements.length).toBeGreaterThan(10);
    for (const ack of summary.acknowledgements) {
      expect(ack.resource).toMatch(/^GuardedGenAi-/);
      expect(ack.reason.length).toBeGreaterThan(40);
    }
  });

  test('docs/compliance.md and the summary in docs/compliance-gate.md are what the script produces (run npm run compliance)', () => {
    expect(normalizeMarkdown(fs.readFileSync(REPORT, 'utf8'))).toBe(normalizeMarkdown(fullReport(summary)));
    const readme = fs.readFileSync(SUMMARY_DOC, 'utf8');
    expect(normalizeMarkdown(readme)).toBe(normalizeMarkdown(withSummary(readme, summary)));
  });
});

describe('documented refusals (test/support/service-requests.ts, `refuses`)', () => {
  test.each(COMPLIANCE_CONFIGURATIONS)(
    '%s: no resource policy requires a condition AWS says cannot be used on its path',
    (_name, overrides) => {
      const world = new PolicyWorld(gated(overrides).assembly, TEST_ENV);
      expect(refusalViolations(world.resourcePolicies())).toEqual([]);
    },
  );
});

// Issue 22: a condition on a service principal stays only where an AWS page
// shows that service sending the key on that path (a cited row of
// test/support/service-requests.ts), or where the assumption is written down in
// the register (lib/shared/assumptions.ts, docs/assumptions.md). The compliance
// configurations together turn every switch on (the default among them), and
// each is synthesized once here already.
describe('condition keys on service principals (cited, or in the assumptions register)', () => {
  test.each(COMPLIANCE_CONFIGURATIONS)(
    '%s: every key a policy requires of an AWS service is covered',
    (_name, overrides) => {
      const world = new PolicyWorld(gated(overrides).assembly, TEST_ENV);
      expect(uncoveredConditionKeys(world.resourcePolicies(), TEST_ENV.region)).toEqual([]);
    },
  );
});
