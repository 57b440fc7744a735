import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import type { IPolicyValidationContextBeta1, PolicyViolationBeta1 } from 'aws-cdk-lib';
import { ControlTowerControls } from '../../lib/compliance/control-tower';
import { buildApp } from '../support/build-app';

/**
 * Templates that between them hold every resource type the app makes (one
 * configuration with every switch that adds resources), and one known
 * violation: without S3 protection the detector violates CT.GUARDDUTY.PR.1.
 * Built directly, not through the gate: the second fails it on purpose.
 */
const templatePaths = [
  {
    isolatedNetwork: true,
    removalPolicy: 'destroy',
    configRecorder: 'create',
    securityHub: 'create',
    guardDutyFindingsExport: true,
    alertEmail: 'a@example.com',
  },
  { guardDutyFeatures: ['LAMBDA_NETWORK_LOGS'] },
].flatMap((overrides, i) => {
  const { app, stacks } = buildApp(overrides);
  const assembly = app.synth();
  const wanted = i === 0 ? assembly.stacks : [assembly.getStackByName(stacks.threatDetection.stackName)];
  return wanted.map((s) => path.join(assembly.directory, s.templateFile));
});
const context = (paths: string[]) => ({ templatePaths: paths }) as unknown as IPolicyValidationContextBeta1;
const comparable = (violations: readonly PolicyViolationBeta1[]) =>
  violations
    .map((v) => JSON.stringify({ ...v, severity: undefined }))
    .sort()
    .map((v) => JSON.parse(v));

describe('Control Tower controls, checked per template against the rules that name its resource types', () => {
  const full = new CfnGuardValidator({ controlTowerRulesEnabled: true }).validate(context(templatePaths));
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-cache-'));
  const controls = new ControlTowerControls(cacheDir);

  test('the same violations as every rule against every template (and there is one to find)', () => {
    const ours = controls.validate(context(templatePaths));
    expect(full.violations.length).toBeGreaterThan(0);
    expect(comparable(ours.violations)).toEqual(comparable(full.violations));
    expect(ours.success).toBe(false);
  });

  test('every violation is an error, so an acknowledgement elsewhere cannot let it through', () => {
    for (const v of controls.validate(context(templatePaths)).violations) expect(v.severity).toBe('error');
  });

  test('a cached result answers for a copy of the template elsewhere, pointing at that copy', () => {
    const violating = templatePaths.filter((p) =>
      full.violations.some((v) => v.violatingResources[0].templatePath === p),
    );
    expect(violating.length).toBeGreaterThan(0);
    const copy = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ct-copy-')), 'copy.template.json');
    fs.copyFileSync(violating[0], copy);
    const entries = fs.readdirSync(cacheDir).length;
    const again = controls.validate(context([copy]));
    expect(fs.readdirSync(cacheDir)).toHaveLength(entries);
    expect(again.violations.map((v) => v.ruleName)).toEqual(
      full.violations.filter((v) => v.violatingResources[0].templatePath === violating[0]).map((v) => v.ruleName),
    );
    for (const v of again.violations) for (const r of v.violatingResources) expect(r.templatePath).toBe(copy);
  });

  test('a changed template is checked again', () => {
    const changed = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ct-changed-')), 'changed.template.json');
    const template = JSON.parse(fs.readFileSync(templatePaths[0], 'utf8'));
    template.Description = 'changed';
    fs.writeFileSync(changed, JSON.stringify(template));
    const entries = fs.readdirSync(cacheDir).length;
    controls.validate(context([changed]));
    expect(fs.readdirSync(cacheDir)).toHaveLength(entries + 1);
  });
});
