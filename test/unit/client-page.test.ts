import { createHash, randomBytes } from 'node:crypto';
import { buildClientPage, pageLocale, statementCsv, type PageInvoiceFacts } from '../../src/domain/client-page.js';
import { clientPageKey, looksLikeToken, newSalt, sameToken, tokenFor, tokenHash } from '../../src/domain/client-page-token.js';
import { csvCell, csvText } from '../../src/domain/csv.js';
import { CLIENT_PAGE_CSP, clientPageHtml } from '../../src/http/client-page-html.js';
import { GuessCounter } from '../../src/http/client-page.js';
import { renderTemplatedEmail } from '../../src/email/templates.js';
import { DEFAULT_TEMPLATES } from '../../src/email/default-templates.js';
import { TEMPLATE_KINDS } from '../../src/email/template-fields.js';
import { invoiceView } from './blocks-fixtures.js';
import { SETTINGS_BLOCKS, clientSettingsModal, parseClientSettings } from '../../blocks/client-settings-modal.js';
import { changedFields, type ClientSettings } from '../../src/domain/client-settings.js';
import { parseClients } from '../../src/clients-file.js';

const sampleInvoice = invoiceView();

const TODAY = '2026-12-10';
const HOSTILE = `=cmd|' /C calc'!A0 <script>alert(1)</script>, "x"`;

const invoice = (over: Partial<PageInvoiceFacts>): PageInvoiceFacts => ({
  number: 'INV-0001',
  milestone: 'Design',
  currency: 'USD',
  total: 150000,
  amountPaid: 0,
  dueDate: '2026-12-01',
  status: 'sent',
  paymentUrl: 'https://pay.example/i/1',
  paidOn: null,
  ...over,
});

const INVOICES: PageInvoiceFacts[] = [
  invoice({ number: 'INV-0003', dueDate: '2026-12-20', total: 99, currency: 'EUR', paymentUrl: 'javascript:alert(1)' }),
  invoice({ number: 'INV-0001', amountPaid: 50000 }),
  invoice({ number: 'INV-0002', currency: 'EUR', total: 123456, dueDate: '2026-11-30' }),
  invoice({ number: 'INV-0004', status: 'paid', amountPaid: 150000, paidOn: '2026-09-11' }), // 90 days ago: shown
  invoice({ number: 'INV-0005', status: 'paid', amountPaid: 150000, paidOn: '2026-09-10' }), // 91 days: not
  invoice({ number: 'INV-0006', status: 'paid', amountPaid: 20000, total: 20000, paidOn: '2026-12-09' }),
  invoice({ number: 'INV-0007', status: 'void' }),
  invoice({ number: 'INV-0008', status: 'draft' }),
];

describe('the view model', () => {
  const page = buildClientPage({ clientName: 'Acme', businessName: 'Pixel & Co', locale: undefined, today: TODAY, invoices: INVOICES });

  test('open invoices by due date with their balance, days overdue and only web pay links', () => {
    expect(page.open.map((r) => [r.number, r.balanceText, r.dueDateText, r.daysOverdue, r.payUrl])).toEqual([
      ['INV-0002', '€1,234.56', 'Nov 30, 2026', 10, 'https://pay.example/i/1'],
      ['INV-0001', '$1,000.00', 'Dec 1, 2026', 9, 'https://pay.example/i/1'],
      ['INV-0003', '€0.99', 'Dec 20, 2026', 0, null],
    ]);
  });

  test('paid in the last 90 days, newest first; drafts and voided invoices never appear', () => {
    expect(page.paid.map((r) => [r.number, r.totalText, r.paidOnText])).toEqual([
      ['INV-0006', '$200.00', 'Dec 9, 2026'],
      ['INV-0004', '$1,500.00', 'Sep 11, 2026'],
    ]);
  });

  test('one open total per currency, in exact minor units', () => {
    expect(page.totals).toEqual([
      { currency: 'EUR', amount: 123555, text: '€1,235.55' },
      { currency: 'USD', amount: 100000, text: '$1,000.00' },
    ]);
  });

  test("the client's locale formats amounts and dates and picks the wording; unknown or junk locales read as English", () => {
    const de = buildClientPage({ clientName: 'Acme', businessName: 'B', locale: 'de-DE', today: TODAY, invoices: INVOICES });
    expect(de.lang).toBe('de-DE');
    expect(de.open[0]).toMatchObject({ balanceText: '1.234,56\u00a0€', dueDateText: '30.11.2026' });
    expect(de.text.open).toBe('Offene Rechnungen');
    expect(pageLocale('fr')).toBe('fr');
    expect(buildClientPage({ clientName: 'A', businessName: 'B', locale: 'fr', today: TODAY, invoices: [] }).text.open).toBe('Factures ouvertes');
    expect(buildClientPage({ clientName: 'A', businessName: 'B', locale: 'pt', today: TODAY, invoices: [] }).text.open).toBe('Open invoices');
    for (const junk of [42, '', 'not a locale!!', null, { toString: () => 'de' }]) expect(pageLocale(junk)).toBe('en');
  });
});

describe('the page and the statement with hostile text', () => {
  const hostile = buildClientPage({
    clientName: `Evil "Co" <img src=x onerror=alert(1)>`,
    businessName: 'Pixel & Co',
    locale: 'en',
    today: TODAY,
    invoices: [invoice({ number: '@SUM(1+1)', milestone: HOSTILE, paymentUrl: 'https://pay.example/?a=1&b="><script>' })],
  });

  test('HTML: every outside value is escaped; lang, table headers with scope, no script', () => {
    const html = clientPageHtml(hostile, 'tok/statement.csv');
    expect(html).not.toMatch(/<script|<img/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('Evil &quot;Co&quot; &lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('href="https://pay.example/?a=1&amp;b=%22%3E%3Cscript%3E"');
    expect(html).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(html).toContain('<th scope="col">Invoice</th>');
    expect(html).toContain('<th scope="row">@SUM(1+1)</th>');
  });

  test('the CSP allows exactly the inline style by its hash and nothing else', () => {
    const html = clientPageHtml(hostile, 'x');
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    expect(CLIENT_PAGE_CSP).toContain(`style-src 'sha256-${createHash('sha256').update(style).digest('base64')}'`);
    expect(CLIENT_PAGE_CSP).toMatch(/^default-src 'none';.*frame-ancestors 'none'$/);
  });

  test('CSV: formulas become text, quotes and separators are quoted, amounts are plain decimals', () => {
    const lines = statementCsv(hostile).split('\r\n');
    expect(lines[0]).toBe('Invoice,Description,Status,Currency,Amount due,Due date,Days overdue,Amount,Paid on,Payment link');
    expect(lines[1]).toBe(`'@SUM(1+1),"'=cmd|' /C calc'!A0 <script>alert(1)</script>, ""x""",open,USD,1500.00,2026-12-01,9,,,https://pay.example/?a=1&b=%22%3E%3Cscript%3E`);
    expect(lines[2]).toBe('Total due,,,USD,1500.00,,,,,');
  });
});

test.each([
  ['=cmd|/C calc!A0', `'=cmd|/C calc!A0`],
  ['+1', `'+1`],
  ['-2+3', `'-2+3`],
  ['@x', `'@x`],
  ['\tx', `'\tx`],
  ['-12.50', '-12.50'],
  ['a,b', '"a,b"'],
  ['say "hi"', '"say ""hi"""'],
  ['=HYPERLINK("x")', `"'=HYPERLINK(""x"")"`],
  ['line\nbreak', '"line\nbreak"'],
  [null, ''],
  [7, '7'],
])('csvCell(%j) = %j', (value, cell) => {
  expect(csvCell(value)).toBe(cell);
});

test('csvText ends every row with CRLF', () => {
  expect(
    csvText([
      ['a', 1],
      ['b', 2],
    ]),
  ).toBe('a,1\r\nb,2\r\n');
});

describe('tokens', () => {
  const key = clientPageKey(randomBytes(32));

  test('256 bits, base64url, repeatable from the salt and key, different per salt and per key', () => {
    const salt = newSalt();
    const token = tokenFor(key, salt);
    expect(looksLikeToken(token)).toBe(true);
    expect(tokenFor(key, salt)).toBe(token);
    expect(tokenFor(key, newSalt())).not.toBe(token);
    expect(tokenFor(clientPageKey(randomBytes(32)), salt)).not.toBe(token);
    expect(tokenHash(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(sameToken(token, tokenFor(key, salt))).toBe(true);
    expect(sameToken(token, token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A'))).toBe(false);
    expect(sameToken(token, 'short')).toBe(false);
  });

  test.each(['', 'short', 'a'.repeat(44), `${'a'.repeat(42)}/`, '../../etc/passwd', `${'a'.repeat(42)}=`])('%j is no token', (text) => {
    expect(looksLikeToken(text)).toBe(false);
  });
});

test('an address that keeps missing is blocked until its window ends', () => {
  let now = 0;
  const guesses = new GuessCounter(3, 1000, () => now);
  for (let i = 0; i < 3; i++) {
    expect(guesses.blocked('1.2.3.4')).toBe(false);
    guesses.miss('1.2.3.4');
  }
  expect(guesses.blocked('1.2.3.4')).toBe(true);
  expect(guesses.blocked('5.6.7.8')).toBe(false);
  now = 1000;
  expect(guesses.blocked('1.2.3.4')).toBe(false);
});

test('the default emails carry the page link only when the client has one', () => {
  const ctx = { businessName: 'Pixel & Co', timezone: 'UTC' };
  const facts = { today: '2026-12-10', finalMode: 'pause' as const, stepNumber: 1 };
  const url = 'https://duebot.example/c/abc';
  // The statement has its own renderer and values (test/unit/statement-email.test.ts).
  for (const kind of TEMPLATE_KINDS.filter((k) => k !== 'statement')) {
    const credit = { amount: 100, reason: 'goodwill' };
    expect(renderTemplatedEmail(kind, DEFAULT_TEMPLATES[kind], sampleInvoice, ctx, { ...facts, credit }).text).not.toContain('All your invoices');
    const withLink = renderTemplatedEmail(kind, DEFAULT_TEMPLATES[kind], sampleInvoice, ctx, { ...facts, credit, clientPageUrl: url });
    expect(withLink.text).toContain(`All your invoices: ${url}\n\nPlease reply`);
    expect(withLink.html).toContain(`<a href="${url}">${url}</a>`);
  }
  expect(renderTemplatedEmail('invoice', DEFAULT_TEMPLATES.invoice, sampleInvoice, ctx, { ...facts, clientPageUrl: 'javascript:alert(1)' }).text).not.toContain('javascript');
});

describe('turning the page on', () => {
  const settings: ClientSettings = {
    emails: ['ap@acme.example'],
    paymentTermsDays: 30,
    reminderSchedule: [{ day: 7, from: 'delivery', tone: 'friendly' }],
    finalMode: 'pause',
    autoSend: false,
    timezone: null,
    businessHours: null,
    clientPage: true,
  };
  const form = (page?: { value: string }[] | null) => ({
    [SETTINGS_BLOCKS.emails]: { value: { type: 'plain_text_input', value: 'ap@acme.example' } },
    [SETTINGS_BLOCKS.terms]: { value: { type: 'number_input', value: '30' } },
    [SETTINGS_BLOCKS.preset]: { value: { type: 'static_select', selected_option: { value: 'standard' } } },
    [SETTINGS_BLOCKS.finalMode]: { value: { type: 'radio_buttons', selected_option: { value: 'pause' } } },
    [SETTINGS_BLOCKS.autoSend]: { value: { type: 'radio_buttons', selected_option: { value: 'approve' } } },
    ...(page === undefined ? {} : { [SETTINGS_BLOCKS.clientPage]: { value: { type: 'checkboxes', selected_options: page } } }),
  });
  const parsed = (values: object) => {
    const result = parseClientSettings(values as never);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    return result.settings;
  };

  test('the settings modal shows the checkbox ticked as stored and reads it back; a form without it changes nothing', () => {
    const view = clientSettingsModal({ clientId: 'acme', clientName: 'Acme', settings, slackFields: [], businessTimezone: 'UTC' });
    const block = view.blocks.find((b) => 'block_id' in b && b.block_id === SETTINGS_BLOCKS.clientPage) as { element: { initial_options?: unknown[] } };
    expect(block.element.initial_options).toHaveLength(1);
    expect(parsed(form([{ value: 'on' }])).clientPage).toBe(true);
    expect(parsed(form([])).clientPage).toBe(false);
    expect(parsed(form(null)).clientPage).toBe(false);
    expect(parsed(form()).clientPage).toBeUndefined();
    expect(changedFields(settings, { ...settings, clientPage: false })).toEqual(['clientPage']);
  });

  test('clients file: off unless clientPage: true; anything but a boolean is refused', () => {
    const yaml = (extra: string) => `clients:\n  - name: Acme\n    emails: ap@acme.example\n${extra}`;
    expect(parseClients(yaml('')).clients[0]!.clientPage).toBeUndefined();
    expect(parseClients(yaml('    clientPage: true\n')).clients[0]!.clientPage).toBe(true);
    expect(parseClients(yaml('    clientPage: "yes"\n')).errors.join()).toMatch(/clientPage.*must be true or false/);
  });
});
