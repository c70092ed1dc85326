import { buildStatement } from '../../src/domain/grouped-reminders.js';
import { DEFAULT_TEMPLATES, defaultTemplate } from '../../src/email/default-templates.js';
import { validateTemplate } from '../../src/email/template-engine.js';
import { renderStatementEmail, type StatementView } from '../../src/email/templates.js';

const ctx = { businessName: 'Pixel & Co', timezone: 'UTC' };
const statement = buildStatement(
  [
    { number: 'INV-0001', milestone: 'Design <script>alert(1)</script>', currency: 'USD', balance: 150000, dueDate: '2026-12-01', paymentUrl: 'https://pay.example/i/1' },
    { number: 'INV-0002', milestone: 'Build', currency: 'USD', balance: 99, dueDate: '2026-12-20', paymentUrl: 'javascript:alert(1)' },
  ],
  '2026-12-08',
);
const view = (tone: StatementView['tone'], finalMode: StatementView['finalMode'] = 'pause'): StatementView => ({ clientName: 'Acme', statement, tone, finalMode });

describe('the statement email', () => {
  test('lists every open invoice with amount, due date, days overdue and its own pay link; total in minor units', () => {
    const email = renderStatementEmail(view('friendly'), ctx);
    expect(email.subject).toBe('[Pixel & Co] Statement of open invoices — 2 open, $1,500.99');
    expect(email.text).toContain('- #INV-0001 "Design <script>alert(1)</script>": $1,500.00 due Dec 1, 2026 (7 days overdue)\n  Pay now: https://pay.example/i/1');
    expect(email.text).toContain('- #INV-0002 "Build": $0.99 due Dec 20, 2026 (not overdue yet)');
    expect(email.text).not.toContain('javascript:');
  });

  test('the HTML escapes outside text and links only web URLs', () => {
    const { html } = renderStatementEmail(view('friendly'), ctx);
    expect(html).not.toContain('<script>');
    expect(html).toContain('Design &lt;script&gt;');
    expect(html).toContain('href="https://pay.example/i/1"');
    expect(html).not.toContain('javascript:');
    expect(html).toContain('Pixel &amp; Co');
  });

  test('the tone follows the most urgent step; an approver’s statement has none', () => {
    expect(renderStatementEmail(view('firm'), ctx).subject).toMatch(/^\[Pixel & Co\] Past due: Statement/);
    const final = renderStatementEmail(view('final'), ctx);
    expect(final.subject).toMatch(/Final notice: Statement/);
    expect(final.text).toContain('Work on your projects is paused');
    expect(renderStatementEmail(view('final', 'notice-only'), ctx).text).not.toContain('paused');
    expect(renderStatementEmail(view(null), ctx).text).toContain('Here is a statement of your open invoices');
  });

  test('an edited statement must keep {{invoices}}; unknown placeholders are refused', () => {
    expect(validateTemplate('statement', DEFAULT_TEMPLATES.statement)).toEqual({});
    expect(validateTemplate('statement', { subject: 'Statement', body: 'Hello {{client}}, {{link}}' }).body).toMatch(/Unknown placeholder \{\{link\}\}/);
    expect(validateTemplate('statement', { subject: 'Statement', body: 'Hello {{client}}' }).body).toMatch(/Add \{\{invoices\}\}/);
  });
});

describe('the statement in the client’s language', () => {
  test('German wording, amounts, dates and table; every shipped language validates', () => {
    const email = renderStatementEmail(view('firm'), { ...ctx, locale: 'de' });
    expect(email.subject).toMatch(/^\[Pixel & Co\] Überfällig: Kontoauszug Ihrer offenen Rechnungen — 2 offen, 1\.500,99\s\$$/);
    expect(email.text.replace(/\s/g, ' ')).toContain('- #INV-0001 "Design <script>alert(1)</script>": 1.500,00 $ fällig am 1. Dezember 2026 (7 Tage überfällig)');
    expect(email.html).toContain('<html lang="de">');
    expect(email.html).toContain('>Offen insgesamt<');
    for (const locale of ['en', 'de', 'fr', 'es', 'nl'] as const) {
      expect(validateTemplate('statement', defaultTemplate('statement', locale))).toEqual({});
      expect(renderStatementEmail(view(null), { ...ctx, locale }).text).toContain('INV-0002');
    }
  });

  test('the client page link, only a web link, in text and HTML', () => {
    const url = 'https://duebot.example/c/abc';
    const withLink = renderStatementEmail({ ...view('friendly'), clientPageUrl: url }, { ...ctx, locale: 'fr' });
    expect(withLink.text).toContain(`Toutes vos factures: ${url}`);
    expect(withLink.html).toContain(`<a href="${url}">${url}</a>`);
    expect(renderStatementEmail(view('friendly'), ctx).text).not.toContain('All your invoices');
    expect(renderStatementEmail({ ...view('friendly'), clientPageUrl: 'javascript:alert(1)' }, ctx).text).not.toContain('javascript');
  });
});
