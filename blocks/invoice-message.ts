import type { Button, KnownBlock } from '@slack/types';
import { daysBetween, localDate } from '../src/domain/calendar.js';
import { hasTax, pendingTaxNote, taxLabel } from '../src/domain/tax.js';
import type { InvoiceStatus, InvoiceView } from '../src/domain/types.js';
import { APPROVE_INVOICE, DISCARD_INVOICE, EDIT_INVOICE, INVOICE_ACTIONS_BLOCK } from './ids.js';
import { httpUrl } from '../src/domain/web-url.js';
import { clip, dateLabel, esc, fmt, link, plural, truncate, ymdLabel } from './format.js';
import { invoiceDisputeActions } from './dispute.js';
import { salesTaxButtons, salesTaxContext, salesTaxTotalLabel, taxBlocksApproval } from './sales-tax.js';

/** Lines shown in the message; the rest are summarised so a long invoice stays far under Slack's limits. */
export const MAX_LINES_SHOWN = 15;
const TABLE_BUDGET = 2800;

export interface InvoiceMessageOptions {
  /** Business time zone for dates (sent, paid, "due in N days"). */
  timezone: string;
  now: Date;
}

/** The invoice's message in the billing channel: a draft with buttons, then its current state. */
export function invoiceMessage(view: InvoiceView, options: InvoiceMessageOptions): { text: string; blocks: KnownBlock[] } {
  const total = fmt(view.total, view.currency);
  // What the client will be asked for: with a tax service's tax, the lines plus that tax (or "+ tax (pending)").
  const totalLabel = salesTaxTotalLabel(view) ?? (pendingTaxNote(view) ? `${total} + tax` : total);
  const milestone = link(view.sourceUrl, truncate(view.milestone, 300));
  const recipients = view.recipients.length ? clip(esc(view.recipients.join(', ')), 1900) : '_nobody yet_';

  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(`Invoice ${view.number} · ${view.clientName}`, 150), emoji: true } },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Milestone*\n${milestone}` },
        { type: 'mrkdwn', text: `*Total*\n${totalLabel}` },
        { type: 'mrkdwn', text: `*Due*\n${dueLabel(view, options)}` },
        { type: 'mrkdwn', text: `*To*\n${recipients}` },
      ],
    },
    { type: 'section', text: { type: 'mrkdwn', text: linesTable(view) } },
    ...taxContext(view),
    { type: 'section', text: { type: 'mrkdwn', text: `${STATUS_EMOJI[view.status]} ${statusText(view, options.timezone)}` } },
  ];
  if (httpUrl(view.paymentUrl) && SHOWS_PAYMENT_LINK.has(view.status)) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `:link: ${link(view.paymentUrl, 'Payment link')}` }] });
  }
  if (view.attention) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `:warning: ${clip(esc(view.attention), 2900)}` }] });
  }
  if (view.status === 'draft' && view.overCeiling) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `:octagonal_sign: *Held for a human, never sent by itself:* ${esc(view.overCeiling)}. Approving asks you to confirm this total.` }],
    });
  }
  if (view.status === 'draft') blocks.push(draftActions(view, totalLabel));
  else if (view.status === 'sent' || view.status === 'partially_paid') blocks.push(invoiceDisputeActions(view));

  const text = `Invoice ${esc(view.number)} · ${esc(view.clientName)} · ${total} · ${statusText(view, options.timezone)}`;
  return { text: clip(text, 3000), blocks };
}

const SHOWS_PAYMENT_LINK: ReadonlySet<InvoiceStatus> = new Set(['approved', 'sent', 'partially_paid', 'paid']);

const STATUS_EMOJI: Record<InvoiceStatus, string> = {
  draft: ':hourglass_flowing_sand:',
  approved: ':outbox_tray:',
  sent: ':email:',
  partially_paid: ':heavy_minus_sign:',
  paid: ':white_check_mark:',
  credited: ':receipt:',
  void: ':no_entry_sign:',
  uncollectible: ':x:',
  discarded: ':wastebasket:',
};

/** One line a person can scan: the state, and the flags that change what duebot does next. */
export function statusText(view: InvoiceView, timezone: string): string {
  const balance = fmt(view.total - view.amountPaid, view.currency);
  const on = (d: Date | null) => (d ? ` ${dateLabel(d, timezone)}` : '');
  const base: Record<InvoiceStatus, string> = {
    draft: 'Waiting for approval',
    approved: 'Sending…',
    sent: `Sent${on(view.sentAt)} · Balance ${balance}`,
    partially_paid: `Partially paid: ${fmt(view.amountPaid, view.currency)} of ${fmt(view.total, view.currency)} · Balance ${balance}`,
    paid: `Paid in full${on(view.paidAt)}`,
    credited: view.amountPaid > 0 ? `Settled: ${fmt(view.amountPaid, view.currency)} paid, the rest credited` : 'Settled by credit · nothing paid',
    void: 'Void',
    uncollectible: 'Marked uncollectible',
    discarded: 'Discarded · not sent',
  };
  const parts = [base[view.status]];
  if (view.disputed) parts.push('Disputed');
  if (view.paused) parts.push('Reminders paused');
  return parts.join(' · ');
}

const AWAITING_MONEY: ReadonlySet<InvoiceStatus> = new Set(['draft', 'approved', 'sent', 'partially_paid']);

function dueLabel(view: InvoiceView, { timezone, now }: InvoiceMessageOptions): string {
  const date = ymdLabel(view.dueDate);
  if (!AWAITING_MONEY.has(view.status)) return date;
  let days: number;
  try {
    days = daysBetween(localDate(now, timezone), view.dueDate);
  } catch {
    return esc(view.dueDate);
  }
  if (days > 0) return `${date} (in ${plural(days, 'day')})`;
  if (days === 0) return `${date} (today)`;
  return `${date} (*${plural(-days, 'day')} overdue*)`;
}

/** Subtotal, tax and total once the back-end added tax; before that, where the tax will come from. */
function taxContext(view: InvoiceView): KnownBlock[] {
  const fromService = salesTaxContext(view);
  // Before the back-end has it, a tax service's tax says everything; afterwards its source follows the figures.
  if (fromService && (view.taxAmount === null || view.taxAmount === undefined)) return fromService;
  return [...backendTaxContext(view), ...(fromService ?? [])];
}

function backendTaxContext(view: InvoiceView): KnownBlock[] {
  const pending = pendingTaxNote(view);
  if (pending) return [{ type: 'context', elements: [{ type: 'mrkdwn', text: `:receipt: _${esc(pending)}_` }] }];
  if (!hasTax(view)) return [];
  // Total less tax, so a credit line (which lowers the total) shows in the subtotal too.
  const subtotal = view.total - view.taxAmount!;
  const text = `Subtotal ${fmt(subtotal, view.currency)} · ${esc(taxLabel(view))} ${fmt(view.taxAmount!, view.currency)} · *Total ${fmt(view.total, view.currency)}*`;
  return [{ type: 'context', elements: [{ type: 'mrkdwn', text: clip(text, 2900) }] }];
}

/** Description, quantity × unit price and amount per line; the first lines that fit, then a count of the rest. */
function linesTable(view: InvoiceView): string {
  if (view.lines.length === 0) return '_No lines_';
  const rows: string[] = [];
  let used = 0;
  for (const l of view.lines.slice(0, MAX_LINES_SHOWN)) {
    const row = `• ${esc(truncate(l.description, 120))} — ${esc(l.quantity)} × ${fmt(l.unitAmount, view.currency)} = *${fmt(l.amount, view.currency)}*`;
    if (used + row.length + 1 > TABLE_BUDGET) break;
    rows.push(row);
    used += row.length + 1;
  }
  const more = view.lines.length - rows.length;
  if (more > 0) rows.push(`_…and ${plural(more, 'more line')}_`);
  return rows.join('\n');
}

function draftActions(view: InvoiceView, total: string): KnownBlock {
  const to = view.recipients.join(', ') || 'no recipients';
  return {
    type: 'actions',
    block_id: INVOICE_ACTIONS_BLOCK,
    elements: [
      // While the tax service's tax is pending or failed there is nothing to approve yet.
      ...(taxBlocksApproval(view) ? salesTaxButtons(view) : [approveButton(view, total, to)]),
      { type: 'button', action_id: EDIT_INVOICE, text: { type: 'plain_text', text: 'Edit' }, value: view.id },
      {
        type: 'button',
        action_id: DISCARD_INVOICE,
        text: { type: 'plain_text', text: 'Discard' },
        style: 'danger',
        value: view.id,
        confirm: {
          title: { type: 'plain_text', text: 'Discard this draft?' },
          text: { type: 'mrkdwn', text: clip(`Invoice ${esc(view.number)} will not be sent. Its number stays used so the sequence has no gaps.`, 300) },
          confirm: { type: 'plain_text', text: 'Discard' },
          deny: { type: 'plain_text', text: 'Keep it' },
          style: 'danger',
        },
      },
    ],
  };
}

function approveButton(view: InvoiceView, total: string, to: string): Button {
  return {
    type: 'button',
    action_id: APPROVE_INVOICE,
    text: { type: 'plain_text', text: 'Approve & send' },
    style: 'primary',
    value: approveButtonValue(view),
    confirm: {
      title: { type: 'plain_text', text: truncate(view.overCeiling ? `Over the ceiling: send ${view.number}?` : `Send ${view.number}?`, 100) },
      text: {
        type: 'mrkdwn',
        text: clip(`${view.overCeiling ? `:warning: ${esc(view.overCeiling)}.\n` : ''}${total}, due ${ymdLabel(view.dueDate)}, will be emailed to ${esc(to)}.`, 300),
      },
      confirm: { type: 'plain_text', text: 'Approve & send' },
      deny: { type: 'plain_text', text: 'Not yet' },
    },
  };
}

/**
 * The Approve button's value: the invoice id, and on a draft over its ceiling also the total its confirm
 * dialog showed, so the server approves exactly the amount the person confirmed (src/slack/listeners.ts).
 */
export function approveButtonValue(view: Pick<InvoiceView, 'id' | 'total' | 'overCeiling'>): string {
  return view.overCeiling ? `${view.id}:${view.total}` : view.id;
}
