import type { KnownBlock } from '@slack/types';
import type { CurrencyForecast } from '../src/domain/forecast.js';
import { clip, esc, fmt, plural, ymdLabel } from './format.js';

export interface ForecastView {
  asOf: string;
  currencies: readonly {
    forecast: CurrencyForecast;
    startingBalance: number | null;
    balanceSource?: string;
    /** Bills due per week; null or absent: outflows unknown. */
    outflows?: readonly number[] | null;
    projected: readonly number[] | null;
  }[];
  /** Back-ends whose bills are counted as outflows; empty or absent: inflows only. */
  outflowsFrom?: readonly string[];
  /** The configured back-ends when none keeps bills: named in the "inflows only" line. */
  outflowsUnavailableFrom?: readonly string[];
  /** What is left out of the forecast (e.g. a project tool whose upcoming milestones could not be read). */
  notes?: readonly string[];
}

/** Each currency takes a header line section plus a divider; the cap keeps a message under Slack's 50 blocks. */
const MAX_CURRENCIES = 12;

const shortDate = (ymd: string) => ymdLabel(ymd).replace(/, \d{4}$/, '');
const sum = (values: readonly number[]) => values.reduce((s, v) => s + v, 0);

/** A monospaced table (Slack renders ``` blocks in a fixed-width font, so columns line up). */
function table(c: ForecastView['currencies'][number]): string {
  const { forecast: f } = c;
  const out = c.outflows ?? null;
  // The 10th-90th percentile per week, where the model gives one (every week or none).
  // Shown when the model gives a spread; with one date per invoice (too little history, `median`) it is the amount itself.
  const ranged = f.weeks.some((w) => w.range.p10 !== w.range.p90);
  const header = ['Week', 'Expected in', ...(ranged ? ['Likely range'] : []), ...(out ? ['Bills due'] : []), ...(c.projected ? ['Bank balance'] : [])];
  const rows = f.weeks.map((w, i) => [
    `${shortDate(w.start)} – ${shortDate(w.end)}`,
    fmt(w.expected, f.currency),
    ...(ranged ? [`${fmt(w.range.p10, f.currency)} – ${fmt(w.range.p90, f.currency)}`] : []),
    ...(out ? [fmt(out[i]!, f.currency)] : []),
    ...(c.projected ? [fmt(c.projected[i]!, f.currency)] : []),
  ]);
  rows.push([
    'Next 30 days',
    fmt(f.total30d, f.currency),
    ...(ranged ? [''] : []),
    ...(out ? [fmt(sum(out), f.currency)] : []),
    ...(c.projected ? [fmt(c.projected[c.projected.length - 1]!, f.currency)] : []),
  ]);
  const all = [header, ...rows];
  const widths = header.map((_, col) => Math.max(...all.map((r) => r[col]!.length)));
  const line = (r: string[]) => r.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!))).join('   ');
  return ['```', line(header), ...rows.map(line), '```'].join('\n');
}

function outflowsLine(view: ForecastView): string {
  if (view.outflowsFrom?.length) return `Outflows: bills due in ${esc(view.outflowsFrom.join(', '))}, counted on their due dates.`;
  if (view.outflowsUnavailableFrom?.length)
    return `Inflows only: outflows are not available from ${esc(view.outflowsUnavailableFrom.join(', '))} (bills are read from QuickBooks, Xero and FreshBooks).`;
  return 'Inflows only: outgoing payments are not known.';
}

/** `/invoices forecast`: expected inflows per week for the next 30 days, per currency, with overdue and balance. */
export function forecastMessage(view: ForecastView, options: { chartByDm?: boolean } = {}): { text: string; blocks: KnownBlock[] } {
  const asOf = ymdLabel(view.asOf);
  if (view.currencies.length === 0) {
    const text = clip(
      `Nothing open or scheduled as of ${asOf}, so no inflows are expected. Set a starting balance with \`/invoices balance &lt;amount&gt;\`.${view.notes?.length ? ` ${esc(view.notes.join(' '))}` : ''}`,
      3000,
    );
    return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
  }
  const shown = view.currencies.slice(0, MAX_CURRENCIES);
  const blocks: KnownBlock[] = [{ type: 'header', text: { type: 'plain_text', text: `Cash-flow forecast · next 30 days from ${asOf}` } }];
  for (const c of shown) {
    const f = c.forecast;
    const facts = [
      `*${f.currency}* · expected in the next 30 days *${fmt(f.total30d, f.currency)}*`,
      `Overdue now: *${fmt(f.overdue, f.currency)}*${f.overdueCount ? ` (${plural(f.overdueCount, 'invoice')})` : ''}`,
      ...(f.doubtful ? [`Not counted on (later than any client has ever paid): ${fmt(f.doubtful, f.currency)}`] : []),
      ...(f.later ? [`Expected after 30 days: ${fmt(f.later, f.currency)}`] : []),
      ...(c.outflows ? [`Bills due in the next 30 days: *${fmt(sum(c.outflows), f.currency)}*`] : []),
      c.startingBalance === null
        ? '_No starting balance set: `/invoices balance &lt;amount&gt; ' + f.currency + '`_'
        : `Starting balance ${fmt(c.startingBalance, f.currency)}${c.balanceSource ? ` (from ${esc(c.balanceSource)})` : ''}`,
    ];
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(`${facts.join('\n')}\n${table(c)}`, 3000) } }, { type: 'divider' });
  }
  blocks.pop();
  const hidden = view.currencies.length - shown.length;
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: clip(
          `${view.notes?.length ? `:warning: ${esc(view.notes.join(' '))}\n` : ''}Upcoming billing milestones count from their due date. Expected dates come from each client's own payment history (median lateness once it has 3 paid invoices, else all clients pooled, else the due date). ${outflowsLine(view)}${options.chartByDm === false ? '' : ' The chart comes as a direct message.'}${hidden > 0 ? ` ${hidden} more ${hidden === 1 ? 'currency' : 'currencies'} not shown.` : ''}`,
          3000,
        ),
      },
    ],
  });
  const summary = shown
    .map((c) => `${c.forecast.currency} ${fmt(c.forecast.total30d, c.forecast.currency)} expected, ${fmt(c.forecast.overdue, c.forecast.currency)} overdue`)
    .join('; ');
  return { text: `Cash-flow forecast as of ${asOf}: ${summary}`, blocks };
}

export function balanceSetMessage(amount: number, currency: string): { text: string } {
  return { text: `Starting balance set to ${fmt(amount, currency)}. \`/invoices forecast\` now projects the bank balance from it.` };
}
