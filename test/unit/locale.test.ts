import { LOCALES, type Locale } from '../../src/domain/locale.js';
import { formatDate, formatMoney, formatQuantity } from '../../src/domain/locale-format.js';
import { defaultTemplate, DEFAULT_TEMPLATES } from '../../src/email/default-templates.js';
import { validateTemplate } from '../../src/email/template-engine.js';
import { TEMPLATE_KINDS } from '../../src/email/template-fields.js';
import { renderCreditEmail, renderInvoiceEmail, renderReminderEmail } from '../../src/email/templates.js';
import { parseClients } from '../../src/clients-file.js';
import { parseClientSettings, SETTINGS_BLOCKS, clientSettingsModal } from '../../blocks/client-settings-modal.js';
import type { InvoiceView } from '../../src/domain/types.js';

/** Intl's no-break spaces ("3.040,00\u00a0€") compared as plain spaces. */
const spaced = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');

describe('money and dates in the client language', () => {
  test.each<[Locale, number, string, string]>([
    ['en', 304000, 'EUR', '€3,040.00'],
    ['de', 304000, 'EUR', '3.040,00 €'],
    ['fr', 304000, 'EUR', '3 040,00 €'],
    ['es', 304000, 'EUR', '3040,00 €'],
    ['nl', 304000, 'EUR', '€ 3.040,00'],
    ['de', 150000, 'USD', '1.500,00 $'],
    ['de', 12000, 'JPY', '12.000 ¥'],
    ['fr', -5050, 'EUR', '-50,50 €'],
    // 15 significant digits stay exact: Intl reads the decimal text, never a float.
    ['de', 999_999_999_999_999, 'EUR', '9.999.999.999.999,99 €'],
  ])('%s: %i minor %s → %s', (locale, minor, currency, shown) => {
    expect(spaced(formatMoney(minor, currency, locale))).toBe(shown);
  });

  test.each<[Locale, string]>([
    ['en', 'Jan 15, 2027'],
    ['de', '15. Januar 2027'],
    ['fr', '15 janvier 2027'],
    ['es', '15 de enero de 2027'],
    ['nl', '15 januari 2027'],
  ])('%s: 2027-01-15 → %s', (locale, shown) => {
    expect(formatDate('2027-01-15', locale)).toBe(shown);
  });

  test('a calendar date is never shifted, and a date that does not exist is refused', () => {
    expect(formatDate('2026-12-31', 'de')).toBe('31. Dezember 2026');
    expect(() => formatDate('2027-02-29', 'fr')).toThrow(RangeError);
  });

  test('quantities in the client digits; English keeps the text as entered', () => {
    expect(formatQuantity('1.5', 'de')).toBe('1,5');
    expect(formatQuantity('1000', 'fr')).toBe('1000');
    expect(formatQuantity('1.5', 'en')).toBe('1.5');
  });
});

const invoice: InvoiceView = {
  id: 'i1',
  number: 'INV-0042',
  clientName: 'Kunde GmbH',
  milestone: 'Design',
  currency: 'EUR',
  lines: [{ description: 'Design sprint', quantity: '1.5', unitAmount: 200000, amount: 300000 }],
  total: 304000,
  amountPaid: 0,
  dueDate: '2027-01-15',
  status: 'sent',
  disputed: false,
  paused: false,
  recipients: ['ap@kunde.example'],
  paymentUrl: 'https://pay.example/i/abc',
  sentAt: null,
  paidAt: null,
  sourceUrl: null,
  attention: null,
  taxAmount: 4000,
  taxName: 'USt',
  taxRate: '19',
};
const ctx = (locale: Locale) => ({ businessName: 'Pixel & Co', timezone: 'Europe/Berlin', locale });

describe('shipped wording in every language', () => {
  test('every shipped template validates (placeholders, blocks, the payment link)', () => {
    for (const locale of LOCALES) for (const kind of TEMPLATE_KINDS) expect([locale, kind, validateTemplate(kind, defaultTemplate(kind, locale))]).toEqual([locale, kind, {}]);
  });

  test('English is the wording it always was', () => {
    for (const kind of TEMPLATE_KINDS) expect(defaultTemplate(kind, 'en')).toBe(DEFAULT_TEMPLATES[kind]);
    expect(renderInvoiceEmail(invoice, { businessName: 'Pixel & Co', timezone: 'UTC' })).toEqual(renderInvoiceEmail(invoice, ctx('en')));
  });

  test('a German invoice email: German words, money, dates, quantities, lines table and pay button', () => {
    const email = renderInvoiceEmail(invoice, ctx('de'));
    expect(email.subject).toBe('[Pixel & Co] Rechnung Nr. INV-0042 — Design — fällig am 15. Januar 2027');
    const text = spaced(email.text);
    expect(text).toContain('Rechnungsbetrag: 3.040,00 €');
    expect(text).toContain('- Design sprint: 1,5 × 2.000,00 € = 3.000,00 €');
    expect(text).toContain('Zwischensumme: 3.000,00 €\nSteuer (USt, 19%): 40,00 €\nGesamtbetrag: 3.040,00 €');
    expect(email.html).toContain('<th style="padding:6px 8px;border-bottom:1px solid #e5e7eb;text-align:left">Beschreibung</th>');
    expect(email.html).toContain('Jetzt bezahlen</a>');
    expect(email.html).toContain('<html lang="de">');
  });

  test.each<[Locale, string, string, string]>([
    ['de', '2027-01-22', 'ist seit 7 Tagen überfällig', '[Pixel & Co] Erinnerung: Rechnung Nr. INV-0042 — 7 Tage überfällig'],
    ['fr', '2027-01-16', 'est en retard de 1 jour', '[Pixel & Co] Rappel : facture n° INV-0042 — en retard de 1 jour'],
    ['es', '2027-01-15', 'vence hoy', '[Pixel & Co] Recordatorio: factura n.º INV-0042 — vence el 15 de enero de 2027'],
    ['nl', '2027-01-12', 'vervalt over 3 dagen, op 15 januari 2027', '[Pixel & Co] Herinnering: factuur INV-0042 — vervalt op 15 januari 2027'],
  ])('%s friendly reminder on %s: "%s"', (locale, today, timing, subject) => {
    const email = renderReminderEmail(invoice, 'friendly', ctx(locale), { today, finalMode: 'pause', stepNumber: 1 });
    expect(email.subject).toBe(subject);
    expect(email.text).toContain(timing);
  });

  test('final notice and credit note in Dutch and Spanish keep their conditional parts', () => {
    const final = renderReminderEmail({ ...invoice, amountPaid: 100000 }, 'final', ctx('nl'), { today: '2027-02-14', finalMode: 'pause', stepNumber: 3 });
    expect(spaced(final.text)).toContain('Hartelijk dank voor de € 1.000,00 die we al ontvingen; er staat nog € 2.040,00 open.');
    expect(final.text).toContain('De werkzaamheden aan het project (Design) liggen stil');
    const credit = renderCreditEmail({ ...invoice, total: 0 }, ctx('es'), { today: '2027-01-20', credit: { amount: 304000, reason: 'descuento' } });
    expect(credit.text).toContain('No queda nada por pagar en esta factura');
  });
});

describe('the locale in the clients file and the settings modal', () => {
  test('the clients file takes a known language and refuses others', () => {
    const { clients, errors } = parseClients(
      `clients:\n  - { name: Kunde GmbH, emails: ap@kunde.example, locale: de }\n  - { name: Acme, emails: ap@acme.example }\n  - { name: Bad, emails: b@b.example, locale: it }\n`,
    );
    expect(clients.map((c) => [c.id, c.locale])).toEqual([
      ['kunde-gmbh', 'de'],
      ['acme', undefined],
    ]);
    expect(errors).toEqual(['clients file: client "Bad" (#3): locale: must be one of en, de, fr, es, nl (the language of the client\'s emails)']);
  });

  const settings = {
    emails: ['ap@kunde.example'],
    paymentTermsDays: 14,
    reminderSchedule: [],
    finalMode: 'pause' as const,
    autoSend: false,
    timezone: null,
    businessHours: null,
    locale: 'de' as const,
  };

  test('the modal offers the five languages, prefilled with the client one, and reads the choice', () => {
    const modal = clientSettingsModal({ clientId: 'kunde', clientName: 'Kunde GmbH', settings, slackFields: [], businessTimezone: 'UTC' });
    const block = (modal.blocks as { block_id?: string; element?: { options: { value: string }[]; initial_option: { value: string } } }[]).find(
      (b) => b.block_id === SETTINGS_BLOCKS.locale,
    )!;
    expect(block.element!.options.map((o) => o.value)).toEqual([...LOCALES]);
    expect(block.element!.initial_option.value).toBe('de');
    const values = {
      [SETTINGS_BLOCKS.emails]: { value: { type: 'plain_text_input', value: 'ap@kunde.example' } },
      [SETTINGS_BLOCKS.terms]: { value: { type: 'number_input', value: '14' } },
      [SETTINGS_BLOCKS.preset]: { value: { type: 'static_select', selected_option: { value: 'standard' } } },
      [SETTINGS_BLOCKS.finalMode]: { value: { type: 'radio_buttons', selected_option: { value: 'pause' } } },
      [SETTINGS_BLOCKS.autoSend]: { value: { type: 'radio_buttons', selected_option: { value: 'approve' } } },
    };
    const chosen = parseClientSettings({ ...values, [SETTINGS_BLOCKS.locale]: { value: { type: 'static_select', selected_option: { value: 'fr' } } } });
    expect(chosen.ok && chosen.settings.locale).toBe('fr');
    // A modal opened before the field existed leaves the language alone.
    const older = parseClientSettings(values);
    expect(older.ok && 'locale' in older.settings).toBe(false);
    const forged = parseClientSettings({ ...values, [SETTINGS_BLOCKS.locale]: { value: { type: 'static_select', selected_option: { value: 'xx' } } } });
    expect(forged).toMatchObject({ ok: false, errors: { [SETTINGS_BLOCKS.locale]: 'Choose one of en, de, fr, es, nl.' } });
  });
});
