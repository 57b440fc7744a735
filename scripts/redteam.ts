/**
 * npm run redteam: send the red-team corpus (evaluations/corpus/redteam.json)
 * to the deployed service, or with --guardrail-only to its guardrail alone,
 * or with --model straight to one model behind that guardrail, or with
 * --agent the agent corpus (evaluations/corpus/redteam-agent.json) to the
 * guarded agent, and report per category how many attacks were stopped
 * and how many benign near misses were wrongly refused. A measurement, not a
 * gate: it exits 0 whenever the run completed.
 */
import { BedrockAgentRuntimeClient } from '@aws-sdk/client-bedrock-agent-runtime';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { stackNames } from '../lib/shared/names';
import { REDTEAM_RUNS_PREFIX } from '../lib/shared/data-layout';
import { regionOf } from './ask';
import { APP_OPTION, AWS_OPTIONS, type AwsTarget, JSON_OPTION, resolveAws } from './cli/aws';
import { type CommandSpec, type Parsed, UsageError } from './cli/command';
import { type Io, json } from './cli/output';
import { stackOutputs } from './cli/stack-outputs';
import { projectConfig } from './preflight/context';
import {
  ATTACK_CATEGORIES,
  BENIGN_CATEGORY,
  CORPUS_FILE,
  CorpusError,
  loadCorpus,
  selectEntries,
} from './redteam/corpus';
import { AGENT_BENIGN_CATEGORY, AGENT_CATEGORIES, AGENT_CORPUS_FILE } from './redteam/agent-corpus';
import { newRunId, type RedTeamRun, reportText, type RunMode } from './redteam/report';
import { DEFAULT_CONCURRENCY, MAX_ATTEMPTS, MAX_CONCURRENCY, runEntries } from './redteam/run';
import { score } from './redteam/score';
import { exitCode, RUNS_DIR, save, uploadDestination } from './redteam/store';
import { redteamAgent } from './redteam/agent-command';
import { functionUrlTarget, guardrailTarget, type Target } from './redteam/targets';
import { BASE_MODEL, checkModelOption, guardrailNotice, modelIdFor, modelTarget } from './redteam/model-target';
import { runCommand } from './run-cli';

export const command = {
  name: 'redteam',
  summary: 'Send the red-team corpus to the deployed service and report which attacks the guardrail stopped.',
  description: `Sends each prompt of evaluations/corpus/redteam.json (attacks and benign near misses, each labelled with the outcome we want) to the function URL of <app>-GuardedInvoke, signed with your credentials, or with --guardrail-only to the guardrail alone (ApplyGuardrail: the prompt as INPUT, and the answer a model would give as OUTPUT), or with --model straight to one model (Converse, the function's own request, the stack's guardrail with its trace) to measure a custom model beside its base model (npm run customize -- compare). Prints per category the attacks stopped and the near misses wrongly refused, then the overall block rate and false-refusal rate with 95% Wilson intervals. With --agent it sends evaluations/corpus/redteam-agent.json instead to the agent of <app>-Agent, one entry at a time, each in a new session acting for the fictional customer your identity maps to (you need the stack's caller policy): another customer's record, unconfirmed writes (every confirmation denied), parameter smuggling (every confirmation confirmed), injected tool output (a note planted in your own plan, then a question) and tool loops, each scored from the answer and the trace's tool calls; your plan is put back as seeded after any entry that changed it. The run is written to evaluations/runs/ and uploaded to ${REDTEAM_RUNS_PREFIX} of the data bucket under the project key. Throttled requests are retried after Retry-After; other errors are recorded per entry and left out of the rates. Exits 0 when the run completed, whatever the rates: it measures, it does not gate.`,
  options: {
    'guardrail-only': {
      type: 'boolean',
      description: "Screen the corpus with the stack's guardrail (ApplyGuardrail) instead of calling the model.",
    },
    model: {
      type: 'string',
      placeholder: `${BASE_MODEL}|arn|id`,
      description: `Call this model directly with Converse and the stack's guardrail, as the invoke function does, instead of the function URL: ${BASE_MODEL} (the configured model: the stack's ModelId output, or the modelId setting once the function serves a custom model), a custom model deployment's ARN, or a model ID. The run record names it. Not with --guardrail-only or --agent.`,
    },
    agent: {
      type: 'boolean',
      description: `Red-team the guarded agent (<app>-Agent) with the agent corpus instead; one entry at a time, so not with --guardrail-only or --concurrency. Its categories: ${AGENT_CATEGORIES.join(', ')}, ${AGENT_BENIGN_CATEGORY}.`,
    },
    concurrency: {
      type: 'number',
      integer: true,
      min: 1,
      max: MAX_CONCURRENCY,
      default: DEFAULT_CONCURRENCY,
      description: 'Requests in flight at once.',
    },
    category: {
      type: 'list',
      placeholder: 'name',
      description: `Only this category and its near misses (repeatable): ${ATTACK_CATEGORIES.join(', ')}, or ${BENIGN_CATEGORY}.`,
    },
    'no-upload': { type: 'boolean', description: 'Keep the run in evaluations/runs/ only; do not upload it.' },
    app: APP_OPTION,
    ...AWS_OPTIONS,
    json: { ...JSON_OPTION, description: `${JSON_OPTION.description} The document is the whole run record.` },
  },
  examples: [
    'npm run redteam',
    'npm run redteam -- --guardrail-only --concurrency 8',
    'npm run redteam -- --model base --profile dev',
    'npm run redteam -- --category prompt-leaking --category indirect-injection --no-upload --profile dev',
    'npm run redteam -- --agent --category tool-loop --profile dev',
  ],
} as const satisfies CommandSpec;

export type RedTeamParsed = Parsed<typeof command.options>;

export interface RedTeamClients {
  readonly cloudformation: Pick<CloudFormationClient, 'send'>;
  readonly s3: Pick<S3Client, 'send'>;
  readonly bedrock: Pick<BedrockRuntimeClient, 'send'>;
}

/** What --agent calls besides the clients above. */
export interface AgentRedTeamClients {
  readonly sts: Pick<STSClient, 'send'>;
  readonly agentRuntime: BedrockAgentRuntimeClient;
}

export interface RedTeamDeps {
  readonly resolve: (flags: { region?: string; profile?: string }) => Promise<AwsTarget>;
  readonly clients: (target: AwsTarget) => RedTeamClients;
  /** --agent only. */
  readonly agentClients?: (target: AwsTarget) => AgentRedTeamClients;
  readonly agentCorpusFile?: string;
  readonly fetch: typeof fetch;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => Date;
  readonly random: () => number;
  readonly corpusFile: string;
  readonly runsDir: string;
  /** --model base, when the function already serves a custom model: the modelId setting. */
  readonly settingModelId?: () => string;
}

const realAgentClients = ({ region, credentials }: AwsTarget): AgentRedTeamClients => ({
  sts: new STSClient({ region, credentials }),
  agentRuntime: new BedrockAgentRuntimeClient({
    region,
    credentials,
    retryMode: 'adaptive',
    maxAttempts: MAX_ATTEMPTS,
  }),
});

const realDeps: RedTeamDeps = {
  resolve: resolveAws,
  clients: ({ region, credentials }) => ({
    cloudformation: new CloudFormationClient({ region, credentials }),
    s3: new S3Client({ region, credentials }),
    // Adaptive retries slow the client down when Bedrock throttles, on top of the per-entry retries.
    // https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
    bedrock: new BedrockRuntimeClient({ region, credentials, retryMode: 'adaptive', maxAttempts: MAX_ATTEMPTS }),
  }),
  agentClients: realAgentClients,
  agentCorpusFile: AGENT_CORPUS_FILE,
  fetch: (input, init) => fetch(input, init),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: () => new Date(),
  random: Math.random,
  corpusFile: CORPUS_FILE,
  runsDir: RUNS_DIR,
};

export async function redteam(parsed: RedTeamParsed, io: Io, deps: RedTeamDeps = realDeps): Promise<number> {
  const { values } = parsed;
  if (values.model !== undefined) {
    if (values.agent || values['guardrail-only']) {
      throw new UsageError(
        `--model does not go with --${values.agent ? 'agent' : 'guardrail-only'}: it sends the corpus to one model behind the stack's guardrail`,
      );
    }
    checkModelOption(values.model);
  }
  if (values.agent) {
    return redteamAgent(parsed, io, { ...deps, agentClients: deps.agentClients ?? realAgentClients });
  }
  let loaded;
  try {
    loaded = loadCorpus(deps.corpusFile);
  } catch (error) {
    if (error instanceof CorpusError) {
      io.err(error.message);
      return 1;
    }
    throw error;
  }
  const { entries, unknown } = selectEntries(loaded.corpus.entries, values.category);
  if (unknown.length > 0) {
    throw new UsageError(
      `unknown --category ${unknown.join(', ')}; the categories are ${ATTACK_CATEGORIES.join(', ')} and ${BENIGN_CATEGORY}`,
    );
  }

  const appName = values.app ?? projectConfig().appName;
  const names = stackNames(appName);
  const target = await deps.resolve(values);
  const clients = deps.clients(target);
  io.progress(`reading the outputs of ${names.guardedInvoke} in ${target.region}`);
  const invoke = await stackOutputs(clients.cloudformation, names.guardedInvoke);
  const mode: RunMode =
    values.model !== undefined ? 'model' : values['guardrail-only'] ? 'guardrail-only' : 'function-url';
  const needed =
    mode === 'function-url'
      ? ['FunctionUrl', 'GuardrailId']
      : ['GuardrailId', 'GuardrailVersion', ...(values.model === BASE_MODEL ? ['ModelId'] : [])];
  const missing = needed.filter((k) => !invoke?.[k]);
  if (!invoke || missing.length > 0) {
    io.err(
      `${names.guardedInvoke} ${invoke ? `has no ${missing.join('/')} output` : 'does not exist'} in ${target.region}: deploy the app (npx cdk deploy --all) with the same appName, or pass --app / --region.`,
    );
    return 1;
  }
  const settingModelId = deps.settingModelId ?? (() => projectConfig().modelId);
  const modelId =
    values.model === undefined
      ? invoke.ModelId
      : modelIdFor(values.model, { outputModelId: invoke.ModelId, settingModelId }, target.region);
  const destination = await uploadDestination(values, clients.cloudformation, names.dataProtection, target.region, io);
  if (destination === 'missing') return 1;

  const guardrail = { id: invoke.GuardrailId, version: invoke.GuardrailVersion ?? '' };
  const ids = { guardrailId: guardrail.id, guardrailVersion: guardrail.version };
  const run: Target =
    mode === 'model'
      ? modelTarget({ client: clients.bedrock, modelId, ...ids })
      : mode === 'guardrail-only'
        ? guardrailTarget({ client: clients.bedrock, ...ids })
        : functionUrlTarget({
            url: invoke.FunctionUrl,
            region: regionOf(invoke.FunctionUrl),
            credentials: target.credentials,
            fetch: deps.fetch,
          });

  const startedAt = deps.now();
  const runId = newRunId(startedAt, deps.random);
  const sentTo =
    mode === 'function-url'
      ? invoke.FunctionUrl
      : `${mode === 'model' ? `model ${modelId} with ` : ''}guardrail ${guardrail.id} version ${guardrail.version}`;
  io.progress(`sending ${entries.length} entries to ${sentTo}, ${values.concurrency} at a time`);
  const results = await runEntries(entries, run, {
    concurrency: values.concurrency,
    sleep: deps.sleep,
    random: deps.random,
    onResult: (_result, done, total) => {
      if (done % 25 === 0 || done === total) io.progress(`${done}/${total} done`);
    },
  });
  const scored = score(results);
  const record: RedTeamRun = {
    runId,
    startedAt: startedAt.toISOString(),
    finishedAt: deps.now().toISOString(),
    mode,
    target: mode === 'model' ? modelId : mode === 'guardrail-only' ? guardrail.id : invoke.FunctionUrl,
    guardrail,
    ...(mode !== 'guardrail-only' && modelId ? { modelId } : {}),
    corpus: {
      version: loaded.corpus.version,
      sha256: loaded.sha256,
      ...(values.category.length > 0 ? { categories: values.category } : {}),
    },
    totals: scored.totals,
    categories: scored.categories,
    results,
  };

  const saved = await save(record, deps.runsDir, clients.s3, destination, io);
  if (saved === undefined) return 1;
  const { file, uploaded } = saved;

  const notice = mode === 'model' ? guardrailNotice(results, modelId) : undefined;
  if (values.json) json(io, record);
  else {
    const label = mode === 'model' ? `model ${modelId}` : mode;
    io.out(`Red-team run ${runId} (${label}, guardrail ${guardrail.id} version ${guardrail.version || '?'})\n`);
    io.out(reportText(scored));
    if (notice) io.out(`\n${io.colour.bad(notice)}`);
    io.out(`\nSaved: ${file}${uploaded ? `\nUploaded: ${uploaded}` : ''}`);
  }
  if (notice && values.json) io.err(notice);
  return exitCode(scored.totals.errors, results, io);
}

runCommand(module, command, (parsed, io) => redteam(parsed, io));
