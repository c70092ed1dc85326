import type { CurrencyForecast, Forecast } from '../domain/forecast.js';
import { daysBetween } from '../domain/calendar.js';
import { formatMoney, money, toMajorString } from '../domain/money.js';

/**
 * The documented JSON shape of `npm run forecast -- --json` (see docs/forecast.md).
 * Every amount appears twice: a decimal string in major units (`expected`) and the exact integer of
 * minor units (`expectedMinor`). Currencies are never added together.
 */
export interface ForecastWeekJson {
  start: string;
  end: string;
  days: number;
  expected: string;
  expectedMinor: number;
  /** 10th-90th percentile of the week's inflow. */
  range: { p10: string; p10Minor: number; p90: string; p90Minor: number };
}

export interface CurrencyForecastJson {
  currency: string;
  weeks: ForecastWeekJson[];
  total30d: string;
  total30dMinor: number;
  overdue: string;
  overdueMinor: number;
  overdueCount: number;
  later: string;
  laterMinor: number;
  doubtful: string;
  doubtfulMinor: number;
}

export interface ExpectedPaymentJson {
  customer: string;
  invoiceNumber: string;
  kind: 'open' | 'scheduled';
  currency: string;
  amount: string;
  amountMinor: number;
  dueDate: string;
  /** Null for a doubtful invoice; for the survival model the day by which payment has even odds. */
  expectedDate: string | null;
  basis: string;
  /** Chance of payment within the 30 days, 0..1 (three decimals). */
  chanceWithin30d: number;
}

/**
 * With exactly one currency its fields are also repeated at the top level (`currency`, `weeks`,
 * `total30d`, …) for convenience; `currencies` always lists every currency.
 */
export type ForecastJson = {
  asOf: string;
  model: string;
  horizonDays: 30;
  currencies: CurrencyForecastJson[];
  payments?: ExpectedPaymentJson[];
} & Partial<CurrencyForecastJson>;

const major = (amount: number, currency: string) => toMajorString(money(amount, currency));

export function currencyJson(c: CurrencyForecast): CurrencyForecastJson {
  return {
    currency: c.currency,
    weeks: c.weeks.map((w) => ({
      start: w.start,
      end: w.end,
      days: daysBetween(w.start, w.end) + 1,
      expected: major(w.expected, c.currency),
      expectedMinor: w.expected,
      range: { p10: major(w.range.p10, c.currency), p10Minor: w.range.p10, p90: major(w.range.p90, c.currency), p90Minor: w.range.p90 },
    })),
    total30d: major(c.total30d, c.currency),
    total30dMinor: c.total30d,
    overdue: major(c.overdue, c.currency),
    overdueMinor: c.overdue,
    overdueCount: c.overdueCount,
    later: major(c.later, c.currency),
    laterMinor: c.later,
    doubtful: major(c.doubtful, c.currency),
    doubtfulMinor: c.doubtful,
  };
}

export function forecastJson(forecast: Forecast, options: { detail?: boolean } = {}): ForecastJson {
  const currencies = forecast.currencies.map(currencyJson);
  const single = currencies.length === 1 ? currencies[0] : undefined;
  return {
    asOf: forecast.asOf,
    model: forecast.model,
    horizonDays: 30,
    ...single,
    currencies,
    ...(options.detail
      ? {
          payments: forecast.payments.map((p) => ({
            customer: p.customer,
            invoiceNumber: p.number,
            kind: p.kind,
            currency: p.currency,
            amount: major(p.amount, p.currency),
            amountMinor: p.amount,
            dueDate: p.dueDate,
            expectedDate: p.expectedDate,
            basis: p.basis,
            chanceWithin30d: Math.round(p.bucketChances.reduce((s, c) => s + c, 0) * 1000) / 1000,
          })),
        }
      : {}),
  };
}

/** A plain-text table for the terminal. */
export function forecastTable(forecast: Forecast): string {
  const lines = [`Cash-flow forecast as of ${forecast.asOf} (model: ${forecast.model}), next 30 days`];
  if (forecast.currencies.length === 0) lines.push('', 'Nothing open or scheduled.');
  for (const c of forecast.currencies) {
    const fmt = (amount: number) => formatMoney(money(amount, c.currency));
    const rows: [string, string, string][] = c.weeks.map((w, i) => [
      `Week ${i + 1}  ${w.start} .. ${w.end}`,
      fmt(w.expected),
      w.range.p10 === w.range.p90 ? '' : `  (10-90 %: ${fmt(w.range.p10)} .. ${fmt(w.range.p90)})`,
    ]);
    rows.push(
      ['Next 30 days', fmt(c.total30d), ''],
      [`Overdue now (${c.overdueCount} invoice${c.overdueCount === 1 ? '' : 's'})`, fmt(c.overdue), ''],
      ['Not within 30 days (later/doubtful)', fmt(c.later), ''],
      ['of which doubtful (may never be paid)', fmt(c.doubtful), ''],
    );
    const width = Math.max(...rows.map(([label]) => label.length));
    const amountWidth = Math.max(...rows.map(([, amount]) => amount.length));
    lines.push('', c.currency, ...rows.map(([label, amount, range]) => `  ${label.padEnd(width)}  ${amount.padStart(amountWidth)}${range}`));
  }
  return lines.join('\n');
}
