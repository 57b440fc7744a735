import { normalizeMarkdown } from '../../scripts/generated-block';
import * as fs from 'node:fs';
import { COMPLIANCE_CONFIGURATIONS } from '../../tools/configurations';
import { complianceSummary, fullReport, REPORT, SUMMARY_DOC, withSummary } from '../../scripts/compliance';
import { synthesize } from '../support/build-app';
import { proveTheGate } from '../support/prove-gate';

// The compliance configurations are proven behind the gate here, and the
// report below is made from the very same syntheses.
proveTheGate(COMPLIANCE_CONFIGURATIONS, { compareUngated: true });
const summary = complianceSummary((overrides) => synthesize(overrides, { gate: true }));

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
