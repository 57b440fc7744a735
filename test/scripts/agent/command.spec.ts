import { InvokeAgentCommand } from '@aws-sdk/client-bedrock-agent-runtime';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import {
  customerForCaller,
  parametersDigest,
  SESSION_CONFIRMATION,
  SESSION_CUSTOMER,
} from '../../../lib/shared/agent-contract';
import { chunk, guardrail, returnControl, ROAMING_ON, stream, toolInput, toolOutput } from './events';
import { ALICE, BOB, bedrock, fakeTerminal, invocations, reset, run, state, sts } from './harness';

beforeEach(reset);

describe('npm run agent: one turn', () => {
  test('the answer streams to stdout; the customer comes from the caller ARN and is named on stderr', async () => {
    bedrock.on(InvokeAgentCommand).resolves({ completion: stream(chunk('Your plan '), chunk('is Kestrel 20.')) });
    const { code, io } = await run(['What is my plan?']);
    expect(code).toBe(0);
    expect(state.stdout).toBe('Your plan is Kestrel 20.\n');
    expect(io.stderr).toContain(`Acting for customer C-1001 (mapped from ${ALICE})`);
    expect(io.stderr).toContain('Session new-session-1');
    expect(invocations()).toEqual([
      expect.objectContaining({
        agentId: 'AGENT12345',
        agentAliasId: 'ALIAS12345',
        sessionId: 'new-session-1',
        inputText: 'What is my plan?',
        sessionState: expect.objectContaining({ sessionAttributes: { [SESSION_CUSTOMER]: 'C-1001' } }),
      }),
    ]);
  });

  test('another caller acts for the customer its own ARN maps to', async () => {
    expect(customerForCaller(BOB)).not.toBe(customerForCaller(ALICE));
    sts.on(GetCallerIdentityCommand).resolves({ Arn: BOB });
    bedrock.on(InvokeAgentCommand).resolves({ completion: stream(chunk('Heron 50.')) });
    const { io } = await run(['What is my plan?']);
    expect(io.stderr).toContain(`Acting for customer ${customerForCaller(BOB)} (mapped from ${BOB})`);
    expect(invocations()[0].sessionState?.sessionAttributes).toEqual({ [SESSION_CUSTOMER]: customerForCaller(BOB) });
  });

  test('control sequences in the answer are shown, not obeyed; a guardrail intervention is said', async () => {
    bedrock.on(InvokeAgentCommand).resolves({ completion: stream(guardrail('INTERVENED'), chunk('\u001b[2JSorry.')) });
    const { io } = await run(['x']);
    expect(state.stdout).toBe('\\u001b[2JSorry.\n');
    expect(io.stderr).toContain('[guardrail intervened]');
  });

  test('--trace prints each tool call and its result on stderr', async () => {
    bedrock.on(InvokeAgentCommand).resolves({
      completion: stream(toolInput('show_my_plan', {}), toolOutput('{"planName":"Kestrel 20"}'), chunk('Kestrel 20.')),
    });
    const { io } = await run(['What is my plan?', '--trace']);
    expect(invocations()[0].enableTrace).toBe(true);
    expect(io.stderr).toContain(
      '[tool] show_my_plan()\n[tool] show_my_plan returned: "{\\"planName\\":\\"Kestrel 20\\"}"',
    );
  });
});

test('a turn the executor ends (DependencyFailedException) exits 1, saying where to look', async () => {
  bedrock.on(InvokeAgentCommand).resolves({
    completion: stream(toolInput('show_my_plan', {}), {
      dependencyFailedException: { message: 'Dependency resource: received fail response from Lambda' },
    } as never),
  });
  const { code, io } = await run(['Show my plan ten times']);
  expect(code).toBe(1);
  expect(io.stderr).toContain('DependencyFailedException');
  expect(io.stderr).toContain('records/agent-tool-calls/');
});

describe('npm run agent: confirmations', () => {
  const writeThenAnswer = () =>
    bedrock
      .on(InvokeAgentCommand)
      .resolvesOnce({ completion: stream(returnControl('inv-1', ROAMING_ON)) })
      .resolvesOnce({ completion: stream(chunk('Done.')) });
  const reply = () => invocations()[1].sessionState;

  test('shown on the terminal with function and parameters; y confirms with the digest of those parameters', async () => {
    state.terminal = fakeTerminal(true, ['y']);
    writeThenAnswer();
    const { code, io } = await run(['Switch on roaming']);
    expect(code).toBe(0);
    expect(io.stderr).toContain('The agent wants to run "change_plan_feature" (action group "customer-plan").');
    expect(io.stderr).toContain('  feature = "international-roaming"\n  enabled = "true"');
    expect(state.terminal.asked[0]).toBe('Confirm? [y/N] ');
    expect(reply()?.returnControlInvocationResults?.[0].functionResult?.confirmationState).toBe('CONFIRM');
    expect(JSON.parse(reply()?.sessionAttributes?.[SESSION_CONFIRMATION] ?? '{}')).toEqual({
      invocationId: 'inv-1',
      function: 'change_plan_feature',
      digest: parametersDigest('change_plan_feature', ROAMING_ON.parameters),
    });
  });

  test.each([[''], ['n'], ['maybe'], [undefined]])('the answer %j denies (default No)', async (line) => {
    state.terminal = fakeTerminal(true, line === undefined ? [] : [line]);
    writeThenAnswer();
    await run(['Switch on roaming']);
    expect(reply()?.returnControlInvocationResults?.[0].functionResult?.confirmationState).toBe('DENY');
    expect(reply()?.sessionAttributes).toEqual({ [SESSION_CUSTOMER]: 'C-1001' });
  });

  test('--confirm no never confirms and never asks', async () => {
    state.terminal = fakeTerminal(true, ['y']);
    writeThenAnswer();
    const { io } = await run(['Switch on roaming', '--confirm', 'no']);
    expect(state.terminal.asked.filter((q) => q.startsWith('Confirm'))).toEqual([]);
    expect(reply()?.returnControlInvocationResults?.[0].functionResult?.confirmationState).toBe('DENY');
    expect(reply()?.sessionAttributes).not.toHaveProperty(SESSION_CONFIRMATION);
    expect(io.stderr).toContain('Denied (--confirm no).');
  });

  test('--confirm yes confirms without asking', async () => {
    writeThenAnswer();
    await run(['Switch on roaming', '--confirm', 'yes']);
    expect(state.terminal.asked).toEqual([]);
    expect(reply()?.returnControlInvocationResults?.[0].functionResult?.confirmationState).toBe('CONFIRM');
  });

  test('no terminal to ask on => denied, and how to answer ahead is said', async () => {
    writeThenAnswer();
    const { io } = await run(['Switch on roaming']);
    expect(reply()?.returnControlInvocationResults?.[0].functionResult?.confirmationState).toBe('DENY');
    expect(io.stderr).toContain('no terminal to ask on');
  });
});

describe('npm run agent: sessions', () => {
  test('on a terminal, further prompts go to the same session until an empty line', async () => {
    state.terminal = fakeTerminal(true, ['And my note?', '']);
    bedrock
      .on(InvokeAgentCommand)
      .resolvesOnce({ completion: stream(chunk('Kestrel 20.')) })
      .resolvesOnce({ completion: stream(chunk('Prefers e-mail contact.')) });
    const { code } = await run(['What is my plan?']);
    expect(code).toBe(0);
    expect(invocations().map((i) => [i.sessionId, i.inputText])).toEqual([
      ['new-session-1', 'What is my plan?'],
      ['new-session-1', 'And my note?'],
    ]);
    expect(state.stdout).toBe('Kestrel 20.\nPrefers e-mail contact.\n');
  });

  test('without a terminal, one turn only', async () => {
    bedrock.on(InvokeAgentCommand).resolves({ completion: stream(chunk('ok')) });
    await run(['What is my plan?']);
    expect(state.terminal.asked).toEqual([]);
    expect(invocations()).toHaveLength(1);
  });

  test('--session continues an existing session; a malformed id is a usage error', async () => {
    bedrock.on(InvokeAgentCommand).resolves({ completion: stream(chunk('ok')) });
    await run(['Go on', '--session', 'abc-123']);
    expect(invocations()[0].sessionId).toBe('abc-123');
    const { code, io } = await run(['Go on', '--session', 'no spaces']);
    expect(code).toBe(2);
    expect(io.stderr).toMatch(/--session must be/);
  });
});

test('--json: one document of the session, nothing streamed', async () => {
  bedrock
    .on(InvokeAgentCommand)
    .resolvesOnce({ completion: stream(returnControl('inv-1', ROAMING_ON)) })
    .resolvesOnce({ completion: stream(chunk('Not changed.')) });
  const { code, io } = await run(['Switch on roaming', '--json', '--confirm', 'no']);
  expect(code).toBe(0);
  expect(state.stdout).toBe('');
  expect(JSON.parse(io.stdout)).toEqual({
    sessionId: 'new-session-1',
    customerId: 'C-1001',
    turns: [
      {
        prompt: 'Switch on roaming',
        text: 'Not changed.',
        confirmations: [
          {
            request: {
              invocationId: 'inv-1',
              actionGroup: 'customer-plan',
              function: 'change_plan_feature',
              parameters: ROAMING_ON.parameters,
            },
            confirmed: false,
          },
        ],
        toolCalls: [],
        guardrailIntervened: false,
      },
    ],
  });
});
