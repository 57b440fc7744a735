import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import type {
  IPolicyValidationContextBeta1,
  IPolicyValidationPluginBeta1,
  PolicyValidationPluginReportBeta1,
  PolicyViolationBeta1,
} from 'aws-cdk-lib';

/** Where cfn-guard results are kept between runs, by content (npm's convention for tool caches). */
export const CONTROL_TOWER_CACHE_DIR = path.join(
  __dirname,
  '..',
  '..',
  'node_modules',
  '.cache',
  'genai-guarded-cdk',
  'cfn-guard',
);

/** The Control Tower rules the validator ships. */
const RULES_DIR = path.join(
  path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')),
  'rules',
  'control-tower',
  'cfn-guard',
);

const RESOURCE_TYPE = /AWS::[A-Za-z0-9]+::[A-Za-z0-9]+/g;

/** Version of how cached results are made; change it with `rulesFor` or the result shape. */
const CACHE_FORMAT = 'rules-by-resource-type/2 asset keys left out';

/** Every rule file, with the resource types it names (a rule applies only to resources of those types). */
interface RuleFile {
  readonly file: string;
  readonly types: ReadonlySet<string>;
}

function ruleFiles(dir: string): RuleFile[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return ruleFiles(file);
    return [{ file, types: new Set(fs.readFileSync(file, 'utf8').match(RESOURCE_TYPE) ?? []) }];
  });
}

/**
 * The Control Tower proactive controls, as cfn-guard runs them, with two
 * changes that keep their meaning and make them cheap to run often:
 *
 * - Each template is checked against the rule files that name at least one of
 *   its resource types. Every Control Tower rule selects resources by type and
 *   is skipped when none is present, so the others could only ever say
 *   "not applicable" (test/compliance/control-tower.test.ts compares both ways).
 * - Results are cached per template, keyed by a digest of the template, the
 *   validator's version and the rules, so an unchanged template is not checked
 *   again (`cdk synth` and the tests share the cache).
 *
 * cfn-guard reports violations without a severity. When CDK applies
 * acknowledgements to a report it recomputes the report's outcome from the
 * severities of what is left, so once any Control Tower finding of the app is
 * acknowledged, the unacknowledged ones would no longer fail synth. Every
 * violation is therefore marked an error, which keeps the gate shut.
 */
export class ControlTowerControls implements IPolicyValidationPluginBeta1 {
  private readonly reference = new CfnGuardValidator({ controlTowerRulesEnabled: true });
  public readonly name = this.reference.name;
  public readonly version = this.reference.version;
  public readonly ruleIds = this.reference.ruleIds;
  private readonly rules = ruleFiles(RULES_DIR);
  private readonly rulesDigest: string;

  constructor(private readonly cacheDir: string | undefined = CONTROL_TOWER_CACHE_DIR) {
    // CACHE_FORMAT changes whenever how results are made changes (the rule
    // selection above all), so an old, wrong result is never read back.
    const digest = createHash('sha256')
      .update(CACHE_FORMAT)
      .update(this.version ?? '');
    for (const { file } of this.rules) digest.update(file).update(fs.readFileSync(file));
    this.rulesDigest = digest.digest('hex');
  }

  public validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    const violations = this.templateViolations(context)
      .flat()
      .map((v) => ({ ...v, severity: v.severity ?? 'error' }));
    return { success: violations.length === 0, violations };
  }

  /** The rule files that can apply to a template with these resource types. */
  public rulesFor(types: ReadonlySet<string>): string[] {
    return this.rules.filter((rule) => [...rule.types].some((t) => types.has(t))).map((rule) => rule.file);
  }

  /**
   * The violations of each template, from the cache or from ONE cfn-guard run
   * over every template not yet checked, with the rules that name any of
   * their resource types: cfn-guard's start (parsing the rules) costs more
   * than checking a template, and a rule that names none of a template's
   * types finds nothing in it, so the union of the rules gives each template
   * the same violations as its own rules would.
   */
  private templateViolations(context: IPolicyValidationContextBeta1): PolicyViolationBeta1[][] {
    const checks = context.templatePaths.map((templatePath) => {
      const content = fs.readFileSync(templatePath, 'utf8');
      const key = createHash('sha256').update(this.rulesDigest).update(withoutAssetKeys(content)).digest('hex');
      const resources = (JSON.parse(content) as { Resources?: Record<string, { Type?: string }> }).Resources ?? {};
      const rules = this.rulesFor(new Set(Object.values(resources).map((r) => r.Type ?? '')));
      return { templatePath, key, rules, cached: this.readCache(key) };
    });
    // Templates with the same content are checked once.
    const pending = [...new Map(checks.filter((c) => !c.cached && c.rules.length > 0).map((c) => [c.key, c])).values()];
    const found =
      pending.length === 0
        ? []
        : new CfnGuardValidator({
            controlTowerRulesEnabled: false,
            rules: [...new Set(pending.flatMap((c) => c.rules))],
          }).validate({ ...context, templatePaths: pending.map((c) => c.templatePath) }).violations;
    const fresh = new Map(
      pending.map((check) => {
        const own = withTemplatePath(ofTemplate(found, check.templatePath), '');
        this.writeCache(check.key, own);
        return [check.key, own] as const;
      }),
    );
    return checks.map((check) => withTemplatePath(check.cached ?? fresh.get(check.key) ?? [], check.templatePath));
  }

  private readCache(key: string): PolicyViolationBeta1[] | undefined {
    if (!this.cacheDir) return undefined;
    try {
      return JSON.parse(fs.readFileSync(path.join(this.cacheDir, `${key}.json`), 'utf8')) as PolicyViolationBeta1[];
    } catch {
      return undefined;
    }
  }

  private writeCache(key: string, violations: PolicyViolationBeta1[]): void {
    if (!this.cacheDir) return;
    try {
      fs.mkdirSync(this.cacheDir, { recursive: true });
      // Written whole, then renamed: a parallel reader sees all of it or nothing.
      const file = path.join(this.cacheDir, `${key}.json`);
      const partial = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(partial, JSON.stringify(violations));
      fs.renameSync(partial, file);
    } catch {
      // A read-only or missing node_modules only costs the next run its cache.
    }
  }
}

/** The object key of a Lambda asset: the digest of its sources (lib/esm-bundling.ts), then ".zip". */
const ASSET_KEY = /"S3Key":\s*"[0-9a-f]{64}\.zip"/g;

/**
 * A template's text with every asset's object key made the same, for the cache
 * key only. The keys change with any source file (lib/esm-bundling.ts digests
 * them all), and no Control Tower rule reads them
 * (test/compliance/control-tower.test.ts checks that no rule names `S3Key`):
 * without this, any change to lib/ would make every template with a function
 * new to the cache, and cfn-guard would check them all again.
 */
export function withoutAssetKeys(template: string): string {
  return template.replace(ASSET_KEY, '"S3Key":"<asset>"');
}

/** The same violations, pointing at another copy of the template. */
function withTemplatePath(violations: readonly PolicyViolationBeta1[], templatePath: string): PolicyViolationBeta1[] {
  return violations.map((v) => ({
    ...v,
    violatingResources: v.violatingResources.map((r) => ({ ...r, templatePath })),
  }));
}

/** The part of each violation that is about resources of this one template. */
function ofTemplate(violations: readonly PolicyViolationBeta1[], templatePath: string): PolicyViolationBeta1[] {
  return violations.flatMap((v) => {
    const resources = v.violatingResources.filter((r) => r.templatePath === templatePath);
    return resources.length > 0 ? [{ ...v, violatingResources: resources }] : [];
  });
}
