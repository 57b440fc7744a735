import { COMPLIANCE_CONFIGURATIONS } from '../../lib/compliance/configurations';
import { configurationKey, GATE_MATRIX } from './gate-matrix';
import { buildApp, readValidationReport, synthesize, unacknowledgedFindings } from './build-app';

type Entry = readonly [string, Readonly<Record<string, unknown>>];

/**
 * The matrix without the compliance configurations (test/scripts/compliance.test.ts
 * proves those, reusing the same syntheses for the report), in `shards` parts
 * so that jest's workers share the work.
 */
export function matrixShard(shard: number, shards: number): Entry[] {
  const reported = new Set(COMPLIANCE_CONFIGURATIONS.map(([, o]) => configurationKey(o)));
  return GATE_MATRIX.filter(([, o]) => !reported.has(configurationKey(o))).filter((_, i) => i % shards === shard);
}

/**
 * Prove each configuration behind the gate: zero unacknowledged findings in
 * all five packs and the Control Tower controls, and the very templates the
 * ungated synthesis gives the other tests.
 */
export function proveTheGate(entries: readonly Entry[]): void {
  describe.each(entries)('behind the gate: %s', (_name, overrides) => {
    test('zero unacknowledged findings, and the same templates as without the gate', () => {
      const gated = synthesize(overrides, { gate: true });
      expect(unacknowledgedFindings(readValidationReport(gated.assembly))).toEqual([]);
      const plain = buildApp(overrides).app.synth();
      for (const stack of gated.assembly.stacks) {
        expect({ stack: stack.stackName, template: plain.getStackByName(stack.stackName).template }).toEqual({
          stack: stack.stackName,
          template: stack.template,
        });
      }
    });
  });
}
