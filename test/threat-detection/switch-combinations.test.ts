import { buildApp, readValidationReport, unacknowledgedFindings } from '../support/build-app';

/**
 * Every combination of the three-state service switches (GuardDuty, Macie,
 * external-access analyzer: create / existing / off), each with the
 * unused-access analyzer, the configuration recorder and the on/off switches
 * varied along, passes all
 * five cdk-nag packs and the Control Tower controls with zero unacknowledged
 * findings. The full app is synthesized behind the gate each time.
 */
const STATES = ['create', 'existing', 'off'] as const;
const DETECTOR_ID = '0123456789abcdef0123456789abcdef';

const combinations = STATES.flatMap((guardDuty, g) =>
  STATES.flatMap((macie, m) =>
    STATES.map((accessAnalyzer, a) => {
      const i = g * 9 + m * 3 + a;
      const bit = (n: number) => ((i >> n) & 1) === 1;
      const configRecorder = STATES[(i + 2) % 3];
      const overrides: Record<string, unknown> = {
        guardDuty,
        guardDutyDetectorId: guardDuty === 'existing' ? DETECTOR_ID : '',
        guardDutyFindingsExport: guardDuty !== 'off' && bit(0),
        macie,
        accessAnalyzer,
        unusedAccessAnalyzer: STATES[(i + 1) % 3],
        malwareProtection: bit(1),
        cloudTrail: !bit(2),
        configRecorder,
        // Security Hub needs a recorder (created here or existing).
        securityHub: bit(3) && configRecorder !== 'off' ? 'create' : 'off',
        alertEmail: bit(4) ? 'security@example.com' : '',
      };
      return [JSON.stringify(overrides), overrides] as const;
    }),
  ),
);

describe('threat-detection switches', () => {
  test('the table covers every combination of the three-state switches and both values of each on/off switch', () => {
    const seen = (key: string) => new Set(combinations.map(([, o]) => JSON.stringify(o[key])));
    expect(combinations).toHaveLength(27);
    expect(new Set(combinations.map(([, o]) => `${o.guardDuty}/${o.macie}/${o.accessAnalyzer}`)).size).toBe(27);
    for (const key of ['guardDutyFindingsExport', 'malwareProtection', 'cloudTrail', 'securityHub', 'alertEmail']) {
      expect(seen(key).size).toBe(2);
    }
    expect(seen('unusedAccessAnalyzer').size).toBe(3);
    expect(seen('configRecorder').size).toBe(3);
  });

  test.each(combinations)('%s => synthesizes with zero unacknowledged findings', (_name, overrides) => {
    const { app } = buildApp(overrides);
    expect(unacknowledgedFindings(readValidationReport(app.synth()))).toEqual([]);
  });
});
