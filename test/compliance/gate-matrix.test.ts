import { COMPLIANCE_CONFIGURATIONS } from '../../tools/configurations';
import { configurationKey, GATE_MATRIX, isProvenByTheGate, SWITCH_COMBINATIONS } from '../support/gate-matrix';
import { synthesize } from '../support/build-app';
import { crossStackProblems } from '../support/cross-stack';

describe('the gate matrix', () => {
  test('covers every compliance configuration and every switch combination', () => {
    for (const [name, overrides] of [...COMPLIANCE_CONFIGURATIONS, ...SWITCH_COMBINATIONS]) {
      expect({ name, proven: isProvenByTheGate(overrides) }).toEqual({ name, proven: true });
    }
  });

  test('the switch table covers every combination of the three-state switches and both values of each on/off switch', () => {
    const seen = (key: string) => new Set(SWITCH_COMBINATIONS.map(([, o]) => JSON.stringify(o[key])));
    expect(SWITCH_COMBINATIONS).toHaveLength(27);
    expect(new Set(SWITCH_COMBINATIONS.map(([, o]) => `${o.guardDuty}/${o.macie}/${o.accessAnalyzer}`)).size).toBe(27);
    for (const key of ['guardDutyFindingsExport', 'malwareProtection', 'cloudTrail', 'securityHub', 'alertEmail']) {
      expect(seen(key).size).toBe(2);
    }
    expect(seen('unusedAccessAnalyzer').size).toBe(3);
    expect(seen('configRecorder').size).toBe(3);
  });

  test('has no configuration twice', () => {
    expect(new Set(GATE_MATRIX.map(([, o]) => configurationKey(o))).size).toBe(GATE_MATRIX.length);
  });

  test('a test cannot synthesize, without the gate, a configuration the gate does not prove', () => {
    expect(() => synthesize({ maxTokensCap: 77 })).toThrow(
      /not in the gate matrix: add it to test\/support\/gate-matrix\.ts/,
    );
  });

  test('key order does not make a configuration new', () => {
    expect(configurationKey({ a: 1, b: 2 })).toBe(configurationKey({ b: 2, a: 1 }));
  });
});

describe('the cross-stack check itself', () => {
  const producer = 'App-DataProtection';
  const exports = {
    Outputs: {
      Key: { Value: { 'Fn::GetAtt': ['ProjectKey1A2B', 'Arn'] }, Export: { Name: 'App-DataProtection:Key' } },
      Name: { Value: { Ref: 'DataBucket3C4D' }, Export: { Name: 'App-DataProtection:Name' } },
      Arn: { Value: { 'Fn::GetAtt': ['DataBucket3C4D', 'Arn'] }, Export: { Name: 'App-DataProtection:Arn' } },
    },
  };

  test('passes strong references to exported values', () => {
    const consumer = { Resources: { R: { Properties: { Key: { 'Fn::ImportValue': 'App-DataProtection:Key' } } } } };
    expect(crossStackProblems({ [producer]: exports, 'App-Consumer': consumer }, producer)).toEqual([]);
  });

  test('reports a weak reference, an import nobody exports, and a missing always-on export', () => {
    const consumer = {
      Resources: {
        R: {
          Properties: {
            A: { 'Fn::GetStackOutput': { StackName: producer, OutputName: 'Key' } },
            B: { 'Fn::ImportValue': 'App-DataProtection:Gone' },
          },
        },
      },
    };
    const noBucketArn = { Outputs: { ...exports.Outputs, Arn: { Value: 'x' } } };
    expect(crossStackProblems({ [producer]: noBucketArn, 'App-Consumer': consumer }, producer)).toEqual([
      expect.stringContaining('weak reference'),
      expect.stringContaining('which no stack of the app exports'),
      expect.stringContaining('does not export the bucket ARN'),
    ]);
  });

  test('a stack may be built on the base through another stack of the app; one importing nothing is reported', () => {
    const middle = {
      Resources: { R: { Properties: { Key: { 'Fn::ImportValue': 'App-DataProtection:Key' } } } },
      Outputs: { Id: { Value: { Ref: 'R' }, Export: { Name: 'App-Middle:Id' } } },
    };
    const top = { Resources: { T: { Properties: { Id: { 'Fn::ImportValue': 'App-Middle:Id' } } } } };
    expect(crossStackProblems({ [producer]: exports, 'App-Middle': middle, 'App-Top': top }, producer)).toEqual([]);
    const alone = { Resources: { T: { Properties: { Name: 'literal' } } } };
    expect(crossStackProblems({ [producer]: exports, 'App-Middle': middle, 'App-Alone': alone }, producer)).toEqual([
      "App-Alone: imports nothing from the app's stacks",
    ]);
    // A declared deployment dependency on a stack of the app builds it on that stack too
    // (the threat-detection stack with every finding service off); one on a stranger does not.
    const templates = { [producer]: exports, 'App-Alone': alone };
    expect(crossStackProblems(templates, producer, { 'App-Alone': [producer] })).toEqual([]);
    expect(crossStackProblems(templates, producer, { 'App-Alone': ['Elsewhere-Stack'] })).toEqual([
      "App-Alone: imports nothing from the app's stacks",
    ]);
  });
});
