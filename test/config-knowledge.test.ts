import { parseConfig } from '../lib/config';
import { problemsOf } from './support/config-problems';

describe('knowledge-base settings', () => {
  test('knowledgeBase true without the malware scan => refused, naming both settings and the way out', () => {
    const problems = problemsOf({ knowledgeBase: true, malwareProtection: false });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^knowledgeBase:/);
    expect(problems[0]).toContain('malwareProtection');
    expect(problems[0]).toMatch(/knowledgeBase false/);
    // The default is on, so turning the scan off alone is refused the same way...
    expect(problemsOf({ malwareProtection: false })).toEqual(problems);
    // ...and turning both off is accepted.
    expect(parseConfig({ knowledgeBase: false, malwareProtection: false })).toMatchObject({
      knowledgeBase: false,
      malwareProtection: false,
    });
  });

  test('an embedding model other than Titan Text Embeddings V2 => refused, naming the one allowed', () => {
    for (const modelId of ['amazon.titan-embed-text-v1', 'cohere.embed-english-v3', 'amazon.titan-embed-text-v2']) {
      const problems = problemsOf({ embeddingModelId: modelId });
      expect(problems).toEqual([expect.stringMatching(/^embeddingModelId: .*amazon\.titan-embed-text-v2:0/)]);
    }
  });

  test('embeddingDimensions only 1024, 512 or 256 (what Titan V2 outputs)', () => {
    for (const dimensions of [300, 0, 2048, '300', 1024.5]) {
      expect(problemsOf({ embeddingDimensions: dimensions })).toEqual([
        expect.stringMatching(/^embeddingDimensions: .*1024, 512, 256/),
      ]);
    }
    for (const dimensions of [1024, 512, 256]) {
      expect(parseConfig({ embeddingDimensions: dimensions }).embeddingDimensions).toBe(dimensions);
    }
  });

  test('binaryDocuments is "refuse" or "promote-unscreened", and the error names both', () => {
    for (const value of ['promote', 'allow', 'REFUSE', '']) {
      expect(problemsOf({ binaryDocuments: value })).toEqual([
        expect.stringMatching(/^binaryDocuments: .*"refuse" or "promote-unscreened"/),
      ]);
    }
    expect(parseConfig({ binaryDocuments: 'promote-unscreened' }).binaryDocuments).toBe('promote-unscreened');
  });

  test('chunkingStrategy only one of the four, in the project spelling', () => {
    for (const strategy of ['bogus', 'FIXED_SIZE', 'fixed', '']) {
      expect(problemsOf({ chunkingStrategy: strategy })).toEqual([expect.stringMatching(/^chunkingStrategy: /)]);
    }
    for (const strategy of ['fixed-size', 'semantic', 'hierarchical', 'none']) {
      expect(parseConfig({ chunkingStrategy: strategy }).chunkingStrategy).toBe(strategy);
    }
  });

  test('retrievalResultsCap 1..20, whole numbers only', () => {
    for (const cap of [0, 21, -1, 2.5]) {
      expect(problemsOf({ retrievalResultsCap: cap })).toEqual([
        expect.stringMatching(/^retrievalResultsCap: .*1 to 20/),
      ]);
    }
    expect(parseConfig({ retrievalResultsCap: 1 }).retrievalResultsCap).toBe(1);
    expect(parseConfig({ retrievalResultsCap: 20 }).retrievalResultsCap).toBe(20);
  });

  test('chunk sizes within what Bedrock and Titan V2 accept', () => {
    expect(problemsOf({ chunkMaxTokens: 19 })).toEqual([expect.stringMatching(/^chunkMaxTokens: /)]);
    expect(problemsOf({ chunkMaxTokens: 8193 })).toEqual([expect.stringMatching(/^chunkMaxTokens: /)]);
    expect(problemsOf({ chunkOverlapPercent: 0 })).toEqual([expect.stringMatching(/^chunkOverlapPercent: /)]);
    expect(problemsOf({ chunkOverlapPercent: 100 })).toEqual([expect.stringMatching(/^chunkOverlapPercent: /)]);
  });

  test('hierarchical child passages at most 1600 tokens, so their five-times-larger parents fit Titan V2', () => {
    expect(problemsOf({ chunkingStrategy: 'hierarchical', chunkMaxTokens: 1601 })).toEqual([
      expect.stringMatching(/^chunkMaxTokens: got 1601 with chunkingStrategy "hierarchical", allowed: at most 1600/),
    ]);
    expect(parseConfig({ chunkingStrategy: 'hierarchical', chunkMaxTokens: 1600 }).chunkMaxTokens).toBe(1600);
    expect(parseConfig({ chunkingStrategy: 'fixed-size', chunkMaxTokens: 8192 }).chunkMaxTokens).toBe(8192);
  });

  test('-c strings are read as numbers and booleans', () => {
    const config = parseConfig({
      knowledgeBase: 'true',
      embeddingDimensions: '512',
      chunkMaxTokens: '512',
      chunkOverlapPercent: '10',
      retrievalResultsCap: '20',
    });
    expect(config).toMatchObject({
      knowledgeBase: true,
      embeddingDimensions: 512,
      chunkMaxTokens: 512,
      chunkOverlapPercent: 10,
      retrievalResultsCap: 20,
    });
    expect(parseConfig({ knowledgeBase: 'false' }).knowledgeBase).toBe(false);
    expect(problemsOf({ knowledgeBase: 'yes' })).toEqual([expect.stringMatching(/^knowledgeBase: /)]);
    expect(problemsOf({ retrievalResultsCap: '21' })).toEqual([expect.stringMatching(/^retrievalResultsCap: /)]);
  });
});

describe('model customization settings', () => {
  test('modelCustomization without the malware scan => refused: approval rests on the scan result', () => {
    const problems = problemsOf({ modelCustomization: true, knowledgeBase: false, malwareProtection: false });
    expect(problems).toEqual([expect.stringMatching(/^modelCustomization: got true with malwareProtection false/)]);
  });

  test('modelCustomization with a model Bedrock does not fine-tune => refused, naming the ones it does', () => {
    const problems = problemsOf({ modelCustomization: true, modelId: 'eu.anthropic.claude-3-7-sonnet-20250219-v1:0' });
    expect(problems).toEqual([
      expect.stringContaining('amazon.nova-micro-v1:0, amazon.nova-lite-v1:0, amazon.nova-pro-v1:0'),
    ]);
    // An inference profile of a Nova model is its foundation model for customization.
    expect(parseConfig({ modelCustomization: true, modelId: 'us.amazon.nova-lite-v1:0' })).toMatchObject({
      modelCustomization: true,
    });
  });

  test('customModelApproval without modelCustomization, or not a SHA-256 => refused', () => {
    const digest = 'a'.repeat(64);
    expect(problemsOf({ customModelApproval: digest })).toEqual([
      expect.stringMatching(/^customModelApproval: .* with modelCustomization false/),
    ]);
    expect(problemsOf({ modelCustomization: true, customModelApproval: 'abc' })).toEqual([
      expect.stringMatching(/^customModelApproval: got "abc", allowed: empty, or the 64 hexadecimal characters/),
    ]);
  });
});
