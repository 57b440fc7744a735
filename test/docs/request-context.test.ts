import * as fs from 'node:fs';
import * as path from 'node:path';
import { SERVICE_REQUESTS, type ServiceRequestRow } from '../support/service-requests';

const doc = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'request-context.md'), 'utf8');
const rows = Object.entries(SERVICE_REQUESTS as Record<string, ServiceRequestRow>);
const [table, assumptions] = doc.split('## Assumptions');

describe('docs/request-context.md stays in step with the table the tests use', () => {
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
});
