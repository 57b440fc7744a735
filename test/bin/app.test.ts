import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CDK_JSON_CONTEXT } from '../support/build-app';

const ROOT = path.join(__dirname, '..', '..');

/** Run bin/app.ts the way the CDK CLI does: context and output folder through the environment. */
function runApp(overrides: Record<string, unknown>) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-bin-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: outdir,
    // No bundling: these tests are about configuration and environments.
    CDK_CONTEXT_JSON: JSON.stringify({ ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [], ...overrides }),
    CDK_OUTDIR: outdir,
  };
  const result = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['bin/app.ts'], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { ...result, outdir };
}

describe('bin/app.ts', () => {
  test('bad configuration => exit 1 with every problem named and no stack trace', () => {
    const { status, stderr } = runApp({ removalPolicy: 'nuke', unknownThing: 1 });
    expect(status).toBe(1);
    expect(stderr).toContain('Invalid configuration (2 problems)');
    expect(stderr).toContain('unknown key "unknownThing"');
    expect(stderr).toContain('removalPolicy: got "nuke"');
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  test('no credentials, no account => environment-agnostic templates for every stack', () => {
    const { status, stderr, outdir } = runApp({});
    expect(stderr).not.toMatch(/error|warning/i);
    expect(status).toBe(0);
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
    const stacks = Object.entries(manifest.artifacts as Record<string, { type: string; environment: string }>).filter(
      ([, a]) => a.type === 'aws:cloudformation:stack',
    );
    expect(stacks.map(([name, a]) => [name, a.environment])).toEqual([
      ['GuardedGenAi-DataProtection', 'aws://unknown-account/unknown-region'],
      ['GuardedGenAi-Knowledge', 'aws://unknown-account/unknown-region'],
      ['GuardedGenAi-GuardedInvoke', 'aws://unknown-account/unknown-region'],
      ['GuardedGenAi-Governance', 'aws://unknown-account/unknown-region'],
      ['GuardedGenAi-ThreatDetection', 'aws://unknown-account/unknown-region'],
      ['GuardedGenAi-Ingestion', 'aws://unknown-account/unknown-region'],
      ['GuardedGenAi-Operations', 'aws://unknown-account/unknown-region'],
    ]);
  });
});
