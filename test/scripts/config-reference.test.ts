import { normalizeMarkdown } from '../../scripts/generated-block';
import * as fs from 'node:fs';
import { SETTINGS } from '../../lib/config';
import { CONFIG_DOC, configTable, withConfigTable } from '../../scripts/config-reference';

describe('configuration reference', () => {
  test('lists every setting of the schema with its default', () => {
    const table = configTable();
    for (const key of Object.keys(SETTINGS)) expect(table).toContain(`| \`${key}\` |`);
    expect(table).toContain('| `removalPolicy` | `"retain"` |');
  });

  test('docs/configuration.md carries the table generated from the schema (run npm run docs after changing lib/config.ts)', () => {
    const readme = fs.readFileSync(CONFIG_DOC, 'utf8');
    expect(normalizeMarkdown(readme)).toBe(normalizeMarkdown(withConfigTable(readme)));
  });
});
