import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, readSettingsFile } from '../../lib/config';
import { parseCommand } from '../../scripts/cli/command';
import { captureIo } from '../../scripts/cli/output';
import { command, config, type ConfigDeps } from '../../scripts/config';
import { projectConfig } from '../../scripts/preflight/context';
import { execute } from '../../scripts/run-cli';
import { testApp } from '../support/build-app';

let dir: string;
let deps: ConfigDeps;
const read = () => JSON.parse(fs.readFileSync(deps.settingsFile, 'utf8')) as Record<string, unknown>;
async function run(...argv: string[]) {
  const io = captureIo();
  const code = await execute(command, argv, (parsed, out) => config(parsed, out, deps), io);
  return { code, out: io.stdout, err: io.stderr };
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'config-'));
  deps = {
    settingsFile: path.join(dir, 'settings.json'),
    cdkContextFile: path.join(dir, 'cdk.context.json'),
    cdkJson: { '@aws-cdk/core:checkSecretUsage': true },
  };
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('npm run config set', () => {
  test('writes the values, as the schema reads them, to the settings file', async () => {
    const { code, out } = await run(
      'set',
      'removalPolicy=destroy',
      'alertEmail=you@example.com',
      'logRetentionDays=30',
    );
    expect(code).toBe(0);
    expect(read()).toEqual({ alertEmail: 'you@example.com', logRetentionDays: 30, removalPolicy: 'destroy' });
    expect(out).toContain('removalPolicy = "destroy" (saved in settings.json)');
  });

  test('keeps what was saved before (preflight --save writes the same file)', async () => {
    fs.writeFileSync(deps.settingsFile, JSON.stringify({ macie: 'existing' }));
    await run('set', 'removalPolicy=destroy');
    expect(read()).toEqual({ macie: 'existing', removalPolicy: 'destroy' });
  });

  test('an unknown key => exit 2, naming the key, the nearest setting and every allowed one; nothing written', async () => {
    const { code, err } = await run('set', 'alertemail=you@example.com');
    expect(code).toBe(2);
    expect(err).toContain('unknown setting "alertemail" (did you mean alertEmail?); allowed: appName, removalPolicy,');
    expect(fs.existsSync(deps.settingsFile)).toBe(false);
  });

  test('a bad value => exit 2 with what was given and what is allowed; the file is unchanged', async () => {
    fs.writeFileSync(deps.settingsFile, JSON.stringify({ macie: 'existing' }));
    const { code, err } = await run('set', 'alertEmail=a@example.com', 'removalPolicy=delete');
    expect(code).toBe(2);
    expect(err).toContain('removalPolicy: got "delete", allowed: "retain" or "destroy"');
    expect(read()).toEqual({ macie: 'existing' });
  });

  test('a value that contradicts another saved setting is refused with the rule', async () => {
    fs.writeFileSync(deps.settingsFile, JSON.stringify({ removalPolicy: 'destroy' }));
    const { code, err } = await run('set', 'objectLock=true');
    expect(code).toBe(2);
    expect(err).toContain('objectLock: got true with removalPolicy "destroy"');
    expect(read()).toEqual({ removalPolicy: 'destroy' });
  });

  test('not key=value => exit 2 with an example', async () => {
    const { code, err } = await run('set', 'removalPolicy');
    expect(code).toBe(2);
    expect(err).toContain('"removalPolicy" is not key=value (for example removalPolicy=destroy)');
  });

  test('warns when cdk.context.json sets the same key, which the CDK CLI uses first', async () => {
    fs.writeFileSync(deps.cdkContextFile, JSON.stringify({ removalPolicy: 'retain' }));
    const { code, out } = await run('set', 'removalPolicy=destroy');
    expect(code).toBe(0);
    expect(out).toContain('WARNING: cdk.context.json also sets removalPolicy="retain"');
    expect(out).toContain('npx cdk context --reset removalPolicy');
  });
});

describe('npm run config get, list, unset', () => {
  test('get prints the effective value; list says where each value comes from', async () => {
    fs.writeFileSync(deps.settingsFile, JSON.stringify({ removalPolicy: 'destroy' }));
    fs.writeFileSync(deps.cdkContextFile, JSON.stringify({ macie: 'off' }));
    expect((await run('get', 'removalPolicy')).out).toBe('destroy\n');
    const { out } = await run('list');
    expect(out).toMatch(/removalPolicy\s+destroy\s+settings\.json/);
    expect(out).toMatch(/macie\s+off\s+cdk\.context\.json/);
    expect(out).toMatch(/appName\s+GuardedGenAi\s+default/);
  });

  test('unset removes a key; an unknown action is a usage error', async () => {
    fs.writeFileSync(deps.settingsFile, JSON.stringify({ removalPolicy: 'destroy', macie: 'off' }));
    expect((await run('unset', 'macie')).code).toBe(0);
    expect(read()).toEqual({ removalPolicy: 'destroy' });
    const bad = await run('delete', 'macie');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('unknown action "delete", allowed: list, get, set, unset');
  });

  test('the positional takes several values only because it is declared variadic', () => {
    expect(parseCommand(command, ['set', 'a=1', 'b=2']).rest).toEqual(['a=1', 'b=2']);
  });
});

describe('the settings file is read on every command, under the CLI context', () => {
  test('the app, the commands and preflight read it: settings.json < cdk.context.json < -c', () => {
    fs.writeFileSync(deps.settingsFile, JSON.stringify({ removalPolicy: 'destroy', appName: 'Sandbox' }));
    fs.writeFileSync(deps.cdkContextFile, JSON.stringify({ appName: 'FromContext' }));
    const saved = projectConfig({}, deps.settingsFile, deps.cdkContextFile);
    expect(saved).toMatchObject({ removalPolicy: 'destroy', appName: 'FromContext' });
    expect(projectConfig({ removalPolicy: 'retain' }, deps.settingsFile, deps.cdkContextFile).removalPolicy).toBe(
      'retain',
    );
  });

  test('bin/app.ts hands it to the App as context, which the CLI context (-c) overrides', () => {
    const previous = process.env.CDK_CONTEXT_JSON;
    try {
      process.env.CDK_CONTEXT_JSON = JSON.stringify({ alertEmail: 'cli@example.com' });
      const app = testApp({ context: { removalPolicy: 'destroy', alertEmail: 'file@example.com' } });
      expect(app.node.tryGetContext('removalPolicy')).toBe('destroy');
      expect(app.node.tryGetContext('alertEmail')).toBe('cli@example.com');
    } finally {
      if (previous === undefined) delete process.env.CDK_CONTEXT_JSON;
      else process.env.CDK_CONTEXT_JSON = previous;
    }
    expect(fs.readFileSync(path.join(__dirname, '..', '..', 'bin', 'app.ts'), 'utf8')).toMatch(
      /readSettingsFile\(path\.join\(__dirname, '\.\.', SETTINGS_FILE_NAME\)\)/,
    );
  });

  test('a file that is not a JSON object is a configuration error that says how to fix it', () => {
    fs.writeFileSync(deps.settingsFile, '{ removalPolicy: destroy }');
    expect(() => readSettingsFile(deps.settingsFile)).toThrow(ConfigError);
    expect(() => readSettingsFile(deps.settingsFile)).toThrow(/not valid JSON .*allowed: one JSON object of settings/);
    fs.writeFileSync(deps.settingsFile, '["destroy"]');
    expect(() => readSettingsFile(deps.settingsFile)).toThrow(/got an array, allowed: one JSON object/);
  });
});
