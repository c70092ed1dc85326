import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ForecastInvoice } from '../../src/domain/forecast.js';
import { asOfDates, backtest, defaultBacktestRange } from '../../src/forecast/backtest.js';
import { parseHistoryCsv } from '../../src/forecast/history-csv.js';
import { DEFAULT_SYNTHETIC, syntheticHistory } from '../../src/forecast/synthetic-history.js';

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
    // Three paid invoices, each 10 days late -> the median model expects X (due 03-05) on 03-15, in week 2.
    // It was paid 03-15: the model is exact. The baseline expects it on 03-05 (week 1): total error 0,
    // weekly error |10.00 - 0| in week 1 and |0 - 10.00| in week 2 -> 20.00 over 5 buckets = 4.00,
    // WAPE 20.00 / 10.00 = 200 %.
    const rows = [
      row('1', '2026-01-01', '2026-01-10', '2026-01-20'),
      row('2', '2026-01-11', '2026-01-20', '2026-01-30'),
      row('3', '2026-01-21', '2026-01-30', '2026-02-09'),
      row('X', '2026-02-20', '2026-03-05', '2026-03-15'),
    ];
    const scores = backtest(rows, { from: '2026-03-01', to: '2026-03-01', stepDays: 7 }, ['median', 'due-date']);
    const exact = { points: 1, maeTotal: 0, biasTotal: 0, meanActualTotal: 1000, mapeTotal: 0, biasShare: 0 };
    expect(scores).toEqual([
      { model: 'median', currency: 'USD', ...exact, maeWeekly: 0, wapeWeekly: 0 },
      { model: 'due-date', currency: 'USD', ...exact, maeWeekly: 400, wapeWeekly: 2 },
    ]);
  });

  test('on the synthetic history the survival model is clearly ahead of both others, per week and on the total', () => {
    // A smaller, shorter book than `npm run forecast:eval` runs on (same generator), every two weeks: a few seconds.
    const rows = syntheticHistory({ ...DEFAULT_SYNTHETIC, clients: 15, first: '2025-01-01' });
    const scores = backtest(rows, defaultBacktestRange(rows, 14));
    for (const currency of ['USD', 'EUR']) {
      const [survival, median, dueDate] = (['survival', 'median', 'due-date'] as const).map((model) => scores.find((s) => s.model === model && s.currency === currency)!);
      expect(survival!.wapeWeekly).toBeLessThan(0.85 * Math.min(median!.wapeWeekly, dueDate!.wapeWeekly));
      expect(survival!.mapeTotal).toBeLessThan(Math.min(median!.mapeTotal, dueDate!.mapeTotal));
      expect(Math.abs(survival!.biasShare)).toBeLessThan(0.1);
    }
  });

  test('on the earlier fixture (steady habits) it still beats the due-date baseline by a wide margin and the median per week', () => {
    const rows = parseHistoryCsv(readFileSync(join(process.cwd(), 'test/fixtures/forecast/history.csv'), 'utf8'));
    expect(rows.length).toBeGreaterThanOrEqual(300);
    const scores = backtest(rows, defaultBacktestRange(rows));
    for (const currency of ['USD', 'EUR']) {
      const [survival, median, dueDate] = (['survival', 'median', 'due-date'] as const).map((model) => scores.find((s) => s.model === model && s.currency === currency)!);
      expect(survival!.maeTotal).toBeLessThan(dueDate!.maeTotal * 0.5);
      expect(survival!.maeWeekly).toBeLessThan(dueDate!.maeWeekly * 0.75);
      expect(survival!.wapeWeekly).toBeLessThan(median!.wapeWeekly);
    }
  });
});
