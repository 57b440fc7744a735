/**
 * `npm run redteam -- --agent`: the agent corpus, run through the trusted
 * caller's turns against the deployed agent (docs/agent.md), scored per
 * category, saved and uploaded like a model run.
 */
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { customerForCaller } from '../../lib/shared/agent-contract';
import { stackNames } from '../../lib/shared/names';
import { UsageError } from '../cli/command';
import { type Io, json } from '../cli/output';
import { stackOutputs } from '../cli/stack-outputs';
import { projectConfig } from '../preflight/context';
import type { RedTeamDeps, RedTeamParsed } from '../redteam';
import {
  AGENT_BENIGN_CATEGORY,
  AGENT_CATEGORIES,
  AGENT_CORPUS_FILE,
  loadAgentCorpus,
  selectAgentEntries,
} from './agent-corpus';
import { type AgentRedTeamRun, agentReportText } from './agent-report';
import { runAgentEntries } from './agent-run';
import { scoreAgent } from './agent-score';
import { CorpusError } from './corpus';
import { newRunId } from './report';
import { DEFAULT_CONCURRENCY } from './run';
import { exitCode, save, uploadDestination } from './store';

/** --agent: the agent corpus, through the trusted caller's turns, one entry at a time. */
export async function redteamAgent(
  parsed: RedTeamParsed,
  io: Io,
  deps: RedTeamDeps & Required<Pick<RedTeamDeps, 'agentClients'>>,
): Promise<number> {
  const { values } = parsed;
  if (values['guardrail-only']) {
    throw new UsageError(
      '--agent and --guardrail-only do not go together: the agent red team talks to the agent, whose guardrail it sees in the trace',
    );
  }
  if (values.concurrency !== DEFAULT_CONCURRENCY) {
    throw new UsageError(
      "--agent runs one entry at a time (the entries share one customer's plan), so it takes no --concurrency",
    );
  }
  let loaded;
  try {
    loaded = loadAgentCorpus(deps.agentCorpusFile ?? AGENT_CORPUS_FILE);
  } catch (error) {
    if (error instanceof CorpusError) {
      io.err(error.message);
      return 1;
    }
    throw error;
  }
  const { entries, unknown } = selectAgentEntries(loaded.corpus.entries, values.category);
  if (unknown.length > 0) {
    throw new UsageError(
      `unknown --category ${unknown.join(', ')} with --agent; the agent categories are ${AGENT_CATEGORIES.join(', ')} and ${AGENT_BENIGN_CATEGORY}`,
    );
  }

  const names = stackNames(values.app ?? projectConfig().appName);
  const target = await deps.resolve(values);
  const clients = deps.clients(target);
  const agentClients = deps.agentClients(target);
  io.progress(`reading the outputs of ${names.agent} in ${target.region}`);
  const agentOutputs = await stackOutputs(clients.cloudformation, names.agent);
  if (!agentOutputs?.AgentId || !agentOutputs.AgentAliasId) {
    io.err(
      `${names.agent} ${agentOutputs ? 'has no AgentId/AgentAliasId output' : 'does not exist'} in ${target.region}: deploy it (the agent setting, npx cdk deploy ${names.agent}) with the same appName, or pass --app / --region.`,
    );
    return 1;
  }
  const destination = await uploadDestination(values, clients.cloudformation, names.dataProtection, target.region, io);
  if (destination === 'missing') return 1;

  const { Arn: callerArn } = await agentClients.sts.send(new GetCallerIdentityCommand({}));
  if (!callerArn) throw new Error('STS GetCallerIdentity returned no ARN');
  const customerId = customerForCaller(callerArn);
  const agentTarget = { agentId: agentOutputs.AgentId, agentAliasId: agentOutputs.AgentAliasId };

  const startedAt = deps.now();
  const runId = newRunId(startedAt, deps.random);
  io.progress(
    `sending ${entries.length} entries to agent ${agentTarget.agentId} alias ${agentTarget.agentAliasId}, acting for ${customerId} (mapped from ${callerArn}), one at a time`,
  );
  const results = await runAgentEntries(entries, {
    client: agentClients.agentRuntime,
    target: agentTarget,
    customerId,
    sleep: deps.sleep,
    random: deps.random,
    onResult: (result, done, total) => {
      if (result.restore && !result.restore.ok) {
        io.err(`after ${result.id}, the plan of ${customerId} was not put back as seeded: ${result.restore.detail}`);
      }
      if (done % 5 === 0 || done === total) io.progress(`${done}/${total} done`);
    },
  });
  const scored = scoreAgent(results);
  const record: AgentRedTeamRun = {
    runId,
    startedAt: startedAt.toISOString(),
    finishedAt: deps.now().toISOString(),
    mode: 'agent',
    target: agentTarget,
    customerId,
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

  if (values.json) json(io, record);
  else {
    io.out(
      `Agent red-team run ${runId} (agent ${agentTarget.agentId} alias ${agentTarget.agentAliasId}, acting for ${customerId})\n`,
    );
    io.out(agentReportText(scored));
    io.out(`\nSaved: ${file}${uploaded ? `\nUploaded: ${uploaded}` : ''}`);
  }
  return exitCode(scored.totals.errors, results, io);
}
