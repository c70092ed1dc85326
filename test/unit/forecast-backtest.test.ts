import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ForecastInvoice } from '../../src/domain/forecast.js';
import { asOfDates, backtest, defaultBacktestRange } from '../../src/forecast/backtest.js';
import { parseHistoryCsv } from '../../src/forecast/history-csv.js';

const row = (number: string, invoiceDate: string, dueDate: string, paidDate: string | null, amount = 1000): ForecastInvoice => ({
  customer: 'A',
  number,
  invoiceDate,
  dueDate,
  amount,
  currency: 'USD',
  paidDate,
});

describe('forecast backtest', () => {
  test('as-of dates step through the range', () => {
    expect(asOfDates({ from: '2026-01-01', to: '2026-01-20', stepDays: 7 })).toEqual(['2026-01-01', '2026-01-08', '2026-01-15']);
    expect(defaultBacktestRange([row('1', '2026-01-01', '2026-01-31', '2026-06-30')])).toEqual({ from: '2026-04-01', to: '2026-05-31', stepDays: 7 });
  });

  test('errors by hand: one as-of date, one invoice paid 10 days late', () => {
    // Three paid invoices, each 10 days late -> the model expects X (due 03-05) on 03-15, in week 2.
    // It was paid 03-15: the model is exact. The baseline expects it on 03-05 (week 1): total error 0,
    // weekly error |10.00 - 0| in week 1 and |0 - 10.00| in week 2 -> 20.00 over 5 buckets = 4.00.
    const rows = [
      row('1', '2026-01-01', '2026-01-10', '2026-01-20'),
      row('2', '2026-01-11', '2026-01-20', '2026-01-30'),
      row('3', '2026-01-21', '2026-01-30', '2026-02-09'),
      row('X', '2026-02-20', '2026-03-05', '2026-03-15'),
    ];
    const scores = backtest(rows, { from: '2026-03-01', to: '2026-03-01', stepDays: 7 });
    expect(scores).toEqual([
      { model: 'history', currency: 'USD', points: 1, maeTotal: 0, maeWeekly: 0, biasTotal: 0, meanActualTotal: 1000 },
      { model: 'due-date', currency: 'USD', points: 1, maeTotal: 0, maeWeekly: 400, biasTotal: 0, meanActualTotal: 1000 },
    ]);
  });

  test('on the synthetic fixture the learned model beats the due-date baseline by a wide margin', () => {
    const rows = parseHistoryCsv(readFileSync(join(process.cwd(), 'test/fixtures/forecast/history.csv'), 'utf8'));
    expect(rows.length).toBeGreaterThanOrEqual(300);
    const scores = backtest(rows, defaultBacktestRange(rows));
    for (const currency of ['USD', 'EUR']) {
      const model = scores.find((s) => s.model === 'history' && s.currency === currency)!;
      const baseline = scores.find((s) => s.model === 'due-date' && s.currency === currency)!;
      expect(model.maeTotal).toBeLessThan(baseline.maeTotal * 0.5);
      expect(model.maeWeekly).toBeLessThan(baseline.maeWeekly * 0.75);
    }
  });
});
