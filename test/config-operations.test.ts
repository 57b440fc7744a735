import { parseConfig } from '../lib/config';
import { problemsOf } from './support/config-problems';

describe('operations settings', () => {
  test('modelInvocationLogging defaults to "create"', () => {
    expect(parseConfig({}).modelInvocationLogging).toBe('create');
  });

  test.each(['create', 'existing', 'off'])('modelInvocationLogging "%s" is accepted', (value) => {
    expect(parseConfig({ modelInvocationLogging: value }).modelInvocationLogging).toBe(value);
  });

  test.each([true, false, 'true', 'on', 'CREATE', 'Existing', 'none', ''])(
    'modelInvocationLogging %p is refused, naming the three values',
    (value) => {
      expect(problemsOf({ modelInvocationLogging: value })).toEqual([
        expect.stringMatching(/^modelInvocationLogging: .*"create", "existing" or "off"/),
      ]);
    },
  );

  test('dailyTokenBudget defaults to 1,000,000 tokens a day', () => {
    expect(parseConfig({}).dailyTokenBudget).toBe(1_000_000);
  });

  test('dailyTokenBudget from 1,000 to 1,000,000,000, the ends included', () => {
    for (const budget of [1000, 250_000, 1_000_000_000]) {
      expect(parseConfig({ dailyTokenBudget: budget }).dailyTokenBudget).toBe(budget);
    }
    for (const budget of [999, 0, -1, 1_000_000_001, 2500.5]) {
      expect(problemsOf({ dailyTokenBudget: budget })).toEqual([
        expect.stringMatching(/^dailyTokenBudget: .*whole number of tokens from 1,000 to 1,000,000,000/),
      ]);
    }
  });

  test('dailyTokenBudget given with -c (a string) is read as a number', () => {
    expect(parseConfig({ dailyTokenBudget: '5000000' }).dailyTokenBudget).toBe(5_000_000);
    expect(parseConfig({ dailyTokenBudget: ' 2000 ' }).dailyTokenBudget).toBe(2000);
  });

  test('dailyTokenBudget with digit separators or words is refused, not misread', () => {
    // "1,000,000" must not become 1 (below the range anyway) or 1000 (silently wrong).
    for (const budget of ['1,000,000', '1_000_000', '1e6', '2M', 'unlimited', '']) {
      expect(problemsOf({ dailyTokenBudget: budget })).toEqual([expect.stringMatching(/^dailyTokenBudget: /)]);
    }
  });
});
