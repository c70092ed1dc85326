import type { KnownBlock } from '@slack/types';
import { daysBetween, localDate } from '../src/domain/calendar.js';
import { isOpen } from '../src/domain/invoice.js';
import type { InvoiceView } from '../src/domain/types.js';
import { statusText } from './invoice-message.js';
import { clip, esc, fmt, plural, truncate } from './format.js';

/** Rows per section: well under 3,000 characters each even with long names. */
const ROWS_PER_SECTION = 10;

export interface InvoiceList {
  /** What was asked for, e.g. "Open invoices" or "Invoices of Acme Ltd". */
  title: string;
  invoices: readonly InvoiceView[];
  /** More matched than are shown. */
  more: boolean;
}

/** `/invoices list …`: one scannable line per invoice, newest first. */
export function invoiceListMessage(list: InvoiceList, options: { timezone: string; now: Date }): { text: string; blocks: KnownBlock[] } {
  if (list.invoices.length === 0) {
    const text = clip(`${esc(list.title)}: none.`, 3000);
    return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: clip(`*${esc(list.title)}*: none.`, 3000) } }] };
  }
  const today = localDate(options.now, options.timezone);
  const rows = list.invoices.map((view) => listRow(view, today, options.timezone));
  const blocks: KnownBlock[] = [{ type: 'header', text: { type: 'plain_text', text: truncate(list.title, 150) } }];
  for (let i = 0; i < rows.length; i += ROWS_PER_SECTION) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(rows.slice(i, i + ROWS_PER_SECTION).join('\n'), 3000) } });
  }
  const footer = list.more ? `Showing the newest ${list.invoices.length}. ` : '';
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `${footer}\`/invoices show &lt;number&gt;\` opens one invoice with its reminders and history.` }] });
  return { text: `${esc(truncate(list.title, 500))}: ${plural(list.invoices.length, 'invoice')}${list.more ? ' (newest shown)' : ''}`, blocks };
}

function listRow(view: InvoiceView, today: string, timezone: string): string {
  const overdue = isOpen(view.status) && view.status !== 'draft' && view.status !== 'approved' ? daysBetween(view.dueDate, today) : 0;
  const parts = [
    `*${esc(truncate(view.number, 40))}*`,
    esc(truncate(view.clientName, 60)),
    esc(truncate(view.milestone, 80)),
    fmt(view.total, view.currency),
    statusText(view, timezone),
  ];
  if (overdue > 0) parts.push(`*${plural(overdue, 'day')} overdue*`);
  return `• ${parts.join(' · ')}`;
}
