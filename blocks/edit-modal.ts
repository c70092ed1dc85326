import type { KnownBlock, ModalView } from '@slack/types';
import { assertYmd } from '../src/domain/calendar.js';
import { MAX_AMOUNT_MINOR, MoneyError, formatMajorWithCode, money, multiply, parseMajor, parseQuantity, toMajorString } from '../src/domain/money.js';
import type { InvoiceLine, InvoiceView } from '../src/domain/types.js';
import { EDIT_ACTIONS, EDIT_BLOCKS, EDIT_INVOICE_MODAL } from './ids.js';
import type { EditBlockId } from './ids.js';
import { clip, esc, truncate } from './format.js';

export { EDIT_ACTIONS, EDIT_BLOCKS } from './ids.js';

/** Slack's cap on a plain_text_input value. */
const INPUT_MAX = 3000;
const DESCRIPTION_MAX = 500;

/** One invoice line as the modal shows it: `description | quantity | unit price` in major units. */
export function lineToText(line: InvoiceLine, currency: string): string {
  // A newline would split the line in two on the way back; a pipe is fine (parsing reads from the right).
  return `${line.description.replace(/\s*[\r\n]+\s*/g, ' ')} | ${line.quantity} | ${toMajorString(money(line.unitAmount, currency))}`;
}

/** The Edit modal: lines as editable text, a due date picker, recipients. */
export function editInvoiceModal(view: InvoiceView): ModalView {
  const title = { type: 'plain_text' as const, text: truncate(`Edit ${view.number}`, 24) };
  const linesText = view.lines.map((l) => lineToText(l, view.currency)).join('\n');
  if (linesText.length > INPUT_MAX) {
    // Truncating would silently drop lines on save, so this invoice is not editable here at all.
    return {
      type: 'modal',
      callback_id: EDIT_INVOICE_MODAL,
      private_metadata: view.id,
      title,
      close: { type: 'plain_text', text: 'Close' },
      blocks: [
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: clip(
              `${esc(view.number)} has ${view.lines.length} lines, too many to edit in Slack (${linesText.length} of ${INPUT_MAX} characters). Discard it and fix the milestone, or edit it in the invoicing back-end.`,
              3000,
            ),
          },
        },
      ],
    };
  }
  const blocks: KnownBlock[] = [
    {
      type: 'input',
      block_id: EDIT_BLOCKS.lines,
      label: { type: 'plain_text', text: `Lines (${view.currency})` },
      hint: { type: 'plain_text', text: 'One line per row: description | quantity | unit price, e.g. "Design sprint | 1 | 1500.00"' },
      element: {
        type: 'plain_text_input',
        action_id: EDIT_ACTIONS.lines,
        multiline: true,
        max_length: INPUT_MAX,
        initial_value: linesText,
        placeholder: { type: 'plain_text', text: 'Design sprint | 1 | 1500.00' },
      },
    },
    {
      type: 'input',
      block_id: EDIT_BLOCKS.dueDate,
      label: { type: 'plain_text', text: 'Due date' },
      element: { type: 'datepicker', action_id: EDIT_ACTIONS.dueDate, ...(isYmd(view.dueDate) ? { initial_date: view.dueDate } : {}) },
    },
    {
      type: 'input',
      block_id: EDIT_BLOCKS.recipients,
      label: { type: 'plain_text', text: 'Send to' },
      hint: { type: 'plain_text', text: 'Email addresses, separated by commas' },
      element: {
        type: 'plain_text_input',
        action_id: EDIT_ACTIONS.recipients,
        max_length: INPUT_MAX,
        ...(view.recipients.length ? { initial_value: truncate(view.recipients.join(', '), INPUT_MAX) } : {}),
      },
    },
  ];
  return {
    type: 'modal',
    callback_id: EDIT_INVOICE_MODAL,
    private_metadata: view.id,
    title,
    submit: { type: 'plain_text', text: 'Save' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks,
  };
}

/** The part of `view.state.values` this module reads: `values[blockId][actionId]`. */
export interface ViewStateValue {
  type?: string;
  value?: string | null;
  selected_date?: string | null;
  selected_option?: { value?: string } | null;
}
export type ViewStateValues = Record<string, Record<string, ViewStateValue | undefined> | undefined>;

export type EditSubmission = { ok: true; lines: InvoiceLine[]; dueDate: string; recipients: string[] } | { ok: false; errors: Partial<Record<EditBlockId, string>> };

const EMAIL = /^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/;
const MAX_LINE_ERRORS = 3;

/** Validates the submitted modal; errors are keyed by block id, as Slack's `response_action: errors` wants. */
export function parseEditSubmission(values: ViewStateValues, currency: string): EditSubmission {
  const errors: Partial<Record<EditBlockId, string>> = {};
  const rawLines = values[EDIT_BLOCKS.lines]?.[EDIT_ACTIONS.lines]?.value ?? '';
  const dueDate = (values[EDIT_BLOCKS.dueDate]?.[EDIT_ACTIONS.dueDate]?.selected_date ?? '').trim();
  const rawRecipients = values[EDIT_BLOCKS.recipients]?.[EDIT_ACTIONS.recipients]?.value ?? '';

  const lines = parseLinesText(rawLines, currency);
  if (!lines.ok) errors[EDIT_BLOCKS.lines] = lines.error;

  if (!dueDate) errors[EDIT_BLOCKS.dueDate] = 'Pick a due date.';
  else if (!isYmd(dueDate)) errors[EDIT_BLOCKS.dueDate] = `"${dueDate}" is not a date.`;

  const recipients = parseEmailList(rawRecipients);
  if (!recipients.ok) errors[EDIT_BLOCKS.recipients] = recipients.error;

  return Object.keys(errors).length || !recipients.ok || !lines.ok ? { ok: false, errors } : { ok: true, lines: lines.lines, dueDate, recipients: recipients.emails };
}

/**
 * Invoice lines typed one per row, `description | quantity | unit price` in major units; with
 * `amountOnly`, `description | amount` is one of that amount. The error names up to three bad rows.
 */
export function parseLinesText(raw: string, currency: string, options: { amountOnly?: boolean } = {}): { ok: true; lines: InvoiceLine[] } | { ok: false; error: string } {
  const lines: InvoiceLine[] = [];
  const lineErrors: string[] = [];
  raw.split(/\r?\n/).forEach((row, i) => {
    if (!row.trim()) return;
    const parsed = parseLine(row.trim(), currency, options.amountOnly ?? false);
    if (typeof parsed === 'string') lineErrors.push(`Line ${i + 1}: ${parsed}`);
    else lines.push(parsed);
  });
  if (lineErrors.length) {
    const extra = lineErrors.length - MAX_LINE_ERRORS;
    return { ok: false, error: lineErrors.slice(0, MAX_LINE_ERRORS).join('\n') + (extra > 0 ? `\n…and ${extra} more` : '') };
  }
  const example = options.amountOnly ? '"Design sprint | 1500.00"' : '"Design sprint | 1 | 1500.00"';
  if (lines.length === 0) return { ok: false, error: `Add at least one line, e.g. ${example}.` };
  if (lines.reduce((acc, l) => acc + l.amount, 0) > MAX_AMOUNT_MINOR)
    return { ok: false, error: `The lines add up to more than ${formatMajorWithCode(money(MAX_AMOUNT_MINOR, currency))}.` };
  return { ok: true, lines };
}

/** Email addresses separated by commas, semicolons or spaces; duplicates dropped; the error quotes the bad ones. */
export function parseEmailList(raw: string): { ok: true; emails: string[] } | { ok: false; error: string } {
  const emails: string[] = [];
  const seen = new Set<string>();
  const bad: string[] = [];
  for (const r of raw.split(/[,;\s]+/).filter(Boolean)) {
    if (!EMAIL.test(r)) bad.push(r);
    else if (!seen.has(r.toLowerCase())) {
      seen.add(r.toLowerCase());
      emails.push(r);
    }
  }
  if (bad.length === 1) return { ok: false, error: `"${truncate(bad[0]!, 80)}" is not an email address.` };
  if (bad.length > 1)
    return {
      ok: false,
      error: `These are not email addresses: ${bad
        .slice(0, 5)
        .map((b) => `"${truncate(b, 80)}"`)
        .join(', ')}.`,
    };
  if (emails.length === 0) return { ok: false, error: 'Add at least one email address.' };
  return { ok: true, emails };
}

/** Parses `description | quantity | unit price` (or `description | amount`); the description may itself contain pipes. */
function parseLine(row: string, currency: string, amountOnly: boolean): InvoiceLine | string {
  const parts = row.split('|').map((p) => p.trim());
  if (amountOnly && parts.length === 2) parts.splice(1, 0, '1');
  if (parts.length < 3) return `write it as "description | ${amountOnly ? 'amount' : 'quantity | unit price'}" (got "${truncate(row, 60)}")`;
  const price = parts.pop()!;
  const quantity = parts.pop()!;
  const description = parts.join(' | ');
  if (!description) return 'the description is empty';
  if (description.length > DESCRIPTION_MAX) return `the description is longer than ${DESCRIPTION_MAX} characters`;
  try {
    parseQuantity(quantity);
  } catch {
    return /^\d+(\.\d+)?$/.test(quantity) && !/[1-9]/.test(quantity) ? 'the quantity must be above zero' : `"${truncate(quantity, 40)}" is not a quantity`;
  }
  let unit: number;
  try {
    unit = parseMajor(stripCurrency(price, currency), currency).amount;
  } catch (err) {
    if (err instanceof MoneyError && /decimals/.test(err.message)) return `"${truncate(price, 40)}" has more decimals than ${currency.toUpperCase()} allows`;
    if (err instanceof MoneyError && /too large/.test(err.message)) return `"${truncate(price, 40)}" is too large`;
    return `"${truncate(price, 40)}" is not an amount`;
  }
  if (unit <= 0) return `the unit price must be above zero (got "${truncate(price, 40)}")`;
  let amount: number;
  try {
    amount = multiply(money(unit, currency), quantity).amount;
  } catch {
    return `${truncate(quantity, 40)} × ${truncate(price, 40)} is too large`;
  }
  if (amount <= 0) return `${truncate(quantity, 40)} × ${truncate(price, 40)} rounds to nothing`;
  return { description, quantity, unitAmount: unit, amount };
}

/**
 * People paste "$1,500.00" (as the message shows it) or "USD 1500". Only this invoice's own symbol or
 * code is accepted, so "$100" on a EUR invoice is an error rather than €100.
 */
function stripCurrency(price: string, currency: string): string {
  const code = currency.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(code)) return price;
  let symbol = code;
  try {
    symbol = new Intl.NumberFormat('en-US', { style: 'currency', currency: code }).formatToParts(0).find((p) => p.type === 'currency')?.value ?? code;
  } catch {
    // An unknown code formats nowhere; only the code itself is stripped then.
  }
  let text = price.trim();
  for (const marker of [symbol, code]) {
    if (text.toUpperCase().startsWith(marker.toUpperCase())) text = text.slice(marker.length).trim();
    else if (text.toUpperCase().endsWith(marker.toUpperCase())) text = text.slice(0, -marker.length).trim();
  }
  return text;
}

function isYmd(value: string): boolean {
  try {
    assertYmd(value);
    return true;
  } catch {
    return false;
  }
}
