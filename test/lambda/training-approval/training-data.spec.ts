import { CUSTOMIZABLE_MODELS } from '../../../lib/shared/customization-contract';
import {
  BASE_MODELS,
  contextTokens,
  isBaseModel,
  MAX_LISTED_PROBLEMS,
  MAX_RECORDS,
  MAX_TRAINING_BYTES,
  maxRecordCharacters,
  MIN_RECORDS,
  recordTexts,
  trainingDataProblems,
} from '../../../lib/shared/training-data';
import { BASE_MODEL, conversation, trainingFile } from './fixtures';

/** The problems of a file of nine good records and `record` as line 10 (enough records for the count rule). */
function problemsOfRecord(record: unknown): string[] {
  const line = typeof record === 'string' ? record : JSON.stringify(record);
  return trainingDataProblems(trainingFile(9) + line + '\n', BASE_MODEL).problems;
}

const turn = (role: string, text: string) => ({ role, content: [{ text }] });
const withMessages = (...messages: unknown[]) => ({ schemaVersion: 'bedrock-conversation-2024', messages });

describe('trainingDataProblems', () => {
  test('a file in the format of AWS example passes, with its size counted', () => {
    const text = trainingFile(10, (i) =>
      conversation(`Question ${i}?`, `Answer ${i}.`, 'You are a friendly assistant'),
    );
    const report = trainingDataProblems(text, BASE_MODEL);
    expect(report.problems).toEqual([]);
    expect(report.records).toBe(10);
    // 'You are a friendly assistant' (28) + 'Question n?' (11) + 'Answer n.' (9), 'Question 10?' and 'Answer 10.' one more each.
    expect(report.characters).toBe(9 * (28 + 11 + 9) + (28 + 12 + 10));
    expect(report.bytes).toBe(Buffer.byteLength(text));
    // Without a final newline, and with CRLF line ends, the same records.
    expect(trainingDataProblems(text.trimEnd().replace(/\n/g, '\r\n'), BASE_MODEL).problems).toEqual([]);
  });

  test('every customizable model is a base model with the fine-tuning context (32k, not its inference context); anything else is refused', () => {
    expect(BASE_MODELS).toEqual(Object.values(CUSTOMIZABLE_MODELS));
    expect(contextTokens('amazon.nova-micro-v1:0:128k')).toBe(32_000);
    expect(contextTokens('amazon.nova-lite-v1:0:300k')).toBe(32_000);
    expect(maxRecordCharacters('amazon.nova-pro-v1:0:300k')).toBe(32_000);
    expect(contextTokens('amazon.nova-premier-v1:0:1000k')).toBeUndefined();
    expect(isBaseModel('amazon.nova-micro-v1:0')).toBe(false);
    expect(trainingDataProblems(trainingFile(10), 'amazon.nova-micro-v1:0').problems[0]).toMatch(
      /"amazon.nova-micro-v1:0" is not a base model this project fine-tunes/,
    );
  });

  test(`${MIN_RECORDS} to ${MAX_RECORDS} records, the sample validator's bounds`, () => {
    expect(trainingDataProblems(trainingFile(MIN_RECORDS), BASE_MODEL).problems).toEqual([]);
    expect(trainingDataProblems(trainingFile(MIN_RECORDS - 1), BASE_MODEL).problems).toEqual([
      "the file has 7 records; AWS's sample validator accepts 8 to 20,000",
    ]);
    expect(trainingDataProblems('', BASE_MODEL).problems).toEqual([
      "the file has 0 records; AWS's sample validator accepts 8 to 20,000",
    ]);
    const tiny = (i: number) => conversation(`q${i}`, `a${i}`);
    expect(trainingDataProblems(trainingFile(MAX_RECORDS + 1, tiny), BASE_MODEL).problems).toEqual([
      "the file has 20001 records; AWS's sample validator accepts 8 to 20,000",
    ]);
  });

  test(`a file over ${MAX_TRAINING_BYTES} bytes is refused, whatever its records`, () => {
    // Each record under the per-record cap, the file over the project's.
    const long = 'word '.repeat(6_000);
    const records = Math.ceil(MAX_TRAINING_BYTES / Buffer.byteLength(long)) + 1;
    const text = trainingFile(records, (i) => conversation(`Summarise part ${i}`, long));
    expect(Buffer.byteLength(text)).toBeGreaterThan(MAX_TRAINING_BYTES);
    expect(trainingDataProblems(text, 'amazon.nova-pro-v1:0:300k').problems).toEqual([
      `the file is ${Buffer.byteLength(text)} bytes, over the project's ${MAX_TRAINING_BYTES} (what the approval function can screen in one run)`,
    ]);
  });

  test('a byte-order mark, a blank line and a line that is not JSON are each named by line', () => {
    expect(trainingDataProblems('\ufeff' + trainingFile(10), BASE_MODEL).problems).toEqual([
      'the file starts with a byte-order mark: save it as UTF-8 without one',
    ]);
    const lines = trainingFile(10).split('\n');
    lines.splice(3, 0, '  ');
    lines[6] = '{"schemaVersion": "x", "messages": [';
    expect(trainingDataProblems(lines.join('\n'), BASE_MODEL).problems).toEqual([
      'line 4: empty line (every line must hold one record)',
      'line 7: not valid JSON',
    ]);
  });

  test('a record is a JSON object with schemaVersion, optional system and messages, and nothing else', () => {
    expect(problemsOfRecord([conversation('q', 'a')])).toEqual(['line 10: must be a JSON object']);
    expect(problemsOfRecord({ ...conversation('q', 'a'), toolConfig: { tools: [] } })).toEqual([
      'line 10: has "toolConfig": only "schemaVersion", "system" and "messages" are accepted',
    ]);
    const noVersion = conversation('q', 'a');
    delete noVersion.schemaVersion;
    expect(problemsOfRecord(noVersion)).toEqual([
      'line 10: "schemaVersion" must be a string (for example "bedrock-conversation-2024")',
    ]);
    expect(problemsOfRecord({ ...conversation('q', 'a'), schemaVersion: 2024 })[0]).toMatch(
      /"schemaVersion" must be a string/,
    );
    // "schemaVersion can be any string value".
    expect(problemsOfRecord({ ...conversation('q', 'a'), schemaVersion: 'my-own' })).toEqual([]);
  });

  test('a system prompt is a non-empty array of text blocks', () => {
    expect(problemsOfRecord({ ...conversation('q', 'a'), system: 'Be kind' })).toEqual([
      'line 10: system must be a non-empty array of {"text": "..."} blocks',
    ]);
    expect(problemsOfRecord({ ...conversation('q', 'a'), system: [] })[0]).toMatch(/system must be a non-empty array/);
    expect(problemsOfRecord(conversation('q', 'a', ' '))).toEqual([
      'line 10: system[0].text must be a string with some non-blank text',
    ]);
  });

  test('turns alternate user and assistant, from user to assistant, at least two', () => {
    expect(problemsOfRecord(withMessages(turn('user', 'q')))).toEqual([
      'line 10: "messages" must be an array of at least two turns, a "user" turn and then an "assistant" turn',
    ]);
    expect(problemsOfRecord(withMessages(turn('assistant', 'a'), turn('user', 'q')))).toEqual([
      'line 10: messages[0] has "assistant" where "user" is expected: turns alternate, starting with "user"',
    ]);
    expect(problemsOfRecord(withMessages(turn('user', 'q'), turn('user', 'q2'), turn('assistant', 'a')))[0]).toMatch(
      /messages\[1\] has "user" where "assistant" is expected/,
    );
    expect(problemsOfRecord(withMessages(turn('user', 'q'), turn('assistant', 'a'), turn('user', 'q2')))).toEqual([
      'line 10: the last turn must be an "assistant" turn (the response the model learns)',
    ]);
    expect(problemsOfRecord(withMessages(turn('system', 's'), turn('assistant', 'a')))[0]).toMatch(
      /messages\[0\] has "system" where "user" is expected/,
    );
    expect(
      problemsOfRecord(withMessages({ role: 'user', content: [{ text: 'q' }], id: 1 }, turn('assistant', 'a'))),
    ).toEqual(['line 10: messages[0] has "id": only "role" and "content" are accepted']);
    // Several exchanges in one record are fine.
    expect(
      problemsOfRecord(
        withMessages(turn('user', 'q'), turn('assistant', 'a'), turn('user', 'q2'), turn('assistant', 'a2')),
      ),
    ).toEqual([]);
  });

  test('content is text blocks only: no media, no tool use, no empty text', () => {
    const content = (blocks: unknown) => withMessages({ role: 'user', content: blocks }, turn('assistant', 'a'));
    expect(problemsOfRecord(content([]))).toEqual([
      'line 10: messages[0].content must be a non-empty array of {"text": "..."} blocks',
    ]);
    const image = { image: { format: 'png', source: { s3Location: { uri: 's3://bucket/a.png' } } } };
    expect(problemsOfRecord(content([{ text: 'What is this?' }, image]))).toEqual([
      'line 10: messages[0].content[1] is an image block: this project trains on text only (media would need a malware scan and a sensitive-information screen of their own)',
    ]);
    expect(problemsOfRecord(content([{ video: {} }]))[0]).toMatch(/content\[0\] is a video block/);
    expect(problemsOfRecord(content([{ toolUse: { toolUseId: '1', name: 'x', input: {} } }]))).toEqual([
      'line 10: messages[0].content[0] has "toolUse": only "text" is accepted',
    ]);
    expect(problemsOfRecord(content([{ text: '' }]))[0]).toMatch(
      /content\[0\]\.text must be a string with some non-blank text/,
    );
    expect(problemsOfRecord(content([{ text: 42 }]))[0]).toMatch(/content\[0\]\.text must be a string/);
  });

  test('the reserved keywords are refused in any text and any letter case', () => {
    expect(problemsOfRecord(conversation('User: how do I reset it?', 'a'))).toEqual([
      'line 10: messages[0].content[0].text contains the reserved keyword "User:" (any letter case), which fails the training job',
    ]);
    expect(problemsOfRecord(conversation('q', 'Sure. assistant: here it is'))[0]).toMatch(
      /messages\[1\].*"Assistant:"/,
    );
    expect(problemsOfRecord(conversation('q', 'a', 'End each answer with [EOS] and <image>'))).toEqual([
      'line 10: system[0].text contains the reserved keywords "<image>", "[EOS]" (any letter case), which fails the training job',
    ]);
    for (const keyword of ['Bot:', 'System:', '<video>', '<unk>']) {
      expect(problemsOfRecord(conversation(`x ${keyword} y`, 'a'))).toHaveLength(1);
    }
    // The words alone are not keywords.
    expect(problemsOfRecord(conversation('Ask the user or the system bot', 'The assistant helps.'))).toEqual([]);
  });

  test("a record's text is capped by the base model's context, at one character per token", () => {
    const cap = maxRecordCharacters(BASE_MODEL) ?? 0;
    expect(problemsOfRecord(conversation('q'.repeat(cap - 1), 'a'))).toEqual([]);
    expect(problemsOfRecord(conversation('q'.repeat(cap), 'a'))).toEqual([
      `line 10: holds ${cap + 1} characters of text, over ${cap} (a rough guard for the base model's context, at one character per token)`,
    ]);
  });

  test(`at most ${MAX_LISTED_PROBLEMS} problems are listed, then counted; no text of a record is quoted`, () => {
    const secret = 'Call Jane Doe on 555-0100';
    const text = trainingFile(30, (i) => conversation(`User: ${secret} ${i}`, 'a'));
    const { problems, records } = trainingDataProblems(text, BASE_MODEL);
    expect(records).toBe(30);
    expect(problems).toHaveLength(MAX_LISTED_PROBLEMS + 1);
    expect(problems[0]).toMatch(/^line 1: /);
    expect(problems[MAX_LISTED_PROBLEMS]).toBe('and 10 more');
    expect(problems.join('\n')).not.toMatch(/Jane|555/);
  });
});

describe('recordTexts', () => {
  test("each valid record's system prompt and turns, in order, with its line", () => {
    const text = [
      JSON.stringify(conversation('First question', 'First answer', 'Be brief')),
      '',
      'not json',
      JSON.stringify(
        withMessages(turn('user', 'q1'), turn('assistant', 'a1'), turn('user', 'q2'), turn('assistant', 'a2')),
      ),
    ].join('\n');
    expect(recordTexts(text)).toEqual([
      { line: 1, text: 'Be brief\n\nFirst question\n\nFirst answer' },
      { line: 4, text: 'q1\n\na1\n\nq2\n\na2' },
    ]);
  });
});
