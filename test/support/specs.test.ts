import * as fs from 'node:fs';
import * as path from 'node:path';
import { filesUnder } from '../../lib/shared/files';

const TEST_ROOT = path.join(__dirname, '..');

/**
 * A folder's parts (`*.spec.ts`) run only through the folder's jest file
 * (docs/testing.md, "One file per folder"): a part nobody imports would be
 * tests that never run, and jest would not say so.
 */
test('every *.spec.ts is imported by the *.test.ts of its folder', () => {
  const files = filesUnder(TEST_ROOT);
  const specs = files.filter((f) => f.endsWith('.spec.ts'));
  expect(specs.length).toBeGreaterThan(10);
  const notImported = specs.filter((spec) => {
    const entries = files.filter((f) => f.endsWith('.test.ts') && path.dirname(f) === path.dirname(spec));
    const name = `'./${path.basename(spec, '.ts')}'`;
    return !entries.some((entry) => fs.readFileSync(entry, 'utf8').includes(`import ${name};`));
  });
  expect(notImported.map((f) => path.relative(TEST_ROOT, f))).toEqual([]);
});
