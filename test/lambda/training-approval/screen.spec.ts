import { ApplyGuardrailCommand, type ApplyGuardrailResponse } from '@aws-sdk/client-bedrock-runtime';
import { CHUNK_CHARS, OVERLAP_CHARS } from '../../../lambda/promote/check';
import {
  describeFinding,
  groupRecords,
  RECORD_SEPARATOR,
  screenRecords,
} from '../../../lambda/training-approval/screen';
import { assess } from '../../../tools/local-aws/guardrail-stand-in';
import { bedrock, GUARDRAIL_ARN, recorder } from './fixtures';

const GUARDRAIL = { guardrailArn: GUARDRAIL_ARN, guardrailVersion: '2' };
const record = (line: number, length: number, fill = 'x') => ({ line, text: fill.repeat(length) });
const sent = () =>
  bedrock.commandCalls(ApplyGuardrailCommand).map((call) => call.args[0].input.content?.[0].text?.text ?? '');

beforeEach(() => bedrock.reset());

describe('groupRecords', () => {
  test('records are grouped in order up to the piece size, cut only between records', () => {
    const half = (CHUNK_CHARS - RECORD_SEPARATOR.length) / 2;
    const records = [record(1, half), record(2, half), record(3, half), record(4, 10), record(7, 10)];
    const groups = groupRecords(records);
    expect(groups.map(({ firstLine, lastLine, records: count }) => ({ firstLine, lastLine, count }))).toEqual([
      { firstLine: 1, lastLine: 2, count: 2 },
      { firstLine: 3, lastLine: 7, count: 3 },
    ]);
    expect(groups[0].text).toHaveLength(CHUNK_CHARS);
    expect(groups[1].text).toBe(['x'.repeat(half), 'x'.repeat(10), 'x'.repeat(10)].join(RECORD_SEPARATOR));
    for (const group of groups) expect(group.text.length).toBeLessThanOrEqual(CHUNK_CHARS);
  });

  test('a record longer than a piece is a group of its own', () => {
    const groups = groupRecords([record(1, 10), record(2, CHUNK_CHARS + 1), record(3, 10)]);
    expect(groups.map((g) => [g.firstLine, g.lastLine, g.text.length])).toEqual([
      [1, 1, 10],
      [2, 2, CHUNK_CHARS + 1],
      [3, 3, 10],
    ]);
    expect(groupRecords([])).toEqual([]);
  });
});

describe('screenRecords', () => {
  test('each group is one request of whole records; a long record is cut by checkText into overlapping pieces', async () => {
    bedrock.on(ApplyGuardrailCommand).callsFake((input) => assess(input.source, input.content));
    const records = [record(1, 100, 'a'), record(2, CHUNK_CHARS + 5_000, 'b'), record(3, 100, 'c')];
    const { check, findings } = await screenRecords(bedrock as never, GUARDRAIL, records, recorder().logger);
    expect(findings).toEqual([]);
    expect(check).toEqual({
      name: 'sensitive-information',
      passed: true,
      detail: `3 records, in 3 groups of whole records, screened by the guardrail ${GUARDRAIL_ARN} version 2: nothing detected`,
    });
    const texts = sent();
    expect(texts.map((t) => t.length)).toEqual([100, CHUNK_CHARS, 5_000 + OVERLAP_CHARS, 100]);
    expect(texts[0]).toBe('a'.repeat(100));
    expect(texts[3]).toBe('c'.repeat(100));
    const input = bedrock.commandCalls(ApplyGuardrailCommand)[0].args[0].input;
    expect(input).toMatchObject({ guardrailIdentifier: GUARDRAIL_ARN, guardrailVersion: '2', source: 'OUTPUT' });
  });

  test('every group is screened; findings name their lines and entity types, never the text', async () => {
    bedrock.on(ApplyGuardrailCommand).callsFake((input) => assess(input.source, input.content));
    // Sizes that make three groups of two records each.
    const big = CHUNK_CHARS - 50;
    const records = [
      { line: 1, text: 'Write to ops@example.com for access' },
      { line: 2, text: 'x'.repeat(big) },
      { line: 3, text: 'Payroll: SSN 123-45-6789' },
      { line: 4, text: 'z'.repeat(100) },
      { line: 5, text: 'y'.repeat(big) },
      { line: 6, text: 'Record GGA-2024-AB12CD was closed' },
    ];
    const { lines, logger } = recorder();
    const { check, findings } = await screenRecords(bedrock as never, GUARDRAIL, records, logger, { batch: 'b1' });
    expect(findings.map(describeFinding)).toEqual([
      'lines 1-2: EMAIL',
      'lines 3-4: US_SOCIAL_SECURITY_NUMBER',
      'lines 5-6: regex internal-record-id',
    ]);
    expect(check.passed).toBe(false);
    expect(check.detail).toBe(
      `the guardrail ${GUARDRAIL_ARN} version 2 found sensitive information in lines 1-2: EMAIL; lines 3-4: US_SOCIAL_SECURITY_NUMBER; lines 5-6: regex internal-record-id`,
    );
    const logged = JSON.stringify(lines) + check.detail;
    expect(logged).not.toMatch(/ops@example|123-45|GGA-2024/);
    expect(lines.filter((l) => l.message === 'Sensitive information in training records')[0].fields).toMatchObject({
      batch: 'b1',
      firstLine: 1,
      lastLine: 2,
      kind: 'masked',
    });
  });

  test('a response that guarded fewer characters than it was sent is a finding too', async () => {
    const partial: ApplyGuardrailResponse = {
      action: 'NONE',
      outputs: [],
      assessments: [{}],
      usage: {
        topicPolicyUnits: 0,
        contentPolicyUnits: 0,
        wordPolicyUnits: 0,
        sensitiveInformationPolicyUnits: 1,
        sensitiveInformationPolicyFreeUnits: 0,
        contextualGroundingPolicyUnits: 0,
      },
      guardrailCoverage: { textCharacters: { guarded: 5, total: 12 } },
    };
    bedrock.on(ApplyGuardrailCommand).resolves(partial);
    const { findings, check } = await screenRecords(
      bedrock as never,
      GUARDRAIL,
      [{ line: 9, text: 'hello world!' }],
      recorder().logger,
    );
    expect(findings.map(describeFinding)).toEqual(['line 9: the guardrail evaluated only part of the text']);
    expect(check.passed).toBe(false);
  });
});
