import { Match, Template } from 'aws-cdk-lib/assertions';
import { parseConfig } from '../../lib/config';
import { KNOWLEDGE_PREFIX } from '../../lib/shared/data-layout';
import { stackNames } from '../../lib/shared/names';
import { synthesize, TEST_ENV } from '../support/build-app';
import { matrixConfiguration } from '../support/gate-matrix';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Resource = { Type: string; Properties: Record<string, Json>; DeletionPolicy?: string; DependsOn?: string[] };

/** The knowledge stack's template (and the app's) for a configuration of the gate matrix. */
function synth(overrides: Record<string, unknown> = {}) {
  const { assembly, stacks, config } = synthesize(overrides);
  const template = (name: string) => Template.fromJSON(assembly.getStackByName(name).template);
  return {
    config,
    assembly,
    stacks,
    knowledge: stacks.knowledge ? template(stacks.knowledge.stackName) : undefined,
    invoke: template(stacks.guardedInvoke.stackName),
  };
}

/** The one resource of `type` in `t`. */
function only(t: Template | undefined, type: string): Resource {
  const found = Object.values(t?.findResources(type) ?? {}) as Resource[];
  expect(found).toHaveLength(1);
  return found[0];
}
function logicalIdOf(t: Template | undefined, type: string): string {
  const ids = Object.keys(t?.findResources(type) ?? {});
  expect(ids).toHaveLength(1);
  return ids[0];
}
const chunkingOf = (t: Template | undefined) =>
  (only(t, 'AWS::Bedrock::DataSource').Properties.VectorIngestionConfiguration as { ChunkingConfiguration: Json })
    .ChunkingConfiguration;

const defaults = synth();
const hierarchicalOverrides = matrixConfiguration(
  'knowledge base: hierarchical chunking, small vectors, more passages',
);
const hierarchical = synth(hierarchicalOverrides);
const off = synth({ knowledgeBase: false });
const DEFAULT_CONFIG = parseConfig({});

/** The import of the data-protection stack's export of the project key's ARN (the only key reference a consumer has). */
const PROJECT_KEY_ARN = {
  'Fn::ImportValue': Match.stringLikeRegexp(`^${defaults.stacks.dataProtection.stackName}:.*ProjectKey.*Arn`),
};
const DATA_BUCKET_ARN = {
  'Fn::ImportValue': Match.stringLikeRegexp(`^${defaults.stacks.dataProtection.stackName}:.*DataBucket.*Arn`),
};

describe('KnowledgeStack', () => {
  test('normalized snapshot (default configuration)', () => {
    expect(defaults.knowledge?.toJSON()).toMatchSnapshot();
  });

  test('named <app>-Knowledge, only when the knowledgeBase setting is on (the default)', () => {
    expect(DEFAULT_CONFIG.knowledgeBase).toBe(true);
    expect(defaults.stacks.knowledge?.stackName).toBe(stackNames(DEFAULT_CONFIG.appName).knowledge);
  });

  describe('the vector store', () => {
    test('one vector bucket, SSE-KMS with the project key imported from the data-protection stack', () => {
      defaults.knowledge?.resourceCountIs('AWS::S3Vectors::VectorBucket', 1);
      defaults.knowledge?.hasResourceProperties('AWS::S3Vectors::VectorBucket', {
        EncryptionConfiguration: { SseType: 'aws:kms', KmsKeyArn: PROJECT_KEY_ARN },
      });
    });

    test('one index in that bucket: float32, cosine, the embedding length, encrypted with the project key', () => {
      defaults.knowledge?.resourceCountIs('AWS::S3Vectors::Index', 1);
      const index = only(defaults.knowledge, 'AWS::S3Vectors::Index').Properties;
      expect(index).toMatchObject({
        DataType: 'float32',
        DistanceMetric: 'cosine',
        Dimension: DEFAULT_CONFIG.embeddingDimensions,
        VectorBucketArn: {
          'Fn::GetAtt': [logicalIdOf(defaults.knowledge, 'AWS::S3Vectors::VectorBucket'), 'VectorBucketArn'],
        },
      });
      expect(index.Dimension).toBe(1024);
      defaults.knowledge?.hasResourceProperties('AWS::S3Vectors::Index', {
        EncryptionConfiguration: { SseType: 'aws:kms', KmsKeyArn: PROJECT_KEY_ARN },
      });
    });

    test('the dimension follows embeddingDimensions (256 in the small-vectors configuration)', () => {
      expect(hierarchicalOverrides.embeddingDimensions).toBe(256);
      expect(only(hierarchical.knowledge, 'AWS::S3Vectors::Index').Properties.Dimension).toBe(256);
    });

    test("Bedrock's passage text and metadata are declared non-filterable, and nothing else is", () => {
      // https://docs.aws.amazon.com/bedrock/latest/userguide/knowledge-base-setup.html
      const index = only(defaults.knowledge, 'AWS::S3Vectors::Index').Properties;
      expect(index.MetadataConfiguration).toEqual({
        NonFilterableMetadataKeys: ['AMAZON_BEDROCK_TEXT', 'AMAZON_BEDROCK_METADATA'],
      });
    });

    test('bucket and index are retained by default (the index is the stateful part)', () => {
      for (const type of ['AWS::S3Vectors::VectorBucket', 'AWS::S3Vectors::Index']) {
        defaults.knowledge?.hasResource(type, { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      }
    });

    test('removalPolicy destroy => bucket and index are deleted with the stack', () => {
      const sandbox = synth(matrixConfiguration('throwaway sandbox (destroy)'));
      for (const type of ['AWS::S3Vectors::VectorBucket', 'AWS::S3Vectors::Index']) {
        sandbox.knowledge?.hasResource(type, { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
      }
    });
  });

  describe('the knowledge base', () => {
    const kb = () => only(defaults.knowledge, 'AWS::Bedrock::KnowledgeBase').Properties;
    const embeddingModelArn = `arn:aws:bedrock:${TEST_ENV.region}::foundation-model/${DEFAULT_CONFIG.embeddingModelId}`;

    test('a vector knowledge base embedding with the configured Titan V2 model of the stack region, at the configured length', () => {
      expect(DEFAULT_CONFIG.embeddingModelId).toBe('amazon.titan-embed-text-v2:0');
      expect(kb().KnowledgeBaseConfiguration).toEqual({
        Type: 'VECTOR',
        VectorKnowledgeBaseConfiguration: {
          EmbeddingModelArn: embeddingModelArn,
          EmbeddingModelConfiguration: {
            BedrockEmbeddingModelConfiguration: { Dimensions: 1024, EmbeddingDataType: 'FLOAT32' },
          },
        },
      });
      hierarchical.knowledge?.hasResourceProperties('AWS::Bedrock::KnowledgeBase', {
        KnowledgeBaseConfiguration: {
          VectorKnowledgeBaseConfiguration: {
            EmbeddingModelConfiguration: { BedrockEmbeddingModelConfiguration: { Dimensions: 256 } },
          },
        },
      });
    });

    test('stored in S3 Vectors, in the index of this stack', () => {
      expect(kb().StorageConfiguration).toEqual({
        Type: 'S3_VECTORS',
        S3VectorsConfiguration: {
          IndexArn: { 'Fn::GetAtt': [logicalIdOf(defaults.knowledge, 'AWS::S3Vectors::Index'), 'IndexArn'] },
        },
      });
    });

    test('acts through its own role, created (with its policy) before it', () => {
      const roleId = logicalIdOf(defaults.knowledge, 'AWS::IAM::Role');
      expect(kb().RoleArn).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
      const resource = only(defaults.knowledge, 'AWS::Bedrock::KnowledgeBase');
      expect(resource.DependsOn).toContain(logicalIdOf(defaults.knowledge, 'AWS::IAM::ManagedPolicy'));
    });
  });

  describe('the data source', () => {
    const source = () => only(defaults.knowledge, 'AWS::Bedrock::DataSource').Properties;

    test('S3 on the data bucket, limited to exactly the knowledge/ prefix (never incoming/)', () => {
      expect(KNOWLEDGE_PREFIX).toBe('knowledge/');
      expect(source().DataSourceConfiguration).toEqual({
        Type: 'S3',
        S3Configuration: { BucketArn: expect.anything(), InclusionPrefixes: ['knowledge/'] },
      });
      defaults.knowledge?.hasResourceProperties('AWS::Bedrock::DataSource', {
        DataSourceConfiguration: { S3Configuration: { BucketArn: DATA_BUCKET_ARN } },
      });
    });

    test("belongs to this stack's knowledge base, encrypts transient data with the project key, and deletes vectors with the data", () => {
      expect(source().KnowledgeBaseId).toEqual({
        'Fn::GetAtt': [logicalIdOf(defaults.knowledge, 'AWS::Bedrock::KnowledgeBase'), 'KnowledgeBaseId'],
      });
      expect(source().DataDeletionPolicy).toBe('DELETE');
      defaults.knowledge?.hasResourceProperties('AWS::Bedrock::DataSource', {
        ServerSideEncryptionConfiguration: { KmsKeyArn: PROJECT_KEY_ARN },
      });
    });

    test('fixed-size chunking by default, with chunkMaxTokens and chunkOverlapPercent from config', () => {
      expect(DEFAULT_CONFIG.chunkingStrategy).toBe('fixed-size');
      expect(chunkingOf(defaults.knowledge)).toEqual({
        ChunkingStrategy: 'FIXED_SIZE',
        FixedSizeChunkingConfiguration: {
          MaxTokens: DEFAULT_CONFIG.chunkMaxTokens,
          OverlapPercentage: DEFAULT_CONFIG.chunkOverlapPercent,
        },
      });
    });

    test('hierarchical => exactly two levels, chunkMaxTokens the child and a larger parent, both within Titan V2 input', () => {
      // Two levels, each 1..8192 tokens, overlap at least 1:
      // https://docs.aws.amazon.com/bedrock/latest/APIReference/API_agent_HierarchicalChunkingConfiguration.html
      const chunking = chunkingOf(hierarchical.knowledge) as {
        ChunkingStrategy: string;
        HierarchicalChunkingConfiguration: { LevelConfigurations: { MaxTokens: number }[]; OverlapTokens: number };
        FixedSizeChunkingConfiguration?: unknown;
      };
      expect(chunking.ChunkingStrategy).toBe('HIERARCHICAL');
      expect(chunking.FixedSizeChunkingConfiguration).toBeUndefined();
      const [parent, child] = chunking.HierarchicalChunkingConfiguration.LevelConfigurations;
      expect(chunking.HierarchicalChunkingConfiguration.LevelConfigurations).toHaveLength(2);
      expect(child.MaxTokens).toBe(hierarchicalOverrides.chunkMaxTokens);
      expect(parent.MaxTokens).toBeGreaterThan(child.MaxTokens);
      expect(parent.MaxTokens).toBeLessThanOrEqual(8192);
      expect(chunking.HierarchicalChunkingConfiguration.OverlapTokens).toBeGreaterThanOrEqual(1);
      expect(chunking.HierarchicalChunkingConfiguration.OverlapTokens).toBeLessThan(child.MaxTokens);
    });

    test('semantic => chunkMaxTokens, with buffer and threshold inside the ranges Bedrock accepts', () => {
      // bufferSize 0..1, breakpointPercentileThreshold 50..99:
      // https://docs.aws.amazon.com/bedrock/latest/APIReference/API_agent_SemanticChunkingConfiguration.html
      const semantic = synth({ chunkingStrategy: 'semantic' });
      const chunking = chunkingOf(semantic.knowledge) as {
        ChunkingStrategy: string;
        SemanticChunkingConfiguration: { MaxTokens: number; BufferSize: number; BreakpointPercentileThreshold: number };
      };
      expect(chunking.ChunkingStrategy).toBe('SEMANTIC');
      expect(chunking.SemanticChunkingConfiguration.MaxTokens).toBe(DEFAULT_CONFIG.chunkMaxTokens);
      expect([0, 1]).toContain(chunking.SemanticChunkingConfiguration.BufferSize);
      expect(chunking.SemanticChunkingConfiguration.BreakpointPercentileThreshold).toBeGreaterThanOrEqual(50);
      expect(chunking.SemanticChunkingConfiguration.BreakpointPercentileThreshold).toBeLessThanOrEqual(99);
    });

    test('none => one passage per document, with no size configuration', () => {
      expect(chunkingOf(synth({ chunkingStrategy: 'none' }).knowledge)).toEqual({ ChunkingStrategy: 'NONE' });
    });
  });

  describe("the knowledge base's role", () => {
    test('trusted only by Bedrock, for knowledge bases of this account and region (confused-deputy conditions)', () => {
      const role = only(defaults.knowledge, 'AWS::IAM::Role').Properties;
      expect(role.AssumeRolePolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Principal: { Service: 'bedrock.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': TEST_ENV.account },
              ArnLike: { 'aws:SourceArn': `arn:aws:bedrock:${TEST_ENV.region}:${TEST_ENV.account}:knowledge-base/*` },
            },
          },
        ],
      });
    });

    test('no AWS managed policy, no inline policy: one customer-managed policy of its own', () => {
      const role = only(defaults.knowledge, 'AWS::IAM::Role').Properties;
      expect(role.ManagedPolicyArns).toBeUndefined();
      expect(role.Policies).toBeUndefined();
      defaults.knowledge?.resourceCountIs('AWS::IAM::Policy', 0);
      expect(JSON.stringify(defaults.knowledge?.toJSON())).not.toMatch(/arn:[^"]*:iam::aws:policy\//);
      defaults.knowledge?.hasResourceProperties('AWS::IAM::ManagedPolicy', {
        Roles: [{ Ref: logicalIdOf(defaults.knowledge, 'AWS::IAM::Role') }],
      });
    });

    test('may invoke only the configured embedding model, and use only the index of this stack', () => {
      const statements = (
        only(defaults.knowledge, 'AWS::IAM::ManagedPolicy').Properties.PolicyDocument as {
          Statement: { Action: string | string[]; Resource: Json }[];
        }
      ).Statement;
      const on = (prefix: string) =>
        statements.filter((s) => [s.Action].flat().some((a) => a.startsWith(prefix))).map((s) => s.Resource);
      expect(on('bedrock:')).toEqual([
        `arn:aws:bedrock:${TEST_ENV.region}::foundation-model/${DEFAULT_CONFIG.embeddingModelId}`,
      ]);
      expect(on('s3vectors:')).toEqual([
        { 'Fn::GetAtt': [logicalIdOf(defaults.knowledge, 'AWS::S3Vectors::Index'), 'IndexArn'] },
      ]);
    });
  });

  test('outputs: knowledge base id and ARN, data source id and index ARN', () => {
    const ids = {
      kb: logicalIdOf(defaults.knowledge, 'AWS::Bedrock::KnowledgeBase'),
      source: logicalIdOf(defaults.knowledge, 'AWS::Bedrock::DataSource'),
      index: logicalIdOf(defaults.knowledge, 'AWS::S3Vectors::Index'),
    };
    defaults.knowledge?.hasOutput('KnowledgeBaseId', { Value: { 'Fn::GetAtt': [ids.kb, 'KnowledgeBaseId'] } });
    defaults.knowledge?.hasOutput('KnowledgeBaseArn', { Value: { 'Fn::GetAtt': [ids.kb, 'KnowledgeBaseArn'] } });
    defaults.knowledge?.hasOutput('DataSourceId', { Value: { 'Fn::GetAtt': [ids.source, 'DataSourceId'] } });
    defaults.knowledge?.hasOutput('VectorIndexArn', { Value: { 'Fn::GetAtt': [ids.index, 'IndexArn'] } });
  });

  describe('the invoke function and the knowledge base', () => {
    type Fn = { Environment: { Variables: Record<string, Json> } };
    const env = (t: Template) => (only(t, 'AWS::Lambda::Function').Properties as unknown as Fn).Environment.Variables;
    const policies = (t: Template) => JSON.stringify(t.findResources('AWS::IAM::ManagedPolicy'));

    test('on => the function knows the knowledge base and the results cap, and may retrieve from it', () => {
      expect(env(defaults.invoke)).toMatchObject({
        // Read from the knowledge stack's SSM parameter when deployed (no import).
        KNOWLEDGE_BASE_ID: expect.stringMatching(
          /^\{\{resolve:ssm:\/GuardedGenAi-Knowledge\/[0-9a-f]{8}\/knowledge-base-id\}\}$/,
        ),
        RETRIEVAL_RESULTS_CAP: String(DEFAULT_CONFIG.retrievalResultsCap),
      });
      expect(env(hierarchical.invoke).RETRIEVAL_RESULTS_CAP).toBe(String(hierarchicalOverrides.retrievalResultsCap));
      expect(policies(defaults.invoke)).toContain('bedrock:Retrieve');
    });

    test('knowledgeBase false => no Knowledge or Ingestion stack, no retrieval setting or permission for the function', () => {
      const names = stackNames(off.config.appName);
      const deployed = off.assembly.stacks.map((s) => s.stackName);
      expect(deployed).not.toContain(names.knowledge);
      expect(deployed).not.toContain(names.ingestion);
      expect(deployed).toContain(names.guardedInvoke);
      expect(off.stacks.knowledge).toBeUndefined();
      expect(off.stacks.ingestion).toBeUndefined();
      expect(env(off.invoke)).not.toHaveProperty('KNOWLEDGE_BASE_ID');
      expect(env(off.invoke)).not.toHaveProperty('RETRIEVAL_RESULTS_CAP');
      expect(policies(off.invoke)).not.toContain('bedrock:Retrieve');
      expect(JSON.stringify(off.invoke.toJSON())).not.toMatch(/Knowledge/);
    });
  });
});
