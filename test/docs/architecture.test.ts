/**
 * The architecture diagrams are figures of the synthesized app. In
 * docs/architecture.md each architectural resource type of a stack must appear
 * in the diagram of its configuration, and each box in a diagram must exist in
 * that stack's template. The README's one figure draws the stacks: every stack
 * of the default app as a box, every arrow a dependency the app really has.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { THREAT_DETECTION_OPT_INS } from '../../tools/configurations';
import { synthesize } from '../support/build-app';

const ROOT = path.join(__dirname, '..', '..');
const mermaid = (file: string) =>
  [...fs.readFileSync(path.join(ROOT, file), 'utf8').matchAll(/```mermaid\n([\s\S]*?)```/g)].map((m) => m[1]);
/** docs/architecture.md's six figures, then the agent's and customization's, each on its own page. */
const diagrams = [...mermaid('docs/architecture.md'), ...mermaid('docs/agent.md'), ...mermaid('docs/customization.md')];
const overview = mermaid('README.md');

type Figure = 'app' | 'isolated' | 'threat' | 'rag' | 'gov' | 'ops' | 'agent' | 'custom';
/**
 * Which diagram draws which stacks (`types`: only those resource types of
 * them). The governance figure draws the Governance stack and what
 * enforcedGuardrail=create adds to GuardedInvoke.
 */
const FIGURES: Record<Figure, { diagram: number; parts: readonly { stacks: RegExp; types?: RegExp }[] }> = {
  app: { diagram: 0, parts: [{ stacks: /-(DataProtection|GuardedInvoke)$/ }] },
  isolated: { diagram: 1, parts: [{ stacks: /-(DataProtection|GuardedInvoke)$/ }] },
  threat: { diagram: 2, parts: [{ stacks: /-ThreatDetection$/ }] },
  rag: { diagram: 3, parts: [{ stacks: /-(Knowledge|Ingestion)$/ }] },
  gov: {
    diagram: 5,
    parts: [
      { stacks: /-Governance$/ },
      { stacks: /-GuardedInvoke$/, types: /^AWS::Bedrock::(EnforcedGuardrailConfiguration|ResourcePolicy)$/ },
    ],
  },
  ops: { diagram: 4, parts: [{ stacks: /-Operations$/ }] },
  // The Agent stack, and the parameter through which GuardedInvoke gives it the guardrail's version.
  agent: {
    diagram: 6,
    parts: [{ stacks: /-Agent$/ }, { stacks: /-GuardedInvoke$/, types: /^AWS::SSM::Parameter$/ }],
  },
  custom: { diagram: 7, parts: [{ stacks: /-Customization$/ }] },
};

/** Diagram label => the CloudFormation resource it stands for, how many the figure's stacks have, and the figure. */
const BOXES: Record<string, [type: string, count: number, figure: Figure]> = {
  'Function URL': ['AWS::Lambda::Url', 1, 'app'],
  'invoke function': ['AWS::Lambda::Function', 1, 'app'],
  'log group': ['AWS::Logs::LogGroup', 1, 'app'],
  'Bedrock guardrail': ['AWS::Bedrock::Guardrail', 1, 'app'],
  'published version': ['AWS::Bedrock::GuardrailVersion', 1, 'app'],
  // The project key (DataProtection) and the key that encrypts the guardrail alone (GuardedInvoke).
  'project KMS key': ['AWS::KMS::Key', 2, 'app'],
  'guardrail key': ['AWS::KMS::Key', 2, 'app'],
  'data bucket': ['AWS::S3::Bucket', 2, 'app'],
  'access-log bucket': ['AWS::S3::Bucket', 2, 'app'],
  '2 isolated subnets': ['AWS::EC2::Subnet', 2, 'isolated'],
  'flow logs': ['AWS::EC2::FlowLog', 1, 'isolated'],
  // With the knowledge base on (the default), the function reaches Retrieve through its own endpoint.
  'Bedrock Runtime endpoint': ['AWS::EC2::VPCEndpoint', 4, 'isolated'],
  'Bedrock Agent Runtime endpoint': ['AWS::EC2::VPCEndpoint', 4, 'isolated'],
  'X-Ray endpoint': ['AWS::EC2::VPCEndpoint', 4, 'isolated'],
  'S3 gateway endpoint': ['AWS::EC2::VPCEndpoint', 4, 'isolated'],
  'GuardDuty detector': ['AWS::GuardDuty::Detector', 1, 'threat'],
  'malware protection plan': ['AWS::GuardDuty::MalwareProtectionPlan', 1, 'threat'],
  'Macie session': ['AWS::Macie::Session', 1, 'threat'],
  'custom identifier, allow list': ['AWS::Macie::CustomDataIdentifier', 1, 'threat'],
  'weekly discovery job': ['Custom::MacieClassificationJob', 1, 'threat'],
  'Access Analyzer': ['AWS::AccessAnalyzer::Analyzer', 2, 'threat'],
  'CloudTrail trail': ['AWS::CloudTrail::Trail', 1, 'threat'],
  'trail bucket': ['AWS::S3::Bucket', 2, 'threat'],
  'trail log group': ['AWS::Logs::LogGroup', 2, 'threat'],
  'stack access-log bucket': ['AWS::S3::Bucket', 2, 'threat'],
  'allow list': ['AWS::Macie::AllowList', 1, 'threat'],
  // The job's onEvent and isComplete handlers, and the Provider framework's onEvent, isComplete and onTimeout.
  '5 custom-resource functions': ['AWS::Lambda::Function', 5, 'threat'],
  'provider log group': ['AWS::Logs::LogGroup', 2, 'threat'],
  '6 EventBridge rules': ['AWS::Events::Rule', 6, 'threat'],
  'alert topic': ['AWS::SNS::Topic', 1, 'threat'],
  'dead-letter queue': ['AWS::SQS::Queue', 1, 'threat'],
  'alert key': ['AWS::KMS::Key', 1, 'threat'],
  'vector bucket': ['AWS::S3Vectors::VectorBucket', 1, 'rag'],
  'S3 Vectors index': ['AWS::S3Vectors::Index', 1, 'rag'],
  'Bedrock knowledge base': ['AWS::Bedrock::KnowledgeBase', 1, 'rag'],
  'data source': ['AWS::Bedrock::DataSource', 1, 'rag'],
  'scan-result rule': ['AWS::Events::Rule', 1, 'rag'],
  'promotions queue': ['AWS::SQS::Queue', 2, 'rag'],
  'promotion dead-letter queue': ['AWS::SQS::Queue', 2, 'rag'],
  'promotion function': ['AWS::Lambda::Function', 1, 'rag'],
  // The promotion function's, and the knowledge base's application logs.
  'promotion log group': ['AWS::Logs::LogGroup', 2, 'rag'],
  'application log group': ['AWS::Logs::LogGroup', 2, 'rag'],
  'failure alarm': ['AWS::CloudWatch::Alarm', 1, 'rag'],
  'ingestion guardrail': ['AWS::Bedrock::Guardrail', 1, 'rag'],
  'its published version': ['AWS::Bedrock::GuardrailVersion', 1, 'rag'],
  'evaluation role': ['AWS::IAM::Role', 1, 'gov'],
  'model card': ['AWS::SageMaker::ModelCard', 1, 'gov'],
  'enforced guardrail configuration': ['AWS::Bedrock::EnforcedGuardrailConfiguration', 1, 'gov'],
  'guardrail resource policy': ['AWS::Bedrock::ResourcePolicy', 1, 'gov'],
  'operations dashboard': ['AWS::CloudWatch::Dashboard', 1, 'ops'],
  '10 alarms': ['AWS::CloudWatch::Alarm', 10, 'ops'],
  'model-invocation logging configuration': ['Custom::ModelInvocationLogging', 1, 'ops'],
  // The handler and the Provider framework's entry function.
  '2 logging custom-resource functions': ['AWS::Lambda::Function', 2, 'ops'],
  'logging provider log group': ['AWS::Logs::LogGroup', 2, 'ops'],
  'invocation log group': ['AWS::Logs::LogGroup', 2, 'ops'],
  'agent alias': ['AWS::Bedrock::AgentAlias', 1, 'agent'],
  'guarded agent': ['AWS::Bedrock::Agent', 1, 'agent'],
  // The executor, and the seed's handler and Provider framework entry function.
  'tool executor function': ['AWS::Lambda::Function', 3, 'agent'],
  '2 seed functions': ['AWS::Lambda::Function', 3, 'agent'],
  'executor log group': ['AWS::Logs::LogGroup', 2, 'agent'],
  'seed log group': ['AWS::Logs::LogGroup', 2, 'agent'],
  'plan store': ['AWS::DynamoDB::Table', 1, 'agent'],
  'guardrail version parameter': ['AWS::SSM::Parameter', 1, 'agent'],
  'approval function': ['AWS::Lambda::Function', 1, 'custom'],
  'approval URL': ['AWS::Lambda::Url', 1, 'custom'],
  'approval log group': ['AWS::Logs::LogGroup', 1, 'custom'],
  'training-data guardrail': ['AWS::Bedrock::Guardrail', 1, 'custom'],
  'its version': ['AWS::Bedrock::GuardrailVersion', 1, 'custom'],
};

/** Resource counts per type, over what a figure draws. */
function resourceTypes(overrides: Record<string, unknown>, figure: Figure): Record<string, number> {
  const { assembly } = synthesize(overrides);
  const counts: Record<string, number> = {};
  for (const { stacks, types } of FIGURES[figure].parts) {
    for (const stack of assembly.stacks.filter((s) => stacks.test(s.stackName))) {
      for (const r of Object.values(stack.template.Resources as Record<string, { Type: string }>)) {
        if (!types || types.test(r.Type)) counts[r.Type] = (counts[r.Type] ?? 0) + 1;
      }
    }
  }
  return counts;
}

const synthesized: Record<Figure, Record<string, number>> = {
  app: resourceTypes({}, 'app'),
  isolated: resourceTypes({ isolatedNetwork: true }, 'isolated'),
  // Macie and the unused-access analyzer are off by default; the figure draws them on.
  threat: resourceTypes(THREAT_DETECTION_OPT_INS, 'threat'),
  rag: resourceTypes({}, 'rag'),
  gov: resourceTypes({ enforcedGuardrail: 'create' }, 'gov'),
  ops: resourceTypes({}, 'ops'),
  agent: resourceTypes({ agent: true, modelCustomization: true }, 'agent'),
  custom: resourceTypes({ agent: true, modelCustomization: true }, 'custom'),
};

describe('docs/architecture.md diagrams', () => {
  test('there is one for the default app, one for the isolated-network mode, one for threat detection, one for the knowledge base, one for operations and one for governance', () => {
    expect(mermaid('docs/architecture.md')).toHaveLength(6);
  });

  test('docs/agent.md has one, for the agent, and docs/customization.md one, for model customization', () => {
    expect(mermaid('docs/agent.md')).toHaveLength(1);
    expect(mermaid('docs/customization.md')).toHaveLength(1);
  });

  test.each(Object.entries(BOXES))('box "%s" is drawn and exists in the templates', (label, [type, count, figure]) => {
    expect(diagrams[FIGURES[figure].diagram]).toContain(label);
    expect({ label, type, count: synthesized[figure][type] }).toEqual({ label, type, count });
  });

  test('every architectural resource type of the templates has a box', () => {
    const architectural =
      /::(Lambda::(Function|Url)|Bedrock::|DynamoDB::Table$|S3Vectors::|SageMaker::ModelCard$|CloudWatch::Alarm$|KMS::Key|S3::Bucket$|Logs::LogGroup|EC2::(VPCEndpoint|FlowLog|Subnet)$|GuardDuty::(Detector|MalwareProtectionPlan)$|Macie::|MacieClassificationJob|AccessAnalyzer::|CloudTrail::|SecurityHub::|Events::Rule|SNS::Topic$|SQS::Queue$)/;
    for (const figure of Object.keys(FIGURES) as Figure[]) {
      // The isolated-network figure only adds to the app figure.
      const figures = figure === 'isolated' ? ['app', 'isolated'] : [figure];
      const drawn = new Set(
        Object.values(BOXES)
          .filter(([, , f]) => figures.includes(f))
          .map(([type]) => type),
      );
      const missing = Object.keys(synthesized[figure]).filter((t) => architectural.test(t) && !drawn.has(t));
      expect({ figure, missing }).toEqual({ figure, missing: [] });
    }
  });
});

describe('the README figure of the stacks', () => {
  const { assembly, config } = synthesize({});
  const short = (name: string) => name.slice(config.appName.length + 1);
  const stacks = assembly.stacks.map((s) => short(s.stackName));
  /** "A --> B" edges, node labels stripped: A is built before B. */
  const arrows = [...(overview[0] ?? '').matchAll(/^\s*(\w+)(?:\[[^\]]*\])?\s*-->\s*(\w+)/gm)].map(([, from, to]) => [
    from,
    to,
  ]);

  test('the README has exactly one figure', () => {
    expect(overview).toHaveLength(1);
  });

  test('it draws every stack of the default app and nothing else', () => {
    const drawn = new Set(arrows.flat());
    expect([...drawn].sort()).toEqual([...stacks].sort());
  });

  test('each arrow is a dependency of the synthesized app', () => {
    const dependsOn = (to: string, from: string) =>
      assembly.stacks
        .find((s) => short(s.stackName) === to)
        ?.dependencies.some((d) => d.id === `${config.appName}-${from}`) ?? false;
    expect(arrows.filter(([from, to]) => !dependsOn(to, from))).toEqual([]);
  });

  test('every stack with a dependency has an arrow from something it depends on', () => {
    const reached = new Set(arrows.map(([, to]) => to));
    const withDependencies = assembly.stacks
      .filter((s) => s.dependencies.some((d) => !d.id.endsWith('.assets')))
      .map((s) => short(s.stackName));
    expect(withDependencies.filter((s) => !reached.has(s))).toEqual([]);
  });
});
