import { Aws, CfnDynamicReference, CfnDynamicReferenceService, Stack } from 'aws-cdk-lib';
import * as bedrock from 'aws-cdk-lib/aws-bedrock';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { type Chunking, chunkingConfiguration } from './chunking';
import { generation, type Generation, type GenerationSettings } from './generation';
import { KnowledgeBaseRole } from './knowledge-base-role';
import type { VectorStore } from './vector-store';

export interface KnowledgeBaseProps {
  /** An Amazon Titan Text Embeddings V2 model id. */
  readonly embeddingModelId: string;
  /** Output length of the embedding model; equals the index's dimension. */
  readonly dimensions: number;
  readonly vectorStore: VectorStore;
  readonly dataBucket: s3.IBucket;
  /** The only prefix the data source reads: documents that passed the checks. */
  readonly prefix: string;
  readonly chunking: Chunking;
  readonly key: kms.IKey;
  /**
   * The settings of the first generation, whose names carry no digest (lib/knowledge/generation.ts).
   * @default - these settings: this generation is the first
   */
  readonly firstGeneration?: GenerationSettings;
}

/**
 * How another stack reaches the knowledge base without a CloudFormation
 * export: the ids are read from SSM parameters when that stack is deployed
 * (an `ssm` dynamic reference), so a new generation (a replaced knowledge
 * base or data source) is never blocked by an export in use ("you can't ...
 * modify the exported output value" while it is imported,
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-exports.html).
 */
export interface KnowledgeBaseReference {
  readonly id: string;
  readonly arn: string;
  readonly dataSourceId: string;
}

/**
 * A Bedrock knowledge base over the promoted documents (notes, RAG chapter:
 * answers grounded in the organisation's own documents, with the embedding
 * model turning text into vectors and a vector store finding the nearest).
 *
 * The data source reads only `knowledge/`: nothing dropped in `incoming/` is
 * indexed until the promotion path has checked it.
 */
export class KnowledgeBase extends Construct {
  public readonly role: KnowledgeBaseRole;
  public readonly knowledgeBase: bedrock.CfnKnowledgeBase;
  public readonly dataSource: bedrock.CfnDataSource;
  /** The names of this generation. */
  public readonly generation: Generation;

  constructor(scope: Construct, id: string, props: KnowledgeBaseProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const settings = {
      embeddingModelId: props.embeddingModelId,
      dimensions: props.dimensions,
      chunking: props.chunking,
    };
    this.generation = generation(stack.stackName, settings, props.firstGeneration ?? settings);
    const embeddingModelArn = `arn:${stack.partition}:bedrock:${stack.region}::foundation-model/${props.embeddingModelId}`;

    this.role = new KnowledgeBaseRole(this, 'ServiceRole', {
      embeddingModelArn,
      dataBucket: props.dataBucket,
      prefix: props.prefix,
      indexArn: props.vectorStore.index.attrIndexArn,
      key: props.key,
    });

    this.knowledgeBase = new bedrock.CfnKnowledgeBase(this, 'Resource', {
      name: this.generation.knowledgeBaseName,
      description: 'Documents promoted from incoming/ after the malware scan and the guardrail check',
      roleArn: this.role.role.roleArn,
      knowledgeBaseConfiguration: {
        type: 'VECTOR',
        vectorKnowledgeBaseConfiguration: {
          embeddingModelArn,
          embeddingModelConfiguration: {
            bedrockEmbeddingModelConfiguration: { dimensions: props.dimensions, embeddingDataType: 'FLOAT32' },
          },
        },
      },
      storageConfiguration: {
        type: 'S3_VECTORS',
        s3VectorsConfiguration: { indexArn: props.vectorStore.index.attrIndexArn },
      },
    });
    // Bedrock checks the role's access to the index when the knowledge base is created.
    this.knowledgeBase.node.addDependency(this.role.policy);

    this.dataSource = new bedrock.CfnDataSource(this, 'Documents', {
      knowledgeBaseId: this.knowledgeBase.attrKnowledgeBaseId,
      name: this.generation.dataSourceName,
      description: 'The knowledge/ prefix of the data bucket',
      dataSourceConfiguration: {
        type: 'S3',
        s3Configuration: { bucketArn: props.dataBucket.bucketArn, inclusionPrefixes: [props.prefix] },
      },
      // Passages of a document removed from knowledge/ leave the index at the
      // next ingestion job; deleting the data source removes them all.
      dataDeletionPolicy: 'DELETE',
      serverSideEncryptionConfiguration: { kmsKeyArn: props.key.keyArn },
      vectorIngestionConfiguration: { chunkingConfiguration: chunkingConfiguration(props.chunking) },
    });

    // Where the stacks built on this one read the ids (see KnowledgeBaseReference).
    new ssm.StringParameter(this, 'IdParameter', {
      parameterName: this.generation.knowledgeBaseIdParameter,
      description: 'The id of the knowledge base, read by the stacks that query it or ingest into it',
      stringValue: this.knowledgeBase.attrKnowledgeBaseId,
    });
    new ssm.StringParameter(this, 'DataSourceIdParameter', {
      parameterName: this.generation.dataSourceIdParameter,
      description: 'The id of the data source of promoted documents, read by the ingestion stack',
      stringValue: this.dataSource.attrDataSourceId,
    });
  }

  /** The knowledge base's ARN, for the permissions of those in this stack who use it. */
  public get arn(): string {
    return this.knowledgeBase.attrKnowledgeBaseArn;
  }

  /**
   * The ids and ARN for another stack, resolved when that stack is deployed:
   * no export, so a replacement here is not blocked; the parameter names
   * carry the generation's digest, so a new generation changes that stack's
   * template and it reads the new ids at its next deployment.
   */
  public reference(): KnowledgeBaseReference {
    const read = (name: string) => new CfnDynamicReference(CfnDynamicReferenceService.SSM, name).toString();
    const id = read(this.generation.knowledgeBaseIdParameter);
    return {
      id,
      arn: `arn:${Aws.PARTITION}:bedrock:${Aws.REGION}:${Aws.ACCOUNT_ID}:knowledge-base/${id}`,
      dataSourceId: read(this.generation.dataSourceIdParameter),
    };
  }
}
