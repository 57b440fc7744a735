import { parseConfig } from '../../lib/config';
import { generation, generationDigest, type GenerationSettings } from '../../lib/knowledge/generation';
import { stackNames } from '../../lib/shared/names';
import { chunkingOf } from '../../lib/stack-props';
import { synthesize } from '../support/build-app';
import { matrixConfiguration } from '../support/gate-matrix';

/**
 * Changing a setting that replaces the knowledge base or its data source
 * (embedding dimensions, chunking) must deploy: the replacement gets a new
 * name (Bedrock refuses a duplicate one with HTTP 409), and no stack imports
 * an id that changes (CloudFormation refuses to change an export in use).
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Template = {
  Resources: Record<string, { Type: string; Properties?: Record<string, Json> }>;
  Outputs?: Record<string, { Value: Json; Export?: { Name: string } }>;
};

/** Every template of a configuration, by stack name. */
function templates(overrides: Record<string, unknown>): Record<string, Template> {
  const { assembly } = synthesize(overrides);
  return Object.fromEntries(assembly.stacks.map((s) => [s.stackName, s.template as Template]));
}

function intrinsics(value: Json, kind: string): Json[] {
  if (Array.isArray(value)) return value.flatMap((v) => intrinsics(v, kind));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => (k === kind ? [v, ...intrinsics(v, kind)] : intrinsics(v, kind)));
}

const names = stackNames(parseConfig({}).appName);
const settingsOf = (overrides: Record<string, unknown>): GenerationSettings => {
  const config = parseConfig(overrides);
  return {
    embeddingModelId: config.embeddingModelId,
    dimensions: config.embeddingDimensions,
    chunking: chunkingOf(config),
  };
};
const DEFAULTS = settingsOf({});
const HIERARCHICAL = matrixConfiguration('knowledge base: hierarchical chunking, small vectors, more passages');
const SEMANTIC = matrixConfiguration('semantic chunking');

const configurations = { defaults: {}, hierarchical: HIERARCHICAL, semantic: SEMANTIC };
const synthesized = Object.fromEntries(Object.entries(configurations).map(([k, o]) => [k, templates(o)])) as Record<
  keyof typeof configurations,
  Record<string, Template>
>;

const only = (template: Template, type: string) => {
  const found = Object.values(template.Resources).filter((r) => r.Type === type);
  expect(found).toHaveLength(1);
  return found[0].Properties ?? {};
};
const knowledge = (c: keyof typeof configurations) => synthesized[c][names.knowledge];
const nameOf = (c: keyof typeof configurations, type: string) => only(knowledge(c), type).Name;

describe('a knowledge base per set of replacement-triggering settings', () => {
  test('the default settings keep the names deployed before names carried a digest (an upgrade renames nothing)', () => {
    expect(nameOf('defaults', 'AWS::Bedrock::KnowledgeBase')).toBe(`${names.knowledge}-documents`);
    expect(nameOf('defaults', 'AWS::Bedrock::DataSource')).toBe('promoted-documents');
  });

  test('other dimensions or chunking => new knowledge base and data source names, ending with the digest of the settings', () => {
    for (const c of ['hierarchical', 'semantic'] as const) {
      const digest = generationDigest(settingsOf(configurations[c]));
      expect(nameOf(c, 'AWS::Bedrock::KnowledgeBase')).toBe(`${names.knowledge}-documents-${digest}`);
      expect(nameOf(c, 'AWS::Bedrock::DataSource')).toBe(`promoted-documents-${digest}`);
    }
    expect(nameOf('hierarchical', 'AWS::Bedrock::KnowledgeBase')).not.toBe(
      nameOf('semantic', 'AWS::Bedrock::KnowledgeBase'),
    );
  });

  test('the digest follows what Bedrock gets: a chunking setting the strategy ignores changes nothing', () => {
    const none = (overlap: number) => settingsOf({ chunkingStrategy: 'none', chunkOverlapPercent: overlap });
    expect(generationDigest(none(10))).toBe(generationDigest(none(30)));
    expect(generationDigest(settingsOf({ chunkOverlapPercent: 10 }))).not.toBe(generationDigest(DEFAULTS));
    expect(generationDigest(settingsOf({ embeddingDimensions: 512 }))).not.toBe(generationDigest(DEFAULTS));
    expect(generationDigest(DEFAULTS)).toMatch(/^[0-9a-f]{8}$/);
  });

  test('the index keeps a name CloudFormation generates, so a replaced index gets a new one', () => {
    for (const c of Object.keys(configurations) as (keyof typeof configurations)[]) {
      expect(only(knowledge(c), 'AWS::S3Vectors::Index').IndexName).toBeUndefined();
    }
  });

  test('no stack imports an id a new generation replaces: those ids reach the others through SSM parameters', () => {
    const REPLACED = ['AWS::Bedrock::KnowledgeBase', 'AWS::Bedrock::DataSource', 'AWS::S3Vectors::Index'];
    for (const [c, stacks] of Object.entries(synthesized)) {
      const template = stacks[names.knowledge];
      const replaced = Object.entries(template.Resources)
        .filter(([, r]) => REPLACED.includes(r.Type))
        .map(([id]) => id);
      expect(replaced).toHaveLength(3);
      const exported = new Set(
        Object.values(template.Outputs ?? {}).flatMap((o) =>
          o.Export && replaced.some((id) => JSON.stringify(o.Value).includes(`"${id}"`)) ? [o.Export.Name] : [],
        ),
      );
      expect(exported.size).toBe(3);
      for (const [stack, t] of Object.entries(stacks)) {
        const imported = intrinsics(t as unknown as Json, 'Fn::ImportValue').map(String);
        expect([c, stack, imported.filter((name) => exported.has(name))]).toEqual([c, stack, []]);
      }
    }
  });

  test('the exports consumers imported before keep their names and values (the upgrade removes none in use)', () => {
    const outputs = knowledge('defaults').Outputs ?? {};
    const exports = Object.values(outputs).filter((o) => o.Export);
    const values = exports.map((o) => JSON.stringify(o.Value));
    expect(values).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/"KnowledgeBaseId"\]/),
        expect.stringMatching(/"KnowledgeBaseArn"\]/),
        expect.stringMatching(/"DataSourceId"\]/),
      ]),
    );
    for (const o of exports) expect(o.Export?.Name).toMatch(new RegExp(`^${names.knowledge}:ExportsOutput`));
  });

  test('the consumers read the generation they are deployed with: their templates change with it', () => {
    const ids = (c: keyof typeof configurations, stack: string) =>
      JSON.stringify(synthesized[c][stack]).match(/\{\{resolve:ssm:[^}]+\}\}/g) ?? [];
    for (const stack of [names.guardedInvoke, names.ingestion]) {
      expect(ids('defaults', stack).length).toBeGreaterThan(0);
      expect(ids('hierarchical', stack)).not.toEqual(ids('defaults', stack));
      for (const reference of ids('hierarchical', stack)) {
        const digest = generationDigest(settingsOf(HIERARCHICAL));
        expect(reference).toContain(`{{resolve:ssm:/${names.knowledge}/${digest}/`);
      }
    }
    // Each parameter read is one the knowledge stack creates.
    const parameters = Object.values(knowledge('hierarchical').Resources)
      .filter((r) => r.Type === 'AWS::SSM::Parameter')
      .map((r) => r.Properties?.Name);
    for (const reference of ids('hierarchical', names.ingestion)) {
      expect(parameters).toContain(reference.slice('{{resolve:ssm:'.length, -2));
    }
  });

  test('names fit Bedrock and SSM with the longest app name', () => {
    const longest = stackNames('A'.repeat(25)).knowledge;
    const named = generation(longest, settingsOf(HIERARCHICAL), DEFAULTS);
    // ([0-9a-zA-Z][_-]?){1,100}: https://docs.aws.amazon.com/bedrock/latest/APIReference/API_agent_CreateKnowledgeBase.html
    for (const name of [named.knowledgeBaseName, named.dataSourceName]) {
      expect(name).toMatch(/^([0-9a-zA-Z][_-]?){1,100}$/);
    }
    // SSM: up to 1011 characters of a-zA-Z0-9_.-/ (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html).
    for (const name of [named.knowledgeBaseIdParameter, named.dataSourceIdParameter]) {
      expect(name).toMatch(/^\/[a-zA-Z0-9_.\-/]{1,1010}$/);
    }
  });
});
