/**
 * npm run customize: guarded fine-tuning of the configured Amazon Nova model
 * (docs/customization.md). Training data reaches a job only through the
 * approval function; the job, the custom model and its deployment are made,
 * followed and deleted from here, each saying what it costs first.
 */
import { BedrockClient } from '@aws-sdk/client-bedrock';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import * as fs from 'node:fs';
import {
  CUSTOMIZATION_REGIONS,
  TRAINING_APPROVED_PREFIX,
  TRAINING_INTAKE_PREFIX,
} from '../lib/shared/customization-contract';
import { processTerminal } from './agent/prompt';
import { APP_OPTION, AWS_OPTIONS, JSON_OPTION, resolveAws, resolveRegion } from './cli/aws';
import { type CommandSpec, type Parsed, UsageError } from './cli/command';
import type { Io } from './cli/output';
import { compareAction } from './customize/compare';
import { type CustomizeClients, type CustomizeDeps, regionProblem, type Run, stacksOf } from './customize/context';
import { deleteAction } from './customize/delete';
import { deployAction } from './customize/deploy';
import { HYPERPARAMETERS } from './customize/job-request';
import { statusAction } from './customize/jobs';
import { prepareAction } from './customize/prepare';
import { startAction } from './customize/start';
import { projectConfig } from './preflight/context';
import { runCommand } from './run-cli';

export type { CustomizeClients, CustomizeDeps } from './customize/context';

export const ACTIONS = ['prepare', 'start', 'status', 'deploy', 'delete', 'compare'] as const;
export type Action = (typeof ACTIONS)[number];

export const command = {
  name: 'customize',
  summary: 'Fine-tune the configured Nova model on approved data, deploy the result, compare it with the base model.',
  description: `Guarded model customization (docs/customization.md), in ${CUSTOMIZATION_REGIONS.join(', ')} only, against the <app>-Customization stack. prepare <files...> checks JSONL training files for the stack's base model, merges them into one file, uploads it to ${TRAINING_INTAKE_PREFIX}<batch>/ (SSE-KMS, project key), waits for GuardDuty's malware scan of that version and asks the approval function (SigV4-signed) to approve it; it re-checks everything and, with a sensitive-information screen of every record, copies it to ${TRAINING_APPROVED_PREFIX}<batch>/ with a manifest. start --batch <b> says what the fine-tuning job will cost, starts it on the approved copy with the stack's job role and follows it. status [job] shows a job (the newest of this app unless named). deploy [--model arn] deploys a custom model for on-demand inference (default: the newest completed job's). delete removes deployments, then custom models (this app's, or those named), after a confirmation. compare --base-run <id> --custom-run <id> records the red-team comparison that the customModelApproval setting names. You need the Customization stack's operator policy (output OperatorPolicyArn). Exits 1 when a check refuses, a job or deployment fails, or an AWS call fails.`,
  positional: {
    name: 'action',
    description: `One of ${ACTIONS.join(', ')}; prepare takes the training files after it, status a job name or ARN.`,
    variadic: true,
  },
  options: {
    batch: {
      type: 'string',
      placeholder: 'name',
      description:
        'prepare, start: the batch (1-40 lowercase letters, digits, single hyphens). prepare defaults to batch-YYYYMMDD-HHMMSS (UTC).',
    },
    epochs: {
      type: 'number',
      integer: true,
      min: HYPERPARAMETERS.epochs.min,
      max: HYPERPARAMETERS.epochs.max,
      default: HYPERPARAMETERS.epochs.default,
      description: 'start: passes over the training data (each one is billed).',
    },
    'learning-rate': {
      type: 'number',
      placeholder: 'x',
      min: HYPERPARAMETERS.learningRate.min,
      max: HYPERPARAMETERS.learningRate.max,
      default: HYPERPARAMETERS.learningRate.default,
      description: 'start: the learning rate, from 0.000001 to 0.0001.',
    },
    'warmup-steps': {
      type: 'number',
      integer: true,
      min: HYPERPARAMETERS.warmupSteps.min,
      max: HYPERPARAMETERS.warmupSteps.max,
      default: HYPERPARAMETERS.warmupSteps.default,
      description:
        'start: learning-rate warmup steps, at most 20 (an older Nova page caps them there; the Bedrock page says 100). AWS suggests the dataset size divided by 640 for Micro, 160 for Lite and 320 for Pro, which this cap reaches only for small sets.',
    },
    'no-wait': { type: 'boolean', description: 'start: start the job and return; follow it with status.' },
    timeout: {
      type: 'number',
      placeholder: 'n',
      integer: true,
      min: 1,
      max: 3600,
      description:
        'How long to wait: prepare, in seconds, for the scan and the approval (default 300); start, in minutes, for the job (default 720); deploy and delete, in minutes (default 60 and 30).',
    },
    model: {
      type: 'string',
      placeholder: 'arn',
      description: "deploy, delete: a custom model's ARN (deploy defaults to the newest completed job's model).",
    },
    deployment: { type: 'string', placeholder: 'arn', description: 'delete: a custom model deployment (ARN or name).' },
    yes: { type: 'boolean', description: 'delete: do not ask for confirmation (needed without a terminal).' },
    'base-run': { type: 'string', placeholder: 'id', description: 'compare: the red-team run of the base model.' },
    'custom-run': { type: 'string', placeholder: 'id', description: 'compare: the red-team run of the custom model.' },
    'base-evaluation': {
      type: 'string',
      placeholder: 'job',
      description: 'compare: the evaluation job of the base model.',
    },
    'custom-evaluation': {
      type: 'string',
      placeholder: 'job',
      description: 'compare: the evaluation job of the custom model.',
    },
    app: APP_OPTION,
    ...AWS_OPTIONS,
    json: JSON_OPTION,
  },
  examples: [
    'npm run customize -- prepare training/support-a.jsonl training/support-b.jsonl --batch support-v1',
    'npm run customize -- start --batch support-v1 --epochs 3',
    'npm run customize -- status',
    'npm run customize -- deploy',
    'npm run customize -- compare --base-run <id> --custom-run <id>',
    'npm run customize -- delete --yes',
  ],
} as const satisfies CommandSpec;

export type CustomizeParsed = Parsed<typeof command.options>;

const realDeps: CustomizeDeps = {
  region: (flags) => resolveRegion(flags),
  resolve: resolveAws,
  clients: ({ region, credentials }) => ({
    s3: new S3Client({ region, credentials }),
    cloudformation: new CloudFormationClient({ region, credentials }),
    // Throttling and 5xx are retried by the SDK; a few more attempts than the default three, as the waits poll for hours.
    bedrock: new BedrockClient({ region, credentials, maxAttempts: 6 }),
    sts: new STSClient({ region, credentials }),
  }),
  fetch: (url, init) => fetch(url, init),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: Date.now,
  appName: () => projectConfig().appName,
  modelId: () => projectConfig().modelId,
  terminal: () => processTerminal(),
  readFile: (file) => fs.readFileSync(file, 'utf8'),
};

/** The action named first on the command line; a wrong one is a usage error. */
export function actionOf(parsed: CustomizeParsed): Action {
  const action = parsed.positional ?? '';
  if (!(ACTIONS as readonly string[]).includes(action)) {
    throw new UsageError(`unknown action "${action}", allowed: ${ACTIONS.join(', ')}`);
  }
  return action as Action;
}

/** --timeout is seconds for prepare and minutes elsewhere: each has its own sensible range. */
function checkTimeout(action: Action, timeout: number | undefined): void {
  if (timeout === undefined) return;
  if (action === 'prepare' && timeout < 10) throw new UsageError('--timeout for prepare is in seconds: at least 10');
  if (action !== 'prepare' && timeout > 2880)
    throw new UsageError('--timeout is in minutes here: at most 2880 (two days)');
}

export async function customize(parsed: CustomizeParsed, io: Io, deps: CustomizeDeps = realDeps): Promise<number> {
  const action = actionOf(parsed);
  checkTimeout(action, parsed.values.timeout);
  const appName = parsed.values.app ?? deps.appName();
  // Checked before anything else is done, credentials included: nothing of this works in another region.
  const refusal = regionProblem(await deps.region(parsed.values));
  if (refusal) {
    io.err(refusal);
    return 1;
  }
  const target = await deps.resolve(parsed.values);
  const clients: CustomizeClients = deps.clients(target);

  // ---- compare: the wiring of scripts/customize/compare.ts (its own module and tests) ----
  if (action === 'compare') {
    const { values } = parsed;
    if ((parsed.rest ?? []).length > 0) throw new UsageError(`compare takes no argument (got "${parsed.rest?.[0]}")`);
    if (!values['base-run'] || !values['custom-run']) {
      throw new UsageError(
        'compare needs --base-run <id> and --custom-run <id>: runs of npm run redteam -- --model base and --model <deployment arn>',
      );
    }
    const options = {
      baseRun: values['base-run'],
      customRun: values['custom-run'],
      baseEvaluation: values['base-evaluation'],
      customEvaluation: values['custom-evaluation'],
      json: values.json,
    };
    return compareAction(options, clients, io, {
      appName,
      region: target.region,
      modelId: deps.modelId(),
      now: deps.now,
    });
  }

  const run: Run = {
    parsed,
    values: parsed.values,
    args: parsed.rest ?? [],
    io,
    deps,
    target,
    clients,
    appName,
    stacks: stacksOf(appName),
  };
  switch (action) {
    case 'prepare':
      return prepareAction(run);
    case 'start':
      return startAction(run);
    case 'status':
      return statusAction(run);
    case 'deploy':
      return deployAction(run);
    case 'delete':
      return deleteAction(run);
  }
}

runCommand(module, command, (parsed, io) => customize(parsed, io));
