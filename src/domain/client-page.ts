import type { Locale } from './locale.js';
import { daysBetween } from './calendar.js';
import { csvText } from './csv.js';
import { formatMoney, money, toMajorString } from './money.js';
import type { InvoiceStatus } from './types.js';
import { httpUrl } from './web-url.js';

/**
 * What the client page (GET /c/<token>, docs/client-page.md) shows, as plain data: the open invoices,
 * those paid in the last 90 days, the open total per currency, and the statement CSV. Formatted in the
 * client's locale with Intl; the wording comes from PAGE_STRINGS. Pure: the business date is passed in.
 */
export const RECENTLY_PAID_DAYS = 90;

export interface PageStrings {
  title: (client: string) => string;
  asOf: (date: string) => string;
  open: string;
  paid: string;
  totalDue: string;
  invoice: string;
  description: string;
  amountDue: string;
  dueDate: string;
  daysOverdue: string;
  pay: string;
  payNow: (invoice: string) => string;
  amount: string;
  paidOn: string;
  noneOpen: string;
  nonePaid: string;
  statement: string;
  questions: (business: string) => string;
  statusOpen: string;
  statusPaid: string;
  currency: string;
  payLink: string;
  status: string;
}

/** The page's wording per language (the first part of the locale), one for each of src/domain/locale.ts. */
export const PAGE_STRINGS: Readonly<Record<Locale, PageStrings>> = {
  en: {
    title: (client) => `Invoices for ${client}`,
    asOf: (date) => `As of ${date}`,
    open: 'Open invoices',
    paid: `Paid in the last ${RECENTLY_PAID_DAYS} days`,
    totalDue: 'Total due',
    invoice: 'Invoice',
    description: 'Description',
    amountDue: 'Amount due',
    dueDate: 'Due date',
    daysOverdue: 'Days overdue',
    pay: 'Pay',
    payNow: (invoice) => `Pay invoice ${invoice}`,
    amount: 'Amount',
    paidOn: 'Paid on',
    noneOpen: 'Nothing is open. Thank you!',
    nonePaid: `No payments in the last ${RECENTLY_PAID_DAYS} days.`,
    statement: 'Download statement (CSV)',
    questions: (business) => `Questions? Reply to any email from ${business}.`,
    statusOpen: 'open',
    statusPaid: 'paid',
    currency: 'Currency',
    payLink: 'Payment link',
    status: 'Status',
  },
  de: {
    title: (client) => `Rechnungen für ${client}`,
    asOf: (date) => `Stand: ${date}`,
    open: 'Offene Rechnungen',
    paid: `Bezahlt in den letzten ${RECENTLY_PAID_DAYS} Tagen`,
    totalDue: 'Offen insgesamt',
    invoice: 'Rechnung',
    description: 'Beschreibung',
    amountDue: 'Offener Betrag',
    dueDate: 'Fällig am',
    daysOverdue: 'Tage überfällig',
    pay: 'Bezahlen',
    payNow: (invoice) => `Rechnung ${invoice} bezahlen`,
    amount: 'Betrag',
    paidOn: 'Bezahlt am',
    noneOpen: 'Es ist nichts offen. Vielen Dank!',
    nonePaid: `Keine Zahlungen in den letzten ${RECENTLY_PAID_DAYS} Tagen.`,
    statement: 'Kontoauszug herunterladen (CSV)',
    questions: (business) => `Fragen? Antworten Sie einfach auf eine E-Mail von ${business}.`,
    statusOpen: 'offen',
    statusPaid: 'bezahlt',
    currency: 'Währung',
    payLink: 'Zahlungslink',
    status: 'Status',
  },
  fr: {
    title: (client) => `Factures de ${client}`,
    asOf: (date) => `Au ${date}`,
    open: 'Factures ouvertes',
    paid: `Payées ces ${RECENTLY_PAID_DAYS} derniers jours`,
    totalDue: 'Total dû',
    invoice: 'Facture',
    description: 'Description',
    amountDue: 'Montant dû',
    dueDate: "Date d'échéance",
    daysOverdue: 'Jours de retard',
    pay: 'Payer',
    payNow: (invoice) => `Payer la facture ${invoice}`,
    amount: 'Montant',
    paidOn: 'Payée le',
    noneOpen: 'Rien à régler. Merci !',
    nonePaid: `Aucun paiement ces ${RECENTLY_PAID_DAYS} derniers jours.`,
    statement: 'Télécharger le relevé (CSV)',
    questions: (business) => `Une question ? Répondez à n'importe quel e-mail de ${business}.`,
    statusOpen: 'ouverte',
    statusPaid: 'payée',
    currency: 'Devise',
    payLink: 'Lien de paiement',
    status: 'Statut',
  },
  es: {
    title: (client) => `Facturas de ${client}`,
    asOf: (date) => `A fecha de ${date}`,
    open: 'Facturas pendientes',
    paid: `Pagadas en los últimos ${RECENTLY_PAID_DAYS} días`,
    totalDue: 'Total pendiente',
    invoice: 'Factura',
    description: 'Descripción',
    amountDue: 'Importe pendiente',
    dueDate: 'Vencimiento',
    daysOverdue: 'Días de retraso',
    pay: 'Pagar',
    payNow: (invoice) => `Pagar la factura ${invoice}`,
    amount: 'Importe',
    paidOn: 'Pagada el',
    noneOpen: 'No hay nada pendiente. ¡Gracias!',
    nonePaid: `Ningún pago en los últimos ${RECENTLY_PAID_DAYS} días.`,
    statement: 'Descargar extracto (CSV)',
    questions: (business) => `¿Preguntas? Responda a cualquier correo de ${business}.`,
    statusOpen: 'pendiente',
    statusPaid: 'pagada',
    currency: 'Moneda',
    payLink: 'Enlace de pago',
    status: 'Estado',
  },
  nl: {
    title: (client) => `Facturen voor ${client}`,
    asOf: (date) => `Per ${date}`,
    open: 'Openstaande facturen',
    paid: `Betaald in de laatste ${RECENTLY_PAID_DAYS} dagen`,
    totalDue: 'Totaal openstaand',
    invoice: 'Factuur',
    description: 'Omschrijving',
    amountDue: 'Openstaand bedrag',
    dueDate: 'Vervaldatum',
    daysOverdue: 'Dagen te laat',
    pay: 'Betalen',
    payNow: (invoice) => `Factuur ${invoice} betalen`,
    amount: 'Bedrag',
    paidOn: 'Betaald op',
    noneOpen: 'Er staat niets open. Dank u wel!',
    nonePaid: `Geen betalingen in de laatste ${RECENTLY_PAID_DAYS} dagen.`,
    statement: 'Overzicht downloaden (CSV)',
    questions: (business) => `Vragen? Beantwoord gewoon een e-mail van ${business}.`,
    statusOpen: 'open',
    statusPaid: 'betaald',
    currency: 'Valuta',
    payLink: 'Betaallink',
    status: 'Status',
  },
};

/** One invoice as the page needs it; `paidOn` is the business date of the payment (null while open). */
export interface PageInvoiceFacts {
  number: string;
  milestone: string;
  currency: string;
  total: number;
  amountPaid: number;
  dueDate: string;
  status: InvoiceStatus;
  paymentUrl: string | null;
  paidOn: string | null;
}

export interface OpenRow {
  number: string;
  description: string;
  currency: string;
  /** Minor units still to pay. */
  balance: number;
  balanceText: string;
  dueDate: string;
  dueDateText: string;
  daysOverdue: number;
  payUrl: string | null;
}

export interface PaidRow {
  number: string;
  description: string;
  currency: string;
  total: number;
  totalText: string;
  paidOn: string;
  paidOnText: string;
}

export interface ClientPageModel {
  /** The BCP 47 tag the page is written in (the html lang attribute). */
  lang: string;
  text: PageStrings;
  clientName: string;
  businessName: string;
  asOfText: string;
  open: OpenRow[];
  paid: PaidRow[];
  /** Open balance per currency, by currency code. */
  totals: { currency: string; amount: number; text: string }[];
}

const OPEN_STATUSES: readonly InvoiceStatus[] = ['sent', 'partially_paid'];

/** A locale Intl knows (the client's, e.g. "de-DE"), else English. Read defensively: the field may be absent or junk. */
export function pageLocale(raw: unknown): string {
  if (typeof raw !== 'string' || !raw.trim()) return 'en';
  try {
    return Intl.DateTimeFormat.supportedLocalesOf(raw.trim())[0] ?? 'en';
  } catch {
    return 'en';
  }
}

export const pageStrings = (locale: string): PageStrings => PAGE_STRINGS[locale.split('-')[0]!.toLowerCase() as Locale] ?? PAGE_STRINGS.en;

/** "2026-12-24" in the locale's medium style, from its calendar parts (a due date has no time zone). */
export function formatPageDate(ymd: string, locale: string): string {
  const [y, m, d] = ymd.split('-').map(Number) as [number, number, number];
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, d)));
}

export function buildClientPage(input: { clientName: string; businessName: string; locale: unknown; today: string; invoices: readonly PageInvoiceFacts[] }): ClientPageModel {
  const lang = pageLocale(input.locale);
  const amountText = (amount: number, currency: string) => formatMoney(money(amount, currency), lang);
  const open = input.invoices
    .filter((i) => OPEN_STATUSES.includes(i.status) && i.total > i.amountPaid)
    .map((i) => ({
      number: i.number,
      description: i.milestone,
      currency: i.currency,
      balance: i.total - i.amountPaid,
      balanceText: amountText(i.total - i.amountPaid, i.currency),
      dueDate: i.dueDate,
      dueDateText: formatPageDate(i.dueDate, lang),
      daysOverdue: Math.max(0, daysBetween(i.dueDate, input.today)),
      payUrl: httpUrl(i.paymentUrl),
    }))
    .sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.number.localeCompare(b.number));
  const paid = input.invoices
    .filter((i): i is PageInvoiceFacts & { paidOn: string } => i.status === 'paid' && i.paidOn !== null && daysBetween(i.paidOn, input.today) <= RECENTLY_PAID_DAYS)
    .map((i) => ({
      number: i.number,
      description: i.milestone,
      currency: i.currency,
      total: i.total,
      totalText: amountText(i.total, i.currency),
      paidOn: i.paidOn,
      paidOnText: formatPageDate(i.paidOn, lang),
    }))
    .sort((a, b) => b.paidOn.localeCompare(a.paidOn) || a.number.localeCompare(b.number));
  const sums = new Map<string, number>();
  for (const row of open) sums.set(row.currency, (sums.get(row.currency) ?? 0) + row.balance);
  const totals = [...sums.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([currency, amount]) => ({ currency, amount, text: amountText(amount, currency) }));
  return {
    lang,
    text: pageStrings(lang),
    clientName: input.clientName,
    businessName: input.businessName,
    asOfText: formatPageDate(input.today, lang),
    open,
    paid,
    totals,
  };
}

/** The statement: every row of the page, amounts as plain decimals in major units, dates as YYYY-MM-DD. */
export function statementCsv(page: ClientPageModel): string {
  const t = page.text;
  const major = (amount: number, currency: string) => toMajorString(money(amount, currency));
  return csvText([
    [t.invoice, t.description, t.status, t.currency, t.amountDue, t.dueDate, t.daysOverdue, t.amount, t.paidOn, t.payLink],
    ...page.open.map((r) => [r.number, r.description, t.statusOpen, r.currency, major(r.balance, r.currency), r.dueDate, r.daysOverdue, '', '', r.payUrl ?? '']),
    ...page.paid.map((r) => [r.number, r.description, t.statusPaid, r.currency, '0', '', '', major(r.total, r.currency), r.paidOn, '']),
    ...page.totals.map((s) => [t.totalDue, '', '', s.currency, major(s.amount, s.currency), '', '', '', '', '']),
  ]);
}
