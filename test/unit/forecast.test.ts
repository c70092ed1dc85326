import { actualCollections, buildForecast, expectedLateness, forecastWindows, learnHistory, medianDays, type ForecastInvoice } from '../../src/domain/forecast.js';

const inv = (customer: string, number: string, invoiceDate: string, dueDate: string | null, amount: number, currency: string, paidDate: string | null = null): ForecastInvoice => ({
  customer,
  number,
  invoiceDate,
  dueDate,
  amount,
  currency,
  paidDate,
});

/*
 * The hand-computed example (also test/fixtures/forecast/small.csv). As of 2026-03-02.
 * Lateness = paid date - due date, in days.
 *   Acme history: A-1 +2, A-2 +5, A-3 +9, A-4 +12           (4 samples: enough)
 *   Bolt history: B-1 +20                                    (1 sample: too little, pooled used)
 *   Cafe history: C-1 -3, C-2 -2, C-3 0 (pays early, EUR)    (3 samples: enough)
 *   Pooled: -3 -2 0 2 5 9 12 20
 * A-9 was paid on 2026-03-05, after as-of: it is open at as-of and its payment is not history.
 */
const ASOF = '2026-03-02';
const example: ForecastInvoice[] = [
  inv('Acme', 'A-1', '2025-11-01', '2025-12-01', 100000, 'USD', '2025-12-03'),
  inv('Acme', 'A-2', '2025-12-01', '2025-12-31', 100000, 'USD', '2026-01-05'),
  inv('Acme', 'A-3', '2026-01-01', '2026-01-31', 100000, 'USD', '2026-02-09'),
  inv('Acme', 'A-4', '2026-01-10', '2026-02-09', 100000, 'USD', '2026-02-21'),
  inv('Acme', 'A-5', '2026-02-01', '2026-03-03', 100000, 'USD'),
  inv('Acme', 'A-6', '2026-01-25', '2026-02-24', 50000, 'USD'),
  inv('Acme', 'A-7', '2026-03-20', '2026-03-27', 40000, 'USD'),
  inv('Acme', 'A-8', '2026-03-05', '2026-03-12', 25000, 'USD'),
  inv('Acme', 'A-9', '2026-02-10', '2026-03-12', 60000, 'USD', '2026-03-05'),
  inv('Bolt', 'B-1', '2026-01-01', '2026-01-15', 200000, 'USD', '2026-02-04'),
  inv('Bolt', 'B-2', '2026-02-20', '2026-03-06', 200000, 'USD'),
  inv('Cafe', 'C-1', '2025-12-01', '2025-12-15', 80000, 'EUR', '2025-12-12'),
  inv('Cafe', 'C-2', '2026-01-05', '2026-01-19', 80000, 'EUR', '2026-01-17'),
  inv('Cafe', 'C-3', '2026-02-02', '2026-02-16', 80000, 'EUR', '2026-02-16'),
  inv('Cafe', 'C-4', '2026-03-10', '2026-03-24', 80000, 'EUR'),
  inv('Dyno', 'D-1', '2025-10-01', '2025-10-31', 30000, 'USD'),
];

describe('forecast model', () => {
  test('buckets: four 7-day weeks and a final 2-day bucket covering as-of+1 .. as-of+30', () => {
    expect(forecastWindows(ASOF)).toEqual([
      { start: '2026-03-03', end: '2026-03-09' },
      { start: '2026-03-10', end: '2026-03-16' },
      { start: '2026-03-17', end: '2026-03-23' },
      { start: '2026-03-24', end: '2026-03-30' },
      { start: '2026-03-31', end: '2026-04-01' },
    ]);
  });

  test('median of whole days; an even count rounds the middle mean up', () => {
    expect(medianDays([9, 2, 5])).toBe(5);
    expect(medianDays([2, 5, 9, 12])).toBe(7); // (5 + 9) / 2
    expect(medianDays([2, 5])).toBe(4); // 3.5 rounds up
    expect(() => medianDays([])).toThrow(RangeError);
  });

  test('history only holds invoices paid on or before as-of', () => {
    const history = learnHistory(example, ASOF);
    expect(history.byCustomer.get('Acme')).toEqual([2, 5, 9, 12]);
    expect(history.byCustomer.get('Bolt')).toEqual([20]);
    expect([...history.pooled].sort((a, b) => a - b)).toEqual([-3, -2, 0, 2, 5, 9, 12, 20]);
    // Conditional on unpaid 6 days after due: Acme has only 9, 12 (< 3) so the pooled 9, 12, 20 decide.
    expect(expectedLateness(history, 'Acme', 6)).toEqual({ lateness: 12, basis: 'pooled' });
    expect(expectedLateness(history, 'Acme', -1)).toEqual({ lateness: 7, basis: 'customer' });
    expect(expectedLateness(history, 'Dyno', 122)).toBeNull();
  });

  test('the hand-computed example, per invoice and per week (median model)', () => {
    const f = buildForecast(example, ASOF, 'median');
    const expected = Object.fromEntries(f.payments.map((p) => [p.number, [p.expectedDate, p.basis, p.kind]]));
    expect(expected).toEqual({
      // Enough history, open, not yet due (unpaid at lateness -1): Acme median of 2,5,9,12 = 7 -> 03-03 + 7.
      'A-5': ['2026-03-10', 'customer', 'open'],
      // Overdue (due 02-24, unpaid at +6): pooled samples > 6 are 9,12,20 -> median 12 -> 02-24 + 12.
      'A-6': ['2026-03-08', 'pooled', 'open'],
      // Scheduled milestones (issued after as-of): Acme's unconditional median 7 after the due date.
      'A-7': ['2026-04-03', 'customer', 'scheduled'],
      'A-8': ['2026-03-19', 'customer', 'scheduled'],
      // Paid after as-of, so open at as-of: due 03-12 + 7 (its real payment date is not used).
      'A-9': ['2026-03-19', 'customer', 'open'],
      // Too little history (one sample): pooled, all 8 samples > -4 -> median (2 + 5) / 2 = 3.5 -> 4 -> 03-06 + 4.
      'B-2': ['2026-03-10', 'pooled', 'open'],
      // Early payer, EUR milestone: median of -3,-2,0 = -2 -> 03-24 - 2.
      'C-4': ['2026-03-22', 'customer', 'scheduled'],
      // 122 days overdue and nobody in the history ever paid that late: doubtful, no date.
      'D-1': [null, 'doubtful', 'open'],
    });

    expect(f.currencies).toEqual([
      {
        currency: 'EUR',
        weeks: [
          { start: '2026-03-03', end: '2026-03-09', expected: 0, range: { p10: 0, p90: 0 } },
          { start: '2026-03-10', end: '2026-03-16', expected: 0, range: { p10: 0, p90: 0 } },
          { start: '2026-03-17', end: '2026-03-23', expected: 80000, range: { p10: 80000, p90: 80000 } }, // C-4
          { start: '2026-03-24', end: '2026-03-30', expected: 0, range: { p10: 0, p90: 0 } },
          { start: '2026-03-31', end: '2026-04-01', expected: 0, range: { p10: 0, p90: 0 } },
        ],
        total30d: 80000,
        overdue: 0,
        overdueCount: 0,
        later: 0,
        doubtful: 0,
      },
      {
        currency: 'USD',
        weeks: [
          { start: '2026-03-03', end: '2026-03-09', expected: 50000, range: { p10: 50000, p90: 50000 } }, // A-6 500.00
          { start: '2026-03-10', end: '2026-03-16', expected: 300000, range: { p10: 300000, p90: 300000 } }, // A-5 1000.00 + B-2 2000.00
          { start: '2026-03-17', end: '2026-03-23', expected: 85000, range: { p10: 85000, p90: 85000 } }, // A-8 250.00 + A-9 600.00
          { start: '2026-03-24', end: '2026-03-30', expected: 0, range: { p10: 0, p90: 0 } },
          { start: '2026-03-31', end: '2026-04-01', expected: 0, range: { p10: 0, p90: 0 } },
        ],
        total30d: 435000, // 500.00 + 3000.00 + 850.00
        overdue: 80000, // A-6 500.00 + D-1 300.00 (due before as-of, unpaid)
        overdueCount: 2,
        later: 70000, // A-7 expected 04-03, past as-of + 30 = 04-01, and D-1
        doubtful: 30000, // D-1 (part of later)
      },
    ]);
  });

  test('baseline "pays on the due date", overdue ones tomorrow', () => {
    const f = buildForecast(example, ASOF, 'due-date');
    const usd = f.currencies.find((c) => c.currency === 'USD')!;
    // W1: A-5 (due 03-03) 1000 + A-6, D-1 (overdue -> 03-03) 500 + 300 + B-2 (due 03-06) 2000.
    // W2: A-8, A-9 (due 03-12) 250 + 600. W4: A-7 (due 03-27) 400.
    expect(usd.weeks.map((w) => w.expected)).toEqual([380000, 85000, 0, 40000, 0]);
    expect(f.currencies.find((c) => c.currency === 'EUR')!.weeks.map((w) => w.expected)).toEqual([0, 0, 0, 80000, 0]);
  });

  test('no due date: the default 30 days after the invoice date stands in', () => {
    const f = buildForecast([inv('New', 'N-1', '2026-02-20', null, 1234, 'GBP')], ASOF);
    expect(f.payments[0]).toMatchObject({ dueDate: '2026-03-22', expectedDate: '2026-03-22', basis: 'default' });
    expect(f.currencies[0]!.weeks.map((w) => w.expected)).toEqual([0, 0, 1234, 0, 0]);
  });

  test('too little history overall: an overdue invoice is expected a week after as-of, never in the past', () => {
    // One sample only (lateness 3, which would put X-2 in the past): too few to learn -> as-of + 7.
    const rows = [inv('X', 'X-1', '2026-01-01', '2026-01-10', 100, 'USD', '2026-01-13'), inv('X', 'X-2', '2026-01-20', '2026-02-01', 100, 'USD')];
    expect(buildForecast(rows, ASOF, 'median').payments[0]!.expectedDate).toBe('2026-03-09');
    expect(buildForecast(rows, ASOF).payments[0]!.expectedDate).toBe('2026-03-09');
  });

  test('actual collections per bucket for the backtest', () => {
    const actual = actualCollections(example, ASOF);
    expect(actual.get('USD')).toEqual([60000, 0, 0, 0, 0]); // A-9 paid 03-05
    expect(actual.has('EUR')).toBe(false);
  });
});

describe('forecast model without history', () => {
  test('a brand-new book: due dates, and overdue ones a week after as-of', () => {
    const rows = [inv('N', 'N-1', '2026-02-01', '2026-03-04', 1000, 'USD'), inv('N', 'N-2', '2026-01-01', '2026-01-31', 2000, 'USD')];
    const f = buildForecast(rows, ASOF);
    expect(f.payments.map((p) => [p.number, p.expectedDate, p.basis])).toEqual([
      ['N-1', '2026-03-04', 'default'],
      ['N-2', '2026-03-09', 'default'],
    ]);
    expect(f.currencies[0]).toMatchObject({ total30d: 3000, overdue: 2000, doubtful: 0 });
  });
});
