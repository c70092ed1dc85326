import type { KnownBlock } from '@slack/types';
import type { AgingBucket, AgingReport } from '../src/domain/types.js';
import { clip, dateLabel, esc, fmt, plural, truncate } from './format.js';

/** Balances per currency, joined for display: "$1,500.00 · €980.00". Currencies are never added together. */
function amounts(totals: readonly { currency: string; amount: number }[]): string {
  return totals.map((t) => fmt(t.amount, t.currency)).join(' · ');
}

function openTotals(buckets: readonly AgingBucket[]): { currency: string; amount: number }[] {
  const byCurrency = new Map<string, number>();
  for (const b of buckets) for (const t of b.totals) byCurrency.set(t.currency, (byCurrency.get(t.currency) ?? 0) + t.amount);
  return [...byCurrency.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([currency, amount]) => ({ currency, amount }));
}

/** One line per bucket, e.g. "*8-14 days* — 2 invoices · $1,500.00" (also on the Home tab). */
export function agingLines(report: AgingReport): string[] {
  return report.buckets.map((b) => (b.count === 0 ? `*${b.label} days* — none` : `*${b.label} days* — ${plural(b.count, 'invoice')} · ${amounts(b.totals)}`));
}

/** `/invoices aging`: open receivables by days since sending, per currency, and the largest overdue ones. */
export function agingMessage(report: AgingReport, options: { timezone: string }): { text: string; blocks: KnownBlock[] } {
  const asOf = dateLabel(report.asOf, options.timezone);
  if (report.openCount === 0) {
    const text = `:tada: Nothing open as of ${asOf}: every invoice sent has been paid.`;
    return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
  }

  const rows = agingLines(report);
  const total = amounts(openTotals(report.buckets));
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: `Receivables aging · ${asOf}` } },
    { type: 'section', text: { type: 'mrkdwn', text: clip(`*${plural(report.openCount, 'open invoice')}* · ${total}\n_By days since sending:_\n${rows.join('\n')}`, 3000) } },
  ];
  if (report.largestOverdue.length) {
    const list = report.largestOverdue.map(
      (o) => `• *${esc(o.number)}* · ${esc(truncate(o.clientName, 80))} · ${fmt(o.balance, o.currency)} · ${plural(o.daysOverdue, 'day')} overdue`,
    );
    blocks.push({ type: 'divider' }, { type: 'section', text: { type: 'mrkdwn', text: clip(`*Largest overdue*\n${list.join('\n')}`, 3000) } });
  } else {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: 'Nothing is past its due date.' }] });
  }

  const summary = report.buckets.map((b) => `${b.label}: ${b.count}${b.count ? ` (${amounts(b.totals)})` : ''}`).join(', ');
  return { text: `Receivables aging as of ${asOf}: ${plural(report.openCount, 'open invoice')}, ${total}. ${summary}`, blocks };
}
