import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  COMPARISONS_DIR,
  comparisonProblem,
  type CustomModelComparison,
  customizationBaseModel,
} from '../shared/customization-contract';

/** A custom model deployment's ARN: what Converse takes as modelId for on-demand use. */
export const DEPLOYMENT_ARN_PATTERN =
  /^arn:(aws(?:-[a-z]+)*):bedrock:([a-z0-9-]{1,20}):([0-9]{12}):custom-model-deployment\/[a-z0-9]{1,63}$/;
/** A custom model's ARN: `custom-model/<base model id>/<id>`. */
export const CUSTOM_MODEL_ARN_PATTERN =
  /^arn:(aws(?:-[a-z]+)*):bedrock:([a-z0-9-]{1,20}):([0-9]{12}):custom-model\/([a-z0-9.:-]+)\/[a-z0-9]{12}$/;

/** The custom model the invoke function may call, and the evidence it was approved on. */
export interface ApprovedCustomModel {
  readonly deploymentArn: string;
  readonly customModelArn: string;
  readonly comparisonSha256: string;
  readonly comparison: CustomModelComparison;
}

/** Thrown when an approval cannot be honoured; the message says what was given and what is needed. */
export class ApprovalError extends Error {
  override readonly name = 'ApprovalError';
}

/**
 * The custom model the customModelApproval setting approves, read from the
 * repository's comparison file and checked at synth (the same idea as the
 * model card's reviewed digest): the file must exist under its own SHA-256,
 * be a comparison of a deployment of a model fine-tuned from the configured
 * model, and show the custom model at least as safe (comparisonProblem).
 * Synth refuses anything else, so the invoke function can only be pointed at
 * a custom model someone compared and approved by name.
 */
export function approvedCustomModel(
  approval: string,
  configuredModelId: string,
  comparisonsDir: string,
  read: (file: string) => Buffer = (file) => fs.readFileSync(file),
): ApprovedCustomModel {
  const file = path.join(comparisonsDir, `${approval}.json`);
  const shown = path.join(COMPARISONS_DIR, `${approval}.json`);
  const given = `customModelApproval ${JSON.stringify(approval)}`;
  let bytes: Buffer;
  try {
    bytes = read(file);
  } catch {
    throw new ApprovalError(
      `${given}: no comparison at ${shown}. Run \`npm run customize -- compare\`, which writes it there, and approve the digest it prints.`,
    );
  }
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (digest !== approval) {
    throw new ApprovalError(
      `${given}: ${shown} has SHA-256 ${digest}; the file changed after it was approved. Approve a comparison as \`compare\` wrote it.`,
    );
  }
  let comparison: CustomModelComparison;
  try {
    comparison = JSON.parse(bytes.toString('utf8')) as CustomModelComparison;
  } catch {
    throw new ApprovalError(`${given}: ${shown} is not JSON`);
  }
  const problems = shapeProblems(comparison, configuredModelId);
  const verdict = problems.length === 0 ? comparisonProblem(comparison) : undefined;
  if (verdict) problems.push(verdict);
  if (problems.length > 0) {
    throw new ApprovalError(`${given} cannot point the invoke function at the custom model: ${problems.join('; ')}`);
  }
  return {
    deploymentArn: comparison.deploymentArn,
    customModelArn: comparison.customModelArn,
    comparisonSha256: approval,
    comparison,
  };
}

function shapeProblems(c: CustomModelComparison, configuredModelId: string): string[] {
  const problems: string[] = [];
  if (c?.schema !== 'custom-model-comparison/1') {
    return [`schema is ${JSON.stringify(c?.schema)}, expected "custom-model-comparison/1"`];
  }
  if (c.baseModelId !== configuredModelId) {
    problems.push(
      `it compares with ${c.baseModelId}, but modelId is ${configuredModelId}: compare with the model the function serves now`,
    );
  }
  const deployment = DEPLOYMENT_ARN_PATTERN.exec(c.deploymentArn ?? '');
  if (!deployment)
    problems.push(`deploymentArn ${JSON.stringify(c.deploymentArn)} is not a custom model deployment ARN`);
  const model = CUSTOM_MODEL_ARN_PATTERN.exec(c.customModelArn ?? '');
  if (!model) {
    problems.push(`customModelArn ${JSON.stringify(c.customModelArn)} is not a custom model ARN`);
  } else {
    const foundation = configuredModelId.replace(/^(us|eu|apac|global)[.]/, '');
    if (model[4] !== customizationBaseModel(foundation)) {
      problems.push(`the custom model was fine-tuned from ${model[4]}, not from ${foundation}`);
    }
    if (deployment && (deployment[2] !== model[2] || deployment[3] !== model[3])) {
      problems.push('the deployment and the custom model are in different regions or accounts');
    }
  }
  for (const [name, safety] of [
    ['base', c.base],
    ['custom', c.custom],
  ] as const) {
    const count = (n: unknown) => Number.isInteger(n) && (n as number) >= 0;
    const rate = (n: unknown) => typeof n === 'number' && n >= 0 && n <= 1;
    if (!safety || !count(safety.attacks) || !count(safety.nearMisses)) {
      problems.push(`${name}: attacks and nearMisses must be whole numbers`);
    } else if (!rate(safety.blockRate) || !rate(safety.falseRefusalRate)) {
      problems.push(`${name}: blockRate and falseRefusalRate must be numbers from 0 to 1`);
    }
  }
  if (c.custom?.modelId !== c.deploymentArn) problems.push('the custom red-team run did not call the deployment');
  if (c.base?.modelId !== configuredModelId) problems.push('the base red-team run did not call the configured model');
  if (!/^[0-9a-f]{64}$/.test(c.manifestSha256 ?? '')) problems.push('it names no training manifest digest');
  return problems;
}
