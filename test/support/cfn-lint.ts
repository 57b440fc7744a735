import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';

/** The one place findings are ignored, each rule with its reason. */
export const CFN_LINT_CONFIG = path.join(__dirname, '..', '..', '.cfnlintrc.yaml');

export const CFN_LINT_INSTALL = 'pip install cfn-lint==1.51.0';

/** One template the app synthesized, and which configuration it came from. */
export interface SynthesizedTemplate {
  readonly config: string;
  readonly stack: string;
  readonly file: string;
}

/** One entry of `cfn-lint --format json`. */
export interface CfnLintMatch {
  readonly Filename: string;
  readonly Level: 'Error' | 'Warning' | 'Informational';
  readonly Message: string;
  readonly Location: { readonly Path?: readonly (string | number)[] };
  readonly Rule: { readonly Id: string; readonly Source?: string };
}

/** A match, named by configuration and stack rather than by temp file. */
export interface CfnLintFinding {
  readonly config: string;
  readonly stack: string;
  readonly level: CfnLintMatch['Level'];
  readonly rule: string;
  readonly path: string;
  readonly message: string;
}

/** `cfn-lint --version` output (e.g. "cfn-lint 1.51.0"), or undefined when it is not on PATH. */
export function cfnLintVersion(): string | undefined {
  const result = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** The stack templates of a synthesized assembly (nested stacks included), labelled with their configuration. */
export function templatesOf(config: string, assembly: CloudAssembly): SynthesizedTemplate[] {
  const outdir = assembly.directory;
  return fs
    .readdirSync(outdir)
    .filter((name) => name.endsWith('.template.json'))
    .sort()
    .map((name) => ({
      config,
      stack: name.replace(/(\.nested)?\.template\.json$/, ''),
      file: path.join(outdir, name),
    }));
}

/**
 * A template with one finding of each kind the test must tell apart: an error
 * (E3030, a value the schema does not allow), a warning nobody ignores (W2001,
 * an unused parameter) and a warning `.cfnlintrc.yaml` ignores (W3005, a
 * DependsOn the Ref already implies). Linted with the app's templates to prove
 * the output is read and the ignore file applied, at no extra cfn-lint start.
 */
export function writeControlTemplate(config: string): SynthesizedTemplate {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-lint-control-')), 'Control.template.json');
  const template = {
    Parameters: { Unused: { Type: 'String' } },
    Resources: {
      Misspelt: { Type: 'AWS::SSM::Parameter', Properties: { Type: 'Strng', Value: 'x' } },
      Topic: { Type: 'AWS::SNS::Topic' },
      Subscription: {
        Type: 'AWS::SNS::Subscription',
        DependsOn: 'Topic',
        Properties: { TopicArn: { Ref: 'Topic' }, Protocol: 'email', Endpoint: 'security@example.com' },
      },
    },
  };
  fs.writeFileSync(file, JSON.stringify(template, undefined, 2));
  return { config, stack: 'Control', file };
}

/** Where cfn-lint's findings are kept between runs, by template content (beside the Control Tower results). */
const CFN_LINT_CACHE_DIR = path.join(__dirname, '..', '..', 'node_modules', '.cache', 'genai-guarded-cdk', 'cfn-lint');

/**
 * Lint every template with ONE cfn-lint process (its start-up, loading the
 * resource schemas, costs more than linting a template). Configurations that
 * differ only in one stack produce identical others: each distinct template is
 * linted once and its findings reported for every configuration that made it.
 * Findings are kept by a digest of the template, cfn-lint's version, the
 * ignore file, the region and this file, so a template linted by an earlier
 * run is not linted again; cfn-lint runs only when some template is new (the
 * control template's findings are kept the same way: they prove the harness as
 * it was when its key was made, which the key pins).
 */
export function runCfnLint(templates: readonly SynthesizedTemplate[], region: string): CfnLintFinding[] {
  // The harness itself is part of the key: a change to how it calls cfn-lint or reads its output is linted afresh.
  const settings = `${version ?? ''}\0${fs.readFileSync(CFN_LINT_CONFIG, 'utf8')}\0${region}\0${fs.readFileSync(__filename, 'utf8')}`;
  const byContent = new Map<string, SynthesizedTemplate[]>();
  for (const template of templates) {
    const hash = createHash('sha256').update(settings).update(fs.readFileSync(template.file)).digest('hex');
    byContent.set(hash, [...(byContent.get(hash) ?? []), template]);
  }
  const cacheFile = (hash: string) => path.join(CFN_LINT_CACHE_DIR, `${hash}.json`);
  const matches = new Map<string, CfnLintMatch[]>();
  for (const hash of byContent.keys()) {
    if (fs.existsSync(cacheFile(hash))) matches.set(hash, JSON.parse(fs.readFileSync(cacheFile(hash), 'utf8')));
  }
  const pending = [...byContent.entries()].filter(([hash]) => !matches.has(hash));
  if (pending.length > 0) {
    const hashOf = new Map(pending.map(([hash, group]) => [path.resolve(group[0].file), hash]));
    const result = spawnSync(
      'cfn-lint',
      ['--config-file', CFN_LINT_CONFIG, '--format', 'json', '--regions', region, '--', ...hashOf.keys()],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    // The exit code is a bit mask of the levels found (2 error, 4 warning, 8
    // informational); 1, or no JSON, means cfn-lint itself failed (bad config file).
    if (result.error || result.status === null || (result.status & 1) !== 0 || !result.stdout.trim().startsWith('[')) {
      throw new Error(
        `cfn-lint failed (exit ${result.status}): ${result.error ?? ''}\n${result.stderr}\n${result.stdout}`,
      );
    }
    for (const hash of hashOf.values()) matches.set(hash, []);
    for (const match of JSON.parse(result.stdout) as CfnLintMatch[]) {
      const hash = hashOf.get(path.resolve(match.Filename));
      if (!hash) throw new Error(`cfn-lint reported a file it was not given: ${match.Filename}`);
      matches.get(hash)?.push(match);
    }
    fs.mkdirSync(CFN_LINT_CACHE_DIR, { recursive: true });
    for (const hash of hashOf.values()) {
      // Written whole, then renamed: a parallel reader sees all of it or nothing.
      const partial = `${cacheFile(hash)}.${process.pid}.tmp`;
      fs.writeFileSync(partial, JSON.stringify(matches.get(hash)));
      fs.renameSync(partial, cacheFile(hash));
    }
  }
  return [...byContent.entries()].flatMap(([hash, group]) =>
    (matches.get(hash) ?? []).flatMap((match) =>
      group.map((template) => ({
        config: template.config,
        stack: template.stack,
        level: match.Level,
        rule: match.Rule.Id,
        path: (match.Location.Path ?? []).join('/'),
        message: match.Message,
      })),
    ),
  );
}

/** One line per finding, for a failure message a person can act on. */
export function formatFinding(f: CfnLintFinding): string {
  return `[${f.config}] ${f.stack}: ${f.level} ${f.rule} at ${f.path}: ${f.message}`;
}

const version = cfnLintVersion();
const onCi = process.env.CI === 'true';

/** What fails the test: errors and warnings (.cfnlintrc.yaml keeps informational rules off). */
const blocking = (f: CfnLintFinding) => f.level === 'Error' || f.level === 'Warning';
const CONTROL = '(control template)';
const endsWith = (suffix: string) => expect.stringMatching(new RegExp(`${suffix}$`));

export function lintTheConfigurations(
  configurations: readonly (readonly [string, Readonly<Record<string, unknown>>])[],
  assemblyOf: (overrides: Readonly<Record<string, unknown>>) => CloudAssembly,
  region: string,
): void {
  describe('cfn-lint over every tested configuration', () => {
    if (!version && !onCi) {
      console.warn(
        `cfn-lint is not installed, so the cfn-lint test is SKIPPED. Install it with \`${CFN_LINT_INSTALL}\` (CI fails without it).`,
      );
      test.skip('every template passes cfn-lint (cfn-lint not installed)', () => undefined);
      return;
    }

    if (!version) {
      test('cfn-lint is installed (required under CI=true)', () => {
        throw new Error(`cfn-lint is not on PATH. Install it with \`${CFN_LINT_INSTALL}\`.`);
      });
      return;
    }

    let templates: SynthesizedTemplate[];
    let appFindings: CfnLintFinding[];
    let controlFindings: CfnLintFinding[];

    beforeAll(() => {
      templates = configurations.flatMap(([name, overrides]) => templatesOf(name, assemblyOf(overrides)));
      // One cfn-lint process for all of them: its start-up is the expensive part.
      const findings = runCfnLint([...templates, writeControlTemplate(CONTROL)], region);
      appFindings = findings.filter((f) => f.config !== CONTROL);
      controlFindings = findings.filter((f) => f.config === CONTROL);
    });

    test('every configuration is linted, each with its three stacks', () => {
      const stacksOf = (config: string) => templates.filter((t) => t.config === config).map((t) => t.stack);
      for (const [name] of configurations) {
        expect(stacksOf(name)).toEqual(
          expect.arrayContaining(['-DataProtection', '-GuardedInvoke', '-ThreatDetection'].map(endsWith)),
        );
      }
    });

    test('the harness sees errors and unignored warnings, and applies the ignore file', () => {
      expect(controlFindings.map((f) => `${f.level} ${f.rule} at ${f.path}`).sort()).toEqual([
        'Error E3030 at Resources/Misspelt/Properties/Type',
        'Warning W2001 at Parameters/Unused',
      ]);
    });

    test(`no errors and no unignored warnings (${version})`, () => {
      expect(appFindings.filter(blocking).map(formatFinding).sort()).toEqual([]);
    });
  });
}
