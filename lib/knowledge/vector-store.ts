import { RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3vectors from 'aws-cdk-lib/aws-s3vectors';
import { Construct } from 'constructs';

/**
 * Metadata keys Bedrock writes on every vector it stores in an S3 Vectors
 * index: the passage's text and Bedrock's own metadata. They are larger than
 * S3 Vectors allows for filterable metadata, so the index must declare them
 * non-filterable or Bedrock's writes are refused.
 * https://docs.aws.amazon.com/bedrock/latest/userguide/knowledge-base-setup.html
 */
export const BEDROCK_METADATA_KEYS = ['AMAZON_BEDROCK_TEXT', 'AMAZON_BEDROCK_METADATA'] as const;

export interface VectorStoreProps {
  /** The project key: vectors and their metadata (the passages' text) are encrypted with it. */
  readonly key: kms.IKey;
  /** Length of each vector; it must equal the embedding model's output length. */
  readonly dimension: number;
  /** Whether the bucket and index survive their stack. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * An Amazon S3 Vectors vector bucket and its one index: the knowledge base's
 * vector store (notes, RAG chapter: embeddings live in a vector database that
 * answers "which passages mean something close to this question").
 *
 * S3 Vectors is billed for what is stored and queried, with no cluster or
 * capacity unit running while idle, which is why it is the default store here
 * (docs/knowledge-base.md compares the other stores the notes list).
 * The passages' text is stored with the vectors, so both are encrypted with
 * the project key, like the documents they come from.
 */
export class VectorStore extends Construct {
  public readonly bucket: s3vectors.CfnVectorBucket;
  public readonly index: s3vectors.CfnIndex;

  constructor(scope: Construct, id: string, props: VectorStoreProps) {
    super(scope, id);
    const encryptionConfiguration = { sseType: 'aws:kms', kmsKeyArn: props.key.keyArn };

    // Names are left to CloudFormation: nothing outside this stack needs to
    // know them in advance (the key policy names the bucket by this account's
    // vector-bucket ARNs, and the knowledge base gets the index ARN).
    this.bucket = new s3vectors.CfnVectorBucket(this, 'Bucket', { encryptionConfiguration });
    this.index = new s3vectors.CfnIndex(this, 'Index', {
      vectorBucketArn: this.bucket.attrVectorBucketArn,
      dataType: 'float32',
      dimension: props.dimension,
      // Titan Text Embeddings V2 returns normalised vectors, for which cosine
      // similarity is the measure Bedrock knowledge bases use.
      distanceMetric: 'cosine',
      metadataConfiguration: { nonFilterableMetadataKeys: [...BEDROCK_METADATA_KEYS] },
      encryptionConfiguration,
    });
    for (const resource of [this.bucket, this.index]) resource.applyRemovalPolicy(props.removalPolicy);
  }
}
