import { addDays } from '../domain/calendar.js';
import {
  actualCollections,
  buildForecast,
  DEFAULT_FORECAST_OPTIONS,
  FORECAST_MODELS,
  HORIZON_DAYS,
  type ForecastInvoice,
  type ForecastModel,
  type ForecastOptions,
} from '../domain/forecast.js';

/**
 * Backtest: for each as-of date, forecast the next 30 days from what was known then and compare with
 * what was actually collected (rows whose paid date falls in each bucket). Pure over the rows.
 */
export interface BacktestScore<M extends string = ForecastModel> {
  model: M;
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
  /** Mean of |forecast - actual| / actual of the 30-day total (as-of dates with nothing collected left out). */
  mapeTotal: number;
  /** Weekly WAPE: sum over every bucket of |forecast - actual| / sum of actual. */
  wapeWeekly: number;
  /** Sum of (forecast - actual) of the 30-day totals / sum of actual: +0.05 expects 5 % too much. */
  biasShare: number;
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
  models: readonly ForecastModel[] = FORECAST_MODELS,
  options: ForecastOptions = DEFAULT_FORECAST_OPTIONS,
): BacktestScore[] {
  return models.flatMap((model) =>
    scoreForecasts(rows, range, model, (asOf) => {
      const forecast = buildForecast(rows, asOf, model, options, {}, { ranges: false });
      return new Map(forecast.currencies.map((c) => [c.currency, c.weeks.map((w) => w.expected)]));
    }),
  );
}

/**
 * Scores any forecaster (per as-of date: the expected amount per bucket and currency) against what was
 * collected; `backtest` scores the models with it, scripts/forecast-oracle.ts a forecaster that knows
 * how the history was generated.
 */
export function scoreForecasts<M extends string>(
  rows: readonly ForecastInvoice[],
  range: BacktestRange,
  model: M,
  predict: (asOf: string) => ReadonlyMap<string, readonly number[]>,
): BacktestScore<M>[] {
  const dates = asOfDates(range);
  const currencies = [...new Set(rows.map((r) => r.currency))].sort();
  const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);
  const predictions = dates.map((asOf) => ({ predicted: predict(asOf), actual: actualCollections(rows, asOf) }));
  return currencies.map((currency) => {
    let absTotal = 0;
    let signedTotal = 0;
    let absWeekly = 0;
    let weeks = 0;
    let actualSum = 0;
    let pctSum = 0;
    let pctPoints = 0;
    for (const { predicted: byCurrency, actual: actuals } of predictions) {
      const predicted = byCurrency.get(currency) ?? [0, 0, 0, 0, 0];
      const actual = actuals.get(currency) ?? predicted.map(() => 0);
      const error = sum(predicted) - sum(actual);
      absTotal += Math.abs(error);
      signedTotal += error;
      actualSum += sum(actual);
      if (sum(actual) > 0) {
        pctSum += Math.abs(error) / sum(actual);
        pctPoints += 1;
      }
      predicted.forEach((p, w) => {
        absWeekly += Math.abs(p - actual[w]!);
        weeks += 1;
      });
    }
    const n = dates.length || 1;
    return {
      model,
      currency,
      points: dates.length,
      maeTotal: Math.round(absTotal / n),
      maeWeekly: Math.round(absWeekly / (weeks || 1)),
      biasTotal: Math.round(signedTotal / n),
      meanActualTotal: Math.round(actualSum / n),
      mapeTotal: pctPoints ? pctSum / pctPoints : 0,
      wapeWeekly: actualSum ? absWeekly / actualSum : 0,
      biasShare: actualSum ? signedTotal / actualSum : 0,
    };
  });
}
