import type { Button, KnownBlock } from '@slack/types';
import type { InvoiceView, SalesTaxView } from '../src/domain/types.js';
import { clip, esc, fmt, truncate, who } from './format.js';

/** Buttons on a draft whose tax service's tax is pending or failed (approvers only, src/slack/authorize.ts). */
export const RECOMPUTE_TAX = 'recompute_tax';
export const SEND_WITHOUT_TAX = 'send_without_tax';

/** Before the back-end has the invoice: the tax service's tax is what the total adds. */
const beforeBackend = (view: InvoiceView) => view.taxAmount === null || view.taxAmount === undefined;

/** A tax service's tax that blocks Approve until it is computed or an approver skips it. */
export function taxBlocksApproval(view: InvoiceView): boolean {
  return view.status === 'draft' && (view.salesTax?.status === 'pending' || view.salesTax?.status === 'failed');
}

/** The Total field: lines plus the computed tax; "+ tax (pending)" while it is not known. Null: not a tax service's. */
export function salesTaxTotalLabel(view: InvoiceView): string | null {
  const t = view.salesTax;
  if (!t || !beforeBackend(view)) return null;
  if (t.status === 'computed' && t.amount !== null) return fmt(view.total + t.amount, view.currency);
  if (t.status === 'pending' || t.status === 'failed') return `${fmt(view.total, view.currency)} + tax (${t.status === 'pending' ? 'pending' : 'not computed'})`;
  return fmt(view.total, view.currency);
}

const rateText = (t: SalesTaxView) => (t.ratePercent ? `${esc(t.ratePercent)}%` : '');

/** The message's tax lines for a tax service's tax: the figures and where they came from, or why they are missing. */
export function salesTaxContext(view: InvoiceView): KnownBlock[] | null {
  const t = view.salesTax;
  if (!t) return null;
  const source = esc(t.source);
  const where = t.jurisdiction ? ` for ${esc(truncate(t.jurisdiction, 200))}` : '';
  const context = (text: string): KnownBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text: clip(text, 2900) }] });
  if (!beforeBackend(view)) {
    // Issued: the stored tax is the back-end's figure; say which service computed it.
    return t.status === 'computed' ? [context(`:receipt: Sales tax computed by ${source}${where}`)] : null;
  }
  switch (t.status) {
    case 'computed': {
      const label = [t.name ? esc(truncate(t.name, 100)) : 'Sales tax', rateText(t)].filter(Boolean).join(', ');
      return [
        context(`Subtotal ${fmt(view.total, view.currency)} · ${label} ${fmt(t.amount ?? 0, view.currency)} · *Total ${fmt(view.total + (t.amount ?? 0), view.currency)}*`),
        context(`:receipt: Sales tax computed by ${source}${where}`),
      ];
    }
    case 'pending':
      return [
        context(
          `:hourglass: *Sales tax pending:* ${source} did not answer (${esc(truncate(t.reason ?? 'no answer', 300))}). It is retried automatically; Approve waits until it is computed, or an approver sends without tax.`,
        ),
      ];
    case 'failed':
      return [context(`:warning: *Sales tax not computed:* ${esc(truncate(t.reason ?? 'unknown reason', 500))}. Fix it and *Recompute tax*, or *Send without tax*.`)];
    case 'skipped':
      return [context(`:no_entry_sign: No sales tax: ${t.decidedBy?.startsWith('slack:') ? who(t.decidedBy.slice('slack:'.length)) : 'an approver'} chose to send without tax.`)];
  }
}

/** Instead of Approve while the tax is pending or failed. */
export function salesTaxButtons(view: InvoiceView): Button[] {
  return [
    { type: 'button', action_id: RECOMPUTE_TAX, text: { type: 'plain_text', text: 'Recompute tax' }, style: 'primary', value: view.id },
    {
      type: 'button',
      action_id: SEND_WITHOUT_TAX,
      text: { type: 'plain_text', text: 'Send without tax' },
      style: 'danger',
      value: view.id,
      confirm: {
        title: { type: 'plain_text', text: truncate(`Send ${view.number} without tax?`, 100) },
        text: {
          type: 'mrkdwn',
          text: clip(
            `${fmt(view.total, view.currency)} with *no sales tax* will be emailed to ${esc(view.recipients.join(', ') || 'no recipients')}. Your choice is recorded.`,
            300,
          ),
        },
        confirm: { type: 'plain_text', text: 'Send without tax' },
        deny: { type: 'plain_text', text: 'Not yet' },
        style: 'danger',
      },
    },
  ];
}
