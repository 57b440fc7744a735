import * as fs from 'node:fs';
import { normalizeMarkdown } from '../../scripts/generated-block';
import { REQUEST_CONTEXT_DOC, renderRequestContext } from '../support/request-context-doc';
import { SERVICE_REQUESTS, type ServiceRequestRow } from '../support/service-requests';

const doc = fs.readFileSync(REQUEST_CONTEXT_DOC, 'utf8');
const rows = Object.entries(SERVICE_REQUESTS as Record<string, ServiceRequestRow>);
const [table, rest] = doc.split('## What the cited pages say');
const assumptions = rest.split('## Assumptions')[1] ?? '';

describe('docs/request-context.md stays in step with the table the tests use', () => {
  test('it is what test/support/request-context-doc.ts generates (npx tsx test/support/request-context-doc.ts)', () => {
    expect(normalizeMarkdown(doc)).toBe(normalizeMarkdown(renderRequestContext()));
  });

  test('every row of the table is documented, and the document names no row the table lacks', () => {
    const documented = [...table.matchAll(/^\| `([a-z0-9-]+)`/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(rows.map(([id]) => id).sort());
  });

  test.each(rows)('%s: its citation is in the document', (id, row) => {
    const line = table.split('\n').find((l) => l.startsWith(`| \`${id}\``)) ?? '';
    for (const url of (row.citation ?? '').split(/,\s*/).filter(Boolean)) expect(line).toContain(url);
  });

  test('every assumption (a row without citation, or an uncited key) is listed under Assumptions', () => {
    const expected = rows.filter(([, row]) => row.citation === null || (row.uncitedKeys ?? []).length > 0);
    for (const [id, row] of expected) {
      expect({ id, listed: assumptions.includes(`\`${id}\``) }).toEqual({ id, listed: true });
      for (const key of row.uncitedKeys ?? []) expect(assumptions).toContain(`\`${key}\``);
    }
  });

  // The silent-failure paths of issue 22 (alerts, dead letters, alarm notifications): a reader
  // checks each of their rows against the page's own words, and every documented refusal too.
  test.each(rows.filter(([id]) => /^(eventbridge|cloudwatch|sns)-/.test(id)))(
    '%s (a delivery path): quotes its page',
    (_id, row) => {
      expect(row.citation).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
      expect((row.quote ?? '').length).toBeGreaterThan(40);
    },
  );
});
