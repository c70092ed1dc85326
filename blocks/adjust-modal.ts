import type { KnownBlock, ModalView } from '@slack/types';
import { MoneyError, parseMajor } from '../src/domain/money.js';
import type { InvoiceLine, InvoiceView } from '../src/domain/types.js';
import { ADJUST_ACTIONS, ADJUST_BLOCKS, ADJUST_MODAL } from './dispute-ids.js';
import { EDIT_ACTIONS, EDIT_BLOCKS } from './ids.js';
import { lineToText, parseEditSubmission, type ViewStateValues } from './edit-modal.js';
import { clip, esc, fmt, truncate } from './format.js';

const INPUT_MAX = 3000;
const REASON_MAX = 200;

const MODE_OPTIONS = [
  { text: { type: 'plain_text' as const, text: 'Void and reissue with the lines below' }, value: 'reissue' },
  { text: { type: 'plain_text' as const, text: 'Credit the open balance of this invoice' }, value: 'credit' },
];

/**
 * "Adjust amount" on a disputed invoice. Reissue: new lines and/or a credit line; the invoice is voided
 * at the back-end and reissued under a new number, emailed, with its own reminder sequence. Credit: the
 * open balance is lowered on this invoice (credit note / memo at the back-end), the corrected balance
 * is emailed and the sequence starts again.
 */
export function adjustAmountModal(view: InvoiceView, o: { backendName: string; dueDate: string }): ModalView {
  const linesText = view.lines.map((l) => lineToText(l, view.currency)).join('\n');
  const balance = view.total - view.amountPaid;
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: clip(
          `Invoice ${esc(view.number)} (${fmt(view.total, view.currency)}, open ${fmt(balance, view.currency)}): either *void* it in ${esc(o.backendName)} and *reissue* it under a new number with the lines below, or *credit* part or all of the open balance on this invoice. Either way the client is emailed and the reminder sequence starts again.`,
          3000,
        ),
      },
    },
    {
      type: 'input',
      block_id: ADJUST_BLOCKS.mode,
      label: { type: 'plain_text', text: 'How' },
      element: { type: 'radio_buttons', action_id: ADJUST_ACTIONS.mode, options: MODE_OPTIONS, initial_option: MODE_OPTIONS[0] },
    },
    {
      type: 'input',
      block_id: EDIT_BLOCKS.lines,
      label: { type: 'plain_text', text: 'Lines: description | quantity | unit price' },
      element: {
        type: 'plain_text_input',
        action_id: EDIT_ACTIONS.lines,
        multiline: true,
        max_length: INPUT_MAX,
        ...(linesText.length <= INPUT_MAX ? { initial_value: linesText } : {}),
      },
    },
    {
      type: 'input',
      block_id: ADJUST_BLOCKS.credit,
      optional: true,
      label: { type: 'plain_text', text: `Credit (${view.currency})` },
      hint: {
        type: 'plain_text',
        text: `Reissue: optional, a credit line on the new invoice. Credit: the amount taken off this invoice, at most ${fmt(balance, view.currency)}. E.g. 400.00`,
      },
      element: { type: 'plain_text_input', action_id: ADJUST_ACTIONS.credit },
    },
    {
      type: 'input',
      block_id: ADJUST_BLOCKS.reason,
      optional: true,
      label: { type: 'plain_text', text: 'Reason for the credit' },
      hint: { type: 'plain_text', text: 'Required for a credit: shown on the credit note and in the email to the client.' },
      element: { type: 'plain_text_input', action_id: ADJUST_ACTIONS.reason, max_length: REASON_MAX },
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
    submit: { type: 'plain_text', text: 'Apply' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks,
  };
}

/** The credit field in minor units (0 when empty); a bad entry is put in `errors` under the field. */
function creditAmount(values: ViewStateValues, currency: string, errors: Record<string, string>): number {
  const rawCredit = (values[ADJUST_BLOCKS.credit]?.[ADJUST_ACTIONS.credit]?.value ?? '').trim().replace(/^(?:[A-Za-z]{3}|[^\w\s.-])\s*(?=[\d.])/, ''); // "$400", "USD 400"
  if (!rawCredit) return 0;
  try {
    const credit = parseMajor(rawCredit, currency).amount;
    if (credit <= 0) errors[ADJUST_BLOCKS.credit] = 'The credit must be above zero.';
    return credit;
  } catch (err) {
    errors[ADJUST_BLOCKS.credit] = err instanceof MoneyError ? `"${truncate(rawCredit, 40)}" is not an amount in ${currency}.` : 'Not an amount.';
    return 0;
  }
}

export type AdjustSubmission = { ok: true; lines: InvoiceLine[]; total: number; dueDate: string; recipients: string[] } | { ok: false; errors: Record<string, string> };

export const CREDIT_DESCRIPTION = 'Credit (dispute settlement)';

/** The edit modal's rules for lines, due date and recipients, plus the credit: positive and below the lines' total. */
export function parseAdjustSubmission(values: ViewStateValues, currency: string, currentTotal: number): AdjustSubmission {
  const base = parseEditSubmission(values, currency);
  const errors: Record<string, string> = base.ok ? {} : { ...base.errors };
  const credit = creditAmount(values, currency, errors);
  if (!base.ok || Object.keys(errors).length) return { ok: false, errors };
  const linesTotal = base.lines.reduce((acc, l) => acc + l.amount, 0);
  if (credit >= linesTotal) return { ok: false, errors: { [ADJUST_BLOCKS.credit]: `The credit must be less than the lines' total (${fmt(linesTotal, currency)}).` } };
  const lines = credit ? [...base.lines, { description: CREDIT_DESCRIPTION, quantity: '1', unitAmount: -credit, amount: -credit }] : base.lines;
  const total = linesTotal - credit;
  if (total === currentTotal) return { ok: false, errors: { [EDIT_BLOCKS.lines]: `The total stays ${fmt(total, currency)}; use "Resolve: amount stands" instead.` } };
  return { ok: true, lines, total, dueDate: base.dueDate, recipients: base.recipients };
}

export type AdjustChoice = { mode: 'reissue'; submission: AdjustSubmission } | { mode: 'credit'; submission: CreditSubmission };
export type CreditSubmission = { ok: true; credit: number; reason: string } | { ok: false; errors: Record<string, string> };

/** Reads the chosen way, then that way's fields only (the reissue fields are ignored for a credit). */
export function parseAdjustChoice(values: ViewStateValues, currency: string, currentTotal: number, openBalance: number): AdjustChoice {
  const mode = values[ADJUST_BLOCKS.mode]?.[ADJUST_ACTIONS.mode]?.selected_option?.value;
  return mode === 'credit'
    ? { mode, submission: parseCreditSubmission(values, currency, openBalance) }
    : { mode: 'reissue', submission: parseAdjustSubmission(values, currency, currentTotal) };
}

export function parseCreditSubmission(values: ViewStateValues, currency: string, openBalance: number): CreditSubmission {
  const errors: Record<string, string> = {};
  const reason = (values[ADJUST_BLOCKS.reason]?.[ADJUST_ACTIONS.reason]?.value ?? '').replace(/\s+/g, ' ').trim();
  if (!reason) errors[ADJUST_BLOCKS.reason] = 'Say why the credit is given; the client sees it.';
  const credit = creditAmount(values, currency, errors);
  if (!errors[ADJUST_BLOCKS.credit] && credit === 0) errors[ADJUST_BLOCKS.credit] = `Enter the credit, at most the open balance of ${fmt(openBalance, currency)}.`;
  else if (credit > openBalance) errors[ADJUST_BLOCKS.credit] = `The credit can be at most the open balance, ${fmt(openBalance, currency)}.`;
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, credit, reason };
}
