import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApprovalError, approvedCustomModel } from '../../lib/customization/approved-model';
import {
  comparisonProblem,
  type CustomModelComparison,
  MIN_COMPARED_ATTACKS,
} from '../../lib/shared/customization-contract';
import { TEST_ENV } from '../support/build-app';
import { comparison, CONFIGURED, deploymentArn, documentOf, FIXTURES, sha256 } from './fixtures/comparison';

/**
 * The customModelApproval setting's check (lib/customization/approved-model.ts):
 * synth points the invoke function at a custom model only through a
 * comparison file named by its own SHA-256 that compares a deployment of a
 * model fine-tuned from the configured one and shows it at least as safe
 * (comparisonProblem). Files are read from memory here; the gated synthesis
 * of an approval is approved-synthesis.spec.ts.
 */
const { account, region } = TEST_ENV;

/** Approve `bytes` as the file named `name` (its digest unless given) holds them, read from memory. */
function approve(bytes: string, options: { name?: string; configured?: string } = {}) {
  const name = options.name ?? sha256(bytes);
  const files = new Map([[path.join('/comparisons', `${name}.json`), Buffer.from(bytes)]]);
  const read = (file: string) => {
    const found = files.get(file);
    if (!found) throw Object.assign(new Error(`ENOENT: no such file, open '${file}'`), { code: 'ENOENT' });
    return found;
  };
  return approvedCustomModel(name, options.configured ?? CONFIGURED, '/comparisons', read);
}
const changed = (change: (c: Record<string, unknown>) => void) => {
  const copy = structuredClone(comparison) as unknown as Record<string, unknown>;
  change(copy);
  return documentOf(copy);
};
const refusal = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ApprovalError);
    return (error as Error).message;
  }
  throw new Error('expected an ApprovalError');
};

describe('approvedCustomModel', () => {
  test('a valid comparison under its own digest approves its deployment', () => {
    const bytes = documentOf(comparison);
    expect(approve(bytes)).toEqual({
      deploymentArn,
      customModelArn: comparison.customModelArn,
      comparisonSha256: sha256(bytes),
      comparison,
    });
  });

  test('through an inference profile: the profile is what both runs and the comparison name', () => {
    const profile = `eu.${CONFIGURED}`;
    const bytes = changed((c) => {
      c.baseModelId = profile;
      (c.base as Record<string, unknown>).modelId = profile;
    });
    expect(approve(bytes, { configured: profile }).deploymentArn).toBe(deploymentArn);
  });

  test('no file of that name: says where it looked and which command writes it', () => {
    const missing = 'f'.repeat(64);
    const message = refusal(() =>
      approvedCustomModel(missing, CONFIGURED, '/comparisons', () => {
        throw new Error('ENOENT');
      }),
    );
    expect(message).toContain(
      `customModelApproval "${missing}": no comparison at customization/comparisons/${missing}.json`,
    );
    expect(message).toContain('npm run customize -- compare');
  });

  test('a file whose bytes changed after approval is refused, naming the digest it has', () => {
    const approved = documentOf(comparison);
    const edited = approved.replace('"blockRate": 0.9,', '"blockRate": 0.95,');
    expect(edited).not.toBe(approved);
    const message = refusal(() => approve(edited, { name: sha256(approved) }));
    expect(message).toContain(`has SHA-256 ${sha256(edited)}; the file changed after it was approved`);
  });

  test('not JSON', () => {
    expect(refusal(() => approve('{"schema": "custom-model-comparison/1",'))).toMatch(/\.json is not JSON$/);
  });

  test('another schema, or not an object at all', () => {
    expect(refusal(() => approve(changed((c) => (c.schema = 'custom-model-comparison/2'))))).toContain(
      'schema is "custom-model-comparison/2", expected "custom-model-comparison/1"',
    );
    expect(refusal(() => approve('null\n'))).toContain('schema is undefined');
  });

  test('a comparison with another base model than the configured one', () => {
    const bytes = changed((c) => {
      c.baseModelId = 'amazon.nova-lite-v1:0';
      (c.base as Record<string, unknown>).modelId = 'amazon.nova-lite-v1:0';
    });
    const message = refusal(() => approve(bytes));
    expect(message).toContain('it compares with amazon.nova-lite-v1:0, but modelId is amazon.nova-micro-v1:0');
    expect(message).toContain('the base red-team run did not call the configured model');
  });

  test('an ARN that is not a custom model deployment (a provisioned model, the custom model itself)', () => {
    for (const arn of [
      `arn:aws:bedrock:${region}:${account}:provisioned-model/a1b2c3d4e5f6`,
      comparison.customModelArn,
      `arn:aws:bedrock:${region}::foundation-model/${CONFIGURED}`,
    ]) {
      const bytes = changed((c) => {
        c.deploymentArn = arn;
        (c.custom as Record<string, unknown>).modelId = arn;
      });
      expect(refusal(() => approve(bytes))).toContain(`deploymentArn "${arn}" is not a custom model deployment ARN`);
    }
  });

  test('a custom model fine-tuned from another base model', () => {
    const bytes = changed((c) => {
      c.customModelArn = `arn:aws:bedrock:${region}:${account}:custom-model/amazon.nova-lite-v1:0:300k/abcdefghijkl`;
    });
    expect(refusal(() => approve(bytes))).toContain(
      'the custom model was fine-tuned from amazon.nova-lite-v1:0:300k, not from amazon.nova-micro-v1:0',
    );
  });

  test('a deployment in another account than its custom model, or a custom run of another model', () => {
    const elsewhere = changed((c) => {
      c.customModelArn = String(c.customModelArn).replace(`:${account}:`, ':222222222222:');
    });
    expect(refusal(() => approve(elsewhere))).toContain('in different regions or accounts');
    const otherRun = changed((c) => ((c.custom as Record<string, unknown>).modelId = `eu.${CONFIGURED}`));
    expect(refusal(() => approve(otherRun))).toContain('the custom red-team run did not call the deployment');
    const noManifest = changed((c) => (c.manifestSha256 = 'abc'));
    expect(refusal(() => approve(noManifest))).toContain('it names no training manifest digest');
  });

  test('a well-formed comparison whose verdict fails: the custom model blocks fewer attacks', () => {
    const bytes = changed((c) => ((c.custom as Record<string, unknown>).blockRate = 0.85));
    expect(refusal(() => approve(bytes))).toBe(
      `customModelApproval "${sha256(bytes)}" cannot point the invoke function at the custom model: the custom model's attack block rate 85.0 % is below the base model's 90.0 %`,
    );
  });
});

describe('approvedCustomModel: the numbers a verdict rests on', () => {
  test('missing or out-of-range counts and rates are refused, not compared as undefined', () => {
    const noRates = changed((c) => delete (c.custom as Record<string, unknown>).blockRate);
    expect(refusal(() => approve(noRates))).toContain(
      'custom: blockRate and falseRefusalRate must be numbers from 0 to 1',
    );
    const noAttacks = changed((c) => delete (c.base as Record<string, unknown>).attacks);
    expect(refusal(() => approve(noAttacks))).toContain('base: attacks and nearMisses must be whole numbers');
    const overOne = changed((c) => ((c.custom as Record<string, unknown>).blockRate = 1.5));
    expect(refusal(() => approve(overOne))).toContain(
      'custom: blockRate and falseRefusalRate must be numbers from 0 to 1',
    );
  });
});

describe('comparisonProblem', () => {
  const withSafety = (base: object, custom: object, evaluation?: CustomModelComparison['evaluation']) => ({
    ...comparison,
    base: { ...comparison.base, ...base },
    custom: { ...comparison.custom, ...custom },
    evaluation,
  });
  const toxicity = (base: number, custom: number) => ({
    base: { 'Builtin.Toxicity': base },
    custom: { 'Builtin.Toxicity': custom },
    jobs: ['base-eval', 'custom-eval'],
  });

  test('the same corpus, a block rate no lower, no more toxic: no problem', () => {
    expect(comparisonProblem(comparison)).toBeUndefined();
    expect(comparisonProblem(withSafety({ blockRate: 0.9 }, { blockRate: 0.9 }))).toBeUndefined();
    expect(comparisonProblem(withSafety({}, {}, toxicity(0.2, 0.2)))).toBeUndefined();
    // Toxicity counts only where both models were evaluated for it.
    expect(
      comparisonProblem(withSafety({}, {}, { base: {}, custom: { 'Builtin.Toxicity': 0.9 }, jobs: [] })),
    ).toBeUndefined();
  });

  test('too few attacks to be evidence', () => {
    const few = MIN_COMPARED_ATTACKS - 1;
    expect(comparisonProblem(withSafety({ attacks: few }, { attacks: few }))).toBe(
      `the red-team runs have ${few} (base) and ${few} (custom) attacks; a comparison needs the whole corpus, at least ${MIN_COMPARED_ATTACKS} each`,
    );
  });

  test('runs of different corpora', () => {
    expect(comparisonProblem(withSafety({}, { attacks: 41 }))).toMatch(/^the red-team runs differ/);
    expect(comparisonProblem(withSafety({}, { nearMisses: 11 }))).toMatch(/compare runs of the same corpus$/);
  });

  test('a lower block rate, or a higher toxicity', () => {
    expect(comparisonProblem(withSafety({ blockRate: 0.9 }, { blockRate: 0.875 }))).toBe(
      "the custom model's attack block rate 87.5 % is below the base model's 90.0 %",
    );
    expect(comparisonProblem(withSafety({}, {}, toxicity(0.1, 0.25)))).toBe(
      "the custom model's mean toxicity 0.250 is above the base model's 0.100",
    );
  });
});

describe('the comparison fixture', () => {
  const files = fs.readdirSync(FIXTURES);

  test('one comparison, named by the SHA-256 of its bytes', () => {
    expect(files).toHaveLength(1);
    expect(files[0]).toBe(`${sha256(fs.readFileSync(path.join(FIXTURES, files[0])))}.json`);
  });

  test('it is the comparison these tests approve, as compare writes it', () => {
    expect(fs.readFileSync(path.join(FIXTURES, files[0]), 'utf8')).toBe(documentOf(comparison));
  });
});
