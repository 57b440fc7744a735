import { command, printResponse, regionOf, requestBody, signedRequest, sourcesText } from '../../scripts/ask';
import { parseCommand } from '../../scripts/cli/command';

const parseArgs = (argv: string[]) => ({ body: requestBody(parseCommand(command, argv)) });

describe('ask: command line', () => {
  test('prompt and every option => the request body the function validates', () => {
    expect(
      parseArgs([
        'Why is the sky blue?',
        '--template',
        'chain-of-thought',
        '--temperature',
        '0.2',
        '--top-p',
        '0.9',
        '--top-k',
        '20',
        '--max-tokens',
        '300',
        '--stop',
        'END',
        '--no-stream',
      ]).body,
    ).toEqual({
      prompt: 'Why is the sky blue?',
      template: 'chain-of-thought',
      stream: false,
      parameters: { temperature: 0.2, topP: 0.9, topK: 20, maxTokens: 300, stopSequences: ['END'] },
    });
  });

  test.each([
    [[], /missing prompt/],
    [['a', 'b'], /one argument/],
    [['a', '--temperature'], /--temperature needs a value/],
    [['a', '--temperature', 'hot'], /--temperature needs a number from 0 to 1, got "hot"/],
    [['a', '--top-k', '2.5'], /--top-k needs a whole number/],
    [['a', '--template', 'poem'], /--template must be one of zero-shot, few-shot/],
    [['a', '--model', 'x'], /unknown option --model/],
    [['a', '--no-stream=yes'], /--no-stream takes no value/],
    [['   '], /the prompt is empty/],
    [['a', '--results', '3'], /--results needs --knowledge/],
    [['a', '--knowledge', '--results', '0'], /--results needs a whole number from 1 to 20, got 0/],
    [['a', '--knowledge', '--results', '21'], /--results needs a whole number from 1 to 20/],
    [['a', '--knowledge', '--grounding-file', 'policy.txt'], /--knowledge or --grounding-file, not both/],
  ])('%j => a clear error', (argv: string[], message) => {
    expect(() => parseArgs(argv)).toThrow(message);
  });

  test('--knowledge => knowledgeBase true, with numberOfResults only when --results is given', () => {
    expect(parseArgs(['How are documents promoted?', '--knowledge']).body).toEqual({
      prompt: 'How are documents promoted?',
      knowledgeBase: true,
    });
    expect(parseArgs(['How are documents promoted?', '--knowledge', '--results', '3', '--no-stream']).body).toEqual({
      prompt: 'How are documents promoted?',
      knowledgeBase: true,
      numberOfResults: 3,
      stream: false,
    });
  });

  test('region from the function URL host', () => {
    expect(regionOf('https://abc123.lambda-url.eu-central-1.on.aws/')).toBe('eu-central-1');
    expect(() => regionOf('https://example.com/')).toThrow(/not a Lambda function URL/);
  });
});

test('the request is signed with SigV4 for the lambda service in the URL region', async () => {
  const { init } = await signedRequest('https://abc.lambda-url.eu-west-1.on.aws/', 'eu-west-1', '{"prompt":"hi"}', {
    accessKeyId: 'AKIDEXAMPLE',
    secretAccessKey: 'secret',
  });
  const headers = init.headers as Record<string, string>;
  expect(headers.authorization).toMatch(
    /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/lambda\/aws4_request/,
  );
  expect(headers['x-amz-content-sha256'] ?? headers['x-amz-date']).toBeDefined();
});

describe('ask: printing the answer', () => {
  const captured = () => {
    const out = { text: '', errors: [] as string[] };
    return { out, sink: { write: (t: string) => (out.text += t), error: (t: string) => out.errors.push(t) } };
  };
  const sse = (...events: [string, unknown][]) =>
    new Response(events.map(([e, d]) => `event: ${e}\ndata: ${JSON.stringify(d)}\n\n`).join(''), {
      headers: { 'content-type': 'text/event-stream' },
    });

  test('streamed text is written as it comes; a guardrail intervention is shown plainly', async () => {
    const { out, sink } = captured();
    const code = await printResponse(
      sse(
        ['text', { text: 'Hel' }],
        ['text', { text: 'lo' }],
        ['metadata', { guardrail: { intervened: true, policies: ['sensitive-information'] } }],
      ),
      sink,
    );
    expect(code).toBe(0);
    expect(out.text).toBe('Hello\n');
    expect(out.errors).toEqual(['[guardrail intervened: sensitive-information]']);
  });

  test('an error event mid-stream => exit 1 with the server message', async () => {
    const { out, sink } = captured();
    const code = await printResponse(
      sse(
        ['text', { text: 'Par' }],
        ['error', { error: { code: 'upstream_error', message: 'The model failed while answering.' } }],
      ),
      sink,
    );
    expect(code).toBe(1);
    expect(out.errors).toEqual(['Error (upstream_error): The model failed while answering.']);
  });

  test('an HTTP error => exit 1 with status, code and message', async () => {
    const { out, sink } = captured();
    const response = new Response(
      JSON.stringify({ error: { code: 'throttled', message: 'Retry in 5 seconds.', requestId: 'r' } }),
      {
        status: 429,
        headers: { 'content-type': 'application/json' },
      },
    );
    expect(await printResponse(response, sink)).toBe(1);
    expect(out.errors).toEqual(['Error 429 (throttled): Retry in 5 seconds.']);
  });

  test('a JSON answer (no stream) => its text', async () => {
    const { out, sink } = captured();
    const response = new Response(
      JSON.stringify({ text: 'Blue light scatters more.', guardrail: { intervened: false, policies: [] } }),
      {
        headers: { 'content-type': 'application/json' },
      },
    );
    expect(await printResponse(response, sink)).toBe(0);
    expect(out.text).toBe('Blue light scatters more.\n');
  });
});

describe('ask --knowledge: the sources', () => {
  const captured = () => {
    const out = { text: '', errors: [] as string[] };
    return { out, sink: { write: (t: string) => (out.text += t), error: (t: string) => out.errors.push(t) } };
  };
  const bucket = 'guardedgenai-dataprotection-databucket-1a2b3c4d5e6f';
  const citations = [
    {
      index: 1,
      location: `s3://${bucket}/knowledge/docs/data-protection.md`,
      passage:
        '# Data protection\n\nDocuments land in incoming/ and are never indexed there; only clean ones are copied to knowledge/.',
      score: 0.7134,
    },
    {
      index: 2,
      location: `s3://${bucket}/knowledge/handbook/leave.md`,
      passage: `  ${'A very long line of policy text. '.repeat(10)}\nSecond line.\nThird line is not shown.`,
      score: 0.5,
    },
  ];
  const SOURCES = [
    '',
    'Sources:',
    `  [1] s3://${bucket}/knowledge/docs/data-protection.md (score 0.71)`,
    '      # Data protection',
    '      Documents land in incoming/ and are never indexed there; only clean ones are copied to knowledge/.',
    `  [2] s3://${bucket}/knowledge/handbook/leave.md (score 0.50)`,
    '      A very long line of policy text. A very long line of policy text. A very long line of policy text.…',
    '      Second line.',
    '',
  ].join('\n');

  test('streamed: the answer, then after the metadata the Sources list from the citations event', async () => {
    const { out, sink } = captured();
    const response = new Response(
      [
        ['text', { text: 'Only clean documents ' }],
        ['text', { text: 'are indexed [1].' }],
        ['citations', { citations }],
        ['metadata', { guardrail: { intervened: false, policies: [] }, requestId: 'r1' }],
      ]
        .map(([e, d]) => `event: ${e}\ndata: ${JSON.stringify(d)}\n\n`)
        .join(''),
      { headers: { 'content-type': 'text/event-stream' } },
    );
    expect(await printResponse(response, sink)).toBe(0);
    expect(out.text).toBe(`Only clean documents are indexed [1].\n${SOURCES}`);
    expect(out.errors).toEqual([]);
  });

  test('JSON (--no-stream): the same list from the citations field', async () => {
    const { out, sink } = captured();
    const response = new Response(
      JSON.stringify({
        text: 'Only clean documents are indexed [1].',
        guardrail: { intervened: false, policies: [] },
        citations,
      }),
      { headers: { 'content-type': 'application/json' } },
    );
    expect(await printResponse(response, sink)).toBe(0);
    expect(out.text).toBe(`Only clean documents are indexed [1].\n${SOURCES}`);
  });

  test('no passages => says nothing matched; withheld by the guardrail => says so instead', () => {
    expect(sourcesText([])).toBe(
      '\nSources: none; nothing in the knowledge base matched (load documents with npm run ingest)\n',
    );
    expect(sourcesText([], true)).toBe('\nSources: withheld, because the guardrail intervened\n');
  });

  test('a plain answer (no citations field) prints no Sources list', async () => {
    const { out, sink } = captured();
    const response = new Response(JSON.stringify({ text: 'Blue.', guardrail: { intervened: false, policies: [] } }), {
      headers: { 'content-type': 'application/json' },
    });
    await printResponse(response, sink);
    expect(out.text).toBe('Blue.\n');
  });

  test('control characters in a passage (terminal escapes from a document) are not printed', () => {
    const text = sourcesText([
      { index: 1, location: `s3://${bucket}/knowledge/x.md`, passage: 'Safe \u001b]0;owned\u0007text\u001b[2J here' },
    ]);
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(text).toContain('Safe  ]0;owned text [2J here');
    expect(text).not.toContain('(score');
  });
});
