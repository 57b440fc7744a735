import {
  ApplyGuardrailCommand,
  type ApplyGuardrailResponse,
  BedrockRuntimeClient,
} from '@aws-sdk/client-bedrock-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { CHUNK_CHARS, checkText, splitText } from '../../../lambda/promote/check';
import { CHECK_SETTINGS, recorder } from './fixtures';

const bedrock = mockClient(BedrockRuntimeClient);
const client = new BedrockRuntimeClient({ region: 'eu-west-1' });
const usage = {
  topicPolicyUnits: 0,
  contentPolicyUnits: 0,
  wordPolicyUnits: 0,
  sensitiveInformationPolicyUnits: 25,
  sensitiveInformationPolicyFreeUnits: 0,
  contextualGroundingPolicyUnits: 0,
};
const none: ApplyGuardrailResponse = { action: 'NONE', outputs: [], assessments: [{}], usage };
const maskedEmail = (text: string): ApplyGuardrailResponse => ({
  action: 'GUARDRAIL_INTERVENED',
  outputs: [{ text }],
  assessments: [
    {
      sensitiveInformationPolicy: {
        piiEntities: [{ match: 'ops@example.com', type: 'EMAIL', action: 'ANONYMIZED', detected: true }],
        regexes: [],
      },
    },
  ],
  usage,
});

beforeEach(() => bedrock.reset());

describe('splitText', () => {
  const paragraph = 'The build farm runs nightly and keeps artefacts for thirty days.\n';

  test('pieces are within the per-request size and give the text back exactly', () => {
    const text = paragraph.repeat(2000); // about 130,000 characters
    const pieces = splitText(text);
    expect(pieces.length).toBeGreaterThanOrEqual(Math.ceil(text.length / CHUNK_CHARS));
    expect(pieces.length).toBeLessThanOrEqual(Math.ceil(text.length / (CHUNK_CHARS * 0.8)));
    expect(pieces.every((piece) => piece.length <= CHUNK_CHARS)).toBe(true);
    expect(pieces.join('')).toBe(text);
    // Cut after a line break, so no line (and no entity on it) is split.
    expect(pieces.slice(0, -1).every((piece) => piece.endsWith('\n'))).toBe(true);
  });

  test('without line breaks it cuts after a space; without spaces it never splits a surrogate pair', () => {
    const words = 'call 555 0100 '.repeat(40);
    expect(splitText(words, 100).every((piece, i, all) => i === all.length - 1 || piece.endsWith(' '))).toBe(true);
    const emoji = '😀'.repeat(60); // 120 UTF-16 code units
    const pieces = splitText(emoji, 51);
    expect(pieces.join('')).toBe(emoji);
    expect(pieces.every((piece) => !/[\ud800-\udbff]$/.test(piece) && !/^[\udc00-\udfff]/.test(piece))).toBe(true);
  });

  test('short text is one piece', () => {
    expect(splitText('hello')).toEqual(['hello']);
  });
});

describe('checkText', () => {
  test("a long document is checked in pieces, and its masked text is the pieces' outputs in order", async () => {
    const first = 'Contact ops@example.com for access.\n' + 'x '.repeat(12_400) + '\n';
    // One line that does not fit after the first piece: the cut falls after the first piece's last line.
    const second = 'Nothing sensitive here. '.repeat(20) + '\n';
    bedrock
      .on(ApplyGuardrailCommand)
      .resolvesOnce(maskedEmail(first.replace('ops@example.com', '{EMAIL}')))
      .resolvesOnce(none);
    const verdict = await checkText(client, CHECK_SETTINGS, first + second, recorder().logger);
    const calls = bedrock.commandCalls(ApplyGuardrailCommand).map((call) => call.args[0].input);
    expect(calls.map((input) => input.content?.[0].text?.text)).toEqual([first, second]);
    expect(calls.every((input) => input.source === 'OUTPUT')).toBe(true);
    expect(verdict).toEqual({
      kind: 'masked',
      text: first.replace('ops@example.com', '{EMAIL}') + second,
      entityTypes: ['EMAIL'],
      regexNames: [],
    });
  });

  test('stops at the first blocked piece', async () => {
    bedrock.on(ApplyGuardrailCommand).resolves({
      action: 'GUARDRAIL_INTERVENED',
      outputs: [{ text: 'Sorry, this content is not available.' }],
      assessments: [
        {
          sensitiveInformationPolicy: {
            piiEntities: [{ match: 'AKIAIOSFODNN7EXAMPLE', type: 'AWS_ACCESS_KEY', action: 'BLOCKED', detected: true }],
            regexes: [],
          },
        },
      ],
      usage,
    });
    const text = ('key AKIAIOSFODNN7EXAMPLE\n' + 'y'.repeat(1000) + '\n').repeat(60);
    const verdict = await checkText(client, CHECK_SETTINGS, text, recorder().logger);
    expect(verdict).toEqual({ kind: 'blocked', entityTypes: ['AWS_ACCESS_KEY'], regexNames: [] });
    expect(bedrock.commandCalls(ApplyGuardrailCommand)).toHaveLength(1);
  });

  test('masked entities in a piece another policy blocked: the masked text is not available, so it is refused', async () => {
    bedrock.on(ApplyGuardrailCommand).resolves({
      ...maskedEmail('Sorry, this content is not available.'),
      assessments: [
        {
          sensitiveInformationPolicy: {
            piiEntities: [{ match: 'ops@example.com', type: 'EMAIL', action: 'ANONYMIZED', detected: true }],
            regexes: [],
          },
          contentPolicy: { filters: [{ type: 'VIOLENCE', confidence: 'HIGH', action: 'BLOCKED', detected: true }] },
        },
      ],
    });
    const verdict = await checkText(client, CHECK_SETTINGS, 'Contact ops@example.com.', recorder().logger);
    expect(verdict).toEqual({ kind: 'blocked', entityTypes: ['EMAIL'], regexNames: [] });
  });

  test('another policy alone does not stop promotion (the original is promoted): only sensitive information counts', async () => {
    bedrock.on(ApplyGuardrailCommand).resolves({
      action: 'GUARDRAIL_INTERVENED',
      outputs: [{ text: 'Sorry, this content is not available.' }],
      assessments: [{ topicPolicy: { topics: [{ name: 'investment-advice', type: 'DENY', action: 'BLOCKED' }] } }],
      usage,
    });
    expect(await checkText(client, CHECK_SETTINGS, 'Buy index funds.', recorder().logger)).toEqual({ kind: 'clean' });
  });

  test('an empty file needs no call', async () => {
    expect(await checkText(client, CHECK_SETTINGS, '', recorder().logger)).toEqual({ kind: 'clean' });
    expect(bedrock.calls()).toHaveLength(0);
  });
});
