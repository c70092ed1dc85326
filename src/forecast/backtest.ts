import { addDays } from '../domain/calendar.js';
import { actualCollections, buildForecast, HORIZON_DAYS, type ForecastInvoice, type ForecastModel, type ForecastOptions, DEFAULT_FORECAST_OPTIONS } from '../domain/forecast.js';

/**
 * Backtest: for each as-of date, forecast the next 30 days from what was known then and compare with
 * what was actually collected (rows whose paid date falls in each bucket). Pure over the rows.
 */
export interface BacktestScore {
  model: ForecastModel;
  currency: string;
  points: number;
  /** Mean |forecast - actual| of the 30-day total, minor units. */
  maeTotal: number;
  /** Mean |forecast - actual| over every weekly bucket of every as-of date, minor units. */
  maeWeekly: number;
  /** Mean (forecast - actual) of the 30-day total: positive means the model expects too much. */
  biasTotal: number;
  /** Mean actual 30-day collections, to read the errors against. */
  meanActualTotal: number;
}

export interface BacktestRange {
  from: string;
  to: string;
  stepDays: number;
}

/** Default range: from 90 days after the first invoice (some history to learn) to 30 days before the data ends. */
export function defaultBacktestRange(rows: readonly ForecastInvoice[], stepDays = 7): BacktestRange {
  const dates = rows.flatMap((r) => [r.invoiceDate, ...(r.paidDate ? [r.paidDate] : [])]).sort();
  if (dates.length === 0) throw new RangeError('no rows to backtest');
  return { from: addDays(dates[0]!, 90), to: addDays(dates[dates.length - 1]!, -HORIZON_DAYS), stepDays };
}

export function asOfDates(range: BacktestRange): string[] {
  const out: string[] = [];
  for (let d = range.from; d <= range.to; d = addDays(d, range.stepDays)) out.push(d);
  return out;
}

export function backtest(
  rows: readonly ForecastInvoice[],
  range: BacktestRange,
  models: readonly ForecastModel[] = ['history', 'due-date'],
  options: ForecastOptions = DEFAULT_FORECAST_OPTIONS,
): BacktestScore[] {
  const dates = asOfDates(range);
  const currencies = [...new Set(rows.map((r) => r.currency))].sort();
  const scores: BacktestScore[] = [];
  for (const model of models) {
    for (const currency of currencies) {
      let absTotal = 0;
      let signedTotal = 0;
      let absWeekly = 0;
      let weeks = 0;
      let actualSum = 0;
      for (const asOf of dates) {
        const predicted = buildForecast(rows, asOf, model, options)
          .currencies.find((c) => c.currency === currency)
          ?.weeks.map((w) => w.expected) ?? [0, 0, 0, 0, 0];
        const actual = actualCollections(rows, asOf).get(currency) ?? predicted.map(() => 0);
        const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
        absTotal += Math.abs(sum(predicted) - sum(actual));
        signedTotal += sum(predicted) - sum(actual);
        actualSum += sum(actual);
        predicted.forEach((p, i) => {
          absWeekly += Math.abs(p - actual[i]!);
          weeks += 1;
        });
      }
      const n = dates.length || 1;
      scores.push({
        model,
        currency,
        points: dates.length,
        maeTotal: Math.round(absTotal / n),
        maeWeekly: Math.round(absWeekly / (weeks || 1)),
        biasTotal: Math.round(signedTotal / n),
        meanActualTotal: Math.round(actualSum / n),
      });
    }
  }
  return scores;
}
