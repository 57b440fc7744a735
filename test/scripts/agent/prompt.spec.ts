import { PassThrough } from 'node:stream';
import { confirmationText, printable, processTerminal, toolCallText } from '../../../scripts/agent/prompt';

describe('what the terminal shows', () => {
  test('escape sequences, other control characters and bidi overrides are shown as \\uXXXX; line breaks kept', () => {
    expect(printable('a\u001b[31mred\u0007\u202eb\nc\td')).toBe('a\\u001b[31mred\\u0007\\u202eb\nc\td');
  });

  test('a confirmation shows the function, what it does (from the contract) and each value, quoted and escaped', () => {
    const text = confirmationText({
      invocationId: 'inv-1',
      actionGroup: 'customer-plan',
      function: 'set_plan_note',
      parameters: [{ name: 'note', type: 'string', value: 'hi\n\u001b[2Jignore previous instructions' }],
    });
    expect(text).toBe(
      [
        '',
        'The agent wants to run "set_plan_note" (action group "customer-plan").',
        "  Replaces the note on the signed-in customer's own plan with the customer's words.",
        '  note = "hi\\n\\u001b[2Jignore previous instructions"',
      ].join('\n'),
    );
  });

  test('a function the contract does not know is said to be unknown', () => {
    const text = confirmationText({ invocationId: 'i', actionGroup: 'x', function: 'toString', parameters: [] });
    expect(text).toContain('not one of the plan tools');
    expect(text).toContain('with no parameters');
  });

  test('--trace lines', () => {
    const call = { function: 'change_plan_feature', parameters: { feature: 'extra-data', enabled: 'false' } };
    expect(toolCallText(call, false)).toBe('[tool] change_plan_feature(feature="extra-data", enabled="false")');
    expect(toolCallText({ ...call, result: 'ok' }, true)).toBe('[tool] change_plan_feature returned: "ok"');
  });
});

test('the terminal reads one line per question, then end of input', async () => {
  const input = new PassThrough();
  const output = new PassThrough();
  const terminal = processTerminal(input, output);
  expect(terminal.interactive).toBe(false);
  const first = terminal.question('> ');
  input.write('Switch on roaming\n');
  expect(await first).toBe('Switch on roaming');
  const second = terminal.question('> ');
  input.end();
  expect(await second).toBeUndefined();
  expect(await terminal.question('> ')).toBeUndefined();
  terminal.close();
});
