import {
  ApplyGuardrailCommand,
  type ApplyGuardrailResponse,
  BedrockRuntimeClient,
} from '@aws-sdk/client-bedrock-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { applyMasks, CHUNK_CHARS, checkText, OVERLAP_CHARS, splitText } from '../../../lambda/promote/check';
import { assess } from '../../../tools/local-aws/guardrail-stand-in';
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

/**
 * Answer every ApplyGuardrail call with the rule-based stand-in (EMAIL,
 * PHONE, NAME masked on output; keys, cards and record ids blocked), so that
 * what is found depends only on the text each request carries.
 */
function standIn() {
  bedrock
    .on(ApplyGuardrailCommand)
    .callsFake((input: { source: 'INPUT' | 'OUTPUT'; content: never[] }) => assess(input.source, input.content));
}
const sentTexts = () =>
  bedrock.commandCalls(ApplyGuardrailCommand).map((call) => call.args[0].input.content?.[0].text?.text ?? '');

/** Filler with no whitespace and no word character: minified punctuation, so an entity's edges are its own. */
const filler = (length: number) => '{"":[]},'.repeat(Math.ceil(length / 8)).slice(0, length);

describe('splitText', () => {
  const covers = (text: string, max: number, overlap: number) => {
    const pieces = splitText(text, max, overlap);
    expect(pieces[0].start).toBe(0);
    expect(pieces[pieces.length - 1].end).toBe(text.length);
    for (const [i, piece] of pieces.entries()) {
      expect(piece.end - piece.start).toBeGreaterThan(0);
      expect(piece.end - piece.start).toBeLessThanOrEqual(max);
      // No lone half of a surrogate pair at either edge.
      expect(/^[\udc00-\udfff]/.test(text.slice(piece.start, piece.end))).toBe(false);
      expect(/[\ud800-\udbff]$/.test(text.slice(piece.start, piece.end))).toBe(false);
      if (i > 0) expect(pieces[i - 1].end - piece.start).toBeGreaterThanOrEqual(overlap);
    }
    return pieces;
  };

  test('pieces are within the per-request size, cover the text and each repeats the overlap of the one before', () => {
    const text = filler(130_000);
    const pieces = covers(text, CHUNK_CHARS, OVERLAP_CHARS);
    expect(pieces).toHaveLength(Math.ceil((text.length - OVERLAP_CHARS) / (CHUNK_CHARS - OVERLAP_CHARS)));
  });

  test('multi-byte characters at every cut position: a surrogate pair is never split, and the overlap holds', () => {
    for (let shift = 0; shift < 4; shift++) {
      covers('a'.repeat(shift) + '😀'.repeat(80), 51, 10);
    }
  });

  test('short text is one piece; an overlap as large as a piece is refused', () => {
    expect(splitText('hello')).toEqual([{ start: 0, end: 5 }]);
    expect(() => splitText('hello', 10, 8)).toThrow(/overlap 8 must be at most the piece size 10 minus 3/);
    // The tightest overlap allowed still moves on with a surrogate pair at both ends of every piece.
    covers('a' + '😀'.repeat(30), 6, 3);
  });
});

describe('applyMasks', () => {
  const masks = (...entries: [string, string][]) => new Map(entries);

  test('masks every occurrence in one pass, the longest first where two start together, and gives up on a match it cannot find', () => {
    const both = masks(['ops@example.com', '{EMAIL}'], ['example.com', '{URL}']);
    expect(applyMasks('ops@example.com and example.com, again ops@example.com', both)).toBe(
      '{EMAIL} and {URL}, again {EMAIL}',
    );
    expect(applyMasks('Mail ops at example dot com', both)).toBeUndefined();
  });

  test('overlapping entities are masked as one span with both tags: no part of either is left', () => {
    const shared = masks(['Anna Lee', '{NAME}'], ['Lee Street 5', '{ADDRESS}']);
    expect(applyMasks('Call Anna Lee Street 5 now', shared)).toBe('Call {NAME}{ADDRESS} now');
  });

  test('a whole token is masked where there is one, not the same letters inside a longer word', () => {
    expect(applyMasks('Ann wrote the Annual report', masks(['Ann', '{NAME}']))).toBe('{NAME} wrote the Annual report');
  });

  test('a part of a word the guardrail reported (a piece cut inside it) is masked where it occurs', () => {
    const cut = masks(['erin.cut@example.o', '{EMAIL}'], ['erin.cut@example.org', '{EMAIL}']);
    expect(applyMasks('x,erin.cut@example.org,y', cut)).toBe('x,{EMAIL},y');
  });
});

describe('checkText', () => {
  const email = 'erin.cut@example.org';

  test('an entity straddling the cut at every position is found whole in the next piece and masked, text neither lost nor repeated', async () => {
    for (let offset = 1; offset < email.length; offset++) {
      bedrock.reset();
      standIn();
      // The first piece ends `offset` characters into the address.
      const text = filler(CHUNK_CHARS - offset) + email + filler(10_000);
      const verdict = await checkText(client, CHECK_SETTINGS, text, recorder().logger);
      expect(sentTexts().map((sent) => sent.length)).toEqual([CHUNK_CHARS, text.length - CHUNK_CHARS + OVERLAP_CHARS]);
      expect(sentTexts()[0].endsWith(email.slice(0, offset))).toBe(true);
      expect(verdict).toEqual({
        kind: 'masked',
        text: text.replace(email, '{EMAIL}'),
        entityTypes: ['EMAIL'],
        regexNames: [],
      });
    }
  });

  test('a blocked entity straddling a cut is found whole, so the document is refused', async () => {
    standIn();
    const key = 'AKIAIOSFODNN7EXAMPLE';
    const text = filler(CHUNK_CHARS - 7) + key + filler(3_000);
    const verdict = await checkText(client, CHECK_SETTINGS, text, recorder().logger);
    expect(verdict).toEqual({ kind: 'blocked', entityTypes: ['AWS_ACCESS_KEY'], regexNames: [] });
  });

  test('multi-byte characters before a straddling entity: no request carries half a character, the address is masked', async () => {
    standIn();
    // An odd number of code units before the emoji run puts a surrogate pair across the first cut.
    const text = filler(CHUNK_CHARS - 101) + '😀'.repeat(40) + ' ' + email + ' ' + filler(500);
    const verdict = await checkText(client, CHECK_SETTINGS, text, recorder().logger);
    expect(sentTexts().every((sent) => !/^[\udc00-\udfff]|[\ud800-\udbff]$/.test(sent))).toBe(true);
    expect(verdict).toMatchObject({ kind: 'masked', text: text.replace(email, '{EMAIL}') });
  });

  test('the text is masked from the matches, never from the outputs: a blocked message from another policy is not indexed', async () => {
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
    expect(verdict).toEqual({ kind: 'masked', text: 'Contact {EMAIL}.', entityTypes: ['EMAIL'], regexNames: [] });
  });

  test('a masked entity that cannot be located in the text refuses the document rather than index it unmasked', async () => {
    bedrock.on(ApplyGuardrailCommand).resolves(maskedEmail('Contact {EMAIL}.'));
    const logs = recorder();
    // The response names an address the text does not hold as such (the guardrail normalised it).
    const verdict = await checkText(client, CHECK_SETTINGS, 'Contact OPS@EXAMPLE.COM.', logs.logger);
    expect(verdict).toEqual({ kind: 'blocked', entityTypes: ['EMAIL'], regexNames: [] });
    expect(JSON.stringify(logs.lines)).not.toContain('EXAMPLE.COM');
  });

  test('a piece the guardrail evaluated only in part makes the check incomplete, whatever else it found', async () => {
    bedrock.on(ApplyGuardrailCommand).resolves({
      ...none,
      guardrailCoverage: { textCharacters: { guarded: 20_000, total: 25_000 } },
    });
    const verdict = await checkText(client, CHECK_SETTINGS, filler(30_000), recorder().logger);
    expect(verdict).toEqual({ kind: 'incomplete' });
    expect(bedrock.commandCalls(ApplyGuardrailCommand)).toHaveLength(1);
  });

  test('full coverage, or none reported, is not a gap', async () => {
    bedrock
      .on(ApplyGuardrailCommand)
      .resolvesOnce({ ...none, guardrailCoverage: { textCharacters: { guarded: 25_000, total: 25_000 } } })
      .resolves(none);
    expect(await checkText(client, CHECK_SETTINGS, filler(30_000), recorder().logger)).toEqual({ kind: 'clean' });
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

  test('every request is OUTPUT with the configured guardrail and version', async () => {
    bedrock.on(ApplyGuardrailCommand).resolves(none);
    await checkText(client, CHECK_SETTINGS, filler(60_000), recorder().logger);
    const inputs = bedrock.commandCalls(ApplyGuardrailCommand).map((call) => call.args[0].input);
    expect(inputs).toHaveLength(3);
    for (const input of inputs) {
      expect(input).toMatchObject({
        source: 'OUTPUT',
        guardrailIdentifier: CHECK_SETTINGS.guardrailArn,
        guardrailVersion: CHECK_SETTINGS.guardrailVersion,
      });
    }
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
