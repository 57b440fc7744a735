/**
 * The README's architecture diagrams are figures of the synthesized app: each
 * architectural resource type in the templates must appear in the diagram of
 * its configuration, and each box in the diagram must exist in the templates.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildApp } from '../support/build-app';

const README = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
const diagrams = [...README.matchAll(/```mermaid\n([\s\S]*?)```/g)].map((m) => m[1]);

/** Diagram label => the CloudFormation resource it stands for (and how many). */
const BOXES: Record<string, [type: string, count: number, configuration: 'default' | 'isolated']> = {
  'Function URL': ['AWS::Lambda::Url', 1, 'default'],
  'invoke function': ['AWS::Lambda::Function', 1, 'default'],
  'log group': ['AWS::Logs::LogGroup', 1, 'default'],
  'Bedrock guardrail': ['AWS::Bedrock::Guardrail', 1, 'default'],
  'published version': ['AWS::Bedrock::GuardrailVersion', 1, 'default'],
  'project KMS key': ['AWS::KMS::Key', 1, 'default'],
  'data bucket': ['AWS::S3::Bucket', 2, 'default'],
  'access-log bucket': ['AWS::S3::Bucket', 2, 'default'],
  '2 isolated subnets': ['AWS::EC2::Subnet', 2, 'isolated'],
  'flow logs': ['AWS::EC2::FlowLog', 1, 'isolated'],
  'Bedrock Runtime endpoint': ['AWS::EC2::VPCEndpoint', 3, 'isolated'],
  'X-Ray endpoint': ['AWS::EC2::VPCEndpoint', 3, 'isolated'],
  'S3 gateway endpoint': ['AWS::EC2::VPCEndpoint', 3, 'isolated'],
};

function resourceTypes(overrides: Record<string, unknown>): Record<string, number> {
  const { app } = buildApp(overrides);
  const counts: Record<string, number> = {};
  for (const stack of app.synth().stacks) {
    for (const r of Object.values(stack.template.Resources as Record<string, { Type: string }>)) {
      counts[r.Type] = (counts[r.Type] ?? 0) + 1;
    }
  }
  return counts;
}

const synthesized = { default: resourceTypes({}), isolated: resourceTypes({ isolatedNetwork: true }) };

describe('README architecture diagrams', () => {
  test('there is one for the default app and one for the isolated-network mode', () => {
    expect(diagrams).toHaveLength(2);
  });

  test.each(Object.entries(BOXES))(
    'box "%s" is drawn and exists in the templates',
    (label, [type, count, configuration]) => {
      const diagram = configuration === 'default' ? diagrams[0] : diagrams[1];
      expect(diagram).toContain(label);
      expect({ label, type, count: synthesized[configuration][type] }).toEqual({ label, type, count });
    },
  );

  test('every architectural resource type of the templates has a box', () => {
    const drawn = new Set(Object.values(BOXES).map(([type]) => type));
    const architectural =
      /::(Lambda::(Function|Url)|Bedrock::|KMS::Key|S3::Bucket$|Logs::LogGroup|EC2::(VPCEndpoint|FlowLog|Subnet)$)/;
    for (const configuration of ['default', 'isolated'] as const) {
      const missing = Object.keys(synthesized[configuration]).filter((t) => architectural.test(t) && !drawn.has(t));
      expect({ configuration, missing }).toEqual({ configuration, missing: [] });
    }
  });
});
