import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type BundlingOptions, LogLevel, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { filesUnder } from './shared/files';

const ROOT = path.join(__dirname, '..');

/**
 * How every function of the project is bundled by esbuild (no Docker).
 *
 * ESM with the packages' ESM builds: better tree-shaking and about a quarter
 * less cold-start time than CommonJS (bench/results.md). The AWS SDK is
 * bundled rather than taken from the runtime: the version we tested is the
 * version that runs.
 */
export const ESM_BUNDLING: BundlingOptions = {
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  target: 'node24',
  format: OutputFormat.ESM,
  mainFields: ['module', 'main'],
  // A few dependencies still call require(); give them one.
  banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
  externalModules: [],
  logLevel: LogLevel.WARNING,
};

let digest: string | undefined;

/**
 * A digest of everything a bundle can be made of: the files under lambda/
 * and the TypeScript under lib/ (handlers and anything they could import), the
 * lockfile and npm's record of what it installed (every dependency's version,
 * esbuild's included), tsconfig.json (which esbuild reads) and the bundling
 * options.
 *
 * Given to CDK as the asset hash, it lets a second `cdk synth` of an unchanged
 * app reuse the bundle already in cdk.out instead of running esbuild again
 * (CDK skips bundling when the asset's folder exists). It can only change
 * more often than the bundle, never less.
 */
export function sourceDigest(): string {
  if (!digest) {
    const hash = createHash('sha256').update(JSON.stringify(ESM_BUNDLING));
    const files = [
      // Every file of the handlers (a handler may import JSON as well as TypeScript).
      ...filesUnder(path.join(ROOT, 'lambda'), () => true),
      ...filesUnder(path.join(ROOT, 'lib'), (name) => name.endsWith('.ts')),
      path.join(ROOT, 'package-lock.json'),
      // What npm really installed: differs from the lockfile until `npm ci` runs after a pull.
      path.join(ROOT, 'node_modules', '.package-lock.json'),
      path.join(ROOT, 'tsconfig.json'),
    ].filter((file) => fs.existsSync(file));
    for (const file of files) hash.update(path.relative(ROOT, file)).update(fs.readFileSync(file));
    digest = hash.digest('hex');
  }
  return digest;
}

/**
 * The bundling options of a function whose handler is under `lambda/<name>/`,
 * with `define` replacing expressions at build time (esbuild's define): what
 * a setting switches off is then dead code, left out of the bundle. The
 * definitions are part of the asset hash, so each variant is a bundle of its
 * own.
 */
export function esmBundling(name: string, define: Record<string, string> = {}): BundlingOptions {
  const variant = Object.keys(define).length
    ? `${createHash('sha256').update(JSON.stringify(define)).digest('hex').slice(0, 12)}-`
    : '';
  return {
    ...ESM_BUNDLING,
    ...(variant ? { define } : {}),
    assetHash: `${name}-${variant}${sourceDigest()}`,
  };
}
