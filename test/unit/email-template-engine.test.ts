import { DEFAULT_TEMPLATES } from '../../src/email/default-templates.js';
import { renderField, validateTemplate } from '../../src/email/template-engine.js';
import { TEMPLATE_KINDS } from '../../src/email/template-fields.js';
import { renderCreditEmail, renderReminderEmail, renderTemplatedEmail } from '../../src/email/templates.js';
import type { InvoiceView } from '../../src/domain/types.js';

const ctx = { businessName: 'Pixel & Co', timezone: 'UTC' };
const invoice: InvoiceView = {
  id: 'i1',
  number: 'INV-0042',
  clientName: 'Acme Ltd',
  milestone: 'Design',
  currency: 'USD',
  lines: [{ description: 'Design sprint', quantity: '1', unitAmount: 150000, amount: 150000 }],
  total: 150000,
  amountPaid: 0,
  dueDate: '2026-12-02',
  status: 'sent',
  disputed: false,
  paused: false,
  recipients: ['ap@acme.example'],
  paymentUrl: 'https://pay.example/i/abc',
  sentAt: null,
  paidAt: null,
  sourceUrl: null,
  attention: null,
};
const facts = { today: '2026-12-09', finalMode: 'pause' as const, stepNumber: 2 };
const valid = { subject: 'Invoice {{number}}', body: 'Pay {{amount}}: {{link}}' };

describe('validation on save', () => {
  test('every shipped template is valid', () => {
    for (const kind of TEMPLATE_KINDS) expect([kind, validateTemplate(kind, DEFAULT_TEMPLATES[kind])]).toEqual([kind, {}]);
  });

  test('an unknown placeholder is named, with the nearest valid name', () => {
    expect(validateTemplate('friendly', { ...valid, body: 'Pay {{ammount}} now: {{link}}' }).body).toMatch(
      /^Unknown placeholder \{\{ammount\}\} \(line 1\): did you mean \{\{amount\}\}\?/,
    );
    expect(validateTemplate('firm', { ...valid, subject: 'Due {{duedate}}' }).subject).toMatch(/^Unknown placeholder \{\{duedate\}\} \(line 1\): did you mean \{\{due_date\}\}\?/);
    // Reminder-only names are unknown in the invoice email.
    expect(validateTemplate('invoice', { ...valid, body: 'Step {{step}} {{link}}' }).body).toMatch(/Unknown placeholder \{\{step\}\}/);
    // Dotted paths and helpers are refused, not evaluated.
    expect(validateTemplate('friendly', { ...valid, body: '{{client.name}} {{link}}' }).body).toMatch(/Unknown placeholder \{\{client\.name\}\}/);
    expect(validateTemplate('friendly', { ...valid, body: '{{#each lines}}x{{/each}} {{link}}' }).body).toMatch(/\{\{#each\}\} \(line 1\) is not supported/);
    expect(validateTemplate('friendly', { ...valid, body: '{{> footer}} {{link}}' }).body).toMatch(/Partials/);
    expect(validateTemplate('friendly', { ...valid, body: '{{#if nope}}x{{/if}} {{link}}' }).body).toMatch(/Unknown placeholder \{\{nope\}\}/);
  });

  test('unbalanced braces are refused with the line', () => {
    expect(validateTemplate('friendly', { ...valid, body: 'Hello\nPay {{amount} now {{link}}' }).body).toMatch(/^Unbalanced braces on line 2/);
    expect(validateTemplate('friendly', { ...valid, body: 'Pay {amount}} now {{link}}' }).body).toBe(
      'Unbalanced braces (line 1): a stray "{" near "Pay {amount}} now". Placeholders are written {{name}}.',
    );
    expect(validateTemplate('friendly', { ...valid, body: '{{#if overdue}}late {{link}}' }).body).toMatch(/never closed/);
    expect(validateTemplate('friendly', { ...valid, body: '{{#if overdue}}late{{/unless}} {{link}}' }).body).toMatch(/^\{\{#if\}\} is closed by \{\{\/unless\}\}/);
  });

  test('empty, multi-line and too long fields', () => {
    expect(validateTemplate('friendly', { ...valid, subject: '  ' })).toEqual({ subject: 'The subject is empty.' });
    expect(validateTemplate('friendly', { ...valid, subject: 'a\nb' })).toEqual({ subject: 'The subject must be one line.' });
    expect(validateTemplate('friendly', { ...valid, subject: 'x'.repeat(251) })).toEqual({ subject: 'The subject is 251 characters; at most 250.' });
    expect(validateTemplate('friendly', { ...valid, body: `{{link}} ${'x'.repeat(3000)}` })).toEqual({ body: 'The body is 3009 characters; at most 3000.' });
    expect(validateTemplate('friendly', { ...valid, body: '' })).toEqual({ body: 'The body is empty.' });
  });

  test('a reminder or invoice without {{link}} is refused; the credit note may leave it out', () => {
    expect(validateTemplate('final', { ...valid, body: 'Pay {{amount}} now.' }).body).toMatch(/^Add \{\{link\}\}/);
    expect(validateTemplate('invoice', { ...valid, body: 'Pay {{amount}} now.' }).body).toMatch(/^Add \{\{link\}\}/);
    expect(validateTemplate('credit', { ...valid, body: 'Credited {{credit_amount}}.' })).toEqual({});
  });
});

describe('rendering an edited template', () => {
  test('values are filled in; text exactly as written', () => {
    const email = renderReminderEmail(invoice, 'firm', ctx, facts, {
      subject: '{{client}}: #{{number}} is {{days_overdue}} days late',
      body: 'Hi {{client}},\n\n{{amount}} was due {{due_date}} ({{days_overdue_text}} ago, step {{step}}).\n{{#if pause}}Work is paused.{{/if}}\n\nPay: {{link}}',
    });
    expect(email.subject).toBe('Acme Ltd: #INV-0042 is 7 days late');
    expect(email.text).toBe('Hi Acme Ltd,\n\n$1,500.00 was due Dec 2, 2026 (7 days ago, step 2).\nWork is paused.\n\nPay: https://pay.example/i/abc');
  });

  test('HTML escapes the wording and the values, links the link, keeps the paragraphs', () => {
    const email = renderReminderEmail({ ...invoice, clientName: "O'Brien <ceo>" }, 'friendly', ctx, facts, {
      subject: 'x {{link}}',
      body: 'Hi {{client}} & <b>team</b>,\nline two\n\nPay: {{link}}',
    });
    expect(email.html).toContain(
      '<p>Hi O&#39;Brien &lt;ceo&gt; &amp; &lt;b&gt;team&lt;/b&gt;,<br>\nline two</p>\n<p>Pay: <a href="https://pay.example/i/abc">https://pay.example/i/abc</a></p>',
    );
    expect(email.html).not.toContain('<b>');
  });

  test('the same template without a payment link leaves the link out', () => {
    const email = renderReminderEmail({ ...invoice, paymentUrl: null }, 'friendly', ctx, facts, { subject: 's', body: 'A{{#if link}} pay {{link}}{{/if}}.' });
    expect(email.text).toBe('A.');
    expect(email.html).not.toContain('<a ');
  });

  test('a template that does not validate throws instead of sending something half-filled', () => {
    expect(() => renderField('friendly', 'Hi {{nope}}', {})).toThrow(/Unknown placeholder \{\{nope\}\}/);
    expect(() => renderTemplatedEmail('invoice', { subject: '{{step}}', body: '{{link}}' }, invoice, ctx, { today: '2026-12-01' })).toThrow(/step/);
  });

  test('the credit email: corrected balance, or settled', () => {
    const partly = renderCreditEmail({ ...invoice, total: 110000, amountPaid: 0 }, ctx, { today: '2026-12-09', credit: { amount: 40000, reason: 'late delivery' } });
    expect(partly.subject).toBe('[Pixel & Co] Credit applied: Invoice #INV-0042 — $1,100.00 now due');
    expect(partly.text).toBe(
      'Hello Acme Ltd,\n\nWe have applied a credit of $400.00 to invoice #INV-0042 for "Design" (late delivery).\n\nThe corrected balance is $1,100.00, due Dec 2, 2026.\n\nPay now: https://pay.example/i/abc\n\nPlease reply to this email with any questions.\n\nPixel & Co',
    );
    const settled = renderCreditEmail({ ...invoice, total: 0 }, ctx, { today: '2026-12-09', credit: { amount: 150000, reason: 'written off' } });
    expect(settled.subject).toBe('[Pixel & Co] Credit applied: Invoice #INV-0042 — settled');
    expect(settled.text).toContain('Nothing remains to be paid on this invoice, and no further reminders will be sent.');
    expect(settled.text).not.toContain('Pay now');
  });
});
