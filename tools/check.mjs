/**
 * npm test's first step: the type check, ESLint and Prettier at once (they
 * read the same files and need no order), each printing only its problems.
 * Exits non-zero when any of them fails, naming which.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';

const STEPS = [
  ['type check', 'tsc', ['--noEmit', '-p', '.']],
  ['ESLint', 'eslint', ['--max-warnings', '0', '.']],
  ['Prettier', 'prettier', ['--check', '--log-level', 'warn', '.']],
];

const results = await Promise.all(
  STEPS.map(
    ([name, command, args]) =>
      new Promise((resolve) => {
        const child = spawn(path.join('node_modules', '.bin', command), args, { stdio: 'inherit' });
        child.on('close', (code) => resolve({ name, code }));
        child.on('error', (error) => resolve({ name, code: 1, error }));
      }),
  ),
);
const failed = results.filter((r) => r.code !== 0);
for (const r of failed) console.error(`${r.name} failed${r.error ? `: ${r.error.message}` : ''}`);
process.exit(failed.length > 0 ? 1 : 0);
