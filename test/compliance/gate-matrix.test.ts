import { COMPLIANCE_CONFIGURATIONS } from '../../tools/configurations';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, parseConfig } from '../../lib/config';
import {
  ASSEMBLY_CACHE_DIR,
  assemblyDir,
  digestOfSources,
  GATE_RECORD_FILE,
  missing,
  publish,
  readShared,
  SOURCES,
} from '../support/assemblies';
import { CDK_JSON_CONTEXT } from '../../tools/build-app';
import { coveringSet, pairsOf, requiredPairs } from '../support/covering-set';
import {
  configurationKey,
  EXCLUSIONS,
  GATE_MATRIX,
  isProvenByTheGate,
  SWITCH_COMBINATIONS,
  SWITCHES,
  switchOverrides,
} from '../support/gate-matrix';

/** What parseConfig says is wrong with these overrides (none when it accepts them). */
function problemsOf(overrides: Readonly<Record<string, unknown>>): readonly string[] {
  try {
    parseConfig({ ...CDK_JSON_CONTEXT, ...overrides });
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}
import { synthesize } from '../support/build-app';
import { crossStackProblems } from '../support/cross-stack';
import { filesUnder } from '../../lib/shared/files';
import { matrixWithoutComplianceConfigurations, proveTheGate } from '../support/prove-gate';

// Every configuration of the matrix behind the gate, read from the shared
// syntheses (the compliance configurations: test/compliance/configurations.test.ts).
proveTheGate(matrixWithoutComplianceConfigurations());

describe('the gate matrix', () => {
  test('covers every compliance configuration and every switch combination', () => {
    for (const [name, overrides] of [...COMPLIANCE_CONFIGURATIONS, ...SWITCH_COMBINATIONS]) {
      expect({ name, proven: isProvenByTheGate(overrides) }).toEqual({ name, proven: true });
    }
  });

  test('the switch configurations cover every allowed pair of values of every two switches, in far fewer than every combination', () => {
    const covered = new Set(SWITCH_COMBINATIONS.flatMap(([, o]) => pairsOf(SWITCHES, o)));
    const required = requiredPairs(SWITCHES, EXCLUSIONS);
    expect(required.filter((pair) => !covered.has(pair))).toEqual([]);
    // 3 x 3 rows at the least (two three-state switches); every combination would be 3^5 x 2^6.
    expect(SWITCH_COMBINATIONS.length).toBeGreaterThanOrEqual(9);
    expect(SWITCH_COMBINATIONS.length).toBeLessThanOrEqual(18);
  });

  test('every switch configuration is one the app accepts', () => {
    for (const [name, overrides] of SWITCH_COMBINATIONS) {
      expect({ name, problems: problemsOf(overrides) }).toEqual({ name, problems: [] });
    }
  });

  test.each(EXCLUSIONS)('the pair left out ($when $is with $then $not) is one the app refuses', (e) => {
    // Every other switch as in a configuration the app accepts, so the pair is the only problem.
    const accepted = SWITCH_COMBINATIONS.find(([, o]) => o[e.when] !== e.is)?.[1] ?? {};
    const problems = problemsOf(switchOverrides({ ...accepted, [e.when]: e.is, [e.then]: e.not }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`${e.when}|${e.then}`));
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

describe('the shared syntheses (test/support/assemblies.ts)', () => {
  const tree = (files: Record<string, string>) => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sources-'));
    for (const [file, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      fs.writeFileSync(path.join(root, file), text);
    }
    return root;
  };
  const base = {
    'lib/a.ts': 'a',
    'lambda/h/index.ts': 'h',
    'tools/t.ts': 't',
    'cdk.json': '{}',
    'test/x.test.ts': 'x',
  };

  test('the digest changes with lib/, lambda/, tools/ or cdk.json, and not with a test or an installed package', () => {
    const before = digestOfSources(tree(base));
    for (const changed of ['lib/a.ts', 'lambda/h/index.ts', 'tools/t.ts', 'cdk.json']) {
      expect({ changed, digest: digestOfSources(tree({ ...base, [changed]: 'changed' })) }).not.toEqual({
        changed,
        digest: before,
      });
    }
    expect(digestOfSources(tree({ ...base, 'test/x.test.ts': 'changed' }))).toBe(before);
    expect(digestOfSources(tree({ ...base, 'lib/node_modules/p/index.js': 'p' }))).toBe(before);
    expect(digestOfSources(tree({ ...base, 'lib/b.ts': 'b' }))).not.toBe(before);
  });

  test('every file lib/ reads from outside lib/ is a source of the digest', () => {
    const root = path.join(__dirname, '..', '..');
    const outside = filesUnder(path.join(root, 'lib'))
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) =>
        [...fs.readFileSync(f, 'utf8').matchAll(/path\.join\(__dirname, ((?:'[^']*'(?:, )?)+)\)/g)].map((m) =>
          path.relative(root, path.join(path.dirname(f), ...m[1].split(', ').map((p) => p.slice(1, -1)))),
        ),
      )
      // The repository root itself is where lib/esm-bundling.ts starts the files it digests (all sources here).
      .filter((p) => p !== '' && !p.startsWith('lib'));
    expect(outside.length).toBeGreaterThan(3);
    expect(
      outside.filter((p) => !SOURCES.some((s) => p === s || p.startsWith(`${s}/`) || p.startsWith('node_modules/'))),
    ).toEqual([]);
  });

  test('each configuration has a folder of its own, whatever the order of its keys', () => {
    expect(assemblyDir({ a: 1, b: 2 })).toBe(assemblyDir({ b: 2, a: 1 }));
    expect(new Set(GATE_MATRIX.map(([, o]) => assemblyDir(o))).size).toBe(GATE_MATRIX.length);
  });

  test('every configuration of the matrix was synthesized before the tests ran; a stranger was not', () => {
    expect(missing(GATE_MATRIX)).toEqual([]);
    expect(readShared({ maxTokensCap: 77 })).toBeUndefined();
    expect(readShared({})?.assembly.stacks.map((s) => s.stackName)).toContain('GuardedGenAi-DataProtection');
  });

  test('a folder another process finished first is kept, and the later copy removed', () => {
    const overrides = { sharedSynthesisTest: process.pid };
    const partial = (marker: string) => {
      const dir = fs.mkdtempSync(path.join(ASSEMBLY_CACHE_DIR, 'partial-'));
      fs.writeFileSync(path.join(dir, GATE_RECORD_FILE), marker);
      return dir;
    };
    try {
      publish(partial('first'), overrides);
      const second = partial('second');
      publish(second, overrides);
      expect(fs.readFileSync(path.join(assemblyDir(overrides), GATE_RECORD_FILE), 'utf8')).toBe('first');
      expect(fs.existsSync(second)).toBe(false);
    } finally {
      fs.rmSync(assemblyDir(overrides), { recursive: true, force: true });
    }
  });
});

describe('the covering-set builder itself', () => {
  const bits = ['a', 'b', 'c', 'd', 'e'].map((name) => ({ name, values: [true, false] }));

  test('covers every pair of five on/off switches in 7 rows or fewer (every combination: 32; the best known: 6)', () => {
    const rows = coveringSet(bits, []);
    const covered = new Set(rows.flatMap((r) => pairsOf(bits, r)));
    expect(requiredPairs(bits, [])).toHaveLength(40);
    expect(requiredPairs(bits, []).filter((p) => !covered.has(p))).toEqual([]);
    expect(rows.length).toBeGreaterThanOrEqual(4);
    expect(rows.length).toBeLessThanOrEqual(7);
  });

  test('never puts an excluded pair in a row, and still covers the rest', () => {
    const exclusions = [{ when: 'a', is: true, then: 'b', not: false }];
    const rows = coveringSet(bits, exclusions);
    expect(rows.filter((r) => r.a === true && r.b === false)).toEqual([]);
    const covered = new Set(rows.flatMap((r) => pairsOf(bits, r)));
    expect(requiredPairs(bits, exclusions).filter((p) => !covered.has(p))).toEqual([]);
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
