import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import type {
  IPolicyValidationContextBeta1,
  PolicyValidationPluginReportBeta1,
  PolicyViolationBeta1,
} from 'aws-cdk-lib';
import { CONTROL_TOWER_CACHE_DIR, ControlTowerControls, withoutAssetKeys } from '../../lib/compliance/control-tower';
import { sharedSynthesis } from '../support/build-app';
import { filesUnder } from '../../lib/shared/files';
import { matrixConfiguration } from '../support/gate-matrix';

/**
 * Templates that between them hold every resource type the app makes (one
 * configuration with every switch that adds resources), and one known
 * violation: without S3 protection the detector violates CT.GUARDDUTY.PR.1.
 * Both from the shared syntheses (the second is one the gate refuses).
 */
const templatePaths = [
  { name: 'every resource type the app makes', stacks: () => true },
  { name: 'GuardDuty without S3 protection', stacks: (name: string) => name.endsWith('-ThreatDetection') },
].flatMap(({ name, stacks }) => {
  const { assembly } = sharedSynthesis(matrixConfiguration(name));
  return assembly.stacks.filter((s) => stacks(s.stackName)).map((s) => path.join(assembly.directory, s.templateFile));
});
const context = (paths: string[]) => ({ templatePaths: paths }) as unknown as IPolicyValidationContextBeta1;
const comparable = (violations: readonly PolicyViolationBeta1[]) =>
  violations
    .map((v) => JSON.stringify({ ...v, severity: undefined }))
    .sort()
    .map((v) => JSON.parse(v));

/**
 * Every Control Tower rule against every template, as the validator runs it:
 * the reference the rule selection is compared with. It takes cfn-guard about
 * half a minute, so its result is kept by content (the templates, asset keys
 * left out as in the Control Tower cache, and the validator's version, which
 * fixes its rules) beside the Control Tower cache,
 * with the templates named by position (they are written to new folders on
 * every run).
 */
function everyRuleAgainstEveryTemplate(paths: readonly string[]): PolicyValidationPluginReportBeta1 {
  const reference = new CfnGuardValidator({ controlTowerRulesEnabled: true });
  const key = createHash('sha256').update(`every-rule/1 ${reference.version ?? ''}`);
  for (const p of paths) key.update('\0').update(withoutAssetKeys(fs.readFileSync(p, 'utf8')));
  const file = path.join(CONTROL_TOWER_CACHE_DIR, `every-rule-${key.digest('hex')}.json`);
  const toPosition = (p: string) => String(paths.indexOf(p));
  const relabel = (report: PolicyValidationPluginReportBeta1, label: (p: string) => string) => ({
    ...report,
    violations: report.violations.map((v) => ({
      ...v,
      violatingResources: v.violatingResources.map((r) => ({ ...r, templatePath: label(r.templatePath) })),
    })),
  });
  if (fs.existsSync(file)) {
    return relabel(JSON.parse(fs.readFileSync(file, 'utf8')), (i) => paths[Number(i)]);
  }
  const report = reference.validate(context([...paths]));
  fs.mkdirSync(CONTROL_TOWER_CACHE_DIR, { recursive: true });
  const partial = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(partial, JSON.stringify(relabel(report, toPosition)));
  fs.renameSync(partial, file);
  return report;
}

describe('Control Tower controls, checked per template against the rules that name its resource types', () => {
  const full = everyRuleAgainstEveryTemplate(templatePaths);
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

  test('a template whose only change is an asset key is not checked again: no rule reads S3Key', () => {
    const rulesDir = path.join(
      path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')),
      'rules',
      'control-tower',
    );
    const rules = filesUnder(rulesDir);
    expect(rules.length).toBeGreaterThan(100);
    expect(rules.filter((f) => /S3Key/.test(fs.readFileSync(f, 'utf8')))).toEqual([]);

    const original = fs.readFileSync(templatePaths[0], 'utf8');
    const assetKey = original.match(/"S3Key":\s*"([0-9a-f]{64})\.zip"/)?.[1];
    expect(assetKey).toBeDefined();
    const rebuilt = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ct-asset-')), 'rebuilt.template.json');
    fs.writeFileSync(rebuilt, original.split(assetKey as string).join('0'.repeat(64)));
    const entries = fs.readdirSync(cacheDir).length;
    controls.validate(context([templatePaths[0]]));
    controls.validate(context([rebuilt]));
    expect(fs.readdirSync(cacheDir)).toHaveLength(entries);
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
