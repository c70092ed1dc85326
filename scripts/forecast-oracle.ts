/**
 * `npx tsx scripts/forecast-oracle.ts`: how well a forecaster that KNOWS how
 * test/fixtures/forecast/history.csv was generated scores on it, next to the models.
 *
 * The fixture was written by the first generator (commit 517ca4b): every client draws each invoice's
 * lateness independently from a fixed mix of uniform ranges (below, copied from it), a payment before
 * the invoice date is moved to it, and nothing after the export date (2026-07-15) was recorded. So for
 * each open invoice the true chance of payment on each day, given that it is unpaid at as-of, is known
 * exactly. Two oracles use it:
 * - `oracle-ev`: the expected amount per week (what the survival model estimates; its best possible score);
 * - `oracle-week`: each invoice's whole amount in its most likely week, if it is more likely than not
 *   within the 30 days (a single-date forecaster, like the median model, with perfect knowledge).
 * What neither oracle beats on average is luck of the particular draw, not a better model.
 */
import { readFile } from 'node:fs/promises';
import { addDays } from '../src/domain/calendar.js';
import { forecastWindows, type ForecastInvoice } from '../src/domain/forecast.js';
import { backtest, defaultBacktestRange, scoreForecasts } from '../src/forecast/backtest.js';
import { parseHistoryCsv } from '../src/forecast/history-csv.js';
import { renderScores } from './forecast-eval.js';

const FIXTURE = 'test/fixtures/forecast/history.csv';
const EXPORTED = '2026-07-15';

/** Per client: lateness ranges as [weight, first day, last day], drawn uniformly, and the weight of never paying. */
const HABITS: Record<string, { ranges: [number, number, number][]; never?: number }> = {
  'Northwind Studio': {
    ranges: [
      [80, -2, 2],
      [20, 3, 8],
    ],
  },
  'Bluebird Dental': {
    ranges: [
      [85, -1, 1],
      [15, 2, 6],
    ],
  },
  'Harbor Logistics': { ranges: [[1, -3, 3]] },
  'Granite Construction': {
    ranges: [
      [75, 14, 21],
      [25, 22, 32],
    ],
  },
  'Maple Property Mgmt': {
    ranges: [
      [70, 12, 20],
      [20, 20, 28],
      [10, 5, 11],
    ],
  },
  'Summit Legal': { ranges: [[1, 14, 24]] },
  'Pixel Forge': {
    ranges: [
      [40, 0, 4],
      [30, 8, 25],
      [27, 30, 60],
    ],
    never: 3,
  },
  'Orchard Cafe Group': {
    ranges: [
      [35, -5, 3],
      [35, 10, 35],
      [25, 40, 75],
    ],
    never: 5,
  },
  'Redwood Ventures': { ranges: [[1, -24, -18]] },
  'Lakeside Clinic': {
    ranges: [
      [85, 1, 4],
      [15, 8, 12],
    ],
  },
  'Atelier Brun': { ranges: [[1, 4, 11]] },
  'Quarry Analytics': { ranges: [[1, 6, 12]] },
};

/** The recorded paid date of each possible outcome with its chance (null: never recorded as paid). */
function outcomes(invoice: ForecastInvoice): { paid: string | null; chance: number }[] {
  const habit = HABITS[invoice.customer];
  if (!habit) throw new Error(`${invoice.customer}: not a client of the fixture's generator`);
  const total = habit.ranges.reduce((s, [w]) => s + w, 0) + (habit.never ?? 0);
  const paid = habit.ranges.flatMap(([weight, first, last]) =>
    Array.from({ length: last - first + 1 }, (_, k) => {
      const date = maxDate(addDays(invoice.dueDate!, first + k), invoice.invoiceDate);
      return { paid: date > EXPORTED ? null : date, chance: weight / total / (last - first + 1) };
    }),
  );
  return habit.never ? [...paid, { paid: null, chance: habit.never / total }] : paid;
}

const maxDate = (a: string, b: string) => (a > b ? a : b);

/** Per currency, each open or scheduled invoice's true chance per bucket given that it is unpaid at as-of. */
function trueChances(rows: readonly ForecastInvoice[], asOf: string): Map<string, { amount: number; chances: number[] }[]> {
  const windows = forecastWindows(asOf);
  const out = new Map<string, { amount: number; chances: number[] }[]>();
  for (const invoice of rows) {
    if (invoice.invoiceDate <= asOf && invoice.paidDate !== null && invoice.paidDate <= asOf) continue; // paid by as-of
    const possible = outcomes(invoice).filter((o) => o.paid === null || o.paid > asOf);
    const alive = possible.reduce((s, o) => s + o.chance, 0);
    const chances = windows.map((w) => possible.reduce((s, o) => s + (o.paid !== null && o.paid >= w.start && o.paid <= w.end ? o.chance : 0), 0) / alive);
    const list = out.get(invoice.currency) ?? [];
    list.push({ amount: invoice.amount, chances });
    out.set(invoice.currency, list);
  }
  return out;
}

function expectedPerWeek(rows: readonly ForecastInvoice[], asOf: string): Map<string, number[]> {
  return new Map([...trueChances(rows, asOf)].map(([currency, list]) => [currency, [0, 1, 2, 3, 4].map((b) => list.reduce((s, i) => s + i.amount * i.chances[b]!, 0))]));
}

function mostLikelyWeek(rows: readonly ForecastInvoice[], asOf: string): Map<string, number[]> {
  return new Map(
    [...trueChances(rows, asOf)].map(([currency, list]) => {
      const weeks = [0, 0, 0, 0, 0];
      for (const { amount, chances } of list) {
        if (chances.reduce((s, c) => s + c, 0) <= 0.5) continue;
        weeks[chances.indexOf(Math.max(...chances))]! += amount;
      }
      return [currency, weeks];
    }),
  );
}

const rows = parseHistoryCsv(await readFile(FIXTURE, 'utf8'));
const range = defaultBacktestRange(rows);
const scores = [
  ...backtest(rows, range),
  ...scoreForecasts(rows, range, 'oracle-ev', (asOf) => expectedPerWeek(rows, asOf)),
  ...scoreForecasts(rows, range, 'oracle-week', (asOf) => mostLikelyWeek(rows, asOf)),
];
console.log(renderScores(`${FIXTURE}, with the two oracles that know its generator`, range, scores));
