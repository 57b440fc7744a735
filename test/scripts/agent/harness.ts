/**
 * `npm run agent` against a mocked account: the Agent stack's outputs, the
 * caller's identity, Bedrock, and a terminal that answers from a list.
 */
import { BedrockAgentRuntimeClient, InvokeAgentCommand } from '@aws-sdk/client-bedrock-agent-runtime';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { agent, type AgentDeps, command } from '../../../scripts/agent';
import type { Terminal } from '../../../scripts/agent/prompt';
import { captureIo } from '../../../scripts/cli/output';
import { execute } from '../../../scripts/run-cli';
import { describeStacks } from '../../support/deployed-stacks';

export const region = 'eu-west-1';
export const ALICE = 'arn:aws:sts::111122223333:assumed-role/Developer/alice';
export const BOB = 'arn:aws:sts::111122223333:assumed-role/Developer/bob';
export const CALLER_POLICY = 'arn:aws:iam::111122223333:policy/GuardedGenAi-Agent-Caller';
const OUTPUTS = { AgentId: 'AGENT12345', AgentAliasId: 'ALIAS12345', CallerPolicyArn: CALLER_POLICY };

export const bedrock = mockClient(BedrockAgentRuntimeClient);
export const cloudformation = mockClient(CloudFormationClient);
export const sts = mockClient(STSClient);

/** A terminal that answers with `lines` in order, then end of input; records what it was asked. */
export function fakeTerminal(interactive: boolean, lines: string[] = []) {
  const asked: string[] = [];
  const terminal: Terminal = {
    interactive,
    question: async (prompt) => {
      asked.push(prompt);
      return lines.shift();
    },
    close: () => undefined,
  };
  return { terminal, asked };
}

/** What the run wrote: the streamed answer, and the terminal it used (set one before the run). */
export const state = { stdout: '', terminal: fakeTerminal(false) };

const deps = (): AgentDeps => ({
  resolve: async () => ({ region, credentials: async () => ({ accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'x' }) }),
  clients: () => ({
    cloudformation: new CloudFormationClient({ region }),
    sts: new STSClient({ region }),
    bedrock: new BedrockAgentRuntimeClient({ region }),
  }),
  appName: () => 'GuardedGenAi',
  terminal: () => state.terminal.terminal,
  write: (text) => (state.stdout += text),
  newSessionId: () => 'new-session-1',
});

/** Run the command as `npm run agent -- <argv>` would. */
export async function run(argv: string[]) {
  const io = captureIo();
  const code = await execute(command, argv, (parsed, out) => agent(parsed, out, deps()), io);
  return { code, io };
}

/** The InvokeAgent requests sent, in order. */
export const invocations = () => bedrock.commandCalls(InvokeAgentCommand).map((c) => c.args[0].input);

/** Before each test: the stack deployed, the caller is ALICE, no terminal. */
export function reset(): void {
  bedrock.reset();
  cloudformation.reset();
  sts.reset();
  state.stdout = '';
  state.terminal = fakeTerminal(false);
  cloudformation.on(DescribeStacksCommand).callsFake(describeStacks({ 'GuardedGenAi-Agent': OUTPUTS }));
  sts.on(GetCallerIdentityCommand).resolves({ Arn: ALICE, Account: '111122223333' });
}
