/**
 * docs/runbook.md is where every alarm description sends the person it
 * pages: each alarm id must be a section there, under the anchor GitHub gives
 * the heading, and every link in a synthesized alarm must land on one.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ALARM_IDS, RUNBOOK } from '../../lib/operations/operational-alarms';
import { synthesize } from '../support/build-app';

const ROOT = path.join(__dirname, '..', '..');
const runbook = fs.readFileSync(path.join(ROOT, RUNBOOK), 'utf8');

/**
 * Anchors GitHub gives a document's headings: lowercased, punctuation other
 * than hyphens and spaces removed, spaces turned into hyphens, and a repeated
 * anchor suffixed -1, -2... Headings inside code blocks are not headings.
 */
function anchors(markdown: string): string[] {
  const seen = new Map<string, number>();
  const withoutCode = markdown.replace(/^```[\s\S]*?^```/gm, '');
  return [...withoutCode.matchAll(/^#{1,6} +(.+?) *#* *$/gm)].map(([, text]) => {
    const base = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\- ]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return n === 0 ? base : `${base}-${n}`;
  });
}

const runbookAnchors = anchors(runbook);

describe('GitHub anchors, as the runbook test computes them', () => {
  test('lowercase, punctuation dropped, spaces to hyphens, repeats numbered', () => {
    expect(
      anchors('# Server error rate\n## Dead letters (SQS)\n```\n# not a heading\n```\n## Dead letters (SQS)\n'),
    ).toEqual(['server-error-rate', 'dead-letters-sqs', 'dead-letters-sqs-1']);
  });
});

describe('docs/runbook.md', () => {
  // promotion-failures is the ingestion stack's alarm, with the same runbook.
  test.each([...ALARM_IDS, 'promotion-failures'])('has a section whose anchor is the alarm id "%s"', (id) => {
    expect(runbookAnchors).toContain(id);
  });

  test('every alarm of the default app links a section of the runbook', () => {
    const { assembly } = synthesize({});
    const links = assembly.stacks.flatMap((stack) =>
      Object.values(stack.template.Resources as Record<string, { Type: string; Properties?: Record<string, unknown> }>)
        .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
        .map((r) => {
          const description = String(r.Properties?.AlarmDescription ?? '');
          const anchor = new RegExp(`${RUNBOOK.replace('.', '\\.')}#([a-z0-9-]+)`).exec(description)?.[1];
          return {
            alarm: r.Properties?.AlarmName,
            anchor,
            exists: anchor !== undefined && runbookAnchors.includes(anchor),
          };
        }),
    );
    // The operations stack's alarms and the ingestion stack's.
    expect(links.length).toBe(ALARM_IDS.length + 1);
    expect(links.filter((l) => !l.exists)).toEqual([]);
  });
});
