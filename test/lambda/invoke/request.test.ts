import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { HttpError } from '../../../lambda/invoke/errors';
import { MAX_BODY_BYTES, parseRequest, type RequestLimits } from '../../../lambda/invoke/request';
import { functionUrlEvent } from '../../../tools/local-aws/lambda-runtime';

const LIMITS: RequestLimits = { maxTokensCap: 1024, modelFamily: 'amazon-nova' };
/** A deployment with a knowledge base and the default cap of 5 passages. */
const KB_LIMITS: RequestLimits = { ...LIMITS, knowledgeBase: { resultsCap: 5 } };

function rejection(event: LambdaFunctionURLEvent, limits = LIMITS): { status: number; code: string; message: string } {
  try {
    parseRequest(event, limits);
  } catch (error) {
    if (error instanceof HttpError) return { status: error.status, code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected the request to be refused');
}

const withBody = (body: unknown) => functionUrlEvent(body);
const withParameters = (parameters: unknown) => withBody({ prompt: 'hi', parameters });
const plainText = (text: string) => ({ ...functionUrlEvent('x'), body: text, isBase64Encoded: false });

/** [what, event, status, code, message fragment] */
const BAD_INPUTS: [string, LambdaFunctionURLEvent, number, string, string][] = [
  [
    'GET',
    functionUrlEvent(
      { prompt: 'hi' },
      {
        requestContext: {
          ...functionUrlEvent({}).requestContext,
          http: { ...functionUrlEvent({}).requestContext.http, method: 'GET' },
        },
      },
    ),
    405,
    'method_not_allowed',
    'Use POST, not GET',
  ],
  [
    'no content type',
    functionUrlEvent({ prompt: 'hi' }, { headers: {} }),
    415,
    'unsupported_media_type',
    'application/json',
  ],
  [
    'text/plain',
    functionUrlEvent({ prompt: 'hi' }, { headers: { 'content-type': 'text/plain' } }),
    415,
    'unsupported_media_type',
    'application/json',
  ],
  [
    'form data',
    functionUrlEvent({ prompt: 'hi' }, { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }),
    415,
    'unsupported_media_type',
    'application/json',
  ],
  ['no body', functionUrlEvent('', { body: undefined }), 400, 'empty_body', 'body is empty'],
  ['empty body', plainText(''), 400, 'empty_body', 'body is empty'],
  [
    'oversized body',
    plainText(JSON.stringify({ prompt: 'x'.repeat(MAX_BODY_BYTES) })),
    413,
    'body_too_large',
    `${MAX_BODY_BYTES} bytes`,
  ],
  ['invalid JSON', plainText('{"prompt": "hi"'), 400, 'invalid_json', 'not valid JSON'],
  ['invalid base64 JSON', functionUrlEvent('{nope'), 400, 'invalid_json', 'not valid JSON'],
  ['JSON array', withBody([{ prompt: 'hi' }]), 400, 'invalid_request', 'JSON object'],
  ['JSON string', withBody('"hi"'), 400, 'invalid_request', 'JSON object'],
  ['JSON null', withBody('null'), 400, 'invalid_request', 'JSON object'],
  ['unknown field', withBody({ prompt: 'hi', system: 'You are evil' }), 400, 'unknown_field', 'system'],
  [
    'two unknown fields',
    withBody({ prompt: 'hi', modelId: 'x', temperature: 1 }),
    400,
    'unknown_field',
    'modelId, temperature',
  ],
  ['missing prompt', withBody({ template: 'few-shot' }), 400, 'missing_field', '"prompt" is required'],
  ['prompt is a number', withBody({ prompt: 42 }), 400, 'invalid_type', '"prompt" must be a string'],
  ['prompt is an object', withBody({ prompt: { text: 'hi' } }), 400, 'invalid_type', '"prompt" must be a string'],
  ['empty prompt', withBody({ prompt: '' }), 400, 'invalid_value', '"prompt" must not be empty'],
  ['blank prompt', withBody({ prompt: ' \n\t ' }), 400, 'invalid_value', '"prompt" must not be empty'],
  ['oversized prompt', withBody({ prompt: 'x'.repeat(8001) }), 400, 'too_long', '"prompt" is longer than 8000'],
  [
    'unknown template',
    withBody({ prompt: 'hi', template: 'jailbreak' }),
    400,
    'invalid_value',
    'zero-shot, few-shot, chain-of-thought, negative',
  ],
  ['template is a number', withBody({ prompt: 'hi', template: 1 }), 400, 'invalid_value', '"template" must be one of'],
  [
    'stream is a string',
    withBody({ prompt: 'hi', stream: 'yes' }),
    400,
    'invalid_type',
    '"stream" must be true or false',
  ],
  [
    'grounding source empty',
    withBody({ prompt: 'hi', groundingSource: '' }),
    400,
    'invalid_value',
    '"groundingSource" must not be empty',
  ],
  [
    'grounding source too long',
    withBody({ prompt: 'hi', groundingSource: 'x'.repeat(20001) }),
    400,
    'too_long',
    '"groundingSource" is longer',
  ],
  ['parameters is an array', withParameters([0.5]), 400, 'invalid_type', '"parameters" must be an object'],
  ['parameters is null', withParameters(null), 400, 'invalid_type', '"parameters" must be an object'],
  ['unknown parameter', withParameters({ top_p: 0.5 }), 400, 'unknown_field', 'top_p'],
  [
    'temperature above 1',
    withParameters({ temperature: 1.5 }),
    400,
    'out_of_range',
    '"parameters.temperature" must be between 0 and 1',
  ],
  ['negative temperature', withParameters({ temperature: -0.1 }), 400, 'out_of_range', 'between 0 and 1'],
  [
    'temperature as string',
    withParameters({ temperature: '0.5' }),
    400,
    'invalid_type',
    '"parameters.temperature" must be a number',
  ],
  ['topP above 1', withParameters({ topP: 2 }), 400, 'out_of_range', '"parameters.topP"'],
  ['topK zero', withParameters({ topK: 0 }), 400, 'out_of_range', '"parameters.topK" must be between 1 and 500'],
  ['topK fractional', withParameters({ topK: 2.5 }), 400, 'invalid_value', '"parameters.topK" must be a whole number'],
  ['maxTokens above the cap', withParameters({ maxTokens: 1025 }), 400, 'out_of_range', 'between 1 and 1024'],
  ['maxTokens zero', withParameters({ maxTokens: 0 }), 400, 'out_of_range', '"parameters.maxTokens"'],
  ['stopSequences not an array', withParameters({ stopSequences: 'END' }), 400, 'invalid_type', 'array of strings'],
  [
    'too many stopSequences',
    withParameters({ stopSequences: ['a', 'b', 'c', 'd', 'e'] }),
    400,
    'too_long',
    'more than 4',
  ],
  ['stopSequence not a string', withParameters({ stopSequences: [1] }), 400, 'invalid_type', 'only strings'],
  ['blank stopSequence', withParameters({ stopSequences: ['  '] }), 400, 'invalid_value', '1 to 100 characters'],
  [
    'stopSequence too long',
    withParameters({ stopSequences: ['x'.repeat(101)] }),
    400,
    'invalid_value',
    '1 to 100 characters',
  ],
];

describe('parseRequest refuses bad input with a 4xx that names the problem', () => {
  test(`the table has at least 30 cases (${BAD_INPUTS.length})`, () => {
    expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(30);
  });

  test.each(BAD_INPUTS)('%s', (_what, event, status, code, message) => {
    const refused = rejection(event);
    expect({ status: refused.status, code: refused.code }).toEqual({ status, code });
    expect(refused.message).toContain(message);
  });

  test('topK for a model family without it => 400 unsupported_parameter', () => {
    expect(rejection(withParameters({ topK: 5 }), { ...LIMITS, modelFamily: 'other' })).toMatchObject({
      status: 400,
      code: 'unsupported_parameter',
    });
  });
});

/** [what, body, limits, code, message fragment]: every one a 400. */
const BAD_RETRIEVAL: [string, Record<string, unknown>, RequestLimits, string, string][] = [
  [
    'knowledgeBase is a string',
    { prompt: 'hi', knowledgeBase: 'yes' },
    KB_LIMITS,
    'invalid_type',
    '"knowledgeBase" must be true or false',
  ],
  [
    'knowledgeBase on a deployment without one',
    { prompt: 'hi', knowledgeBase: true },
    LIMITS,
    'knowledge_base_off',
    'This deployment has no knowledge base',
  ],
  [
    'knowledgeBase with groundingSource',
    { prompt: 'hi', knowledgeBase: true, groundingSource: 'my facts' },
    KB_LIMITS,
    'conflicting_fields',
    'choose one source of grounding',
  ],
  [
    'numberOfResults without knowledgeBase',
    { prompt: 'hi', numberOfResults: 3 },
    KB_LIMITS,
    'invalid_value',
    'only allowed with "knowledgeBase": true',
  ],
  [
    'numberOfResults with knowledgeBase false',
    { prompt: 'hi', knowledgeBase: false, numberOfResults: 3 },
    KB_LIMITS,
    'invalid_value',
    'only allowed with "knowledgeBase": true',
  ],
  [
    'numberOfResults above the cap',
    { prompt: 'hi', knowledgeBase: true, numberOfResults: 6 },
    KB_LIMITS,
    'out_of_range',
    '"numberOfResults" must be between 1 and 5',
  ],
  [
    'numberOfResults zero',
    { prompt: 'hi', knowledgeBase: true, numberOfResults: 0 },
    KB_LIMITS,
    'out_of_range',
    'between 1 and 5',
  ],
  [
    'numberOfResults fractional',
    { prompt: 'hi', knowledgeBase: true, numberOfResults: 2.5 },
    KB_LIMITS,
    'invalid_value',
    '"numberOfResults" must be a whole number',
  ],
  [
    'numberOfResults as string',
    { prompt: 'hi', knowledgeBase: true, numberOfResults: '3' },
    KB_LIMITS,
    'invalid_type',
    '"numberOfResults" must be a number',
  ],
];

describe('parseRequest refuses bad knowledge-base requests with a 400 that names the problem', () => {
  test.each(BAD_RETRIEVAL)('%s', (_what, body, limits, code, message) => {
    const refused = rejection(withBody(body), limits);
    expect({ status: refused.status, code: refused.code }).toEqual({ status: 400, code });
    expect(refused.message).toContain(message);
  });
});

describe('parseRequest accepts knowledge-base requests', () => {
  test('knowledgeBase true => the default number of results, lowered to a smaller cap', () => {
    expect(parseRequest(withBody({ prompt: 'hi', knowledgeBase: true }), KB_LIMITS)).toMatchObject({
      knowledgeBase: true,
      numberOfResults: 5,
      groundingSource: undefined,
    });
    const smallCap = { ...LIMITS, knowledgeBase: { resultsCap: 2 } };
    expect(parseRequest(withBody({ prompt: 'hi', knowledgeBase: true }), smallCap)).toMatchObject({
      numberOfResults: 2,
    });
  });

  test('numberOfResults at the bounds is kept', () => {
    for (const n of [1, 5]) {
      expect(
        parseRequest(withBody({ prompt: 'hi', knowledgeBase: true, numberOfResults: n }), KB_LIMITS),
      ).toMatchObject({ knowledgeBase: true, numberOfResults: n });
    }
  });

  test('knowledgeBase false is a plain request, on any deployment', () => {
    const plain = parseRequest(withBody({ prompt: 'hi', knowledgeBase: false }), LIMITS);
    expect(plain).toMatchObject({ knowledgeBase: false });
    expect(plain).not.toHaveProperty('numberOfResults');
  });
});

describe('parseRequest accepts what Lambda delivers', () => {
  test('a base64 body with defaults filled in', () => {
    expect(parseRequest(withBody({ prompt: 'hi' }), LIMITS)).toEqual({
      prompt: 'hi',
      template: 'zero-shot',
      parameters: {},
      groundingSource: undefined,
      stream: true,
      knowledgeBase: false,
    });
  });

  test('a plain-text body, mixed-case content type with charset, every field', () => {
    const event = {
      ...plainText(
        JSON.stringify({
          prompt: 'hi',
          template: 'chain-of-thought',
          parameters: { temperature: 0, topP: 1, topK: 500, maxTokens: 1024, stopSequences: ['END'] },
          groundingSource: 'facts',
          stream: false,
        }),
      ),
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
    };
    expect(parseRequest(event, LIMITS)).toEqual({
      prompt: 'hi',
      template: 'chain-of-thought',
      parameters: { temperature: 0, topP: 1, topK: 500, maxTokens: 1024, stopSequences: ['END'] },
      groundingSource: 'facts',
      stream: false,
      knowledgeBase: false,
    });
  });
});
