/**
 * Generated sections of Markdown files sit between two HTML comments,
 * `<!-- NAME:start ... -->` and `<!-- NAME:end -->`, so a script can rewrite
 * them and a test can check they are current.
 */
import * as path from 'node:path';

export const ROOT = path.join(__dirname, '..');
export const README = path.join(ROOT, 'README.md');

export { CDK_JSON_CONTEXT } from '../tools/build-app';

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
