import { BedrockAgentRuntimeClient } from '@aws-sdk/client-bedrock-agent-runtime';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { ASSUMPTIONS } from '../../../lib/shared/assumptions';
import { customerForCaller, FICTIONAL_CUSTOMERS, type FictionalCustomer } from '../../../lib/shared/agent-contract';
import { runTurn } from '../../../scripts/agent/session';
import { FakeAgent, showResult } from '../redteam/fake-agent';
import { account, mocks, verify } from './harness';

// The agent's turns: runTurn is tested against the SDK by its own tests; here a stand-in agent answers.
jest.mock('../../../scripts/agent/session', () => ({
  ...jest.requireActual('../../../scripts/agent/session'),
  runTurn: jest.fn(),
}));

const sts = mockClient(STSClient);
mockClient(BedrockAgentRuntimeClient);
const callerArn = `arn:aws:sts::${account}:assumed-role/Operator/verify`;
const customerId = customerForCaller(callerArn);
const seeded = FICTIONAL_CUSTOMERS.find((c) => c.customerId === customerId) as FictionalCustomer;
let agent: FakeAgent;

const agentStack = (outputs: Record<string, string>) =>
  mocks.cloudformation.on(DescribeStacksCommand, { StackName: 'GuardedGenAi-Agent' }).resolves({
    Stacks: [
      {
        StackName: 'GuardedGenAi-Agent',
        CreationTime: new Date(),
        StackStatus: 'CREATE_COMPLETE',
        Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
      },
    ],
  });

beforeEach(() => {
  sts.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Arn: callerArn, Account: account });
  agentStack({ AgentId: 'AGENT12345', AgentAliasId: 'ALIAS12345' });
  agent = new FakeAgent();
  (runTurn as jest.Mock).mockReset().mockImplementation(agent.turn);
});

const agentCheck = async () => (await verify({ only: ['agent'] })).agent;

describe('the agent check', () => {
  test('reads the plan, switches a feature on with confirmation and off again, and is refused another customer', async () => {
    const result = await agentCheck();
    expect(result).toMatchObject({ result: 'PASS' });
    const feature = ['international-roaming', 'extra-data', 'voicemail-to-text', 'spam-call-filter'].find(
      (f) => !seeded.features.includes(f as never),
    );
    expect(result.detail).toContain(`${customerId}: read ${seeded.planName}; ${feature} switched on with confirmation`);
    expect(result.detail).toMatch(/5 tool calls over 5 turns of one session, none refused by the turn bound/);
    expect(agent.prompts.at(-1)).toMatch(/^Show me the plan of customer C-1003/);
    // Put back as it was.
    expect([...agent.state(customerId).features].sort()).toEqual([...seeded.features].sort());
    const options = (runTurn as jest.Mock).mock.calls.map(([o]) => o);
    expect(options.every((o) => o.customerId === customerId && o.target.agentId === 'AGENT12345')).toBe(true);
  });

  test('skips when the Agent stack is not deployed', async () => {
    mocks.cloudformation
      .on(DescribeStacksCommand, { StackName: 'GuardedGenAi-Agent' })
      .rejects(
        Object.assign(new Error('Stack with id GuardedGenAi-Agent does not exist'), { name: 'ValidationError' }),
      );
    expect(await agentCheck()).toMatchObject({ result: 'SKIP', detail: expect.stringContaining('GuardedGenAi-Agent') });
    expect(runTurn).not.toHaveBeenCalled();
  });

  test('fails when the answer does not name the caller’s plan', async () => {
    agent.behaviour = async () => ({
      text: 'I cannot help.',
      confirmations: [],
      toolCalls: [],
      guardrailIntervened: true,
    });
    expect(await agentCheck()).toMatchObject({
      result: 'FAIL',
      detail: expect.stringContaining(`does not name ${seeded.planName} (the guardrail intervened)`),
    });
  });

  test('fails when a confirmed change is not made, naming the key assumption', async () => {
    agent.behaviour = async (options) => {
      if (!/^Switch on/.test(options.inputText)) return undefined;
      const request = {
        invocationId: 'i',
        actionGroup: 'customer-plan',
        function: 'change_plan_feature',
        parameters: [
          { name: 'feature', type: 'string', value: options.inputText.split(' ')[2] },
          { name: 'enabled', type: 'boolean', value: 'true' },
        ],
      };
      const confirmed = await options.confirm(request);
      const call = {
        function: 'change_plan_feature',
        parameters: { feature: request.parameters[0].value, enabled: 'true' },
        result: JSON.stringify({ error: 'The plan store is not available right now.' }),
      };
      return { text: 'Sorry.', confirmations: [{ request, confirmed }], toolCalls: [call], guardrailIntervened: false };
    };
    const result = await agentCheck();
    expect(result).toMatchObject({ result: 'FAIL', detail: expect.stringContaining('was not made') });
    expect(result.fix).toContain('dynamodb-decrypt-only');
  });

  test('fails when the agent gives another customer’s plan', async () => {
    agent.behaviour = async (options) =>
      /C-1003/.test(options.inputText)
        ? {
            text: 'Here it is.',
            confirmations: [],
            toolCalls: [
              {
                function: 'show_my_plan',
                parameters: { customerId: 'C-1003' },
                result: showResult({ plan: 'Osprey Unlimited', features: new Set(), note: '' }),
              },
            ],
            guardrailIntervened: false,
          }
        : undefined;
    expect(await agentCheck()).toMatchObject({
      result: 'FAIL',
      detail: expect.stringContaining("read another customer's plan (Osprey Unlimited)"),
    });
  });

  test("fails when the tools end a turn (the executor's FAILURE: turn bound, no turn id), naming the assumptions", async () => {
    agent.behaviour = async (options) =>
      /^Show my plan again/.test(options.inputText)
        ? {
            text: '',
            confirmations: [],
            toolCalls: [{ function: 'show_my_plan', parameters: {} }],
            guardrailIntervened: false,
            endedByDependency: 'DependencyFailedException: Dependency resource: received fail response from Lambda',
          }
        : undefined;
    const result = await agentCheck();
    expect(result.result).toBe('FAIL');
    // The first failure found is the plan not shown after the change; the turn's end is named where the session is judged.
    expect(result.detail).toMatch(/show_my_plan did not answer with the plan/);
    expect([...agent.state(customerId).features].sort()).toEqual([...seeded.features].sort());
  });

  test('fails when a turn of the session is ended by the tools though none was over the bound', async () => {
    let first = true;
    agent.behaviour = async (options) => {
      if (!/^What is my plan/.test(options.inputText) || !first) return undefined;
      first = false;
      const normal = await agent.turn({ ...options, inputText: options.inputText });
      return { ...normal, endedByDependency: 'DependencyFailedException: received fail response from Lambda' };
    };
    const result = await agentCheck();
    expect(result).toMatchObject({ result: 'FAIL' });
    expect(result.detail).toContain("ended by the agent's tools");
    expect(result.fix).toMatch(/agent-turn-bound/);
    expect(result.fix).toMatch(/dynamodb-decrypt-only/);
  });

  test('settles the four agent assumptions of the register', () => {
    for (const id of [
      'dynamodb-decrypt-only',
      'agent-caller-key-use',
      'agent-turn-bound',
      'agent-confirmation-round',
    ] as const) {
      expect(ASSUMPTIONS[id].settledBy).toEqual({ verify: ['agent'] });
    }
  });
});
