import { parseConfig } from '../lib/config';
import { problemsOf } from './support/config-problems';

describe('governance settings', () => {
  test('enforcedGuardrail is off unless asked for: it changes every Bedrock call in the account', () => {
    expect(parseConfig({}).enforcedGuardrail).toBe('off');
    expect(parseConfig({ enforcedGuardrail: 'create' }).enforcedGuardrail).toBe('create');
  });

  test.each([true, 'true', 'existing', 'on', 'CREATE', ''])(
    'enforcedGuardrail %p is refused, naming the two values',
    (value) => {
      expect(problemsOf({ enforcedGuardrail: value })).toEqual([
        expect.stringMatching(/^enforcedGuardrail: .*"create" or "off"/),
      ]);
    },
  );

  test('the model card is a Draft of Medium risk until someone decides otherwise', () => {
    const config = parseConfig({});
    expect([config.modelCardStatus, config.modelRiskRating]).toEqual(['Draft', 'Medium']);
  });

  test.each(['Draft', 'PendingReview', 'Approved'])('modelCardStatus "%s" is accepted', (status) => {
    expect(parseConfig({ modelCardStatus: status }).modelCardStatus).toBe(status);
  });

  test.each(['Archived', 'approved', 'Pending', ''])(
    'modelCardStatus %p is refused (an archived card is meant to take no more updates, and a deployment updates it)',
    (status) => {
      expect(problemsOf({ modelCardStatus: status })).toEqual([
        expect.stringMatching(/^modelCardStatus: .*"Draft", "PendingReview" or "Approved"/),
      ]);
    },
  );

  test.each(['Low', 'Medium', 'High', 'Unknown'])('modelRiskRating "%s" is accepted', (rating) => {
    expect(parseConfig({ modelRiskRating: rating }).modelRiskRating).toBe(rating);
  });

  test.each(['high', 'Critical', 3, ''])('modelRiskRating %p is refused, naming the four values', (rating) => {
    expect(problemsOf({ modelRiskRating: rating })).toEqual([
      expect.stringMatching(/^modelRiskRating: .*"Low", "Medium", "High" or "Unknown"/),
    ]);
  });

  test('modelCardReviewedDigest is empty or 16 hexadecimal characters (the ModelCardContentDigest output)', () => {
    expect(parseConfig({}).modelCardReviewedDigest).toBe('');
    expect(parseConfig({ modelCardReviewedDigest: '0123456789abcdef' }).modelCardReviewedDigest).toBe(
      '0123456789abcdef',
    );
    for (const digest of ['0123456789ABCDEF', '0123456789abcde', 'sha256:0123456789abcdef', 'not-a-digest']) {
      expect(problemsOf({ modelCardReviewedDigest: digest })).toEqual([
        expect.stringMatching(/^modelCardReviewedDigest: .*16 hexadecimal characters/),
      ]);
    }
  });
});
