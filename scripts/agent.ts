/**
 * npm run agent: talk to the guarded agent (docs/agent.md) as its trusted
 * caller. The session acts for the customer the caller's identity maps to
 * (set as a session attribute, never taken from the model), every write the
 * agent wants is shown and confirmed here, and a confirmed write carries the
 * confirmation the executor checks. Requests are signed by the SDK (SigV4);
 * the caller needs the Agent stack's caller policy.
 */
import { BedrockAgentRuntimeClient } from '@aws-sdk/client-bedrock-agent-runtime';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { customerForCaller } from '../lib/shared/agent-contract';
import { stackNames } from '../lib/shared/names';
import { AgentError } from './agent/events';
import { explain, type TranscriptTurn, turnJson } from './agent/report';
import { confirmer, processTerminal, printable, type Terminal, toolCallText } from './agent/prompt';
import { newSessionId, runTurn, SESSION_ID_PATTERN } from './agent/session';
import { APP_OPTION, AWS_OPTIONS, type AwsTarget, JSON_OPTION, resolveAws } from './cli/aws';
import { type CommandSpec, type Parsed, UsageError } from './cli/command';
import { type Io, json } from './cli/output';
import { stackOutputs } from './cli/stack-outputs';
import { projectConfig } from './preflight/context';
import { runCommand } from './run-cli';

export const command = {
  name: 'agent',
  summary: 'Talk to the guarded agent; every change it wants to make is shown and confirmed first.',
  description:
    "Sends the prompt to the agent of the <app>-Agent stack, signed with your credentials (you need the stack's caller policy, output CallerPolicyArn). The session acts for the fictional customer your identity maps to (shown on stderr); the agent cannot act for another. The answer streams to the terminal. When the agent wants to change the plan, the function and its parameters are shown and you answer Confirm? [y/N]; anything but y denies, and a denied change is not made. On a terminal, further prompts are read after each answer until an empty line or end of input; --session continues an earlier session. Bedrock's trace is requested so that tool calls and guardrail interventions can be reported.",
  positional: { name: 'prompt', description: 'What to ask or tell the agent (quote it).' },
  options: {
    session: {
      type: 'string',
      placeholder: 'id',
      description:
        'Continue this session (its id is printed on stderr); sessions end after the idle time the stack sets.',
    },
    confirm: {
      type: 'string',
      placeholder: 'answer',
      choices: ['ask', 'yes', 'no'],
      default: 'ask',
      description:
        'How confirmation prompts are answered: ask on the terminal (no terminal denies), or yes / no for every prompt. yes is for sandboxes and tests only: it confirms whatever the agent asks.',
    },
    trace: { type: 'boolean', description: 'Print each tool call and its result on stderr.' },
    app: APP_OPTION,
    ...AWS_OPTIONS,
    json: {
      ...JSON_OPTION,
      description:
        'Print one JSON document {sessionId, customerId, turns: [{prompt, text, confirmations, toolCalls, guardrailIntervened}]} at the end instead of streaming.',
    },
  },
  examples: [
    'npm run agent -- "What is on my plan?"',
    'npm run agent -- "Switch on international roaming" --profile dev',
    'npm run agent -- "Turn off voicemail-to-text" --session 4f1c2d3e-aaaa-bbbb-cccc-123456789abc',
    'npm run -s agent -- "Show my plan" --confirm no --json',
  ],
} as const satisfies CommandSpec;

export type AgentParsed = Parsed<typeof command.options>;
type Values = AgentParsed['values'];

export interface AgentClients {
  readonly cloudformation: Pick<CloudFormationClient, 'send'>;
  readonly sts: Pick<STSClient, 'send'>;
  readonly bedrock: BedrockAgentRuntimeClient;
}

export interface AgentDeps {
  readonly resolve: (values: Values) => Promise<AwsTarget>;
  readonly clients: (target: AwsTarget) => AgentClients;
  readonly appName: () => string;
  readonly terminal: () => Terminal;
  /** The streamed answer (stdout, unbuffered). */
  readonly write: (text: string) => void;
  readonly newSessionId: () => string;
}

const realDeps: AgentDeps = {
  resolve: resolveAws,
  clients: ({ region, credentials }) => ({
    cloudformation: new CloudFormationClient({ region, credentials }),
    sts: new STSClient({ region, credentials }),
    bedrock: new BedrockAgentRuntimeClient({ region, credentials }),
  }),
  appName: () => projectConfig().appName,
  terminal: processTerminal,
  write: (text) => process.stdout.write(text),
  newSessionId,
};

interface Deployed {
  readonly agentId: string;
  readonly agentAliasId: string;
  readonly callerPolicyArn?: string;
}

/** The agent's ids from the stack's outputs, or a one-line reason why not. */
async function deployedAgent(
  cloudformation: AgentClients['cloudformation'],
  stack: string,
  region: string,
): Promise<Deployed | string> {
  let outputs: Record<string, string> | undefined;
  try {
    outputs = await stackOutputs(cloudformation, stack);
  } catch (error) {
    if (error instanceof Error && /AccessDenied/.test(error.name)) {
      return `reading the outputs of ${stack} was denied (${error.message}): the caller needs cloudformation:DescribeStacks on it.`;
    }
    throw error;
  }
  if (!outputs) {
    return `${stack} does not exist in ${region}: deploy it (npx cdk deploy ${stack}) with the same appName, or pass --app / --region.`;
  }
  if (!outputs.AgentId || !outputs.AgentAliasId) {
    return `${stack} has no AgentId/AgentAliasId output in ${region}: deploy it again with this version of the app.`;
  }
  return { agentId: outputs.AgentId, agentAliasId: outputs.AgentAliasId, callerPolicyArn: outputs.CallerPolicyArn };
}

export async function agent(parsed: AgentParsed, io: Io, deps: AgentDeps = realDeps): Promise<number> {
  const { values } = parsed;
  const first = parsed.positional ?? '';
  if (first.trim() === '') throw new UsageError('the prompt is empty');
  if (values.session !== undefined && !SESSION_ID_PATTERN.test(values.session)) {
    throw new UsageError('--session must be 2 to 100 letters, digits or . _ : - (an id printed by an earlier run)');
  }
  const stack = stackNames(values.app ?? deps.appName()).agent;
  const target = await deps.resolve(values);
  const clients = deps.clients(target);
  io.progress(`reading the outputs of ${stack} in ${target.region}`);
  const deployed = await deployedAgent(clients.cloudformation, stack, target.region);
  if (typeof deployed === 'string') {
    io.err(deployed);
    return 1;
  }
  const { Arn: callerArn } = await clients.sts.send(new GetCallerIdentityCommand({}));
  if (!callerArn) throw new Error('STS GetCallerIdentity returned no ARN');
  const customerId = customerForCaller(callerArn);
  io.err(`Acting for customer ${customerId} (mapped from ${callerArn})`);
  const sessionId = values.session ?? deps.newSessionId();
  io.err(`Session ${sessionId} (continue it with --session ${sessionId})`);

  const terminal = deps.terminal();
  const turns: TranscriptTurn[] = [];
  let failure: string | undefined;
  try {
    let prompt: string | undefined = first;
    while (prompt !== undefined && prompt.trim() !== '') {
      const result = await runTurn({
        client: clients.bedrock,
        target: deployed,
        sessionId,
        customerId,
        inputText: prompt,
        // The trace shows the tool calls and the guardrail's verdict; the caller is trusted code.
        enableTrace: true,
        confirm: confirmer(values.confirm as 'ask' | 'yes' | 'no', terminal, (text) => io.err(text)),
        onText: values.json ? undefined : (chunk) => deps.write(printable(chunk)),
        onToolCall: values.trace ? (call, completed) => io.err(toolCallText(call, completed)) : undefined,
      });
      turns.push({ prompt, ...result });
      if (result.endedByDependency !== undefined) {
        throw new AgentError('DependencyFailedException', result.endedByDependency);
      }
      if (!values.json) {
        deps.write(result.text.endsWith('\n') ? '' : '\n');
        if (result.guardrailIntervened) io.err('[guardrail intervened]');
      }
      // Further prompts only from a person at a terminal: piped input is not a conversation.
      prompt = terminal.interactive ? await terminal.question('\n> ') : undefined;
    }
  } catch (error) {
    const explained = explain(error, { stack, region: target.region, callerPolicyArn: deployed.callerPolicyArn });
    if (explained === undefined) throw error;
    failure = explained;
  } finally {
    terminal.close();
  }
  if (values.json) {
    json(io, { sessionId, customerId, turns: turns.map(turnJson), ...(failure ? { error: failure } : {}) });
  }
  if (failure) {
    io.err(`npm run agent: ${failure}`);
    return 1;
  }
  return 0;
}

runCommand(module, command, agent);
