/**
 * npm run teardown: remove a deployment with nothing left billing by surprise.
 *
 * Reads the deployed stacks (scripts/teardown/inventory.ts) and this app's
 * custom models and deployments, which no stack owns (custom-models.ts);
 * after a typed confirmation deletes those deployments (and the models, when
 * the data goes too), detaches the project's policies from principals outside
 * the stacks (policies.ts), deletes the stacks in dependency order
 * (stacks.ts) and, with --purge, deletes what their deletion policies
 * retained (purge.ts). Every run can be repeated: it continues where the last
 * stopped.
 */
import * as readline from 'node:readline/promises';
import { stackNames } from '../lib/shared/names';
import { APP_OPTION, AWS_OPTIONS, type AwsTarget, resolveAws } from './cli/aws';
import { type CommandSpec, type Parsed, UsageError } from './cli/command';
import type { Io } from './cli/output';
import { projectConfig } from './preflight/context';
import { runCommand } from './run-cli';
import { accountServices } from './teardown/account';
import { type Outcome, type TeardownClients, teardownClients } from './teardown/clients';
import { deleteCustomizations, findCustomizations, plannedCustomizations } from './teardown/custom-models';
import { deletionOrder, readInventory, retainedResources } from './teardown/inventory';
import { detachAll, foreignAttachments } from './teardown/policies';
import { canPurge, lambdaLogGroups, purge, purgeOrder, purgeStep } from './teardown/purge';
import { outcomesText, type Plan, planText, stillBills } from './teardown/report';
import { DEFAULT_WAIT, deleteStacks, type WaitOptions } from './teardown/stacks';

export const command = {
  name: 'teardown',
  summary:
    'Remove the deployed stacks in order, detaching hand-attached policies first; with --purge, also what they retained.',
  description:
    "Reads the deployed stacks of the app (their templates' DeletionPolicy decides what stays, not today's settings) and prints the plan: the app's Bedrock custom model deployments and custom models (made by npm run customize, owned by no stack), the project's managed policies attached by hand to users, roles or groups (detached first, else the stack delete fails), the stacks in dependency order, and every resource left behind. Then, once you type the app name (or pass --confirm <appName>), deletes those deployments (and the custom models with --purge, or when the deployed templates delete the project key that encrypts them), detaches the policies and deletes the stacks. With --purge it also deletes what was retained: empties and deletes the buckets (all versions; Object Lock retention is reported with its date, never bypassed), schedules the KMS keys for deletion (7 days), deletes the log groups, the S3 Vectors index and bucket and the model card, and turns off GuardDuty, Macie, Security Hub, the Config recorder and invocation logging only where this app's templates created them. Ends with what still bills and why. Run it again after a failure: it continues.",
  options: {
    'dry-run': { type: 'boolean', description: 'Print the plan and change nothing.' },
    purge: {
      type: 'boolean',
      description:
        "After deleting the stacks, delete what their deletion policies retained, and before them the app's custom models (asks for the app name).",
    },
    confirm: {
      type: 'string',
      placeholder: 'appName',
      description:
        'Answer the confirmation ahead (for scripts): the app name, typed back. Without it, teardown asks on the terminal.',
    },
    app: APP_OPTION,
    ...AWS_OPTIONS,
  },
  examples: [
    'npm run teardown -- --dry-run',
    'npm run teardown -- --purge',
    'npm run teardown -- --purge --confirm GuardedGenAi --region eu-central-1',
  ],
} as const satisfies CommandSpec;

type Args = Parsed<typeof command.options>['values'];

export interface TeardownDeps {
  readonly resolve: (args: Args) => Promise<AwsTarget>;
  readonly clients: (target: AwsTarget) => TeardownClients;
  readonly appName: () => string;
  /** Ask a question on the terminal; undefined when there is none. */
  readonly ask: (question: string) => Promise<string | undefined>;
  readonly wait: WaitOptions;
}

async function askOnTerminal(question: string): Promise<string | undefined> {
  if (!process.stdin.isTTY) return undefined;
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}

const realDeps: TeardownDeps = {
  resolve: resolveAws,
  clients: ({ region, credentials }) => teardownClients(region, credentials),
  appName: () => projectConfig().appName,
  ask: askOnTerminal,
  wait: DEFAULT_WAIT,
};

export async function teardown({ values }: Parsed<typeof command.options>, io: Io, deps = realDeps): Promise<number> {
  const appName = values.app ?? deps.appName();
  if (values.confirm !== undefined && values.confirm !== appName) {
    throw new UsageError(`--confirm must be the app name typed back, "${appName}"; got "${values.confirm}"`);
  }
  const target = await deps.resolve(values);
  const clients = deps.clients(target);
  io.progress(`reading the deployed stacks of ${appName} in ${target.region}`);
  const stacks = await readInventory(clients, appName);
  const customizations = await findCustomizations(clients, appName, target.region, stacks, values.purge);
  const customized = customizations.deployments.length + customizations.models.length > 0;
  if (stacks.length === 0 && !customized && !customizations.unknown) {
    io.out(
      `No stack of ${appName} in ${target.region}, live or deleted in the last 90 days: nothing to tear down. (Another region or app name? --region, --app.)`,
    );
    return 0;
  }
  const [attachments, lambdaLogs, services] = await Promise.all([
    foreignAttachments(clients, stacks),
    lambdaLogGroups(clients, stacks),
    accountServices(clients, stacks),
  ]);
  const plan: Plan = {
    appName,
    region: target.region,
    purge: values.purge,
    stacks,
    ordered: deletionOrder(stacks, appName),
    attachments,
    retained: purgeOrder([...retainedResources(stacks), ...lambdaLogs]),
    services,
    customizations,
  };
  const paint = io.colour;
  io.out(planText(plan, paint));
  if (values['dry-run']) {
    // As if every step succeeded: with --purge, what teardown can delete would not bill.
    const planned: Outcome[] = [
      ...plannedCustomizations(customizations),
      ...(values.purge
        ? plan.retained.map((r): Outcome => ({ step: purgeStep(r), status: canPurge(r.type) ? 'done' : 'left' }))
        : []),
    ];
    io.out('\nStill billing after this plan:');
    for (const line of stillBills(plan, planned, true)) io.out(`  ${line}`);
    io.out('\nDry run: nothing was changed.');
    return 0;
  }
  const bedrockWhat = customized
    ? `this app's custom model deployments${customizations.modelsGo && customizations.models.length > 0 ? ' and custom models' : ''}, then `
    : '';
  const what = `delete ${bedrockWhat}${values.purge ? 'the stacks and everything they retained' : 'the stacks'}`;
  const answer = values.confirm ?? (await deps.ask(`\nType the app name (${appName}) to ${what}: `));
  if (answer === undefined) {
    io.err(`Not a terminal, so teardown cannot ask: pass --confirm ${appName}. Nothing was changed.`);
    return 1;
  }
  if (answer !== appName) {
    io.err(`You typed "${answer}", not "${appName}". Nothing was changed.`);
    return 1;
  }

  // Before detaching: the operator policy that lets whoever runs this delete
  // them (OperatorPolicyArn of the Customization stack) may be attached to
  // that very person, and is detached below.
  const customizationStack = stackNames(appName).customization;
  const wait = { timeoutMs: deps.wait.timeoutMs, sleep: deps.wait.sleep, now: Date.now };
  const outcomes: Outcome[] = await deleteCustomizations(
    clients,
    customizations,
    { region: target.region, customizationStack, wait },
    io.progress,
  );
  if (outcomes.every((o) => o.status !== 'failed')) outcomes.push(...(await detachAll(clients, attachments)));
  const detached = outcomes.every((o) => o.status !== 'failed');
  const stackOutcomes = detached ? await deleteStacks(clients, plan.ordered, deps.wait, io.progress) : [];
  outcomes.push(...stackOutcomes);
  const stacksDeleted = detached && stackOutcomes.every((o) => o.status !== 'failed');
  // Asked again: deleting the Operations stack removes invocation logging when it is still this app's.
  if (stacksDeleted && values.purge) {
    outcomes.push(...(await purge(clients, plan.retained, await accountServices(clients, stacks))));
  }

  io.out(`\nWhat was done:\n${outcomesText(outcomes, paint) || '  nothing to do'}`);
  if (!stacksDeleted) {
    const done = new Set(stackOutcomes.filter((o) => o.status === 'done').map((o) => o.step));
    const left = plan.ordered.filter((s) => !done.has(`delete stack ${s.name}`)).map((s) => s.name);
    io.out(
      `\nStopped. Stacks still there: ${left.join(', ') || 'none'}.${values.purge ? ' Nothing retained was purged yet.' : ''}`,
    );
    io.out('Fix what FAILED says, then run the same command again: it continues from here.');
  }
  io.out('\nStill billing (or in the way) afterwards:');
  for (const line of stillBills(plan, outcomes, stacksDeleted)) io.out(`  ${line}`);
  return outcomes.some((o) => o.status === 'failed') ? 1 : 0;
}

runCommand(module, command, (parsed, io) => teardown(parsed, io));
