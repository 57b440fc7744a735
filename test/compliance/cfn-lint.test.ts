import { COMPLIANCE_CONFIGURATIONS } from '../../tools/configurations';
import { TEST_ENV } from '../support/build-app';
import {
  CFN_LINT_INSTALL,
  cfnLintVersion,
  type CfnLintFinding,
  formatFinding,
  runCfnLint,
  synthesizeTemplates,
  type SynthesizedTemplate,
  writeControlTemplate,
} from '../support/cfn-lint';

const version = cfnLintVersion();
const onCi = process.env.CI === 'true';

/** What fails the test: errors and warnings (.cfnlintrc.yaml keeps informational rules off). */
const blocking = (f: CfnLintFinding) => f.level === 'Error' || f.level === 'Warning';
const CONTROL = '(control template)';
const endsWith = (suffix: string) => expect.stringMatching(new RegExp(`${suffix}$`));

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
    templates = COMPLIANCE_CONFIGURATIONS.flatMap(([name, overrides]) => synthesizeTemplates(name, overrides));
    // One cfn-lint process for all of them: its start-up is the expensive part.
    const findings = runCfnLint([...templates, writeControlTemplate(CONTROL)], TEST_ENV.region);
    appFindings = findings.filter((f) => f.config !== CONTROL);
    controlFindings = findings.filter((f) => f.config === CONTROL);
  });

  test('every configuration is linted, each with its three stacks', () => {
    const stacksOf = (config: string) => templates.filter((t) => t.config === config).map((t) => t.stack);
    for (const [name] of COMPLIANCE_CONFIGURATIONS) {
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
