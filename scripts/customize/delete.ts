/**
 * `npm run customize -- delete`: stop what customization bills. Deployments
 * first, then custom models: "deployment deletion doesn't delete the
 * underlying custom model" (https://docs.aws.amazon.com/bedrock/latest/userguide/deploy-custom-model-on-demand.html),
 * and a model still in use cannot go ("you must first delete any Provisioned
 * Throughput or custom model deployment associated with the model",
 * https://docs.aws.amazon.com/bedrock/latest/userguide/model-customization-delete.html).
 * Both deletions are irreversible, so the list is shown and confirmed first.
 */
import {
  type CustomModelSummary,
  DeleteCustomModelCommand,
  DeleteCustomModelDeploymentCommand,
  GetCustomModelDeploymentCommand,
  ListCustomModelsCommand,
} from '@aws-sdk/client-bedrock';
import { UsageError } from '../cli/command';
import { json } from '../cli/output';
import { accessHint, type CustomizeClients, poll, type PollOptions, type Run } from './context';
import { listDeployments } from './deploy';
import { type ErrorContext, explainBedrockError } from './errors';
import { appSlug, CUSTOM_MODEL_ARN_PATTERN, jobNamePrefix } from './names';
import { CUSTOMIZATION_PRICES, usd } from './prices';

export const DEFAULT_DELETE_TIMEOUT_MINUTES = 30;
const FIRST_POLL_MS = 5_000;
const POLL_MS = 10_000;

const notFound = (error: unknown) => error instanceof Error && error.name === 'ResourceNotFoundException';

/** The app's custom models: named `<app>-ft-…` by start. */
async function appModels(bedrock: CustomizeClients['bedrock'], appName: string): Promise<CustomModelSummary[]> {
  const prefix = jobNamePrefix(appName);
  const all: CustomModelSummary[] = [];
  let nextToken: string | undefined;
  do {
    const page = await bedrock.send(new ListCustomModelsCommand({ nameContains: prefix, maxResults: 100, nextToken }));
    all.push(...(page.modelSummaries ?? []).filter((m) => m.modelName?.startsWith(prefix)));
    nextToken = page.nextToken;
  } while (nextToken);
  return all;
}

export interface DeletionPlan {
  readonly deployments: readonly string[];
  readonly models: readonly string[];
}

/**
 * What to delete: --deployment alone deletes that deployment; --model deletes
 * its deployments and then it; neither deletes every deployment and custom
 * model of the app (named by this command, or deployments of the app's models).
 */
export async function deletionPlan(run: Run): Promise<DeletionPlan> {
  const { deployment, model } = run.values;
  const { bedrock } = run.clients;
  if (model !== undefined && !CUSTOM_MODEL_ARN_PATTERN.test(model)) {
    throw new UsageError('--model must be a custom model ARN (arn:aws:bedrock:<region>:<account>:custom-model/...)');
  }
  if (deployment !== undefined || model !== undefined) {
    const ofModel = model && !deployment ? await listDeployments(bedrock, { modelArnEquals: model }) : [];
    return {
      deployments: deployment ? [deployment] : ofModel.map((d) => d.customModelDeploymentArn ?? ''),
      models: model ? [model] : [],
    };
  }
  return appCustomizations(bedrock, run.appName);
}

/**
 * Every deployment and custom model of the app in the client's region: models
 * named by start, deployments named by deploy or serving one of those models.
 * `npm run teardown` asks the same (scripts/teardown/custom-models.ts).
 */
export async function appCustomizations(bedrock: CustomizeClients['bedrock'], appName: string): Promise<DeletionPlan> {
  const models = (await appModels(bedrock, appName)).map((m) => m.modelArn ?? '');
  const ownName = new RegExp(`^${appSlug(appName)}-[a-z0-9]{12}$`);
  const deployments = (await listDeployments(bedrock, {}))
    .filter((d) => ownName.test(d.customModelDeploymentName ?? '') || models.includes(d.modelArn ?? ''))
    .map((d) => d.customModelDeploymentArn ?? '');
  return { deployments, models };
}

/** y or yes on a terminal; anything else, or no terminal, is no. */
async function confirmed(run: Run, plan: DeletionPlan): Promise<boolean | 'no-terminal'> {
  if (run.values.yes) return true;
  const terminal = run.deps.terminal();
  try {
    if (!terminal.interactive) return 'no-terminal';
    const count = plan.deployments.length + plan.models.length;
    const answer = await terminal.question(
      `Delete ${count === 1 ? 'it' : `these ${count}`}? This cannot be undone. [y/N] `,
    );
    return /^y(es)?$/i.test((answer ?? '').trim());
  } finally {
    terminal.close();
  }
}

/** How long and how often to look whether a deleted deployment is gone. */
export type DeletionWait = Pick<PollOptions, 'timeoutMs' | 'sleep' | 'now'>;

/**
 * Delete one deployment and wait until GetCustomModelDeployment answers
 * ResourceNotFoundException (its model cannot go before). False when it is
 * still there at the deadline. Shared with `npm run teardown`.
 */
export async function deleteDeployment(
  bedrock: CustomizeClients['bedrock'],
  arn: string,
  wait: DeletionWait,
  progress: (text: string) => void,
): Promise<boolean> {
  try {
    await bedrock.send(new DeleteCustomModelDeploymentCommand({ customModelDeploymentIdentifier: arn }));
  } catch (error) {
    if (!notFound(error)) throw error;
  }
  progress(`deleting ${arn}`);
  const gone = await poll(
    async () => {
      try {
        await bedrock.send(new GetCustomModelDeploymentCommand({ customModelDeploymentIdentifier: arn }));
        return undefined;
      } catch (error) {
        if (notFound(error)) return true;
        throw error;
      }
    },
    { firstMs: FIRST_POLL_MS, intervalMs: POLL_MS, ...wait },
  );
  return gone === true;
}

/** Delete one custom model (its deployments first); false when it was already gone. Shared with `npm run teardown`. */
export async function deleteModel(bedrock: CustomizeClients['bedrock'], arn: string): Promise<boolean> {
  try {
    await bedrock.send(new DeleteCustomModelCommand({ modelIdentifier: arn }));
    return true;
  } catch (error) {
    if (notFound(error)) return false;
    throw error;
  }
}

/** What a refused DeleteCustomModel means and what to do; undefined for an undocumented error (rethrow it). */
export function modelDeletionProblem(
  error: unknown,
  arn: string,
  context: Omit<ErrorContext, 'action'>,
): string | undefined {
  return error instanceof Error && error.name === 'ConflictException'
    ? `Bedrock will not delete ${arn} yet (ConflictException: ${error.message}): a deployment or a Provisioned Throughput still uses it. Delete its deployments (npm run customize -- delete --model ${arn}) and any Provisioned Throughput of it (aws bedrock list-provisioned-model-throughputs --model-arn-equals ${arn}), then run this again.`
    : explainBedrockError(error, { action: `deleting the custom model ${arn}`, ...context });
}

export async function deleteAction(run: Run): Promise<number> {
  const { values, io, appName } = run;
  if (run.args.length > 0)
    throw new UsageError(`delete takes no argument (got "${run.args[0]}"); use --deployment or --model`);
  const timeoutMs = (values.timeout ?? DEFAULT_DELETE_TIMEOUT_MINUTES) * 60_000;
  const context = { region: run.target.region, customizationStack: run.stacks.customization };
  const plan = await deletionPlan(run).catch((error: unknown) => {
    throw accessHint(error, 'listing deployments and custom models', run);
  });
  const deleted = { deployments: [] as string[], models: [] as string[] };
  const report = (ok: boolean, error?: string) => {
    if (values.json)
      json(io, { app: appName, region: run.target.region, ok, plan, deleted, ...(error ? { error } : {}) });
    return ok ? 0 : 1;
  };
  if (plan.deployments.length + plan.models.length === 0) {
    if (!values.json)
      io.out(`Nothing of ${appName} to delete in ${run.target.region}: no custom model deployments or custom models.`);
    return report(true);
  }
  io.err('To delete:');
  for (const arn of plan.deployments) io.err(`  deployment ${arn}`);
  for (const arn of plan.models) io.err(`  custom model ${arn}`);
  const answer = await confirmed(run, plan);
  if (answer !== true) {
    const why =
      answer === 'no-terminal'
        ? 'Not deleted: there is no terminal to confirm on; pass --yes to delete without asking.'
        : 'Not deleted.';
    io.err(why);
    return report(false, why);
  }

  for (const arn of plan.deployments) {
    try {
      const wait = { timeoutMs, sleep: run.deps.sleep, now: run.deps.now };
      if (!(await deleteDeployment(run.clients.bedrock, arn, wait, run.io.progress))) {
        const why = `${arn} still exists after ${values.timeout ?? DEFAULT_DELETE_TIMEOUT_MINUTES} min; its models were not deleted. Run delete again later.`;
        io.err(why);
        return report(false, why);
      }
    } catch (error) {
      const why = explainBedrockError(error, { action: `deleting the deployment ${arn}`, ...context });
      if (why === undefined) throw error;
      io.err(why);
      return report(false, why);
    }
    deleted.deployments.push(arn);
    io.progress(`deleted ${arn}`);
  }
  for (const arn of plan.models) {
    try {
      await deleteModel(run.clients.bedrock, arn);
    } catch (error) {
      const why = modelDeletionProblem(error, arn, context);
      if (why === undefined) throw error;
      io.err(why);
      return report(false, why);
    }
    deleted.models.push(arn);
    io.progress(`deleted ${arn}`);
  }
  if (!values.json) {
    for (const arn of deleted.deployments) io.out(`Deleted deployment ${arn}: it bills no more tokens.`);
    for (const arn of deleted.models) {
      io.out(
        `Deleted custom model ${arn}: its storage (about ${usd(CUSTOMIZATION_PRICES.storagePerModelMonth)} a month) stops.`,
      );
    }
    if (deleted.models.length === 0) {
      io.out(
        'The custom model is kept and its storage still bills monthly; delete it with --model when you no longer need it.',
      );
    }
  }
  return report(true);
}
