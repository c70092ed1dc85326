import type { KnownBlock, ModalView } from '@slack/types';
import { MoneyError, parseMajor } from '../src/domain/money.js';
import type { InvoiceLine, InvoiceView } from '../src/domain/types.js';
import { ADJUST_ACTIONS, ADJUST_BLOCKS, ADJUST_MODAL } from './dispute-ids.js';
import { EDIT_ACTIONS, EDIT_BLOCKS } from './ids.js';
import { lineToText, parseEditSubmission, type ViewStateValues } from './edit-modal.js';
import { esc, fmt, truncate } from './format.js';

const INPUT_MAX = 3000;

/**
 * "Adjust amount" on a disputed invoice: new lines and/or a credit. The invoice is voided at the
 * back-end and reissued under a new number, which is emailed and starts its own reminder sequence.
 */
export function adjustAmountModal(view: InvoiceView, o: { backendName: string; dueDate: string }): ModalView {
  const linesText = view.lines.map((l) => lineToText(l, view.currency)).join('\n');
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `Invoice ${esc(view.number)} (${fmt(view.total, view.currency)}) will be *voided* in ${esc(o.backendName)} and *reissued* under a new number with the lines below, emailed to the recipients, with a new reminder sequence.`,
      },
    },
    {
      type: 'input',
      block_id: EDIT_BLOCKS.lines,
      label: { type: 'plain_text', text: 'Lines: description | quantity | unit price' },
      element: { type: 'plain_text_input', action_id: EDIT_ACTIONS.lines, multiline: true, max_length: INPUT_MAX, ...(linesText.length <= INPUT_MAX ? { initial_value: linesText } : {}) },
    },
    {
      type: 'input',
      block_id: ADJUST_BLOCKS.credit,
      optional: true,
      label: { type: 'plain_text', text: `Credit to take off (${view.currency})` },
      hint: { type: 'plain_text', text: 'Optional: shown on the new invoice as a credit line, e.g. 400.00' },
      element: { type: 'plain_text_input', action_id: ADJUST_ACTIONS.credit },
    },
    {
      type: 'input',
      block_id: EDIT_BLOCKS.dueDate,
      label: { type: 'plain_text', text: 'Due date' },
      element: { type: 'datepicker', action_id: EDIT_ACTIONS.dueDate, initial_date: o.dueDate },
    },
    {
      type: 'input',
      block_id: EDIT_BLOCKS.recipients,
      label: { type: 'plain_text', text: 'Send to' },
      element: { type: 'plain_text_input', action_id: EDIT_ACTIONS.recipients, initial_value: truncate(view.recipients.join(', '), INPUT_MAX) },
    },
  ];
  return {
    type: 'modal',
    callback_id: ADJUST_MODAL,
    private_metadata: view.id,
    title: { type: 'plain_text', text: truncate(`Adjust ${view.number}`, 24) },
    submit: { type: 'plain_text', text: 'Void & reissue' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks,
  };
}

export type AdjustSubmission =
  | { ok: true; lines: InvoiceLine[]; total: number; dueDate: string; recipients: string[] }
  | { ok: false; errors: Record<string, string> };

export const CREDIT_DESCRIPTION = 'Credit (dispute settlement)';

/** The edit modal's rules for lines, due date and recipients, plus the credit: positive and below the lines' total. */
export function parseAdjustSubmission(values: ViewStateValues, currency: string, currentTotal: number): AdjustSubmission {
  const base = parseEditSubmission(values, currency);
  const errors: Record<string, string> = base.ok ? {} : { ...base.errors };
  const rawCredit = (values[ADJUST_BLOCKS.credit]?.[ADJUST_ACTIONS.credit]?.value ?? '').trim().replace(/^(?:[A-Za-z]{3}|[^\w\s.-])\s*(?=[\d.])/, ''); // "$400", "USD 400"
  let credit = 0;
  if (rawCredit) {
    try {
      credit = parseMajor(rawCredit, currency).amount;
      if (credit <= 0) errors[ADJUST_BLOCKS.credit] = 'The credit must be above zero.';
    } catch (err) {
      errors[ADJUST_BLOCKS.credit] = err instanceof MoneyError ? `"${truncate(rawCredit, 40)}" is not an amount in ${currency}.` : 'Not an amount.';
    }
  }
  if (!base.ok || Object.keys(errors).length) return { ok: false, errors };
  const linesTotal = base.lines.reduce((acc, l) => acc + l.amount, 0);
  if (credit >= linesTotal) return { ok: false, errors: { [ADJUST_BLOCKS.credit]: `The credit must be less than the lines' total (${fmt(linesTotal, currency)}).` } };
  const lines = credit ? [...base.lines, { description: CREDIT_DESCRIPTION, quantity: '1', unitAmount: -credit, amount: -credit }] : base.lines;
  const total = linesTotal - credit;
  if (total === currentTotal) return { ok: false, errors: { [EDIT_BLOCKS.lines]: `The total stays ${fmt(total, currency)}; use "Resolve: amount stands" instead.` } };
  return { ok: true, lines, total, dueDate: base.dueDate, recipients: base.recipients };
}
