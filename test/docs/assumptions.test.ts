import * as fs from 'node:fs';
import { normalizeMarkdown } from '../../scripts/generated-block';
import { ASSUMPTIONS } from '../../lib/shared/assumptions';
import { ASSUMPTIONS_DOC, renderAssumptions } from '../support/assumptions-doc';

const doc = fs.readFileSync(ASSUMPTIONS_DOC, 'utf8');

describe('docs/assumptions.md stays in step with the register', () => {
  test('it is what test/support/assumptions-doc.ts generates (npx tsx test/support/assumptions-doc.ts)', () => {
    expect(normalizeMarkdown(doc)).toBe(normalizeMarkdown(renderAssumptions()));
  });

  test('every entry has its section, and the document names no entry the register lacks', () => {
    const documented = [...doc.matchAll(/^## `([a-z0-9-]+)`/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(Object.keys(ASSUMPTIONS).sort());
  });

  test('docs/service-principals.md keeps no list of its own, and points here', () => {
    const principals = fs.readFileSync(ASSUMPTIONS_DOC.replace('assumptions.md', 'service-principals.md'), 'utf8');
    expect(principals).toContain('(assumptions.md)');
    expect(principals).not.toMatch(/^Still to check in a real account/m);
  });
});
