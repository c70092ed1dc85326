import type { Datepicker, InputBlock, PlainTextInput } from '@slack/types';
import { EDIT_ACTIONS, EDIT_BLOCKS, editInvoiceModal, parseEditSubmission } from '../../blocks/edit-modal.js';
import type { ViewStateValues } from '../../blocks/edit-modal.js';
import { EDIT_INVOICE_MODAL } from '../../blocks/ids.js';
import { modalProblems } from '../../blocks/limits.js';
import type { InvoiceView } from '../../src/domain/types.js';
import { invoiceView, line, manyLines } from './blocks-fixtures.js';

const input = (view: ReturnType<typeof editInvoiceModal>, blockId: string) => view.blocks.find((b) => b.block_id === blockId) as InputBlock;

/** What Slack sends back when the user submits the modal without touching it. */
function untouched(view: ReturnType<typeof editInvoiceModal>): ViewStateValues {
  const lines = input(view, EDIT_BLOCKS.lines).element as PlainTextInput;
  const due = input(view, EDIT_BLOCKS.dueDate).element as Datepicker;
  const to = input(view, EDIT_BLOCKS.recipients).element as PlainTextInput;
  return {
    [EDIT_BLOCKS.lines]: { [lines.action_id!]: { type: 'plain_text_input', value: lines.initial_value ?? null } },
    [EDIT_BLOCKS.dueDate]: { [due.action_id!]: { type: 'datepicker', selected_date: due.initial_date ?? null } },
    [EDIT_BLOCKS.recipients]: { [to.action_id!]: { type: 'plain_text_input', value: to.initial_value ?? null } },
  };
}

function submit(lines: string, dueDate: string | null = '2027-01-15', recipients = 'ap@acme.example'): ViewStateValues {
  return {
    [EDIT_BLOCKS.lines]: { [EDIT_ACTIONS.lines]: { type: 'plain_text_input', value: lines } },
    [EDIT_BLOCKS.dueDate]: { [EDIT_ACTIONS.dueDate]: { type: 'datepicker', selected_date: dueDate } },
    [EDIT_BLOCKS.recipients]: { [EDIT_ACTIONS.recipients]: { type: 'plain_text_input', value: recipients } },
  };
}

const errorsOf = (values: ViewStateValues, currency = 'USD') => {
  const result = parseEditSubmission(values, currency);
  if (result.ok) throw new Error(`expected errors, got ${JSON.stringify(result)}`);
  return result.errors;
};

describe('editInvoiceModal', () => {
  const view = invoiceView({ lines: [line('Design sprint', '1', 150000, 150000), line('Extra revisions', '2.5', 8000, 20000)], total: 170000 });
  const modal = editInvoiceModal(view);

  test('callback id, invoice id in private_metadata, submit and close, within limits', () => {
    expect(modal).toMatchObject({ type: 'modal', callback_id: EDIT_INVOICE_MODAL, private_metadata: 'inv_01HX', title: { text: 'Edit INV-0042' }, submit: { text: 'Save' } });
    expect(modalProblems(modal)).toEqual([]);
  });

  test('lines as "description | quantity | unit price" in major units, multiline', () => {
    const el = input(modal, EDIT_BLOCKS.lines).element as PlainTextInput;
    expect(el).toMatchObject({ type: 'plain_text_input', action_id: EDIT_ACTIONS.lines, multiline: true });
    expect(el.initial_value).toBe('Design sprint | 1 | 1500.00\nExtra revisions | 2.5 | 80.00');
    expect(input(modal, EDIT_BLOCKS.lines).label.text).toBe('Lines (USD)');
  });

  test('due date picker and recipients', () => {
    expect(input(modal, EDIT_BLOCKS.dueDate).element).toEqual({ type: 'datepicker', action_id: EDIT_ACTIONS.dueDate, initial_date: '2026-12-24' });
    expect((input(modal, EDIT_BLOCKS.recipients).element as PlainTextInput).initial_value).toBe('ap@acme.example, cfo@acme.example');
  });

  test('a long invoice number still fits the 24-character title', () => {
    expect(modalProblems(editInvoiceModal(invoiceView({ number: 'INV-2026-ACME-CORP-000042' })))).toEqual([]);
  });
});

describe('round trip: the modal’s initial values parse back to the same invoice', () => {
  const cases: [string, Partial<InvoiceView>][] = [
    ['USD with fractional hours', { lines: [line('Design sprint', '1', 150000, 150000), line('Extra revisions', '2.5', 8000, 20000), line('Hosting', '0.333', 1000, 333)] }],
    ['JPY (no decimals)', { currency: 'JPY', lines: [line('Translation', '3', 40000, 120000)] }],
    ['KWD (three decimals)', { currency: 'KWD', lines: [line('Audit', '1', 1250, 1250)] }],
    ['a description containing pipes and symbols', { lines: [line('Design | phase 2 & <QA>', '2', 12345, 24690)] }],
    ['40 lines', { lines: manyLines(40) }],
  ];
  test.each(cases)('%s', (_name, overrides) => {
    const view = invoiceView(overrides);
    const modal = editInvoiceModal(view);
    expect(modalProblems(modal)).toEqual([]);
    const parsed = parseEditSubmission(untouched(modal), view.currency);
    expect(parsed).toEqual({ ok: true, lines: view.lines, dueDate: view.dueDate, recipients: view.recipients });
  });

  test('too many lines to fit Slack’s 3000-character input: an explanation instead of a lossy editor', () => {
    const view = invoiceView({ lines: manyLines(60, 60) });
    const modal = editInvoiceModal(view);
    expect(modal.submit).toBeUndefined();
    expect(modal.blocks.some((b) => b.type === 'input')).toBe(false);
    expect(JSON.stringify(modal.blocks)).toMatch(/60 lines, too many to edit in Slack/);
    expect(modalProblems(modal)).toEqual([]);
  });
});

describe('parseEditSubmission', () => {
  test('computes amounts with exact money arithmetic and normalises recipients', () => {
    const result = parseEditSubmission(
      submit('Design | 1 | 700.00\n\nExtra revisions | 2.5 | 80\nSetup | 1 | $1,250.50', '2027-01-15', 'ap@acme.example; pm@acme.example,\nAP@acme.example'),
      'USD',
    );
    expect(result).toEqual({
      ok: true,
      lines: [line('Design', '1', 70000, 70000), line('Extra revisions', '2.5', 8000, 20000), line('Setup', '1', 125050, 125050)],
      dueDate: '2027-01-15',
      recipients: ['ap@acme.example', 'pm@acme.example'],
    });
  });

  test('rounds a fractional quantity half away from zero', () => {
    const result = parseEditSubmission(submit('Support | 1.5 | 0.01'), 'USD');
    expect(result.ok && result.lines[0]).toEqual(line('Support', '1.5', 1, 2));
  });

  test.each([
    ['Design | 1 | 1500\nReview | 1 | abc', 'Line 2: "abc" is not an amount'],
    ['Design | two | 1500', 'Line 1: "two" is not a quantity'],
    ['Design | 0 | 1500', 'Line 1: the quantity must be above zero'],
    ['Design | -1 | 1500', 'Line 1: "-1" is not a quantity'],
    ['Design | 1 | 0', 'Line 1: the unit price must be above zero (got "0")'],
    ['Design | 1 | -20', 'Line 1: the unit price must be above zero (got "-20")'],
    ['Design | 1 | 10.999', 'Line 1: "10.999" has more decimals than USD allows'],
    ['Design 1500', 'Line 1: write it as "description | quantity | unit price" (got "Design 1500")'],
    [' | 1 | 1500', 'Line 1: the description is empty'],
    ['Tiny | 0.001 | 1.00', 'Line 1: 0.001 × 1.00 rounds to nothing'],
    ['Zero | 0.0000001 | 10.00', 'Line 1: 0.0000001 × 10.00 rounds to nothing'],
    ['Huge | 1 | 90000000000000', 'Line 1: "90000000000000" is too large'],
    ['Huge | 1000000 | 99999999999', 'Line 1: 1000000 × 99999999999 is too large'],
    [`Design | 1.${'5'.repeat(29)} | 10`, `Line 1: "1.${'5'.repeat(29)}" is not a quantity`], // 31 characters
    ['A | 1 | 9999999999999\nB | 1 | 9999999999999', 'The lines add up to more than 9,999,999,999,999.99 USD.'],
    ['Design | 1 | 1500\n\nBad | 1 | x', 'Line 3: "x" is not an amount'],
    ['', 'Add at least one line, e.g. "Design sprint | 1 | 1500.00".'],
    ['  \n  ', 'Add at least one line, e.g. "Design sprint | 1 | 1500.00".'],
  ])('lines %j → %s', (lines, message) => {
    expect(errorsOf(submit(lines))).toEqual({ [EDIT_BLOCKS.lines]: message });
  });

  test('currency-specific amounts: "$100" is not a euro amount, "100.5" is not yen', () => {
    expect(errorsOf(submit('Design | 1 | $100'), 'EUR')[EDIT_BLOCKS.lines]).toBe('Line 1: "$100" is not an amount');
    expect(parseEditSubmission(submit('Design | 1 | €100'), 'EUR')).toMatchObject({ ok: true, lines: [{ unitAmount: 10000 }] });
    expect(parseEditSubmission(submit('Design | 1 | 100 EUR'), 'EUR')).toMatchObject({ ok: true, lines: [{ unitAmount: 10000 }] });
    expect(errorsOf(submit('Design | 1 | 100.5'), 'JPY')[EDIT_BLOCKS.lines]).toBe('Line 1: "100.5" has more decimals than JPY allows');
  });

  test('several bad lines are all reported, up to three, then a count', () => {
    const msg = errorsOf(submit('a | x | 1\nb | 1 | y\nc | 1 | 1\nd | 0 | 1\ne | 1 | -1\nf | z | 1'))[EDIT_BLOCKS.lines]!;
    expect(msg.split('\n')).toEqual(['Line 1: "x" is not a quantity', 'Line 2: "y" is not an amount', 'Line 4: the quantity must be above zero', '…and 2 more']);
  });

  test('due date must be present and real', () => {
    expect(errorsOf(submit('Design | 1 | 1', null))).toEqual({ [EDIT_BLOCKS.dueDate]: 'Pick a due date.' });
    expect(errorsOf(submit('Design | 1 | 1', 'next week'))).toEqual({ [EDIT_BLOCKS.dueDate]: '"next week" is not a date.' });
  });

  test('recipients must be email addresses, at least one', () => {
    expect(errorsOf(submit('Design | 1 | 1', '2027-01-15', 'ap@acme.example, bob'))).toEqual({ [EDIT_BLOCKS.recipients]: '"bob" is not an email address.' });
    expect(errorsOf(submit('Design | 1 | 1', '2027-01-15', 'bob, carol@'))).toEqual({ [EDIT_BLOCKS.recipients]: 'These are not email addresses: "bob", "carol@".' });
    expect(errorsOf(submit('Design | 1 | 1', '2027-01-15', ' , '))).toEqual({ [EDIT_BLOCKS.recipients]: 'Add at least one email address.' });
  });

  test('every problem at once, keyed by block id; missing state is treated as empty', () => {
    expect(Object.keys(errorsOf({})).sort()).toEqual([EDIT_BLOCKS.dueDate, EDIT_BLOCKS.lines, EDIT_BLOCKS.recipients].sort());
  });
});
