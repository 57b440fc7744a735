import type * as bedrock from 'aws-cdk-lib/aws-bedrock';

/** How documents are cut into passages, in the project's terms. */
export type Chunking =
  | { readonly strategy: 'fixed-size'; readonly maxTokens: number; readonly overlapPercent: number }
  | { readonly strategy: 'semantic'; readonly maxTokens: number }
  | { readonly strategy: 'hierarchical'; readonly childMaxTokens: number }
  | { readonly strategy: 'none' };

/**
 * Bedrock's chunking configuration for a strategy. The values not exposed as
 * settings are the defaults the Bedrock console proposes.
 * https://docs.aws.amazon.com/bedrock/latest/userguide/kb-chunking.html
 */
export function chunkingConfiguration(chunking: Chunking): bedrock.CfnDataSource.ChunkingConfigurationProperty {
  switch (chunking.strategy) {
    case 'fixed-size':
      return {
        chunkingStrategy: 'FIXED_SIZE',
        fixedSizeChunkingConfiguration: {
          maxTokens: chunking.maxTokens,
          overlapPercentage: chunking.overlapPercent,
        },
      };
    case 'semantic':
      return {
        chunkingStrategy: 'SEMANTIC',
        semanticChunkingConfiguration: {
          maxTokens: chunking.maxTokens,
          bufferSize: 0,
          breakpointPercentileThreshold: 95,
        },
      };
    case 'hierarchical':
      // Parents at least five times the child, so a matched child passage
      // brings back enough surrounding text to answer from.
      return {
        chunkingStrategy: 'HIERARCHICAL',
        hierarchicalChunkingConfiguration: {
          levelConfigurations: [
            { maxTokens: Math.max(1500, chunking.childMaxTokens * 5) },
            { maxTokens: chunking.childMaxTokens },
          ],
          overlapTokens: Math.min(60, Math.floor(chunking.childMaxTokens / 5)),
        },
      };
    case 'none':
      return { chunkingStrategy: 'NONE' };
  }
}
