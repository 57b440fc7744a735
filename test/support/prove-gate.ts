import { parseConfig } from '../../lib/config';
import { stackNames } from '../../lib/shared/names';
import { COMPLIANCE_CONFIGURATIONS } from '../../tools/configurations';
import { CDK_JSON_CONTEXT } from '../../tools/build-app';
import { configurationKey, GATE_MATRIX } from './gate-matrix';
import { buildApp, sharedSynthesis, unacknowledgedFindings } from './build-app';
import { crossStackProblems } from './cross-stack';

type Entry = readonly [string, Readonly<Record<string, unknown>>];

/**
 * The matrix without the compliance configurations (test/compliance/configurations.test.ts
 * proves those, with the report made from the same syntheses).
 */
export function matrixWithoutComplianceConfigurations(): Entry[] {
  const reported = new Set(COMPLIANCE_CONFIGURATIONS.map(([, o]) => configurationKey(o)));
  return GATE_MATRIX.filter(([, o]) => !reported.has(configurationKey(o)));
}

/**
 * Prove each configuration behind the gate: zero unacknowledged findings in
 * all five packs and the Control Tower controls, and strong cross-stack
 * references. With `compareUngated`, also that the ungated synthesis the other
 * tests use gives the very same templates (test/compliance/configurations.test.ts
 * proves it over the compliance configurations; the gate adds checks, never
 * resources, so the rest of the matrix does not repeat it).
 */
export function proveTheGate(entries: readonly Entry[], options: { compareUngated?: boolean } = {}): void {
  describe.each(entries)('behind the gate: %s', (_name, overrides) => {
    test('zero unacknowledged findings in all five packs and the Control Tower controls', () => {
      const { report } = sharedSynthesis(overrides).record;
      expect(unacknowledgedFindings(report)).toEqual([]);
      // A plugin that failed without a finding (one that crashed) proves nothing.
      expect(report.pluginReports.filter((p) => p.conclusion !== 'success').map((p) => p.pluginName)).toEqual([]);
      expect(report.pluginReports.map((p) => p.pluginName)).toContain('cdk-validator-cfnguard');
    });

    if (options.compareUngated) {
      test('the same templates as without the gate', () => {
        const gated = sharedSynthesis(overrides);
        const plain = buildApp(overrides).app.synth();
        expect(plain.stacks.map((s) => s.stackName).sort()).toEqual(
          gated.assembly.stacks.map((s) => s.stackName).sort(),
        );
        for (const stack of gated.assembly.stacks) {
          expect({ stack: stack.stackName, template: plain.getStackByName(stack.stackName).template }).toEqual({
            stack: stack.stackName,
            template: stack.template,
          });
        }
      });
    }

    test('strong cross-stack references only, each import exported, key and bucket always exported', () => {
      const { assembly } = sharedSynthesis(overrides);
      const templates = Object.fromEntries(assembly.stacks.map((s) => [s.stackName, s.template as unknown]));
      const declared = Object.fromEntries(
        assembly.stacks.map((s) => [s.stackName, s.dependencies.map((d) => d.id)] as const),
      );
      expect(
        crossStackProblems(
          templates,
          stackNames(parseConfig({ ...CDK_JSON_CONTEXT, ...overrides }).appName).dataProtection,
          declared,
        ),
      ).toEqual([]);
    });
  });
}
