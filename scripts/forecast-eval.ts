/**
 * `npm run forecast:eval -- [--history <csv>] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--step 7] [--json]`
 *
 * Backtests the forecast: for every as-of date in the range (default: weekly, from 90 days after the
 * first invoice to 30 days before the data ends) it forecasts the next 30 days and compares with what
 * was actually collected, for the survival model, the median model and the due-date baseline.
 * Without `--history` it runs on the synthetic history (src/forecast/synthetic-history.ts).
 */
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { money, formatMoney } from '../src/domain/money.js';
import { backtest, defaultBacktestRange, type BacktestRange, type BacktestScore } from '../src/forecast/backtest.js';
import { isCalendarDate, parseHistoryCsv } from '../src/forecast/history-csv.js';
import { DEFAULT_SYNTHETIC, syntheticHistory } from '../src/forecast/synthetic-history.js';

const USAGE = 'usage: npm run forecast:eval -- [--history <csv>] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--step 7] [--json]';

export async function runForecastEval(argv: string[]): Promise<string> {
  const { values } = parseArgs({
    args: argv,
    options: { history: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, step: { type: 'string', default: '7' }, json: { type: 'boolean', default: false } },
    strict: true,
  });
  for (const flag of ['from', 'to'] as const) {
    const v = values[flag];
    if (v !== undefined && !isCalendarDate(v)) throw new Error(`--${flag} "${v}" is not a YYYY-MM-DD date\n${USAGE}`);
  }
  const step = Number(values.step);
  if (!Number.isInteger(step) || step < 1) throw new Error('--step must be a whole number of days');
  const rows = values.history ? parseHistoryCsv(await readFile(values.history, 'utf8')) : syntheticHistory(DEFAULT_SYNTHETIC);
  const range = { ...defaultBacktestRange(rows, step), ...(values.from ? { from: values.from } : {}), ...(values.to ? { to: values.to } : {}) };
  const scores = backtest(rows, range);
  if (values.json) return JSON.stringify({ range, scores }, null, 2);
  return renderScores(values.history ?? `synthetic history (seed ${DEFAULT_SYNTHETIC.seed}, ${rows.length} rows)`, range, scores);
}

const percent = (share: number) => `${(share * 100).toFixed(1)} %`;
const signedPercent = (share: number) => `${share >= 0 ? '+' : '−'}${percent(Math.abs(share))}`;

export function renderScores(source: string, range: BacktestRange, scores: readonly BacktestScore<string>[]): string {
  const lines = [`Backtest of ${source}: as-of ${range.from} .. ${range.to} every ${range.stepDays} days; errors of the next-30-days forecast`];
  for (const currency of [...new Set(scores.map((s) => s.currency))]) {
    const mine = scores.filter((s) => s.currency === currency);
    lines.push('', `${currency} (${mine[0]!.points} as-of dates, mean actual 30-day collections ${formatMoney(money(mine[0]!.meanActualTotal, currency))})`);
    lines.push(`  ${'model'.padEnd(10)} ${'30-day total MAPE'.padStart(18)} ${'weekly WAPE'.padStart(12)} ${'bias'.padStart(9)}`);
    for (const s of mine)
      lines.push(`  ${s.model.padEnd(10)} ${percent(s.mapeTotal).padStart(18)} ${percent(s.wapeWeekly).padStart(12)} ${signedPercent(s.biasShare).padStart(9)}`);
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
