import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const TSX = join(process.cwd(), 'node_modules', '.bin', 'tsx');
const SMALL = join(process.cwd(), 'test', 'fixtures', 'forecast', 'small.csv');
const cli = (...args: string[]) => run(TSX, ['scripts/forecast.ts', ...args], { cwd: process.cwd() });

/*
 * test/fixtures/forecast/small.csv as of 2026-03-02 with `--model median`, computed by hand (the per-invoice arithmetic is
 * in test/unit/forecast.test.ts): lateness medians Acme 7 (2,5,9,12), Cafe -2 (-3,-2,0), pooled 4;
 * A-6 (unpaid 6 days past due) uses pooled samples > 6: 9,12,20 -> 12; D-1 (122 days late, later than
 * any paid invoice ever) is doubtful: no date, not in the inflows.
 *   USD week 1 (03-03..03-09): A-6 03-08 500.00                                =   500.00
 *   USD week 2 (03-10..03-16): A-5 03-10 1000.00 + B-2 03-10 2000.00          = 3,000.00
 *   USD week 3 (03-17..03-23): A-8 03-19 250.00 + A-9 03-19 600.00            =   850.00
 *   USD weeks 4, 5: nothing (A-7 expected 04-03, after the horizon)           -> later 400.00 + doubtful 300.00
 *   USD overdue: A-6 500.00 + D-1 300.00 = 800.00; doubtful 300.00; 30-day total 4,350.00
 *   EUR week 3: C-4 03-22 800.00; total 800.00; nothing overdue
 */
describe('npm run forecast (CLI)', () => {
  test('JSON on the small fixture matches the hand-computed weekly figures (median model)', async () => {
    const { stdout } = await cli('--history', SMALL, '--as-of', '2026-03-02', '--json', '--model', 'median');
    const json = JSON.parse(stdout);
    expect(json.asOf).toBe('2026-03-02');
    expect(json.currency).toBeUndefined(); // two currencies: only the per-currency list
    const usd = json.currencies.find((c: { currency: string }) => c.currency === 'USD');
    const eur = json.currencies.find((c: { currency: string }) => c.currency === 'EUR');
    // One date per invoice: each week's range is the amount itself.
    const week = (start: string, end: string, days: number, expected: string, expectedMinor: number) => ({
      start,
      end,
      days,
      expected,
      expectedMinor,
      range: { p10: expected, p10Minor: expectedMinor, p90: expected, p90Minor: expectedMinor },
    });
    expect(usd.weeks).toEqual([
      week('2026-03-03', '2026-03-09', 7, '500.00', 50000),
      week('2026-03-10', '2026-03-16', 7, '3000.00', 300000),
      week('2026-03-17', '2026-03-23', 7, '850.00', 85000),
      week('2026-03-24', '2026-03-30', 7, '0.00', 0),
      week('2026-03-31', '2026-04-01', 2, '0.00', 0),
    ]);
    expect(usd).toMatchObject({
      total30d: '4350.00',
      total30dMinor: 435000,
      overdue: '800.00',
      overdueMinor: 80000,
      overdueCount: 2,
      later: '700.00',
      laterMinor: 70000,
      doubtful: '300.00',
      doubtfulMinor: 30000,
    });
    expect(eur.weeks.map((w: { expectedMinor: number }) => w.expectedMinor)).toEqual([0, 0, 80000, 0, 0]);
    expect(eur).toMatchObject({ total30d: '800.00', overdue: '0.00', overdueCount: 0 });
  });

  test('a single-currency CSV also has its figures at the top level; --detail lists expected dates', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'forecast-cli-'));
    try {
      const path = join(dir, 'usd.csv');
      const { readFile } = await import('node:fs/promises');
      const lines = (await readFile(SMALL, 'utf8')).split('\n').filter((l) => !l.includes(',EUR,'));
      await writeFile(path, lines.join('\n'));
      const { stdout } = await cli('--history', path, '--as-of', '2026-03-02', '--json', '--detail', '--model', 'history');
      const json = JSON.parse(stdout);
      // Without Cafe the pooled samples are 2,5,9,12,20: B-2 -> median 9 -> 03-15 (week 2 still); A-6 -> 9,12,20 -> 12.
      expect(json.currency).toBe('USD');
      expect(json.weeks.map((w: { expectedMinor: number }) => w.expectedMinor)).toEqual([50000, 300000, 85000, 0, 0]);
      expect(json.total30dMinor).toBe(435000);
      expect(json.model).toBe('median'); // `history` is the median model's earlier name
      expect(json.payments.find((p: { invoiceNumber: string }) => p.invoiceNumber === 'B-2')).toMatchObject({
        expectedDate: '2026-03-15',
        basis: 'pooled',
        amount: '2000.00',
        chanceWithin30d: 1,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('the survival model (default): same shape, each amount spread over the weeks, a range per week', async () => {
    const { stdout } = await cli('--history', SMALL, '--as-of', '2026-03-02', '--json');
    const json = JSON.parse(stdout);
    expect(json.model).toBe('survival');
    const usd = json.currencies.find((c: { currency: string }) => c.currency === 'USD');
    const weeks = usd.weeks as { expectedMinor: number; range: { p10Minor: number; p90Minor: number } }[];
    expect(weeks.map((w) => w.expectedMinor).reduce((s, x) => s + x, 0)).toBe(usd.total30dMinor);
    // Open and scheduled USD: A-5 1000 + A-6 500 + A-7 400 + A-8 250 + A-9 600 + B-2 2000 + D-1 300 = 5050.00.
    expect(usd.total30dMinor + usd.laterMinor).toBe(505000);
    expect(weeks.filter((w) => w.expectedMinor > 0).length).toBeGreaterThanOrEqual(4);
    for (const w of weeks) expect(w.range.p10Minor).toBeLessThanOrEqual(w.range.p90Minor);
    expect(usd).toMatchObject({ overdueMinor: 80000, overdueCount: 2 });
    expect(usd.doubtfulMinor).toBeGreaterThan(0);
  });

  test('the readable table', async () => {
    const { stdout } = await cli('--history', SMALL, '--as-of', '2026-03-02', '--model', 'median');
    expect(stdout).toMatch(/Week 2 {2}2026-03-10 \.\. 2026-03-16\s+\$3,000\.00/);
    expect(stdout).toMatch(/of which doubtful \(may never be paid\)\s+\$300\.00/);
    expect(stdout).toMatch(/Overdue now \(2 invoices\)\s+\$800\.00/);
    const survival = await cli('--history', SMALL, '--as-of', '2026-03-02');
    expect(survival.stdout).toMatch(/Week 1 {2}2026-03-03 \.\. 2026-03-09\s+\$[\d,.]+ {2}\(10-90 %: \$[\d,.]+ \.\. \$[\d,.]+\)/);
  });

  test('a bad row is named with its line and column, exit code 1', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'forecast-cli-'));
    try {
      const path = join(dir, 'bad.csv');
      await writeFile(
        path,
        'customer,invoice_number,invoice_date,due_date,amount,currency,paid_date\nA,1,2026-01-01,2026-01-31,10.00,USD,\nA,2,2026-02-30,2026-03-31,10.00,USD,\n',
      );
      await expect(cli('--history', path, '--as-of', '2026-03-02')).rejects.toMatchObject({
        code: 1,
        stderr: expect.stringContaining('row 3, column invoice_date: "2026-02-30" is not a YYYY-MM-DD date'),
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
