import {
  BedrockAgentRuntimeClient,
  InvokeAgentCommand,
  type InvokeAgentCommandInput,
} from '@aws-sdk/client-bedrock-agent-runtime';
import {
  parametersDigest,
  SESSION_CONFIRMATION,
  SESSION_CUSTOMER,
  TURN_ID,
  TURN_ID_PATTERN,
} from '../../../lib/shared/agent-contract';
import { AgentError, STREAM_EXCEPTIONS } from '../../../scripts/agent/events';
import { bedrock } from './harness';
import {
  type ConfirmationRequest,
  MAX_ROUNDS,
  newSessionId,
  runTurn,
  SESSION_ID_PATTERN,
  type TurnOptions,
} from '../../../scripts/agent/session';
import {
  AGENT,
  chunk,
  failing,
  guardrail,
  NOTE,
  returnControl,
  ROAMING_ON,
  serviceException,
  stream,
  toolInput,
  toolOutput,
} from './events';

const client = new BedrockAgentRuntimeClient({ region: 'eu-west-1' });

beforeEach(() => bedrock.reset());

/** The InvokeAgent requests sent, in order. */
const sent = (): InvokeAgentCommandInput[] => bedrock.commandCalls(InvokeAgentCommand).map((c) => c.args[0].input);

function turn(options: Partial<TurnOptions> = {}) {
  return runTurn({
    client,
    target: AGENT,
    sessionId: 'session-1',
    customerId: 'C-1002',
    inputText: 'Switch on roaming',
    confirm: async () => false,
    ...options,
  });
}

describe('runTurn: a plain answer', () => {
  test('streams each chunk as it comes, with the customer as a session attribute', async () => {
    bedrock.on(InvokeAgentCommand).resolves({ completion: stream(chunk('Your plan '), chunk('is Heron 50.')) });
    const chunks: string[] = [];
    const result = await turn({ inputText: 'What is my plan?', onText: (c) => chunks.push(c) });
    expect(chunks).toEqual(['Your plan ', 'is Heron 50.']);
    expect(result).toEqual({
      text: 'Your plan is Heron 50.',
      confirmations: [],
      toolCalls: [],
      guardrailIntervened: false,
    });
    expect(sent()).toEqual([
      {
        agentId: 'AGENT12345',
        agentAliasId: 'ALIAS12345',
        sessionId: 'session-1',
        inputText: 'What is my plan?',
        enableTrace: false,
        streamingConfigurations: { streamFinalResponse: true, applyGuardrailInterval: 1000 },
        sessionState: {
          sessionAttributes: { [SESSION_CUSTOMER]: 'C-1002' },
          promptSessionAttributes: { [TURN_ID]: expect.stringMatching(TURN_ID_PATTERN) },
        },
      },
    ]);
  });

  test('a character split across chunks is decoded whole', async () => {
    const bytes = new TextEncoder().encode('Café');
    bedrock.on(InvokeAgentCommand).resolves({ completion: stream(chunk(bytes.slice(0, 4)), chunk(bytes.slice(4))) });
    expect((await turn()).text).toBe('Café');
  });

  test('the trace: tool calls with their results, and a guardrail intervention', async () => {
    bedrock.on(InvokeAgentCommand).resolves({
      completion: stream(
        toolInput('show_my_plan', {}, 'inv-1'),
        toolOutput('{"planName":"Heron 50"}'),
        guardrail('INTERVENED'),
        chunk('Sorry, I cannot help with that.'),
      ),
    });
    const seen: [string, boolean][] = [];
    const result = await turn({ enableTrace: true, onToolCall: (call, done) => seen.push([call.function, done]) });
    expect(sent()[0].enableTrace).toBe(true);
    expect(result.toolCalls).toEqual([{ function: 'show_my_plan', parameters: {}, result: '{"planName":"Heron 50"}' }]);
    expect(seen).toEqual([
      ['show_my_plan', false],
      ['show_my_plan', true],
    ]);
    expect(result.guardrailIntervened).toBe(true);
  });

  test('a guardrail trace that did not intervene is not reported as one', async () => {
    bedrock.on(InvokeAgentCommand).resolves({ completion: stream(guardrail('NONE'), chunk('ok')) });
    expect((await turn()).guardrailIntervened).toBe(false);
  });
});

describe('runTurn: confirmation prompts', () => {
  test('confirmed => CONFIRM, and the confirmation carries the digest of exactly the parameters shown', async () => {
    bedrock
      .on(InvokeAgentCommand)
      .resolvesOnce({ completion: stream(returnControl('inv-42', ROAMING_ON)) })
      .resolvesOnce({ completion: stream(chunk('Roaming is on.')) });
    const shown: ConfirmationRequest[] = [];
    const result = await turn({
      confirm: async (request) => {
        shown.push(request);
        return true;
      },
    });
    expect(shown).toEqual([
      {
        invocationId: 'inv-42',
        actionGroup: 'customer-plan',
        function: 'change_plan_feature',
        parameters: ROAMING_ON.parameters,
      },
    ]);
    const [, reply] = sent();
    expect(reply.inputText).toBeUndefined();
    expect(reply.sessionState?.invocationId).toBe('inv-42');
    expect(reply.sessionState?.returnControlInvocationResults).toEqual([
      {
        functionResult: { actionGroup: 'customer-plan', function: 'change_plan_feature', confirmationState: 'CONFIRM' },
      },
    ]);
    const attributes = reply.sessionState?.sessionAttributes ?? {};
    expect(attributes[SESSION_CUSTOMER]).toBe('C-1002');
    expect(JSON.parse(attributes[SESSION_CONFIRMATION])).toEqual({
      invocationId: 'inv-42',
      function: 'change_plan_feature',
      digest: parametersDigest('change_plan_feature', shown[0].parameters),
    });
    // Bound to the values: the same call switching roaming off has another digest.
    expect(JSON.parse(attributes[SESSION_CONFIRMATION]).digest).not.toBe(
      parametersDigest('change_plan_feature', [
        { name: 'feature', value: 'international-roaming' },
        { name: 'enabled', value: 'false' },
      ]),
    );
    expect(result.text).toBe('Roaming is on.');
    expect(result.confirmations).toEqual([{ request: shown[0], confirmed: true }]);
  });

  test('denied => DENY and no confirmation in the session', async () => {
    bedrock
      .on(InvokeAgentCommand)
      .resolvesOnce({ completion: stream(returnControl('inv-7', NOTE)) })
      .resolvesOnce({ completion: stream(chunk('I did not change the note.')) });
    const result = await turn({ confirm: async () => false });
    const [, reply] = sent();
    expect(reply.sessionState).toEqual({
      invocationId: 'inv-7',
      returnControlInvocationResults: [
        { functionResult: { actionGroup: 'customer-plan', function: 'set_plan_note', confirmationState: 'DENY' } },
      ],
      sessionAttributes: { [SESSION_CUSTOMER]: 'C-1002' },
      promptSessionAttributes: { [TURN_ID]: expect.stringMatching(TURN_ID_PATTERN) },
    });
    expect(result.confirmations.map((c) => c.confirmed)).toEqual([false]);
  });

  test('every call of a turn names the same turn, and the next turn another', async () => {
    bedrock
      .on(InvokeAgentCommand)
      .resolvesOnce({ completion: stream(returnControl('inv-3', NOTE)) })
      .resolvesOnce({ completion: stream(chunk('Done.')) })
      .resolvesOnce({ completion: stream(chunk('Your plan is Heron 50.')) });
    await turn({ confirm: async () => true });
    await turn({ confirm: async () => true });
    const turns = sent().map((c) => c.sessionState?.promptSessionAttributes?.[TURN_ID]);
    expect(turns[0]).toMatch(TURN_ID_PATTERN);
    expect(turns[1]).toBe(turns[0]);
    expect(turns[2]).toMatch(TURN_ID_PATTERN);
    expect(turns[2]).not.toBe(turns[0]);
  });

  test('every call of the turn carries the customer; only the confirmed round carries a confirmation', async () => {
    bedrock
      .on(InvokeAgentCommand)
      .resolvesOnce({ completion: stream(returnControl('inv-1', NOTE)) })
      .resolvesOnce({ completion: stream(returnControl('inv-2', ROAMING_ON)) })
      .resolvesOnce({ completion: stream(chunk('Done.')) });
    await turn({ confirm: async (request) => request.function === 'change_plan_feature' });
    const calls = sent();
    expect(calls).toHaveLength(3);
    expect(calls.map((c) => c.sessionState?.sessionAttributes?.[SESSION_CUSTOMER])).toEqual([
      'C-1002',
      'C-1002',
      'C-1002',
    ]);
    expect(calls.map((c) => SESSION_CONFIRMATION in (c.sessionState?.sessionAttributes ?? {}))).toEqual([
      false,
      false,
      true,
    ]);
  });

  test('two writes in one round: the first confirmed, the second denied without asking', async () => {
    bedrock
      .on(InvokeAgentCommand)
      .resolvesOnce({ completion: stream(returnControl('inv-3', ROAMING_ON, NOTE)) })
      .resolvesOnce({ completion: stream(chunk('Roaming is on.')) });
    const asked: string[] = [];
    const result = await turn({
      confirm: async (request) => {
        asked.push(request.function);
        return true;
      },
    });
    expect(asked).toEqual(['change_plan_feature']);
    expect(
      sent()[1].sessionState?.returnControlInvocationResults?.map((r) => r.functionResult?.confirmationState),
    ).toEqual(['CONFIRM', 'DENY']);
    expect(result.confirmations[1]).toMatchObject({
      confirmed: false,
      reason: expect.stringMatching(/one confirmation/),
    });
  });

  test.each(['RESULT', 'USER_CONFIRMATION_AND_RESULT'] as const)(
    'a returnControl asking the caller to run the tool (%s) => denied without asking, with the reason',
    async (type) => {
      bedrock
        .on(InvokeAgentCommand)
        .resolvesOnce({ completion: stream(returnControl('inv-9', { ...NOTE, type })) })
        .resolvesOnce({ completion: stream(chunk('I did not change the note.')) });
      const confirm = jest.fn(async () => true);
      const result = await turn({ confirm });
      expect(confirm).not.toHaveBeenCalled();
      const [, reply] = sent();
      expect(reply.sessionState?.returnControlInvocationResults).toEqual([
        { functionResult: { actionGroup: 'customer-plan', function: 'set_plan_note', confirmationState: 'DENY' } },
      ]);
      expect(reply.sessionState?.sessionAttributes).toEqual({ [SESSION_CUSTOMER]: 'C-1002' });
      expect(result.confirmations).toEqual([
        expect.objectContaining({ confirmed: false, reason: expect.stringContaining(`run the tool itself`) }),
      ]);
    },
  );

  test(`an agent that keeps asking is stopped after ${MAX_ROUNDS} calls`, async () => {
    let n = 0;
    bedrock.on(InvokeAgentCommand).callsFake(() => ({ completion: stream(returnControl(`inv-${++n}`, NOTE)) }));
    await expect(turn({ confirm: async () => true })).rejects.toThrow(new RegExp(`${MAX_ROUNDS} rounds`));
    expect(sent()).toHaveLength(MAX_ROUNDS);
  });
});

describe('runTurn: errors', () => {
  test.each(STREAM_EXCEPTIONS.filter((m) => m !== 'dependencyFailedException'))(
    'the %s member in the stream => an error naming it and its message',
    async (member) => {
      bedrock.on(InvokeAgentCommand).resolves({
        completion: stream(chunk('Part'), { [member]: { message: `the ${member} detail` } } as never),
      });
      const name = member[0].toUpperCase() + member.slice(1);
      const error = await turn().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AgentError);
      expect(error).toMatchObject({ name, message: `${name}: the ${member} detail` });
    },
  );

  test('a dependencyFailedException (the executor ending the turn) => the turn so far, and why it ended', async () => {
    bedrock.on(InvokeAgentCommand).resolves({
      completion: stream(toolInput('show_my_plan', {}), toolOutput('{"plan":"Heron 50"}'), {
        dependencyFailedException: { message: 'Too many tool calls' },
      } as never),
    });
    const result = await turn();
    expect(result.endedByDependency).toBe('DependencyFailedException: Too many tool calls');
    expect(result.toolCalls.map((c) => c.function)).toEqual(['show_my_plan']);
  });

  test('an exception the SDK throws mid-stream => the same error', async () => {
    bedrock.on(InvokeAgentCommand).resolves({
      completion: failing(serviceException('ThrottlingException', 'Rate exceeded'), chunk('Part')),
    });
    await expect(turn()).rejects.toMatchObject({
      name: 'ThrottlingException',
      message: 'ThrottlingException: Rate exceeded',
    });
  });

  test('an exception from the call itself keeps its name', async () => {
    bedrock.on(InvokeAgentCommand).rejects(serviceException('AccessDeniedException', 'not authorized'));
    await expect(turn()).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: 'AccessDeniedException: not authorized',
    });
  });
});

test("session ids: new ones are valid and distinct; the pattern is Bedrock's", () => {
  const a = newSessionId();
  expect(a).toMatch(SESSION_ID_PATTERN);
  expect(newSessionId()).not.toBe(a);
  expect('a').not.toMatch(SESSION_ID_PATTERN);
  expect('has space').not.toMatch(SESSION_ID_PATTERN);
  expect('x'.repeat(101)).not.toMatch(SESSION_ID_PATTERN);
});
