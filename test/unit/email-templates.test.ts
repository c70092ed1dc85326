import { daysBetween, formatDueDate, renderInvoiceEmail, renderReminderEmail } from '../../src/email/templates.js';
import type { InvoiceView } from '../../src/domain/types.js';

const ctx = { businessName: 'Pixel & Co', timezone: 'America/New_York' };
const invoice: InvoiceView = {
  id: 'i1',
  number: 'INV-0042',
  clientName: 'Acme Ltd',
  milestone: 'Milestone 2 - Design',
  currency: 'USD',
  lines: [
    { description: 'Design sprint', quantity: '1', unitAmount: 120000, amount: 120000 },
    { description: 'Revisions', quantity: '2.5', unitAmount: 12000, amount: 30000 },
  ],
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
const facts = (today: string, finalMode: 'pause' | 'notice-only' = 'pause', stepNumber = 1) => ({ today, finalMode, stepNumber });

describe('invoice email', () => {
  const email = renderInvoiceEmail(invoice, ctx);

  test('subject is exactly [Business] Invoice #N — milestone — Due date', () => {
    expect(email.subject).toBe('[Pixel & Co] Invoice #INV-0042 — Milestone 2 - Design — Due Dec 2, 2026');
  });

  test('text greets the client and lists amount, due date, every line and the total from minor units', () => {
    expect(email.text.startsWith('Hello Acme Ltd,')).toBe(true);
    expect(email.text).toContain('Amount due: $1,500.00');
    expect(email.text).toContain('Due date: Dec 2, 2026');
    expect(email.text).toContain('- Design sprint: 1 × $1,200.00 = $1,200.00');
    expect(email.text).toContain('- Revisions: 2.5 × $120.00 = $300.00');
    expect(email.text).toContain('Total: $1,500.00');
    expect(email.text).toContain('Pay now: https://pay.example/i/abc');
    expect(email.text).toContain('reply to this email with any questions');
  });

  test('html has a Pay now button, the line table and escaped business name', () => {
    expect(email.html).toMatch(/<a href="https:\/\/pay\.example\/i\/abc"[^>]*>Pay now<\/a>/);
    expect(email.html).toContain('<td style="padding:6px 8px;border-bottom:1px solid #e5e7eb">Revisions</td>');
    expect(email.html).toContain('$300.00');
    expect(email.html).toContain('<strong>$1,500.00</strong>');
    expect(email.html).toContain('Pixel &amp; Co');
    expect(email.html).not.toContain('Pixel & Co');
    expect(email.html).toContain('reply to this email with any questions');
    expect(email.html).not.toMatch(/<link|<script|src="http/);
  });

  test('without a payment link there is no button and the text says instructions follow', () => {
    const noLink = renderInvoiceEmail({ ...invoice, paymentUrl: null }, ctx);
    expect(noLink.text).toMatch(/instructions will follow/);
    expect(noLink.html).not.toContain('Pay now');
  });

  test('a non-web payment link is never offered', () => {
    const hostile = renderInvoiceEmail({ ...invoice, paymentUrl: 'javascript:alert(1)' }, ctx);
    expect(hostile.html).not.toContain('javascript:');
    expect(hostile.text).not.toContain('javascript:');
  });

  test('zero-decimal currency (JPY) shows whole yen, no decimals', () => {
    const yen = renderInvoiceEmail(
      {
        ...invoice,
        currency: 'JPY',
        total: 150000,
        lines: [{ description: 'Consulting', quantity: '3', unitAmount: 50000, amount: 150000 }],
      },
      ctx,
    );
    expect(yen.text).toContain('Amount due: ¥150,000');
    expect(yen.text).toContain('- Consulting: 3 × ¥50,000 = ¥150,000');
    expect(yen.text).not.toContain('¥150,000.00');
  });

  test('milestone and line text are HTML-escaped, subject stays one plain line', () => {
    const nasty = '<script>alert("x")</script> & "quotes"';
    const email = renderInvoiceEmail({ ...invoice, milestone: nasty, clientName: "O'Brien <ceo>", lines: [{ ...invoice.lines[0]!, description: '<img src=x onerror=y>' }] }, ctx);
    expect(email.html).not.toContain('<script>');
    expect(email.html).not.toContain('<img');
    expect(email.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quotes&quot;');
    expect(email.html).toContain('O&#39;Brien &lt;ceo&gt;');
    expect(email.subject).toBe(`[Pixel & Co] Invoice #INV-0042 — ${nasty} — Due Dec 2, 2026`);
    expect(renderInvoiceEmail({ ...invoice, milestone: 'Phase 1\r\nBcc: x@evil.example' }, ctx).subject).toBe(
      '[Pixel & Co] Invoice #INV-0042 — Phase 1 Bcc: x@evil.example — Due Dec 2, 2026',
    );
  });
});

describe('reminder emails', () => {
  test('friendly before the due date: quick note, days until due, link in text and html', () => {
    const email = renderReminderEmail(invoice, 'friendly', ctx, facts('2026-11-25'));
    expect(email.subject).toBe('[Pixel & Co] Reminder: Invoice #INV-0042 — due Dec 2, 2026');
    expect(email.text).toMatch(/Just a quick note/);
    expect(email.text).toContain('is due in 7 days, on Dec 2, 2026');
    expect(email.text).toContain('Amount due: $1,500.00');
    expect(email.text).toContain('Pay now: https://pay.example/i/abc');
    expect(email.html).toMatch(/<a href="https:\/\/pay\.example\/i\/abc"[^>]*>Pay now<\/a>/);
    expect(email.text).not.toMatch(/past due|overdue/i);
  });

  test('firm after the due date states the days past due', () => {
    const email = renderReminderEmail(invoice, 'firm', ctx, facts('2026-12-09', 'pause', 2));
    expect(email.subject).toBe('[Pixel & Co] Past due: Invoice #INV-0042 — 7 days overdue');
    expect(email.text).toContain('is now 7 days past due');
    expect(email.html).toContain('is now 7 days past due');
  });

  test('firm one day late is singular; firm before the due date says "due in N days"', () => {
    expect(renderReminderEmail(invoice, 'firm', ctx, facts('2026-12-03')).text).toContain('is now 1 day past due');
    const early = renderReminderEmail(invoice, 'firm', ctx, facts('2026-11-29'));
    expect(early.text).toContain('due in 3 days');
    expect(early.subject).not.toMatch(/Past due/);
    expect(early.subject).toBe('[Pixel & Co] Payment due: Invoice #INV-0042 — due Dec 2, 2026');
    expect(renderReminderEmail(invoice, 'firm', ctx, facts('2026-12-02')).text).toContain('is due today');
  });

  test('a partial payment is acknowledged and the balance is what is asked for', () => {
    const email = renderReminderEmail({ ...invoice, amountPaid: 50000 }, 'firm', ctx, facts('2026-12-09'));
    expect(email.text).toContain('Amount due: $1,000.00');
    expect(email.text).toContain('$500.00 received');
    expect(email.text).toContain('$1,000.00 remains open');
    expect(renderReminderEmail(invoice, 'firm', ctx, facts('2026-12-09')).text).not.toContain('received');
  });

  test('a partial payment in JPY keeps whole yen', () => {
    const email = renderReminderEmail({ ...invoice, currency: 'JPY', total: 120000, amountPaid: 20000 }, 'friendly', ctx, facts('2026-11-30'));
    expect(email.text).toContain('Amount due: ¥100,000');
    expect(email.text).toContain('¥20,000 received');
    expect(email.text).not.toMatch(/¥[\d,]+\.\d/);
  });

  test('final notice pauses work only in pause mode', () => {
    const paused = renderReminderEmail(invoice, 'final', ctx, facts('2026-12-25', 'pause', 3));
    expect(paused.subject).toBe('[Pixel & Co] Final notice: Invoice #INV-0042 — 23 days overdue');
    expect(paused.text).toMatch(/Final notice/);
    expect(paused.text).toContain('Work on the project (Milestone 2 - Design) is paused until payment is received.');
    expect(paused.html).toContain('paused until payment is received');
    const noticeOnly = renderReminderEmail(invoice, 'final', ctx, facts('2026-12-25', 'notice-only', 3));
    expect(noticeOnly.subject).toBe(paused.subject);
    expect(noticeOnly.text).toMatch(/Final notice/);
    expect(noticeOnly.text).not.toMatch(/pause/i);
    expect(noticeOnly.html).not.toMatch(/pause/i);
  });

  test('reminder html escapes the milestone', () => {
    const email = renderReminderEmail({ ...invoice, milestone: '<script>alert("x")</script> & "quotes"' }, 'final', ctx, facts('2026-12-25'));
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quotes&quot;');
  });
});

describe('calendar helpers', () => {
  test.each([
    ['2026-12-02', '2026-12-09', 7],
    ['2026-12-02', '2026-12-02', 0],
    ['2026-12-09', '2026-12-02', -7],
    ['2026-12-24', '2027-01-16', 23],
    ['2028-02-28', '2028-03-01', 2], // leap year
    ['2027-02-28', '2027-03-01', 1],
    ['2026-03-07', '2026-03-09', 2], // across the US DST switch: still whole calendar days
    ['2026-10-24', '2026-10-26', 2], // across the EU DST switch
  ])('daysBetween(%s, %s) = %i', (from, to, days) => {
    expect(daysBetween(from, to)).toBe(days);
  });

  test.each([
    ['2026-12-24', 'Dec 24, 2026'],
    ['2027-01-05', 'Jan 5, 2027'],
    ['2028-02-29', 'Feb 29, 2028'],
  ])('formatDueDate(%s) = %s', (ymd, shown) => {
    expect(formatDueDate(ymd)).toBe(shown);
  });

  test.each(['2026-13-01', '2027-02-29', '2026-12-32', '24/12/2026', ''])('formatDueDate rejects %p', (bad) => {
    expect(() => formatDueDate(bad)).toThrow(RangeError);
  });
});
