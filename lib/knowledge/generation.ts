import { createHash } from 'node:crypto';
import { type Chunking, chunkingConfiguration } from './chunking';

/**
 * The knowledge-base settings CloudFormation cannot change in place. Each
 * replaces a resource whose name is ours:
 * - the embedding model and its dimensions: the knowledge base ("You can't
 *   change the knowledgeBaseConfiguration or storageConfiguration fields",
 *   https://docs.aws.amazon.com/bedrock/latest/APIReference/API_agent_UpdateKnowledgeBase.html),
 *   and with the dimensions the index (AWS::S3Vectors::Index Dimension,
 *   "Update requires: Replacement");
 * - the chunking: the data source (VectorIngestionConfiguration
 *   ChunkingConfiguration, "Update requires: Replacement",
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-bedrock-datasource-vectoringestionconfiguration.html).
 * CloudFormation creates the replacement before it deletes the old resource,
 * and Bedrock refuses a second knowledge base or data source of the same name
 * (HTTP 409), so every such name carries a digest of these settings: one
 * generation of the knowledge base per set of settings. The index's name is
 * left to CloudFormation, which gives a replacement a new one ("If you don't
 * specify a name, AWS CloudFormation generates a unique ID and uses that ID
 * for the index name",
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-s3vectors-index.html#cfn-s3vectors-index-indexname);
 * it is replaced with the dimensions, the only one of these settings that
 * changes what it stores (the embedding model has one allowed value today; a
 * second one of the same dimensions would share the index with the first).
 */
export interface GenerationSettings {
  /** An Amazon Titan Text Embeddings V2 model id. */
  readonly embeddingModelId: string;
  readonly dimensions: number;
  readonly chunking: Chunking;
}

/** Eight hexadecimal characters that change with any replacement-triggering setting (the chunking as Bedrock gets it). */
export function generationDigest(settings: GenerationSettings): string {
  const canonical = JSON.stringify([
    settings.embeddingModelId,
    settings.dimensions,
    chunkingConfiguration(settings.chunking),
  ]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 8);
}

/** Eight hexadecimal characters that change when the knowledge base itself is replaced (the embedding settings). */
export function knowledgeBaseDigest(settings: GenerationSettings): string {
  const canonical = JSON.stringify([settings.embeddingModelId, settings.dimensions]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 8);
}

/** The names of one generation of the knowledge base, in the stack `stackName`. */
export interface Generation {
  /** The digest of its settings. */
  readonly digest: string;
  /** The digest of the settings that replace the knowledge base itself (a chunking change keeps it). */
  readonly knowledgeBaseDigest: string;
  readonly knowledgeBaseName: string;
  readonly dataSourceName: string;
  /** SSM parameters holding the knowledge base's and the data source's ids, which the stacks built on this one read. */
  readonly knowledgeBaseIdParameter: string;
  readonly dataSourceIdParameter: string;
}

/**
 * The names for `settings`. The first generation (`first`: the project's
 * defaults, the settings most stacks deployed before names carried a digest
 * have) keeps the names it was deployed with, so upgrading such a stack
 * renames nothing; every other generation's names end with its digest. (A
 * stack deployed earlier with other settings has its knowledge base and data
 * source renamed at the upgrade, which Bedrock does in place:
 * UpdateKnowledgeBase and UpdateDataSource change a name.)
 */
export function generation(stackName: string, settings: GenerationSettings, first: GenerationSettings): Generation {
  const digest = generationDigest(settings);
  const isFirst = digest === generationDigest(first);
  const suffix = isFirst ? '' : `-${digest}`;
  return {
    digest,
    knowledgeBaseDigest: knowledgeBaseDigest(settings),
    knowledgeBaseName: `${stackName}-documents${suffix}`,
    dataSourceName: `promoted-documents${suffix}`,
    // The digest is in the parameter's name too, so that a new generation
    // changes the template of every stack that reads it, and CloudFormation
    // resolves the new value there ("if you update the parameter version in
    // Systems Manager, you also perform a stack update operation on any stacks
    // that include the ssm dynamic reference",
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references-ssm.html).
    knowledgeBaseIdParameter: `/${stackName}/${digest}/knowledge-base-id`,
    dataSourceIdParameter: `/${stackName}/${digest}/data-source-id`,
  };
}
