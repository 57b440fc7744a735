import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

/** Table rows of a Markdown document, as cells. */
function rows(markdown: string): string[][] {
  return markdown
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| ---'))
    .slice(1)
    .map((line) => line.split(' | ').map((cell) => cell.replace(/^\| |\s*\|$/g, '').trim()));
}

describe.each(['docs/notes-map.md', 'docs/owasp-llm-top10.md'])('%s', (doc) => {
  const table = rows(read(doc));

  test('has rows', () => {
    expect(table.length).toBeGreaterThanOrEqual(10);
  });

  test.each(table.map((r) => [r[0], r] as const))('%s: every named file, construct and test exists', (_idea, row) => {
    const [, where, provenBy] = row;
    for (const [, file, symbol] of where.matchAll(/`([^`]+\.ts)` \(`([^`]+)`\)/g)) {
      expect({ file, exists: fs.existsSync(path.join(ROOT, file)) }).toEqual({ file, exists: true });
      expect({
        file,
        symbol,
        defined: new RegExp(`(class|function|const|public) ${symbol}\\b`).test(read(file)),
      }).toEqual({
        file,
        symbol,
        defined: true,
      });
    }
    for (const [, file, name] of provenBy.matchAll(/`([^`]+\.(?:test|spec)\.ts)`: "([^"]+)"/g)) {
      expect({ file, name, found: read(file).includes(name) }).toEqual({ file, name, found: true });
    }
    // A row either names a test or says plainly why there is none.
    expect(provenBy === '—' ? /not (yet|addressed)/i.test(where) : /\.(test|spec)\.ts`: "/.test(provenBy)).toBe(true);
  });
});
