/**
 * What `npm run customize` made outside every stack: this app's custom model
 * deployments and custom models. No stack owns them ("CloudFormation has no
 * resource for either", lib/customization/customization-stack.ts), so
 * deleting the stacks leaves them billing: a deployment per token of every
 * call ("With On-demand inference, you are charged based on usage, measured
 * in tokens, both in and out",
 * https://docs.aws.amazon.com/nova/latest/userguide/custom-fine-tune-odi.html),
 * a custom model by the month it is stored.
 *
 * Found and deleted with the functions of `npm run customize -- delete`
 * (scripts/customize/delete.ts): the same names, the same order (every
 * deployment gone before any model: "deployment deletion doesn't delete the
 * underlying custom model", and a model still in use answers
 * ConflictException), the same explanations.
 *
 * What goes, and why:
 * - deployments, always once the teardown is confirmed: they hold nothing
 *   (the model stays and `npm run customize -- deploy --model <arn>` makes a
 *   new one), the invoke function that was pointed at one goes with its
 *   stack, and one left behind bills whoever still calls it;
 * - custom models follow the data bucket and the project key. They are data
 *   the user paid to train, so, like the data bucket and the model card, they
 *   are kept under removalPolicy=retain and deleted by --purge (the explicit,
 *   typed-back request to delete what the stacks retained). Under
 *   removalPolicy=destroy the DataProtection stack's delete takes the project
 *   key, which encrypts every custom model (`start` passes it as
 *   customModelKmsKeyId), and the training data with it: a model kept then
 *   could never be used again and would still bill its storage, so it goes
 *   too. The deployed template says which, never today's settings.
 */
import { CUSTOMIZATION_REGIONS } from '../../lib/shared/customization-contract';
import { stackNames } from '../../lib/shared/names';
import {
  appCustomizations,
  deleteDeployment,
  type DeletionWait,
  deleteModel,
  modelDeletionProblem,
} from '../customize/delete';
import { explainBedrockError } from '../customize/errors';
import { CUSTOMIZATION_PRICES, usd } from '../customize/prices';
import { describeError, type Outcome, type TeardownClients } from './clients';
import type { DeployedStack } from './inventory';

export interface Customizations {
  readonly deployments: readonly string[];
  readonly models: readonly string[];
  /** The custom models are deleted too (with the deployments otherwise only). */
  readonly modelsGo: boolean;
  /** Why the models go or stay, for the plan. */
  readonly why: string;
  /** They could not be listed: the error. Teardown then stops before the stacks. */
  readonly unknown?: string;
}

export const deploymentStep = (arn: string) => `delete custom model deployment ${arn}`;
export const modelStep = (arn: string) => `delete custom model ${arn}`;

/** Under --purge, or when the deployed DataProtection template deletes its KMS key (removalPolicy=destroy). */
export function modelsGo(
  stacks: readonly DeployedStack[],
  appName: string,
  purge: boolean,
): Pick<Customizations, 'modelsGo' | 'why'> {
  if (purge) return { modelsGo: true, why: 'deleted by --purge, like the data they were trained on' };
  const keys = stacks
    .filter((s) => s.name === stackNames(appName).dataProtection)
    .flatMap((s) => s.resources)
    .filter((r) => r.type === 'AWS::KMS::Key');
  if (keys.length > 0 && keys.every((k) => !k.retained)) {
    return {
      modelsGo: true,
      why: 'deleted: the deployed DataProtection template deletes the project key that encrypts them (removalPolicy=destroy), after which they could never be used',
    };
  }
  return { modelsGo: false, why: 'kept, like the data bucket (removalPolicy=retain); add --purge to delete them' };
}

/** This app's deployments and custom models in the clients' region. */
export async function findCustomizations(
  clients: TeardownClients,
  appName: string,
  region: string,
  stacks: readonly DeployedStack[],
  purge: boolean,
): Promise<Customizations> {
  const decision = modelsGo(stacks, appName, purge);
  // `npm run customize` refuses every other region (regionProblem in
  // scripts/customize/context.ts), so this app has none there.
  if (!(CUSTOMIZATION_REGIONS as readonly string[]).includes(region))
    return { deployments: [], models: [], ...decision };
  try {
    return { ...(await appCustomizations(clients.bedrock, appName)), ...decision };
  } catch (error) {
    return { deployments: [], models: [], ...decision, unknown: describeError(error) };
  }
}

/** The outcomes a dry run assumes: everything teardown would delete is done. */
export function plannedCustomizations(c: Customizations): Outcome[] {
  return [...c.deployments.map(deploymentStep), ...(c.modelsGo ? c.models.map(modelStep) : [])].map((step) => ({
    step,
    status: 'done',
  }));
}

/** The plan's lines about them (none when there is nothing). */
export function customizationLines(c: Customizations): string[] {
  if (c.unknown) {
    return [
      `This app's Bedrock custom models and deployments: could not list them (${c.unknown}); teardown stops before the stacks until it can (bedrock:ListCustomModels, bedrock:ListCustomModelDeployments).`,
    ];
  }
  if (c.deployments.length + c.models.length === 0) return [];
  return [
    "This app's Bedrock customizations (made by npm run customize; no stack owns them), before the stacks:",
    ...c.deployments.map((arn) => `  ${deploymentStep(arn)}  [bills per token while it exists]`),
    ...c.models.map((arn) => (c.modelsGo ? `  ${modelStep(arn)}` : `  keep custom model ${arn}`)),
    ...(c.models.length > 0 ? [`  Custom models: ${c.why}.`] : []),
  ];
}

/** What still bills of them after `outcomes`. */
export function customizationBills(c: Customizations, outcomes: readonly Outcome[]): string[] {
  const gone = new Set(outcomes.filter((o) => o.status === 'done' || o.status === 'gone').map((o) => o.step));
  const storage = `Bedrock custom model storage, about ${usd(CUSTOMIZATION_PRICES.storagePerModelMonth)} a month${CUSTOMIZATION_PRICES.verified ? '' : ' (unverified price)'}`;
  const lines = [
    ...c.deployments
      .filter((arn) => !gone.has(deploymentStep(arn)))
      .map((arn) => `custom model deployment ${arn}: on-demand tokens of every call to it`),
    ...c.models
      .filter((arn) => !gone.has(modelStep(arn)))
      .map(
        (arn) =>
          `custom model ${arn}: ${storage}, until deleted (teardown -- --purge, or npm run customize -- delete --model ${arn})`,
      ),
  ];
  return c.unknown
    ? [`this app's custom models and deployments, if any: could not list them (${c.unknown})`, ...lines]
    : lines;
}

/**
 * Delete the deployments, each until GetCustomModelDeployment answers
 * ResourceNotFoundException; then, if they go, the models. Every failure is
 * reported with what to do; the caller stops before the stacks then.
 */
export async function deleteCustomizations(
  clients: TeardownClients,
  c: Customizations,
  context: { readonly region: string; readonly customizationStack: string; readonly wait: DeletionWait },
  progress: (text: string) => void,
): Promise<Outcome[]> {
  if (c.unknown) {
    return [
      {
        step: "list this app's custom models and deployments",
        status: 'failed',
        detail: `${c.unknown}. Teardown needs bedrock:ListCustomModels and bedrock:ListCustomModelDeployments to find what bills outside the stacks (docs/teardown.md); fix that, then run it again.`,
      },
    ];
  }
  const { region, customizationStack } = context;
  const out: Outcome[] = [];
  for (const arn of c.deployments) {
    const step = deploymentStep(arn);
    try {
      out.push(
        (await deleteDeployment(clients.bedrock, arn, context.wait, progress))
          ? { step, status: 'done' }
          : {
              step,
              status: 'failed',
              detail: 'still there at the deadline; run teardown again later, it waits for it.',
            },
      );
    } catch (error) {
      const why = explainBedrockError(error, { action: `deleting the deployment ${arn}`, region, customizationStack });
      out.push({ step, status: 'failed', detail: why ?? describeError(error) });
    }
  }
  if (!c.modelsGo) return out;
  const blocked = out.some((o) => o.status === 'failed');
  for (const arn of c.models) {
    const step = modelStep(arn);
    if (blocked) {
      out.push({
        step,
        status: 'left',
        detail: 'not tried: a deployment above is still there, and a model in use cannot go',
      });
      continue;
    }
    try {
      out.push({ step, status: (await deleteModel(clients.bedrock, arn)) ? 'done' : 'gone' });
    } catch (error) {
      out.push({
        step,
        status: 'failed',
        detail: modelDeletionProblem(error, arn, { region, customizationStack }) ?? describeError(error),
      });
    }
  }
  return out;
}
