import type { KnowledgeBaseRetrievalResult } from '@aws-sdk/client-bedrock-agent-runtime';
import { MAX_GROUNDING_CHARS } from '../../../lambda/invoke/request';
import { citedDocuments, groundingFrom, retrieveInput } from '../../../lambda/invoke/retrieve';

const result = (key: string, text: string | undefined, score = 0.5): KnowledgeBaseRetrievalResult => ({
  content: { type: 'TEXT', text },
  location: { type: 'S3', s3Location: { uri: `s3://data-bucket/knowledge/${key}` } },
  score,
});

describe('groundingFrom', () => {
  test('numbers the passages [1]..[n], each under its location, in the order retrieved', () => {
    const { groundingSource, citations } = groundingFrom([result('a.md', 'Alpha.', 0.9), result('b.md', 'Beta.', 0.4)]);
    expect(groundingSource).toBe(
      '[1] s3://data-bucket/knowledge/a.md\nAlpha.\n\n[2] s3://data-bucket/knowledge/b.md\nBeta.',
    );
    expect(citations).toEqual([
      { index: 1, location: 's3://data-bucket/knowledge/a.md', passage: 'Alpha.', score: 0.9 },
      { index: 2, location: 's3://data-bucket/knowledge/b.md', passage: 'Beta.', score: 0.4 },
    ]);
  });

  test('skips results without text (for example image chunks), keeping the numbering dense', () => {
    const { citations } = groundingFrom([result('img.png', undefined), result('a.md', '  '), result('b.md', 'Beta.')]);
    expect(citations.map((c) => [c.index, c.location])).toEqual([[1, 's3://data-bucket/knowledge/b.md']]);
  });

  test(`stays within MAX_GROUNDING_CHARS (${MAX_GROUNDING_CHARS}): the passage that overflows is cut, later ones dropped and not cited`, () => {
    const big = 'x'.repeat(9000);
    const { groundingSource, citations } = groundingFrom([
      result('1.md', big),
      result('2.md', big),
      result('3.md', big),
      result('4.md', 'never reached'),
    ]);
    expect(groundingSource.length).toBeLessThanOrEqual(MAX_GROUNDING_CHARS);
    expect(groundingSource.length).toBeGreaterThan(MAX_GROUNDING_CHARS - 100);
    expect(citations.map((c) => c.index)).toEqual([1, 2, 3]);
    expect(groundingSource).not.toContain('never reached');
  });

  test('a location other than S3 is reported by its URL or type', () => {
    const web: KnowledgeBaseRetrievalResult = {
      content: { text: 'Web.' },
      location: { type: 'WEB', webLocation: { url: 'https://example.com/page' } },
    };
    const custom: KnowledgeBaseRetrievalResult = { content: { text: 'Custom.' }, location: { type: 'CUSTOM' } };
    expect(groundingFrom([web, custom]).citations.map((c) => c.location)).toEqual([
      'https://example.com/page',
      'CUSTOM',
    ]);
  });
});

test('citedDocuments lists each document once, however many of its passages were used', () => {
  const { citations } = groundingFrom([result('a.md', 'One.'), result('b.md', 'Two.'), result('a.md', 'Three.')]);
  expect(citedDocuments(citations)).toEqual(['s3://data-bucket/knowledge/a.md', 's3://data-bucket/knowledge/b.md']);
});

test('retrieveInput is the documented Retrieve request', () => {
  expect(retrieveInput('KB12345678', 'What is RAG?', 4)).toEqual({
    knowledgeBaseId: 'KB12345678',
    retrievalQuery: { text: 'What is RAG?' },
    retrievalConfiguration: { vectorSearchConfiguration: { numberOfResults: 4 } },
  });
});
