/**
 * npm test's first step: the type check, ESLint and Prettier at once (they
 * read the same files and need no order), each printing only its problems.
 * Exits non-zero when any of them fails, naming which.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';

// Each keeps what it learnt of unchanged files under node_modules/.cache (npm's
// convention for tool caches), so a second run checks only what changed.
const CACHE = path.join('node_modules', '.cache', 'genai-guarded-cdk');

const STEPS = [
  [
    'type check',
    'tsc',
    ['--noEmit', '-p', '.', '--incremental', '--tsBuildInfoFile', path.join(CACHE, 'tsc.tsbuildinfo')],
  ],
  [
    'ESLint',
    'eslint',
    ['--max-warnings', '0', '--cache', '--cache-location', path.join(CACHE, 'eslint') + path.sep, '.'],
  ],
  [
    'Prettier',
    'prettier',
    ['--check', '--log-level', 'warn', '--cache', '--cache-location', path.join(CACHE, 'prettier'), '.'],
  ],
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
