import { Stack } from 'aws-cdk-lib';
import * as bedrock from 'aws-cdk-lib/aws-bedrock';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { type Chunking, chunkingConfiguration } from './chunking';
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

  constructor(scope: Construct, id: string, props: KnowledgeBaseProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const embeddingModelArn = `arn:${stack.partition}:bedrock:${stack.region}::foundation-model/${props.embeddingModelId}`;

    this.role = new KnowledgeBaseRole(this, 'ServiceRole', {
      embeddingModelArn,
      dataBucket: props.dataBucket,
      prefix: props.prefix,
      indexArn: props.vectorStore.index.attrIndexArn,
      key: props.key,
    });

    this.knowledgeBase = new bedrock.CfnKnowledgeBase(this, 'Resource', {
      name: `${stack.stackName}-documents`,
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
      name: 'promoted-documents',
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
  }

  /** The knowledge base's ARN, for the permissions of those who query or ingest into it. */
  public get arn(): string {
    return this.knowledgeBase.attrKnowledgeBaseArn;
  }
}
