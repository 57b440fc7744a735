import { CfnOutput, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { KNOWLEDGE_PREFIX } from '../shared/data-layout';
import { ApplicationLogs } from './application-logs';
import type { Chunking } from './chunking';
import type { GenerationSettings } from './generation';
import { KnowledgeBase } from './knowledge-base';
import { VectorStore } from './vector-store';

export interface KnowledgeStackProps extends StackProps {
  /** An Amazon Titan Text Embeddings V2 model id. */
  readonly embeddingModelId: string;
  /** Length of the embedding vectors (1024, 512 or 256). */
  readonly dimensions: number;
  readonly chunking: Chunking;
  /**
   * Whether the vector bucket and index survive the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  readonly key: kms.IKey;
  readonly dataBucket: s3.IBucket;
  /** How long the knowledge base's application logs (per-document ingestion outcomes) are kept. */
  readonly logRetention: logs.RetentionDays;
  /**
   * The settings whose knowledge base and data source keep names without a digest (lib/knowledge/generation.ts).
   * @default - the settings given here
   */
  readonly firstGeneration?: GenerationSettings;
}

/**
 * The knowledge store of retrieval-augmented generation: an S3 Vectors index
 * and the Bedrock knowledge base that fills it from the promoted documents.
 *
 * Built on the data-protection stack (its key and bucket); the guarded-invoke
 * stack queries it, and the ingestion stack feeds it.
 */
export class KnowledgeStack extends Stack {
  public readonly vectorStore: VectorStore;
  public readonly knowledgeBase: KnowledgeBase;
  /** What each ingestion job did with each document, delivered by Bedrock. */
  public readonly applicationLogs: ApplicationLogs;

  constructor(scope: Construct, id: string, props: KnowledgeStackProps) {
    super(scope, id, props);

    // Logical IDs "VectorStore" and "KnowledgeBase" are part of the contract
    // with deployed stacks: renaming one replaces the index and empties it.
    this.vectorStore = new VectorStore(this, 'VectorStore', {
      key: props.key,
      dimension: props.dimensions,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.knowledgeBase = new KnowledgeBase(this, 'KnowledgeBase', {
      embeddingModelId: props.embeddingModelId,
      dimensions: props.dimensions,
      vectorStore: this.vectorStore,
      dataBucket: props.dataBucket,
      prefix: KNOWLEDGE_PREFIX,
      chunking: props.chunking,
      key: props.key,
      firstGeneration: props.firstGeneration,
    });

    this.applicationLogs = new ApplicationLogs(this, 'ApplicationLogs', {
      knowledgeBaseArn: this.knowledgeBase.arn,
      generation: this.knowledgeBase.generation.knowledgeBaseDigest,
      key: props.key,
      retention: props.logRetention,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });

    // The exports the stacks built on this one imported before they read the
    // ids from SSM parameters: kept, under the names CDK gave them, so that
    // upgrading a deployed app does not remove an export still imported while
    // this stack is updated first. Nothing imports them any more, so a new
    // generation may change their values.
    this.exportValue(this.knowledgeBase.knowledgeBase.attrKnowledgeBaseId);
    this.exportValue(this.knowledgeBase.arn);
    this.exportValue(this.knowledgeBase.dataSource.attrDataSourceId);

    // What `npm run ingest`, `npm run ask` and `npm run verify` read after deployment.
    new CfnOutput(this, 'KnowledgeBaseId', { value: this.knowledgeBase.knowledgeBase.attrKnowledgeBaseId });
    new CfnOutput(this, 'KnowledgeBaseArn', { value: this.knowledgeBase.arn });
    new CfnOutput(this, 'DataSourceId', { value: this.knowledgeBase.dataSource.attrDataSourceId });
    new CfnOutput(this, 'VectorIndexArn', { value: this.vectorStore.index.attrIndexArn });
    new CfnOutput(this, 'ApplicationLogGroupName', { value: this.applicationLogs.logGroup.logGroupName });
  }
}
