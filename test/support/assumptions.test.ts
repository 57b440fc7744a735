import { ASSUMPTIONS, type Assumption, VERIFY_CHECKS } from '../../lib/shared/assumptions';
import { SERVICE_REQUESTS, type ServiceRequestRow } from './service-requests';

const rows = Object.entries(SERVICE_REQUESTS as Record<string, ServiceRequestRow>);
const entries = Object.entries(ASSUMPTIONS as Record<string, Assumption>);

/** A row rests on an assumption when it has no citation, keys no citation covers, or a stated assumption. */
const assumes = (row: ServiceRequestRow) =>
  row.citation === null || (row.uncitedKeys ?? []).length > 0 || row.assumption !== undefined;

/**
 * Cited rows whose page could not be read in the stored copies of AWS
 * documentation when the quotes were collected (issue 22): each still needs
 * its page's own sentence. The list may only shrink (a test below fails when a
 * listed row gains a quote, so it is taken off).
 */
const AWAITING_A_QUOTE: string[] = [];

describe('the assumptions register (lib/shared/assumptions.ts)', () => {
  test.each(rows.filter(([, row]) => assumes(row)))(
    '%s rests on an assumption, and names its register entry',
    (_id, row) => {
      expect(row.register).toBeDefined();
      expect(Object.keys(ASSUMPTIONS)).toContain(row.register);
    },
  );

  test('a row that names an entry is one the entry lists, and every row an entry lists names it', () => {
    const named = rows.filter(([, row]) => row.register).map(([id, row]) => `${row.register} <- ${id}`);
    const listed = entries.flatMap(([id, entry]) => (entry.rows ?? []).map((row) => `${id} <- ${row}`));
    expect(named.sort()).toEqual(listed.sort());
  });

  test('a row that names an entry rests on an assumption (a cited row needs none)', () => {
    for (const [id, row] of rows.filter(([, r]) => r.register))
      expect({ id, assumes: assumes(row) }).toEqual({ id, assumes: true });
  });

  test.each(entries)('%s: says how far the evidence goes, what fails, and who settles it', (_id, entry) => {
    expect(entry.statement.length).toBeGreaterThan(40);
    expect(entry.evidenceDetail).toMatch(/https:\/\/|review/);
    expect(entry.ifWrong.fails.length).toBeGreaterThan(20);
    if ('verify' in entry.settledBy) {
      for (const check of entry.settledBy.verify) expect(VERIFY_CHECKS).toContain(check);
    } else {
      expect(entry.settledBy.notCheckedByVerify.length).toBeGreaterThan(30);
    }
  });

  test('a silent failure is never left unsettled without a reason', () => {
    // Every entry either names a check or says why none can settle it; a silent
    // one that names no check says so in its own words (checked above). Here:
    // the silent ones that rest on the alert, dead-letter and audit paths name a check.
    const silentDelivery = entries.filter(
      ([, e]) => e.ifWrong.visibility === 'silent' && /deliver|export|digest|dead-letter/i.test(e.ifWrong.fails),
    );
    expect(silentDelivery.length).toBeGreaterThan(0);
    for (const [id, e] of silentDelivery) expect({ id, verify: 'verify' in e.settledBy }).toEqual({ id, verify: true });
  });
});

describe('every cited row quotes its page', () => {
  test.each(rows.filter(([id, row]) => row.citation !== null && !AWAITING_A_QUOTE.includes(id)))(
    '%s quotes the page it cites',
    (_id, row) => {
      expect((row.quote ?? '').length).toBeGreaterThan(40);
    },
  );

  test('the rows still awaiting a quote are cited rows without one (take a row off when it gains one)', () => {
    const unquoted = rows.filter(([, row]) => row.citation !== null && !row.quote).map(([id]) => id);
    expect(unquoted.sort()).toEqual([...AWAITING_A_QUOTE].sort());
  });
});
