import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { COMPLIANCE_CONFIGURATIONS } from '../lib/compliance/configurations';
import { createProjectApp } from '../lib/project-app';
import { CDK_JSON_CONTEXT, TEST_ENV } from './support/build-app';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every intrinsic of `kind` in a template, with its argument. */
function intrinsics(template: Json, kind: string): Json[] {
  if (Array.isArray(template)) return template.flatMap((v) => intrinsics(v, kind));
  if (template === null || typeof template !== 'object') return [];
  return Object.entries(template).flatMap(([k, v]) => (k === kind ? [v, ...intrinsics(v, kind)] : intrinsics(v, kind)));
}

/** The three templates of one configuration (ungated and unbundled: only the references matter here). */
function templates(overrides: Record<string, unknown>): Record<string, Json> {
  const { app } = createProjectApp({
    context: { ...CDK_JSON_CONTEXT, ...overrides, 'aws:cdk:bundling-stacks': [] },
    env: TEST_ENV,
    outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-refs-')),
    complianceGate: false,
  });
  return Object.fromEntries(app.synth().stacks.map((s) => [s.stackName, s.template as Json]));
}

const PRODUCER = 'GuardedGenAi-DataProtection';

describe.each(COMPLIANCE_CONFIGURATIONS.map(([name, overrides]) => [name, overrides] as const))(
  'cross-stack references: %s',
  (_name, overrides) => {
    const all = templates(overrides);
    const exported = (all[PRODUCER] as { Outputs?: Record<string, { Export?: { Name: string } }> }).Outputs ?? {};
    const exportNames = new Set(Object.values(exported).flatMap((o) => (o.Export ? [o.Export.Name] : [])));

    test('no weak reference (Fn::GetStackOutput) anywhere: a producer change must reach its consumers', () => {
      for (const [stack, template] of Object.entries(all)) {
        expect({ stack, weak: intrinsics(template, 'Fn::GetStackOutput') }).toEqual({ stack, weak: [] });
      }
    });

    test('consumers import only what the data-protection stack exports, and it imports nothing', () => {
      expect(intrinsics(all[PRODUCER], 'Fn::ImportValue')).toEqual([]);
      for (const [stack, template] of Object.entries(all).filter(([s]) => s !== PRODUCER)) {
        const imports = intrinsics(template, 'Fn::ImportValue');
        expect({ stack, imports: imports.length > 0 }).toEqual({ stack, imports: true });
        for (const name of imports)
          expect({ stack, name, exported: exportNames.has(name as string) }).toEqual({ stack, name, exported: true });
      }
    });

    test('the key and the bucket are exported whether or not a consumer uses them, so a switch never strands an import', () => {
      const values = Object.values(exported)
        .filter((o) => o.Export)
        .map((o) => JSON.stringify((o as { Value: Json }).Value));
      const refs = values.join('\n');
      expect(refs).toMatch(/"Fn::GetAtt":\["ProjectKey[0-9A-F]+","Arn"\]/);
      expect(refs).toMatch(/"Ref":"DataBucket[0-9A-F]+"/);
      expect(refs).toMatch(/"Fn::GetAtt":\["DataBucket[0-9A-F]+","Arn"\]/);
    });
  },
);
