/**
 * `npm run forecast:eval -- --history <csv> [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--step 7] [--json]`
 *
 * Backtests the forecast: for every as-of date in the range (default: weekly, from 90 days after the
 * first invoice to 30 days before the data ends) it forecasts the next 30 days and compares with what
 * was actually collected, for the learned model and for the "pays on the due date" baseline.
 */
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { money, formatMoney } from '../src/domain/money.js';
import { backtest, defaultBacktestRange, type BacktestScore } from '../src/forecast/backtest.js';
import { isCalendarDate, parseHistoryCsv } from '../src/forecast/history-csv.js';

const USAGE = 'usage: npm run forecast:eval -- --history <csv> [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--step 7] [--json]';

export async function runForecastEval(argv: string[]): Promise<string> {
  const { values } = parseArgs({
    args: argv,
    options: { history: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, step: { type: 'string', default: '7' }, json: { type: 'boolean', default: false } },
    strict: true,
  });
  if (!values.history) throw new Error(USAGE);
  for (const flag of ['from', 'to'] as const) {
    const v = values[flag];
    if (v !== undefined && !isCalendarDate(v)) throw new Error(`--${flag} "${v}" is not a YYYY-MM-DD date`);
  }
  const step = Number(values.step);
  if (!Number.isInteger(step) || step < 1) throw new Error('--step must be a whole number of days');
  const rows = parseHistoryCsv(await readFile(values.history, 'utf8'));
  const range = { ...defaultBacktestRange(rows, step), ...(values.from ? { from: values.from } : {}), ...(values.to ? { to: values.to } : {}) };
  const scores = backtest(rows, range);
  if (values.json) return JSON.stringify({ range, scores }, null, 2);
  return renderScores(range, scores);
}

function renderScores(range: { from: string; to: string; stepDays: number }, scores: BacktestScore[]): string {
  const lines = [`Backtest: as-of ${range.from} .. ${range.to} every ${range.stepDays} days; errors of the next-30-days forecast`];
  for (const currency of [...new Set(scores.map((s) => s.currency))]) {
    const fmt = (n: number) => formatMoney(money(n, currency));
    const mine = scores.filter((s) => s.currency === currency);
    lines.push('', `${currency} (${mine[0]!.points} as-of dates, mean actual 30-day collections ${fmt(mine[0]!.meanActualTotal)})`);
    lines.push(`  ${'model'.padEnd(10)} ${'MAE 30-day total'.padStart(18)} ${'MAE per week'.padStart(14)} ${'bias 30-day'.padStart(14)}`);
    for (const s of mine) lines.push(`  ${s.model.padEnd(10)} ${fmt(s.maeTotal).padStart(18)} ${fmt(s.maeWeekly).padStart(14)} ${fmt(s.biasTotal).padStart(14)}`);
    const [model, baseline] = [mine.find((s) => s.model === 'history'), mine.find((s) => s.model === 'due-date')];
    if (model && baseline && baseline.maeTotal > 0 && baseline.maeWeekly > 0) {
      const pct = (a: number, b: number) => `${Math.round((1 - a / b) * 100)}%`;
      lines.push(
        `  learned model vs due-date baseline: 30-day total error ${pct(model.maeTotal, baseline.maeTotal)} lower, weekly error ${pct(model.maeWeekly, baseline.maeWeekly)} lower`,
      );
    }
  }
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runForecastEval(process.argv.slice(2)).then(
    (out) => console.log(out),
    (err: Error) => {
      console.error(`forecast:eval: ${err.message}`);
      process.exit(1);
    },
  );
}
