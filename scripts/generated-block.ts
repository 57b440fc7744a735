/**
 * Generated sections of Markdown files sit between two HTML comments,
 * `<!-- NAME:start ... -->` and `<!-- NAME:end -->`, so a script can rewrite
 * them and a test can check they are current.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.join(__dirname, '..');
export const README = path.join(ROOT, 'README.md');

/** `text` with the block NAME replaced by `content`. */
export function replaceBlock(text: string, name: string, content: string): string {
  const start = new RegExp(`<!-- ${name}:start[^>]*-->`).exec(text);
  const end = text.indexOf(`<!-- ${name}:end -->`);
  if (!start || end < start.index) throw new Error(`missing <!-- ${name}:start --> ... <!-- ${name}:end --> markers`);
  const afterStart = start.index + start[0].length;
  return `${text.slice(0, afterStart)}\n\n${content}\n\n${text.slice(end)}`;
}

/** Markdown compared as a reader sees it: Prettier's table padding and line wrapping do not count. */
export function normalizeMarkdown(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/ -+ /g, ' - ');
}

/**
 * Write a generated Markdown file as `npm run format` would leave it (Prettier
 * with the project's settings), so the generators need no formatting step of
 * their own in package.json and command-line options reach the script.
 */
export async function writeFormatted(file: string, text: string): Promise<void> {
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(file)) ?? {};
  fs.writeFileSync(file, await prettier.format(text, { ...options, filepath: file }));
}

/** A generator's only options: --check compares instead of writing. */
export const GENERATOR_OPTIONS = {
  check: {
    type: 'boolean',
    description: 'Write nothing; exit 1 when a generated file is out of date (as the tests check).',
  },
} as const;

/** Write each file, or with `check` report the stale ones; returns the exit code. */
export async function writeOrCheck(
  files: readonly { file: string; text: string }[],
  check: boolean,
  io: { out(text: string): void; err(text: string): void },
  command: string,
): Promise<number> {
  if (!check) {
    for (const { file, text } of files) await writeFormatted(file, text);
    io.out(`Regenerated ${files.map((f) => path.relative(ROOT, f.file)).join(', ')}.`);
    return 0;
  }
  const stale = files.filter(
    ({ file, text }) =>
      !fs.existsSync(file) || normalizeMarkdown(fs.readFileSync(file, 'utf8')) !== normalizeMarkdown(text),
  );
  for (const { file } of stale) io.err(`${path.relative(ROOT, file)} is out of date: run npm run ${command}.`);
  return stale.length > 0 ? 1 : 0;
}

/** Text for one Markdown table cell: a pipe would end the cell. */
export function tableCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}
