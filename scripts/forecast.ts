/**
 * `npm run forecast -- --history <csv> --as-of YYYY-MM-DD [--json] [--detail] [--model survival|median|due-date] [--default-days 30]`
 *
 * Prints the cash-flow forecast as of a date from a payment-history CSV: expected inflow per week for
 * the next 30 days, the 30-day total and the overdue balance, per currency. `--json` prints the JSON
 * shape documented in README; `--detail` adds each invoice's expected payment date to it.
 * `--default-days`: the terms assumed for a row with an empty due_date (default 30).
 */
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { buildForecast, DEFAULT_FORECAST_OPTIONS, FORECAST_MODELS, type ForecastModel } from '../src/domain/forecast.js';
import { isCalendarDate, parseHistoryCsv } from '../src/forecast/history-csv.js';
import { forecastJson, forecastTable } from '../src/forecast/report.js';

const USAGE = 'usage: npm run forecast -- --history <csv> --as-of YYYY-MM-DD [--json] [--detail] [--model survival|median|due-date] [--default-days 30]';

/** Returns what to print; throws with a one-line reason on bad input. */
export async function runForecastCli(argv: string[]): Promise<string> {
  const { values } = parseArgs({
    args: argv,
    options: {
      history: { type: 'string' },
      'as-of': { type: 'string' },
      json: { type: 'boolean', default: false },
      detail: { type: 'boolean', default: false },
      model: { type: 'string', default: 'survival' },
      'default-days': { type: 'string', default: String(DEFAULT_FORECAST_OPTIONS.defaultDaysToPay) },
    },
    strict: true,
  });
  if (!values.history || !values['as-of']) throw new Error(USAGE);
  const asOf = values['as-of'];
  if (!isCalendarDate(asOf)) throw new Error(`--as-of "${asOf}" is not a YYYY-MM-DD date`);
  // `history` was the median model's name before the survival model came.
  const model = values.model === 'history' ? 'median' : values.model;
  if (!FORECAST_MODELS.includes(model as ForecastModel)) throw new Error(`--model must be survival, median or due-date\n${USAGE}`);
  const defaultDaysToPay = Number(values['default-days']);
  if (!Number.isInteger(defaultDaysToPay) || defaultDaysToPay < 0) throw new Error('--default-days must be a whole number of days');
  const invoices = parseHistoryCsv(await readFile(values.history, 'utf8'));
  const forecast = buildForecast(invoices, asOf, model as ForecastModel, { ...DEFAULT_FORECAST_OPTIONS, defaultDaysToPay });
  return values.json ? JSON.stringify(forecastJson(forecast, { detail: values.detail }), null, 2) : forecastTable(forecast);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runForecastCli(process.argv.slice(2)).then(
    (out) => console.log(out),
    (err: Error) => {
      console.error(`forecast: ${err.message}`);
      process.exit(1);
    },
  );
}
