/**
 * `npm run customize -- deploy [--model arn]`: a custom model deployment, for
 * on-demand inference of the custom model. "After you deploy your custom
 * model, you use the deployment's Amazon Resource Name (ARN) as the `modelId`
 * parameter when you submit prompts"; "When the deployment's status is
 * `Active`, your custom model is ready for on-demand inference."
 * (https://docs.aws.amazon.com/bedrock/latest/userguide/deploy-custom-model-on-demand.html)
 */
import {
  CreateCustomModelDeploymentCommand,
  type CreateCustomModelDeploymentRequest,
  type CustomModelDeploymentSummary,
  GetCustomModelDeploymentCommand,
  type GetCustomModelDeploymentResponse,
  ListCustomModelDeploymentsCommand,
} from '@aws-sdk/client-bedrock';
import { UsageError } from '../cli/command';
import { json } from '../cli/output';
import { accessHint, type CustomizeClients, elapsed, poll, type Run } from './context';
import { explainBedrockError } from './errors';
import { getJob, newestJob } from './jobs';
import { CUSTOM_MODEL_ARN_PATTERN, deploymentName, jobNamePrefix, stamp } from './names';
import { deploymentCostLines } from './prices';

export const DEFAULT_DEPLOY_TIMEOUT_MINUTES = 60;
const FIRST_POLL_MS = 15_000;
const POLL_MS = 30_000;

/** The base model a custom model's ARN names (custom-model/<base model id>/<id>). */
export function baseModelOf(modelArn: string): string | undefined {
  return /:custom-model\/(.+)\/[a-z0-9]{12}$/.exec(modelArn)?.[1];
}

/** Every deployment of one model, or (no model) all in the account and region. */
export async function listDeployments(
  bedrock: CustomizeClients['bedrock'],
  filter: { modelArnEquals?: string; nameContains?: string },
): Promise<CustomModelDeploymentSummary[]> {
  const all: CustomModelDeploymentSummary[] = [];
  let nextToken: string | undefined;
  do {
    const page = await bedrock.send(new ListCustomModelDeploymentsCommand({ ...filter, maxResults: 100, nextToken }));
    all.push(...(page.modelDeploymentSummaries ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return all;
}

/** Follow a deployment until it is Active or Failed, or the time runs out. */
export async function waitForDeployment(
  run: Run,
  arn: string,
  timeoutMs: number,
): Promise<GetCustomModelDeploymentResponse | undefined> {
  return poll(
    async (spent) => {
      const deployment = await run.clients.bedrock.send(
        new GetCustomModelDeploymentCommand({ customModelDeploymentIdentifier: arn }),
      );
      run.io.progress(`${deployment.modelDeploymentName ?? arn}: ${deployment.status} after ${elapsed(spent)}`);
      return deployment.status === 'Creating' ? undefined : deployment;
    },
    { firstMs: FIRST_POLL_MS, intervalMs: POLL_MS, timeoutMs, sleep: run.deps.sleep, now: run.deps.now },
  );
}

/** --model, else the custom model of the app's newest completed job. */
async function modelToDeploy(run: Run): Promise<string | undefined> {
  if (run.values.model) {
    if (!CUSTOM_MODEL_ARN_PATTERN.test(run.values.model)) {
      throw new UsageError(`--model must be a custom model ARN (arn:aws:bedrock:<region>:<account>:custom-model/...)`);
    }
    return run.values.model;
  }
  const job = await newestJob(run.clients.bedrock, run.appName, 'Completed');
  if (!job?.jobArn) return undefined;
  return job.customModelArn ?? (await getJob(run.clients.bedrock, job.jobArn)).outputModelArn;
}

function nextSteps(arn: string, modelArn: string): string[] {
  return [
    `Deployment ${arn}`,
    `  serves ${modelArn}`,
    'Next: red-team both models with the same corpus, then compare them:',
    `  npm run redteam -- --model ${arn}`,
    '  npm run redteam -- --model base',
    '  npm run customize -- compare --base-run <run id> --custom-run <run id>',
    `Delete it when done: npm run customize -- delete --deployment ${arn}`,
  ];
}

export async function deployAction(run: Run): Promise<number> {
  const { values, io, appName } = run;
  if (run.args.length > 0) throw new UsageError(`deploy takes no argument (got "${run.args[0]}"); use --model`);
  const timeoutMinutes = values.timeout ?? DEFAULT_DEPLOY_TIMEOUT_MINUTES;
  const denied = (what: string) => (error: unknown) => {
    throw accessHint(error, what, run);
  };
  const modelArn = await modelToDeploy(run).catch(denied('finding the newest completed job'));
  if (!modelArn) {
    io.err(
      `No completed customization job named ${jobNamePrefix(appName)}* in ${run.target.region}, so no custom model to deploy: run npm run customize -- start, or pass --model.`,
    );
    return 1;
  }
  const deployments = await listDeployments(run.clients.bedrock, { modelArnEquals: modelArn }).catch(
    denied('listing deployments'),
  );
  const existing = deployments.find((d) => d.status === 'Active' || d.status === 'Creating');
  // A failed deployment keeps its name, which a new one of the model would take: it goes first.
  const failed = deployments.find(
    (d) => d.status === 'Failed' && d.customModelDeploymentName === deploymentName(appName, modelArn),
  );
  if (!existing && failed) {
    io.err(
      `${failed.customModelDeploymentArn} of this model failed earlier (${failed.failureMessage ?? 'no message'}); delete it first: npm run customize -- delete --deployment ${failed.customModelDeploymentArn}`,
    );
    return 1;
  }
  let arn = existing?.customModelDeploymentArn;
  if (arn) {
    io.progress(`${modelArn} already has deployment ${arn} (${existing?.status})`);
  } else {
    if (!values.json) for (const line of deploymentCostLines(baseModelOf(modelArn))) io.out(line);
    const name = deploymentName(appName, modelArn);
    const request: CreateCustomModelDeploymentRequest = {
      modelDeploymentName: name,
      modelArn,
      description: `${appName}: on-demand inference of ${modelArn}`.slice(0, 200),
      tags: [{ key: 'project', value: appName }],
      clientRequestToken: `${name}-${stamp(new Date(run.deps.now()))}`,
    };
    io.progress(`creating deployment ${name}`);
    try {
      ({ customModelDeploymentArn: arn } = await run.clients.bedrock.send(
        new CreateCustomModelDeploymentCommand(request),
      ));
    } catch (error) {
      const explained = explainBedrockError(error, {
        action: `the deployment ${name} of ${modelArn}`,
        region: run.target.region,
        customizationStack: run.stacks.customization,
        request: [`deployment ${name} of ${modelArn}`],
      });
      if (explained === undefined) throw error;
      if (values.json) json(io, { app: appName, region: run.target.region, ok: false, error: explained, request });
      io.err(explained);
      return 1;
    }
  }
  if (!arn) throw new Error('Bedrock returned no deployment ARN');

  io.progress(`waiting until ${arn} is Active (at most ${timeoutMinutes} min)`);
  const deployment = await waitForDeployment(run, arn, timeoutMinutes * 60_000).catch(denied(`following ${arn}`));
  const ok = deployment?.status === 'Active';
  if (values.json) {
    json(io, {
      app: appName,
      region: run.target.region,
      ok,
      deploymentArn: arn,
      modelArn,
      status: deployment?.status ?? 'Creating',
      ...(deployment?.failureMessage ? { failureMessage: deployment.failureMessage } : {}),
    });
  }
  if (!deployment) {
    io.err(`${arn} is not Active after ${timeoutMinutes} min; follow it with npm run customize -- deploy again later.`);
    return 1;
  }
  if (!ok) {
    io.err(io.colour.bad(`Deployment ${arn} ended ${deployment.status}.`));
    io.err(`  ${deployment.failureMessage ?? '(Bedrock gave no failure message)'}`);
    io.err(`  Remove it with npm run customize -- delete --deployment ${arn}`);
    return 1;
  }
  if (!values.json) for (const line of nextSteps(arn, modelArn)) io.out(line);
  return 0;
}
