import * as fs from 'node:fs';
import * as path from 'node:path';
import { AwsSetupError, credentialProblem, resolveAws, resolveRegion } from '../../scripts/cli/aws';
import { helpText, parseCommand } from '../../scripts/cli/command';
import { COMMANDS_DOC, withCommandReference, withCommandTable } from '../../scripts/cli/commands-doc';
import { captureIo, colour, colourEnabled, formatTable } from '../../scripts/cli/output';
import { commands, npmScript } from '../../scripts/commands';
import { normalizeMarkdown, README, ROOT } from '../../scripts/generated-block';
import { command as preflightCommand, preflight } from '../../scripts/preflight';
import { execute } from '../../scripts/run-cli';
import { command as verifyCommand } from '../../scripts/verify';

const named = (error: string, message = '') => Object.assign(new Error(message), { name: error });

describe.each(commands().map((c) => [c.spec.name, c] as const))('npm run %s', (_name, { spec }) => {
  test('--help lists every declared option, exits 0 and does no work', async () => {
    const io = captureIo();
    const main = jest.fn();
    expect(await execute(spec, ['--help'], main, io)).toBe(0);
    expect(main).not.toHaveBeenCalled();
    for (const option of [...Object.keys(spec.options), 'help']) expect(io.stdout).toContain(`--${option}`);
    expect(io.stdout).toContain(`Usage: npm run ${spec.name} -- `);
    expect(io.stdout).toBe(`${helpText(spec)}\n`);
  });

  test('an unknown option => one line on stderr, exit 2, nothing on stdout', async () => {
    const io = captureIo();
    expect(await execute(spec, ['--no-such-option'], jest.fn(), io)).toBe(2);
    expect(io.stdout).toBe('');
    expect(io.stderr).toBe(
      `npm run ${spec.name}: unknown option --no-such-option\nSee: npm run ${spec.name} -- --help\n`,
    );
  });

  test('package.json runs it with nothing a Windows shell would read differently', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const entry = commands().find((c) => c.spec.name === spec.name);
    expect(entry && pkg.scripts[spec.name]).toBe(entry && npmScript(entry));
    // npm uses cmd.exe on Windows: no `:` label, no `;`, no quotes.
    expect(pkg.scripts[spec.name] ?? '').toMatch(/^tsx [\w/.-]+\.ts$/);
  });
});

describe('parsing', () => {
  const spec = verifyCommand;

  test.each([
    [['--timeout'], '--timeout needs a value'],
    [['--timeout', '5'], '--timeout needs a whole number from 10 to 3600, got 5'],
    [['--json=yes'], '--json takes no value'],
    [['stray'], 'unexpected argument "stray"'],
    [['--regoin', 'eu-west-1'], 'unknown option --regoin (did you mean --region?)'],
  ])('%j => %s', (argv, message) => {
    expect(() => parseCommand(spec, argv)).toThrow(message);
  });

  test('--help wins over other mistakes in values', () => {
    expect(parseCommand(spec, ['--help', 'stray']).help).toBe(true);
  });
});

describe('region and credentials, resolved as the AWS CLI does', () => {
  const none = () => Promise.reject(named('Error', 'Region is missing'));

  test('--region, then AWS_REGION, then AWS_DEFAULT_REGION, then the profile in the config file', async () => {
    const file = jest.fn(async () => 'ap-southeast-2');
    const env = { AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'eu-central-1' };
    expect(await resolveRegion({ region: 'us-west-2' }, env, file)).toBe('us-west-2');
    expect(await resolveRegion({}, env, file)).toBe('eu-west-1');
    expect(await resolveRegion({}, { AWS_DEFAULT_REGION: 'eu-central-1' }, file)).toBe('eu-central-1');
    expect(file).not.toHaveBeenCalled();
    expect(await resolveRegion({ profile: 'dev' }, { AWS_PROFILE: 'other' }, file)).toBe('ap-southeast-2');
    expect(file).toHaveBeenCalledWith('dev');
  });

  test('no region anywhere => says exactly what to set', async () => {
    await expect(resolveRegion({}, {}, none)).rejects.toThrow(
      'No AWS region: pass --region (e.g. --region us-east-1), or set AWS_REGION (or AWS_DEFAULT_REGION), or set region in ~/.aws/config for profile "default" (aws configure set region us-east-1).',
    );
    await expect(resolveRegion({}, { AWS_PROFILE: 'dev' }, none)).rejects.toThrow(
      /for profile "dev" \(aws configure set region us-east-1 --profile dev\)/,
    );
    await expect(resolveRegion({ region: 'Frankfurt' }, {}, none)).rejects.toThrow(/not an AWS Region code/);
  });

  test('no credentials, expired ones, rejected ones: one line each, naming the fix', () => {
    expect(
      credentialProblem(named('CredentialsProviderError', 'Could not load credentials from any providers'), undefined),
    ).toBe(
      'No AWS credentials found: run aws configure (access keys) or aws sso login (IAM Identity Center), or pass --profile / set AWS_PROFILE to a profile that has them.',
    );
    expect(
      credentialProblem(named('ExpiredTokenException', 'The security token included in the request is expired'), 'dev'),
    ).toMatch(/^AWS credentials for profile "dev" have expired: sign in again \(aws sso login --profile dev\)/);
    expect(
      credentialProblem(
        named('CredentialsProviderError', 'The SSO session associated with this profile has expired.'),
        'dev',
      ),
    ).toMatch(/have expired/);
    expect(credentialProblem(named('UnrecognizedClientException'), undefined)).toMatch(/^AWS rejected the credentials/);
    expect(credentialProblem(named('AccessDeniedException'), undefined)).toBeUndefined();
  });

  test('credentials are checked up front; an explicit --profile goes to the provider chain', async () => {
    const chain = jest.fn(
      () => () => Promise.reject(named('CredentialsProviderError', 'Could not load credentials from any providers')),
    );
    await expect(resolveAws({ profile: 'dev', region: 'eu-west-1' }, {}, chain)).rejects.toBeInstanceOf(AwsSetupError);
    expect(chain).toHaveBeenCalledWith({ profile: 'dev' });
  });

  test('keys in the environment win over AWS_PROFILE, and --profile wins over both, as in the AWS CLI', async () => {
    const keys = { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret' };
    const saved = { ...process.env };
    Object.assign(process.env, keys, { AWS_PROFILE: 'dev' });
    try {
      const chain = jest.fn(() => () => Promise.reject(new Error('the profile was used')));
      const env = { ...keys, AWS_PROFILE: 'dev' };
      const target = await resolveAws({ region: 'eu-west-1' }, env, chain);
      expect(chain).not.toHaveBeenCalled();
      await expect(target.credentials()).resolves.toMatchObject({ accessKeyId: 'AKIAEXAMPLEEXAMPLE' });
      await expect(resolveAws({ region: 'eu-west-1', profile: 'prod' }, env, chain)).rejects.toBeInstanceOf(
        AwsSetupError,
      );
      expect(chain).toHaveBeenCalledWith({ profile: 'prod' });
    } finally {
      process.env = saved;
    }
  });

  test('a user without credentials sees one line and exit 1, no stack trace', async () => {
    const io = captureIo();
    const code = await execute(
      preflightCommand,
      [],
      async () => {
        throw new AwsSetupError('No AWS credentials found: run aws configure');
      },
      io,
    );
    expect(code).toBe(1);
    expect(io.stderr).toBe('No AWS credentials found: run aws configure\n');
  });

  test('an expired token met during the work => the same one line, exit 1', async () => {
    const io = captureIo();
    const code = await execute(
      preflightCommand,
      ['--profile', 'dev'],
      async () => {
        throw named('ExpiredToken', 'The security token included in the request is expired');
      },
      io,
    );
    expect(code).toBe(1);
    expect(io.stderr.trim().split('\n')).toHaveLength(1);
    expect(io.stderr).toMatch(/profile "dev" have expired/);
  });
});

describe('output', () => {
  test('colour only on a terminal and never with NO_COLOR', () => {
    expect(colourEnabled({ isTTY: true }, {})).toBe(true);
    expect(colourEnabled({ isTTY: false }, {})).toBe(false);
    expect(colourEnabled({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colour(false).bad('FIX')).toBe('FIX');
    expect(colour(true).bad('FIX')).toBe('\u001b[31mFIX\u001b[39m');
  });

  test('tables align by visible width, colour codes aside', () => {
    expect(
      formatTable(
        ['A', 'B'],
        [
          [colour(true).ok('ok'), 'x'],
          ['long', 'y'],
        ],
      ).split('\n')[1],
    ).toBe(`  ${colour(true).ok('ok')}    x`);
  });

  test('preflight --json: one document on stdout, progress on stderr', async () => {
    const io = captureIo();
    const send = jest.fn(async () => ({ status: 'READY' }));
    const parsed = parseCommand(preflightCommand, ['--after-deploy', '--json', '--region', 'eu-west-1']);
    const cloudformation = {
      send: jest.fn(async () => ({
        Stacks: [
          {
            Outputs: [
              { OutputKey: 'GuardrailId', OutputValue: 'g1' },
              { OutputKey: 'GuardrailVersion', OutputValue: '1' },
            ],
          },
        ],
      })),
    };
    const code = await preflight(parsed, io, {
      resolve: async () => ({
        region: 'eu-west-1',
        credentials: async () => ({ accessKeyId: 'a', secretAccessKey: 'b' }),
      }),
      clients: () => ({ bedrock: { send }, cloudformation, account: {} as never }) as never,
      contextFile: path.join(ROOT, 'no-such-context.json'),
    });
    expect(code).toBe(0);
    expect(JSON.parse(io.stdout)).toEqual({
      region: 'eu-west-1',
      phase: 'after-deploy',
      ok: true,
      checks: [{ ok: true, what: 'guardrail g1 version 1 is READY', fix: expect.any(String) }],
      flags: {},
      notes: [],
    });
    expect(io.stderr).toMatch(/^… checking the guardrail of GuardedGenAi-GuardedInvoke in eu-west-1\n$/);
  });
});

describe('docs/commands.md and the README command table', () => {
  test('are what npm run docs generates from the declarations', () => {
    const doc = fs.readFileSync(COMMANDS_DOC, 'utf8');
    expect(normalizeMarkdown(doc)).toBe(normalizeMarkdown(withCommandReference(doc)));
    for (const { spec } of commands()) expect(doc).toContain(`### npm run ${spec.name}`);
    const readme = fs.readFileSync(README, 'utf8');
    expect(normalizeMarkdown(readme)).toBe(normalizeMarkdown(withCommandTable(readme)));
  });

  // normalizeMarkdown ignores blank lines, so the comparison above cannot see
  // a table broken into paragraphs; this looks at the lines themselves.
  test.each([
    ['docs/commands.md', () => fs.readFileSync(COMMANDS_DOC, 'utf8')],
    ['README.md', () => fs.readFileSync(README, 'utf8')],
  ])('every table in %s is one block of lines, so Markdown renders it as a table', (_name, read) => {
    const lines = read().split('\n');
    const broken = lines
      .map((line, i) => ({ line, i }))
      .filter(({ line, i }) => line === '' && lines[i - 1]?.startsWith('|') && lines[i + 1]?.startsWith('|'));
    expect(broken.map(({ i }) => `line ${i + 1}`)).toEqual([]);
  });
});
