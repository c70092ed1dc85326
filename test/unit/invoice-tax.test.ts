import { invoiceMessage } from '../../blocks/invoice-message.js';
import { blocksToText } from '../../blocks/render-text.js';
import { addPercents, pendingTaxNote, taxLabel } from '../../src/domain/tax.js';
import { renderInvoiceEmail, renderReminderEmail } from '../../src/email/templates.js';
import { invoiceView, line } from './blocks-fixtures.js';

const ctx = { businessName: 'Pixel & Co', timezone: 'UTC' };
const lines = [line('Design sprint', '1', 120000, 120000), line('Revisions', '2.5', 12000, 30000)];
/** As stored once the back-end applied the customer's 8.25% "Sales Tax". */
const taxed = invoiceView({
  status: 'sent',
  lines,
  subtotal: 150000,
  taxAmount: 12375,
  taxName: 'Sales Tax',
  taxRate: '8.25',
  total: 162375,
  provider: 'quickbooks',
  paymentUrl: 'https://pay.example/i/1',
  sentAt: new Date('2026-12-03T12:00:00Z'),
  dueDate: '2026-12-17',
});
const untaxed = invoiceView({
  status: 'sent',
  lines,
  subtotal: 150000,
  taxAmount: 0,
  total: 150000,
  provider: 'stripe',
  paymentUrl: 'https://pay.example/i/2',
  dueDate: '2026-12-17',
});

describe('tax helpers', () => {
  test('percentages add exactly, as decimal strings', () => {
    expect(addPercents(['5', '9.975'])).toBe('14.975');
    expect(addPercents([8.25])).toBe('8.25');
    expect(addPercents(['0.1', '0.2'])).toBe('0.3');
    expect(addPercents(['10', '10'])).toBe('20');
    expect(addPercents([])).toBeNull();
    expect(addPercents(['abc'])).toBeNull();
  });

  test('the label names the tax and its rate where known', () => {
    expect(taxLabel({ taxName: 'Sales Tax', taxRate: '8.25' })).toBe('Tax (Sales Tax, 8.25%)');
    expect(taxLabel({ taxName: 'GST', taxRate: null })).toBe('Tax (GST)');
    expect(taxLabel({ taxName: null, taxRate: '20' })).toBe('Tax (20%)');
    expect(taxLabel({ taxName: null, taxRate: null })).toBe('Tax');
  });

  test('before the back-end invoice exists, the tax is announced, not guessed', () => {
    expect(pendingTaxNote({ status: 'draft', taxAmount: null, provider: 'freshbooks' })).toBe('Tax as set on the customer in FreshBooks, added when sent');
    expect(pendingTaxNote({ status: 'approved', taxAmount: undefined, provider: 'quickbooks' })).toMatch(/QuickBooks/);
    expect(pendingTaxNote({ status: 'draft', taxAmount: 0, provider: 'stripe' })).toBeNull();
    expect(pendingTaxNote({ status: 'sent', taxAmount: null, provider: 'stripe' })).toBeNull();
  });
});

describe('invoice email with tax', () => {
  const email = renderInvoiceEmail(taxed, ctx);

  test('after a credit the rows still add up: the credit line lowers the subtotal, the tax stays as issued', () => {
    const credited = invoiceView({ ...taxed, lines: [...lines, line('Credit: scope cut', '1', -50000, -50000)], total: 112375 });
    const text = renderInvoiceEmail(credited, ctx).text;
    expect(text).toContain(['- Credit: scope cut: 1 × -$500.00 = -$500.00', 'Subtotal: $1,000.00', 'Tax (Sales Tax, 8.25%): $123.75', 'Total: $1,123.75'].join('\n'));
    expect(blocksToText(invoiceMessage(credited, { timezone: 'UTC', now: new Date('2026-12-05T12:00:00Z') }).blocks)).toContain('Subtotal $1,000.00');
  });

  test('text: amount due is the total with tax, under Subtotal / Tax (name, rate) / Total', () => {
    expect(email.text).toContain('Amount due: $1,623.75');
    expect(email.text).toContain(['- Revisions: 2.5 × $120.00 = $300.00', 'Subtotal: $1,500.00', 'Tax (Sales Tax, 8.25%): $123.75', 'Total: $1,623.75'].join('\n'));
  });

  test('html: the table foot has the three rows, the total in bold', () => {
    expect(email.html).toMatch(
      /<tfoot><tr>.*>Subtotal<\/td>.*>\$1,500\.00<\/td><\/tr><tr>.*>Tax \(Sales Tax, 8\.25%\)<\/td>.*>\$123\.75<\/td><\/tr><tr>.*<strong>Total<\/strong>.*<strong>\$1,623\.75<\/strong>.*<\/tfoot>/,
    );
  });

  test('no tax: only the total, no subtotal or tax row', () => {
    const plain = renderInvoiceEmail(untaxed, ctx);
    expect(plain.text).toContain('Total: $1,500.00');
    expect(plain.text).not.toMatch(/Subtotal|Tax/);
    expect(plain.html).not.toMatch(/Subtotal|Tax \(/);
  });

  test('reminders ask for the balance with tax and show how it is made up', () => {
    const reminder = renderReminderEmail({ ...taxed, amountPaid: 50000, status: 'partially_paid' }, 'friendly', ctx, { today: '2026-12-20', finalMode: 'pause', stepNumber: 1 });
    expect(reminder.text).toContain('Amount due: $1,123.75');
    expect(reminder.text).toContain(['Subtotal: $1,500.00', 'Tax (Sales Tax, 8.25%): $123.75', 'Invoice total: $1,623.75'].join('\n'));
    expect(reminder.html).toContain('Tax (Sales Tax, 8.25%): $123.75');
    const plain = renderReminderEmail(untaxed, 'friendly', ctx, { today: '2026-12-20', finalMode: 'pause', stepNumber: 1 });
    expect(plain.text).not.toMatch(/Subtotal|Invoice total/);
  });
});

describe('pay instructions where there is no payment link', () => {
  const instructions = 'Bank transfer to Pixel & Co\nIBAN GB00 0000 <ref: invoice number>';
  const noLink = { ...taxed, paymentUrl: null, payInstructions: instructions };

  test('the invoice email carries them instead of a Pay now link, escaped in html', () => {
    const email = renderInvoiceEmail(noLink, ctx);
    expect(email.text).toContain(`How to pay:\n${instructions}`);
    expect(email.text).not.toContain('Pay now');
    expect(email.text).not.toContain('will follow in a separate message');
    expect(email.html).toContain('<p>How to pay:<br>\nBank transfer to Pixel &amp; Co<br>IBAN GB00 0000 &lt;ref: invoice number&gt;</p>');
  });

  test('every reminder carries them too', () => {
    const reminder = renderReminderEmail(noLink, 'firm', ctx, { today: '2026-12-20', finalMode: 'pause', stepNumber: 2 });
    expect(reminder.text).toContain(`How to pay:\n${instructions}`);
    expect(reminder.html).toContain('How to pay');
  });

  test('a payment link wins: no instructions beside it', () => {
    const email = renderInvoiceEmail({ ...taxed, payInstructions: instructions }, ctx);
    expect(email.text).toContain('Pay now: https://pay.example/i/1');
    expect(email.text).not.toContain('How to pay');
  });

  test('neither link nor instructions: the old promise of instructions to follow', () => {
    expect(renderInvoiceEmail({ ...taxed, paymentUrl: null }, ctx).text).toContain('Payment instructions will follow in a separate message.');
  });
});

describe('Slack invoice message with tax', () => {
  test('a sent invoice shows Subtotal · Tax (name, rate) · Total, and the total field includes the tax', () => {
    const text = blocksToText(invoiceMessage(taxed, { timezone: 'UTC', now: new Date('2026-12-04T12:00:00Z') }).blocks);
    expect(text).toContain('Total: $1,623.75 |');
    expect(text).toContain('Subtotal $1,500.00 · Tax (Sales Tax, 8.25%) $123.75 · Total $1,623.75');
    expect(text).toContain('Balance $1,623.75');
  });

  test('a draft says where the tax will come from; an invoice without tax says nothing about tax', () => {
    const draft = blocksToText(invoiceMessage(invoiceView({ provider: 'quickbooks' }), { timezone: 'UTC', now: new Date('2026-12-04T12:00:00Z') }).blocks);
    expect(draft).toContain('Tax as set on the customer in QuickBooks, added when sent');
    expect(draft).toContain('Total: $1,500.00 + tax');
    const plain = blocksToText(invoiceMessage(untaxed, { timezone: 'UTC', now: new Date('2026-12-04T12:00:00Z') }).blocks);
    expect(plain).not.toMatch(/tax|Subtotal/i);
  });
});
