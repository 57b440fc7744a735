/**
 * The terminal side of a session: prompts read from stdin, and each
 * confirmation put to the person with exactly what will run. Text from the
 * agent (its answer, tool parameters, tool results) may carry what a customer
 * wrote, so none of it reaches the terminal as control sequences.
 */
import * as readline from 'node:readline';
import { PLAN_TOOLS } from '../../lib/shared/agent-contract';
import type { ConfirmationRequest, ToolCall } from './session';

/** Lines from the person. */
export interface Terminal {
  /** stdin is a terminal: a person can answer. */
  readonly interactive: boolean;
  /** Show `prompt` and read one line; undefined at end of input (EOF, Ctrl-C, Ctrl-D). */
  question(prompt: string): Promise<string | undefined>;
  close(): void;
}

/**
 * stdin and stderr (stdout stays the answer's). One interface for the session,
 * opened at the first question, so no typed-ahead line is lost.
 */
export function processTerminal(
  input: NodeJS.ReadableStream & { isTTY?: boolean } = process.stdin,
  output: NodeJS.WritableStream = process.stderr,
): Terminal {
  let rl: readline.Interface | undefined;
  let closed = false;
  const open = () => {
    if (!rl) {
      rl = readline.createInterface({ input, output, terminal: input.isTTY === true });
      rl.on('close', () => (closed = true));
      // Without a listener, Ctrl-C only pauses the input and the question would wait forever.
      rl.on('SIGINT', () => rl?.close());
    }
    return rl;
  };
  return {
    interactive: input.isTTY === true,
    question: (prompt) =>
      new Promise((resolve) => {
        const face = open();
        if (closed) return resolve(undefined);
        const onClose = () => resolve(undefined);
        face.once('close', onClose);
        face.question(prompt, (line) => {
          face.off('close', onClose);
          resolve(line);
        });
      }),
    close: () => rl?.close(),
  };
}

/**
 * Text safe to print: line breaks and tabs kept; other control characters,
 * escape sequences and bidirectional overrides shown as \uXXXX, so what is
 * printed is what was sent.
 */
export function printable(text: string): string {
  return text.replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** A value on one line, quoted and escaped: the person sees exactly the string that is confirmed. */
function quoted(value: string): string {
  return printable(JSON.stringify(value));
}

/** What the person is asked: the function, what it does (from the contract, not the model) and each parameter. */
export function confirmationText(request: ConfirmationRequest): string {
  const known = Object.hasOwn(PLAN_TOOLS, request.function)
    ? PLAN_TOOLS[request.function as keyof typeof PLAN_TOOLS]
    : undefined;
  const lines = [
    '',
    `The agent wants to run ${quoted(request.function)} (action group ${quoted(request.actionGroup)}).`,
    known ? `  ${known.description}` : '  This function is not one of the plan tools this caller knows.',
  ];
  if (request.parameters.length === 0) lines.push('  with no parameters');
  for (const p of request.parameters) lines.push(`  ${printable(p.name)} = ${quoted(p.value)}`);
  return lines.join('\n');
}

export const CONFIRM_QUESTION = 'Confirm? [y/N] ';

export type ConfirmPolicy = 'ask' | 'yes' | 'no';

/**
 * The confirm callback for a policy: `ask` puts each prompt to the person
 * (anything but y/yes denies; no terminal denies), `yes` and `no` answer
 * every prompt the same way, for scripts.
 */
export function confirmer(
  policy: ConfirmPolicy,
  terminal: Terminal,
  say: (text: string) => void,
): (request: ConfirmationRequest) => Promise<boolean> {
  return async (request) => {
    say(confirmationText(request));
    if (policy !== 'ask') {
      say(`${policy === 'yes' ? 'Confirmed' : 'Denied'} (--confirm ${policy}).`);
      return policy === 'yes';
    }
    if (!terminal.interactive) {
      say('Denied: no terminal to ask on (pass --confirm yes or --confirm no to answer ahead).');
      return false;
    }
    const reply = await terminal.question(CONFIRM_QUESTION);
    const confirmed = /^\s*y(es)?\s*$/i.test(reply ?? '');
    if (!confirmed) say('Denied.');
    return confirmed;
  };
}

/** One --trace line: a tool call as it starts, or its result. */
export function toolCallText(call: ToolCall, completed: boolean): string {
  if (completed) return `[tool] ${printable(call.function)} returned: ${quoted(call.result ?? '')}`;
  const parameters = Object.entries(call.parameters).map(([name, value]) => `${printable(name)}=${quoted(value)}`);
  return `[tool] ${printable(call.function)}(${parameters.join(', ')})`;
}
