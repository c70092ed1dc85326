import type { ModalView, PlainTextOption } from '@slack/types';
import { assertYmd } from '../src/domain/calendar.js';
import type { InvoiceLine } from '../src/domain/types.js';
import { field } from './client-settings-modal.js';
import { parseLinesText, type ViewStateValues } from './edit-modal.js';
import { truncate } from './format.js';

/** `/invoices new`: a one-off invoice through the same draft and approval as a milestone. */
export const NEW_INVOICE_MODAL = 'new_invoice_modal';
const ACTION = 'value';

export const NEW_INVOICE_BLOCKS = { client: 'ni_client', lines: 'ni_lines', dueDate: 'ni_due', terms: 'ni_terms' } as const;

const text = (t: string) => ({ type: 'plain_text' as const, text: t });
const option = (value: string, label: string): PlainTextOption => ({ text: text(truncate(label, 75)), value });

/**
 * `ref` (private_metadata) names this one form: submitting it twice (a double click, Slack retrying)
 * still makes one draft, as a milestone makes one invoice.
 */
export function newInvoiceModal(clients: readonly { id: string; name: string; currency: string }[], ref: string): ModalView {
  const options = clients.slice(0, 100).map((c) => option(c.id, `${c.name} (${c.currency})`));
  const base = { type: 'modal' as const, callback_id: NEW_INVOICE_MODAL, private_metadata: ref, title: text('New invoice'), close: text('Cancel') };
  if (!options.length) return { ...base, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'There are no clients yet: `/invoices client add` adds one.' } }] };
  return {
    ...base,
    submit: text('Create draft'),
    blocks: [
      field(NEW_INVOICE_BLOCKS.client, 'Client', { type: 'static_select', action_id: ACTION, options, placeholder: text('Choose a client') }),
      field(
        NEW_INVOICE_BLOCKS.lines,
        "Lines (in the client's currency)",
        { type: 'plain_text_input', action_id: ACTION, multiline: true, max_length: 3000, placeholder: text('Workshop | 1200.00\nTravel | 2 | 150.00') },
        { hint: 'One line per row: description | amount, or description | quantity | unit price.' },
      ),
      field(
        NEW_INVOICE_BLOCKS.dueDate,
        'Due date',
        { type: 'datepicker', action_id: ACTION },
        { optional: true, hint: "Empty: today plus the terms below (or the client's terms)." },
      ),
      field(
        NEW_INVOICE_BLOCKS.terms,
        'Payment terms (days)',
        { type: 'number_input', action_id: ACTION, is_decimal_allowed: false, min_value: '0', max_value: '365' },
        { optional: true, hint: "Used when no due date is picked; empty: the client's terms." },
      ),
    ],
  };
}

export function chosenClient(values: ViewStateValues): string | null {
  return values[NEW_INVOICE_BLOCKS.client]?.[ACTION]?.selected_option?.value ?? null;
}

export type NewInvoiceSubmission = { ok: true; lines: InvoiceLine[]; dueDate: string | null; termsDays: number | null } | { ok: false; errors: Record<string, string> };

/** Validates the form for the chosen client's currency; a due date before `today` is refused. */
export function parseNewInvoice(values: ViewStateValues, currency: string, today: string): NewInvoiceSubmission {
  const errors: Record<string, string> = {};
  const get = (block: string) => values[block]?.[ACTION];
  const lines = parseLinesText(get(NEW_INVOICE_BLOCKS.lines)?.value ?? '', currency, { amountOnly: true });
  if (!lines.ok) errors[NEW_INVOICE_BLOCKS.lines] = lines.error;
  const due = (get(NEW_INVOICE_BLOCKS.dueDate)?.selected_date ?? '').trim();
  if (due) {
    try {
      assertYmd(due);
      if (due < today) errors[NEW_INVOICE_BLOCKS.dueDate] = `The due date is in the past (today is ${today}).`;
    } catch {
      errors[NEW_INVOICE_BLOCKS.dueDate] = `"${truncate(due, 20)}" is not a date.`;
    }
  }
  const termsText = (get(NEW_INVOICE_BLOCKS.terms)?.value ?? '').trim();
  if (termsText && (!/^\d{1,3}$/.test(termsText) || Number(termsText) > 365))
    errors[NEW_INVOICE_BLOCKS.terms] = `Payment terms must be a whole number of days from 0 to 365 (got "${truncate(termsText, 20)}").`;
  if (Object.keys(errors).length || !lines.ok) return { ok: false, errors };
  return { ok: true, lines: lines.lines, dueDate: due || null, termsDays: termsText ? Number(termsText) : null };
}
