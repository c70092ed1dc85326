import { adjustAmountModal, parseAdjustChoice, parseAdjustSubmission, CREDIT_DESCRIPTION } from '../../blocks/adjust-modal.js';
import { modalProblems } from '../../blocks/limits.js';
import type { InvoiceView } from '../../src/domain/types.js';

const view: InvoiceView = {
  id: '00000000-0000-4000-8000-000000000001',
  number: 'INV-0007',
  clientName: 'Acme',
  milestone: 'Build',
  currency: 'USD',
  lines: [{ description: 'Build', quantity: '1', unitAmount: 240000, amount: 240000 }],
  total: 240000,
  amountPaid: 0,
  dueDate: '2026-12-01',
  status: 'sent',
  disputed: true,
  paused: false,
  recipients: ['ap@acme.example'],
  paymentUrl: null,
  sentAt: null,
  paidAt: null,
  sourceUrl: null,
  attention: null,
};
const values = (lines: string, credit = '', due = '2026-12-10', to = 'ap@acme.example') => ({
  edit_lines: { lines_input: { type: 'plain_text_input', value: lines } },
  adjust_credit: { adjust_credit_input: { type: 'plain_text_input', value: credit } },
  edit_due_date: { due_date_input: { type: 'datepicker', selected_date: due } },
  edit_recipients: { recipients_input: { type: 'plain_text_input', value: to } },
});

describe('Adjust amount modal', () => {
  test('prefilled with the current lines, the new due date and recipients; valid for Slack', () => {
    const modal = adjustAmountModal(view, { backendName: 'stripe', dueDate: '2026-12-10' });
    expect(modalProblems(modal)).toEqual([]);
    const json = JSON.stringify(modal);
    expect(json).toContain('Build | 1 | 2400.00');
    expect(json).toContain('"initial_date":"2026-12-10"');
    expect(json).toContain('*void* it in stripe');
    expect(json).toContain('*credit* part or all of the open balance');
    expect(json).toContain('"initial_option":{"text":{"type":"plain_text","text":"Void and reissue with the lines below"},"value":"reissue"}');
    expect(modal.private_metadata).toBe(view.id);
  });

  test('new lines', () => {
    expect(parseAdjustSubmission(values('Build | 1 | 2000'), 'USD', 240000)).toEqual({
      ok: true,
      total: 200000,
      dueDate: '2026-12-10',
      recipients: ['ap@acme.example'],
      lines: [{ description: 'Build', quantity: '1', unitAmount: 200000, amount: 200000 }],
    });
  });

  test('a credit becomes a negative line', () => {
    const parsed = parseAdjustSubmission(values('Build | 1 | 2400', '$400'), 'USD', 240000);
    expect(parsed).toMatchObject({ ok: true, total: 200000 });
    expect(parsed.ok && parsed.lines[1]).toEqual({ description: CREDIT_DESCRIPTION, quantity: '1', unitAmount: -40000, amount: -40000 });
  });

  test.each<[string, ReturnType<typeof values>, string, RegExp]>([
    ['credit not an amount', values('Build | 1 | 2400', 'lots'), 'adjust_credit', /not an amount/],
    ['credit of zero', values('Build | 1 | 2400', '0'), 'adjust_credit', /above zero/],
    ['credit as large as the lines', values('Build | 1 | 2400', '2400'), 'adjust_credit', /less than the lines' total/],
    ['same total', values('Build | 1 | 2400'), 'edit_lines', /Resolve: amount stands/],
    ['bad line', values('Build'), 'edit_lines', /description \| quantity \| unit price/],
    ['bad recipient', values('Build | 1 | 2000', '', '2026-12-10', 'nobody'), 'edit_recipients', /not an email/],
  ])('refuses %s', (_name, v, block, message) => {
    const parsed = parseAdjustSubmission(v, 'USD', 240000);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.errors[block]).toMatch(message);
  });
});

describe('Adjust amount as a credit', () => {
  const credit = (amount: string, reason = 'Late delivery', mode = 'credit') => ({
    ...values('ignored for a credit'),
    adjust_mode: { adjust_mode_input: { type: 'radio_buttons', selected_option: { value: mode } } },
    adjust_credit: { adjust_credit_input: { type: 'plain_text_input', value: amount } },
    adjust_reason: { adjust_reason_input: { type: 'plain_text_input', value: reason } },
  });

  test('an amount in major units up to the open balance, with its reason; the lines are not read', () => {
    expect(parseAdjustChoice(credit('$400.50'), 'USD', 240000, 180000)).toEqual({ mode: 'credit', submission: { ok: true, credit: 40050, reason: 'Late delivery' } });
    expect(parseAdjustChoice(credit('1800'), 'USD', 240000, 180000)).toEqual({ mode: 'credit', submission: { ok: true, credit: 180000, reason: 'Late delivery' } });
    expect(parseAdjustChoice(credit('5000', ' x ', 'reissue'), 'USD', 240000, 240000).mode).toBe('reissue');
  });

  test.each<[string, ReturnType<typeof credit>, Record<string, string>]>([
    ['above the open balance', credit('1800.01'), { adjust_credit: 'The credit can be at most the open balance, $1,800.00.' }],
    ['empty', credit(''), { adjust_credit: 'Enter the credit, at most the open balance of $1,800.00.' }],
    ['zero', credit('0'), { adjust_credit: 'The credit must be above zero.' }],
    ['not an amount', credit('lots'), { adjust_credit: '"lots" is not an amount in USD.' }],
    ['without a reason', credit('100', '   '), { adjust_reason: 'Say why the credit is given; the client sees it.' }],
  ])('refuses a credit %s', (_name, v, errors) => {
    expect(parseAdjustChoice(v, 'USD', 240000, 180000)).toEqual({ mode: 'credit', submission: { ok: false, errors } });
  });
});
