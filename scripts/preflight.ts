/**
 * npm run preflight: before deploying, checks the model and inspects the
 * account (scripts/preflight/), prints the `-c` flags this account needs and,
 * with --save, merges them into settings.json (lib/config/settings-file.ts). With --after-deploy, checks
 * that the guardrail is ready. Nothing here runs during synth or tests against AWS.
 */
import { BedrockClient } from '@aws-sdk/client-bedrock';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { stackNames } from '../lib/shared/names';
import { APP_OPTION, AWS_OPTIONS, type AwsTarget, JSON_OPTION, resolveAws } from './cli/aws';
import type { CommandSpec, Parsed } from './cli/command';
import { type Io, json } from './cli/output';
import { CDK_JSON_CONTEXT } from '../tools/cdk-json';
import type { AccountClients } from './preflight/account';
import { CONTEXT_FILE, projectConfig, readContextFile, saveContext, SETTINGS_FILE } from './preflight/context';
import { accountClients, contextFlags, inspectAccount } from './preflight/inspect';
import { type Check, type PreflightClients, report, runPreflight } from './preflight/model';
import { runCommand } from './run-cli';

export const command = {
  name: 'preflight',
  summary: 'Check the model and the account before deploying; print (or --save) the -c flags it needs.',
  description:
    'Is the configured model (or inference profile) offered in the region, usable on demand, streaming, and may this account use it? Which one-per-account services (GuardDuty, Macie, Access Analyzer, Security Hub, AWS Config) already run here, so the stacks attach to them instead of failing? Does the region offer what the configuration switches on (the resource types, the embedding model, the GuardDuty features, model evaluation), and do two zones serve every interface endpoint of isolated mode? With --after-deploy: is the deployed guardrail READY? Read-only except --save, which writes settings.json (the project settings file every cdk command reads).',
  options: {
    save: { type: 'boolean', description: 'Merge the flags this account needs into settings.json.' },
    model: {
      type: 'string',
      placeholder: 'id',
      description: 'Check this model or inference profile instead of modelId.',
    },
    'reserved-concurrency': {
      type: 'number',
      integer: true,
      min: 0,
      description: 'Check this invokeReservedConcurrency instead of the configured one.',
    },
    'after-deploy': { type: 'boolean', description: 'Check the deployed guardrail instead (run after cdk deploy).' },
    app: APP_OPTION,
    ...AWS_OPTIONS,
    json: JSON_OPTION,
  },
  examples: [
    'npm run preflight',
    'npm run preflight -- --save --profile dev --region eu-central-1',
    'npm run preflight -- --after-deploy',
  ],
} as const satisfies CommandSpec;

type Args = Parsed<typeof command.options>['values'];

export interface PreflightDeps {
  readonly resolve: (args: Args) => Promise<AwsTarget>;
  readonly clients: (target: AwsTarget) => PreflightClients & { account: AccountClients };
  /** Where --save writes: the project settings file. */
  readonly contextFile: string;
  /** The CDK CLI's cdk.context.json, which shadows it. @default the project's */
  readonly cdkContextFile?: string;
}

const realDeps: PreflightDeps = {
  resolve: resolveAws,
  clients: ({ region, credentials }) => ({
    bedrock: new BedrockClient({ region, credentials }),
    cloudformation: new CloudFormationClient({ region, credentials }),
    account: accountClients(region, credentials),
  }),
  contextFile: SETTINGS_FILE,
  cdkContextFile: CONTEXT_FILE,
};

export async function preflight(
  { values: args }: Parsed<typeof command.options>,
  io: Io,
  deps = realDeps,
): Promise<number> {
  const commandLine: Record<string, unknown> = {};
  if (args.model) commandLine.modelId = args.model;
  if (args['reserved-concurrency'] !== undefined) commandLine.invokeReservedConcurrency = args['reserved-concurrency'];
  // The same configuration the app gets: settings.json, cdk.context.json, cdk.json and these options.
  const config = projectConfig(commandLine, deps.contextFile, deps.cdkContextFile ?? CONTEXT_FILE);
  const target = await deps.resolve(args);
  const { region } = target;
  const clients = deps.clients(target);
  const options = {
    modelId: config.modelId,
    region,
    stackName: stackNames(args.app ?? config.appName).guardedInvoke,
    afterDeploy: args['after-deploy'],
  };
  const paint = io.colour;
  const allOk = (checks: readonly Check[]) => checks.every((c) => c.ok);

  if (options.afterDeploy) {
    io.progress(`checking the guardrail of ${options.stackName} in ${region}`);
    const checks = await runPreflight(clients, options);
    if (args.json) json(io, { region, phase: 'after-deploy', ok: allOk(checks), checks, flags: {}, notes: [] });
    else io.out(`Preflight in ${region} (after deploy):\n${report(checks, paint)}`);
    return allOk(checks) ? 0 : 1;
  }

  io.progress(`checking model ${config.modelId} and inspecting the account in ${region}`);
  const [model, account] = await Promise.all([
    runPreflight(clients, options),
    inspectAccount(clients.account, config, region),
  ]);
  const checks = [...model, ...account.checks];
  const needed = Object.keys(account.flags).length > 0;
  const shadowed =
    needed && args.save
      ? saveContext(
          deps.contextFile,
          account.flags,
          CDK_JSON_CONTEXT,
          readContextFile(deps.cdkContextFile ?? CONTEXT_FILE),
        )
      : [];
  const code = allOk(checks) && (!needed || (args.save && shadowed.length === 0)) ? 0 : 1;
  if (args.json) {
    json(io, {
      region,
      phase: 'before-deploy',
      ok: code === 0,
      checks,
      flags: account.flags,
      notes: account.notes,
      saved: needed && args.save ? { file: deps.contextFile, warnings: shadowed } : null,
    });
    return code;
  }
  io.out(`Preflight in ${region} (before deploy):\n${report(checks, paint)}`);
  for (const note of account.notes) io.out(`\nNote: ${note}`);
  if (!needed) {
    io.out('\nThe configuration fits this account: no -c flags needed.');
  } else {
    io.out(`\nThis account needs:\n  npx cdk deploy --all ${contextFlags(account.flags)}`);
    if (args.save) {
      io.out(`Saved to ${deps.contextFile} (gitignored; every cdk command reads it, -c overrides it).`);
      for (const warning of shadowed) io.out(`${paint.warn('WARNING')}: ${warning}`);
    } else {
      io.out('Run again with --save to write them to settings.json.');
    }
  }
  return code;
}

runCommand(module, command, (parsed, io) => preflight(parsed, io));
