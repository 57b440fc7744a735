/**
 * `npm run ingest -- --sample` uploads the project's own docs/*.md as the first
 * retrieval demo. Every one of them must pass the ingestion screen, or the
 * demo's first answer is "nothing indexed". The guardrail's own regex (the
 * internal record id) is applied exactly as the guardrail has it; the
 * sensitive-information types it blocks are approximated by the local
 * stand-in's rules (tools/local-aws/guardrail-stand-in.ts), the same rules the
 * promotion tests screen with.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { INTERNAL_ID_PATTERN } from '../../lib/shared/record-ids';
import { sampleDocuments } from '../../scripts/ingest/documents';
import { assess } from '../../tools/local-aws/guardrail-stand-in';

const DOCS = path.join(__dirname, '..', '..', 'docs');
const corpus = sampleDocuments(DOCS).documents.map((d) => ({
  name: path.basename(d.file),
  text: fs.readFileSync(d.file, 'utf8'),
}));

interface Entity {
  readonly type?: string;
  readonly name?: string;
  readonly match: string;
  readonly action: string;
}

/** What the sensitive-information policy blocks in one text, as the promotion screens it. */
function blockedIn(text: string): Entity[] {
  const { assessments } = assess('INPUT', [{ text: { text } }]) as {
    assessments: { sensitiveInformationPolicy?: { piiEntities: Entity[]; regexes: Entity[] } }[];
  };
  const policy = assessments[0].sensitiveInformationPolicy;
  return [...(policy?.piiEntities ?? []), ...(policy?.regexes ?? [])].filter((e) => e.action === 'BLOCKED');
}

describe('the sample corpus passes the ingestion screen', () => {
  test('the corpus is the docs folder', () => {
    expect(corpus.map((d) => d.name)).toEqual(expect.arrayContaining(['guarded-invoke.md', 'deploying.md']));
  });

  test.each(corpus.map((d) => [d.name, d.text]))('%s holds no internal record id', (_name, text) => {
    expect(text.match(new RegExp(INTERNAL_ID_PATTERN, 'g')) ?? []).toEqual([]);
  });

  test.each(corpus.map((d) => [d.name, d.text]))('%s holds nothing the guardrail blocks', (_name, text) => {
    expect(blockedIn(text)).toEqual([]);
  });

  test('the screen used here does refuse a record id and a card number', () => {
    expect(blockedIn('see GGA-2026-ABC123 and 4111 1111 1111 1111').map((e) => e.match)).toEqual(
      expect.arrayContaining(['GGA-2026-ABC123', '4111 1111 1111 1111']),
    );
  });
});
