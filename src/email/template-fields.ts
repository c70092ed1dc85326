import { daysBetween } from '../domain/calendar.js';
import { DEFAULT_LOCALE, type Locale } from '../domain/locale.js';
import { formatDate, formatMoney, formatQuantity } from '../domain/locale-format.js';
import { hasTax, taxLabel } from '../domain/tax.js';
import type { FinalMode, InvoiceView } from '../domain/types.js';
import { EMAIL_WORDS } from './locale-words.js';

/**
 * The editable emails and the placeholders each may use. One list drives validation, the modal's
 * hint and the README, so they cannot drift apart.
 */
export const TEMPLATE_KINDS = ['invoice', 'friendly', 'firm', 'final', 'credit', 'statement'] as const;
export type TemplateKind = (typeof TEMPLATE_KINDS)[number];

export const isTemplateKind = (value: string): value is TemplateKind => (TEMPLATE_KINDS as readonly string[]).includes(value);

export const KIND_LABELS: Record<TemplateKind, string> = {
  invoice: 'Invoice email',
  friendly: 'Reminder: friendly',
  firm: 'Reminder: firm',
  final: 'Reminder: final notice',
  credit: 'Credit applied',
  statement: 'Statement (grouped reminder)',
};

/** Placeholders shared by every email: name → what it becomes. */
const COMMON: Record<string, string> = {
  business: 'your business name',
  client: "the client's name",
  number: 'the invoice number, e.g. INV-0042',
  milestone: 'the milestone name',
  amount: 'the open balance, e.g. $1,500.00',
  total: 'the invoice total',
  amount_paid: 'paid so far',
  due_date: 'the due date, e.g. Dec 2, 2026',
  days_overdue: 'days past the due date (0 when not overdue)',
  days_overdue_text: '"1 day" / "7 days" past due',
  days_until_due: 'days until the due date (0 when due or overdue)',
  timing: '"is now 7 days past due" / "is due today" / "is due in 3 days, on Dec 2, 2026"',
  link: 'the payment link (empty when the back-end gives none)',
  lines: 'the invoice lines and the total (with subtotal and tax when there is tax)',
  subtotal: 'the total before tax',
  tax: 'the tax amount (empty when the invoice has no tax)',
  tax_label: 'e.g. "Tax (Sales Tax, 8.25%)"',
  has_tax: 'true when the back-end added tax',
  pay_instructions: "how to pay when there is no payment link (PAY_INSTRUCTIONS or the client's payInstructions)",
  overdue: 'true when past the due date (for {{#if overdue}})',
  due_today: 'true on the due date',
  partly_paid: 'true when part is paid',
  client_page_url: "the link to the client's page of all their invoices (empty unless the client page is on)",
};

const REMINDER: Record<string, string> = {
  step: 'the reminder step number (1, 2, 3)',
  pause: "true when the client's final mode pauses work",
  has_late_fee: 'true when late fees are open on the invoice (docs/late-fees.md)',
  late_fee: 'the open late fees, e.g. $50.00 (empty when none)',
  late_fee_added: 'the late fee added with this reminder (empty when none)',
  late_fee_link: "the payment link of the latest late fee's own invoice",
  amount_with_fees: 'the open balance plus open late fees',
};

const CREDIT: Record<string, string> = {
  credit_amount: 'the credit just applied',
  credit_reason: 'the reason given for the credit',
  settled: 'true when the credit settles the invoice in full',
};

/** The statement lists a client's open invoices: it has no single invoice's placeholders. */
const STATEMENT: Record<string, string> = {
  business: 'your business name',
  client: "the client's name",
  invoices: 'every open invoice: number, milestone, amount due, due date, days overdue and its payment link',
  invoice_count: 'how many invoices are open',
  total_due: 'the open balance of all of them (per currency), e.g. $4,500.00',
  overdue: 'true when any of them is past due',
  firm: 'true when the most urgent step due is a past-due notice',
  final: 'true when the most urgent step due is a final notice',
  requested: 'true when an approver sent the statement from Slack (no reminder step)',
  pause: "true for a final notice when the client's final mode pauses work",
  client_page_url: "the link to the client's page of all their invoices (empty unless the client page is on)",
};

export function placeholdersOf(kind: TemplateKind): Record<string, string> {
  if (kind === 'statement') return STATEMENT;
  if (kind === 'invoice') return COMMON;
  if (kind === 'credit') return { ...COMMON, ...CREDIT };
  return { ...COMMON, ...REMINDER };
}

/**
 * The placeholder a kind's email must carry: {{link}} for the invoice and every reminder (they exist to
 * get the client to pay), {{invoices}} (with each invoice's link) for the statement; none for a credit.
 */
export const requiredPlaceholder = (kind: TemplateKind): 'link' | 'invoices' | null => (kind === 'credit' ? null : kind === 'statement' ? 'invoices' : 'link');

export interface TemplateFacts {
  /** YYYY-MM-DD in the business time zone. */
  today: string;
  finalMode?: FinalMode;
  stepNumber?: number;
  credit?: { amount: number; reason: string };
  /** The client page link (src/usecases/client-page.ts); absent or null: the client has none. */
  clientPageUrl?: string | null;
  /** Late fees of the invoice as a reminder goes out (src/usecases/late-fees.ts); absent: none. */
  lateFees?: LateFeeFacts;
}

/** Minor units in the invoice's currency. */
export interface LateFeeFacts {
  /** Open (not waived) fees in all. */
  open: number;
  /** Added with this reminder; 0 when none. */
  added: number;
  /** The latest open fee invoice's payment link. */
  link: string | null;
}

export type TemplateValues = Record<string, string | number | boolean | null>;

/** "2026-12-24" → "Dec 24, 2026" (src/domain/locale-format.ts); a calendar date, so no time zone can shift it. */
export const formatDueDate = (ymd: string, locale: Locale = DEFAULT_LOCALE): string => formatDate(ymd, locale);

export const fmt = (amount: number, currency: string, locale: Locale = DEFAULT_LOCALE) => formatMoney(amount, currency, locale);
/** Only web links are offered; anything else (javascript:, data:) would be a hazard in a mail client. */
export const webLink = (url: string | null): string | null => (url && /^https?:\/\/\S+$/i.test(url) ? url : null);

/** Subtotal / Tax (name, rate) / Total when the back-end added tax; otherwise just the total. */
export function totalsRows(invoice: InvoiceView, locale: Locale = DEFAULT_LOCALE): [string, string][] {
  const words = EMAIL_WORDS[locale];
  const money = (amount: number) => fmt(amount, invoice.currency, locale);
  const total: [string, string] = [words.total, money(invoice.total)];
  if (!hasTax(invoice)) return [total];
  return [[words.subtotal, money(subtotalOf(invoice))], [taxLabel(invoice, words.tax), money(invoice.taxAmount!)], total];
}

/** Total less tax: the lines' sum, a credit line (which lowers the total) included. */
const subtotalOf = (invoice: InvoiceView) => invoice.total - (invoice.taxAmount ?? 0);

export function linesText(invoice: InvoiceView, locale: Locale = DEFAULT_LOCALE): string {
  const money = (amount: number) => fmt(amount, invoice.currency, locale);
  const lines = invoice.lines.map((l) => `- ${l.description}: ${formatQuantity(l.quantity, locale)} × ${money(l.unitAmount)} = ${money(l.amount)}`);
  return [...lines, ...totalsRows(invoice, locale).map(([label, value]) => `${label}: ${value}`)].join('\n');
}

/** Every placeholder's value for one invoice, in the client's language: money formatted from minor units in its currency. */
export function templateValues(invoice: InvoiceView, businessName: string, facts: TemplateFacts, locale: Locale = DEFAULT_LOCALE): TemplateValues {
  const words = EMAIL_WORDS[locale];
  const fmt = (amount: number, currency: string) => formatMoney(amount, currency, locale);
  const due = formatDueDate(invoice.dueDate, locale);
  const balance = invoice.total - invoice.amountPaid;
  const overdue = daysBetween(invoice.dueDate, facts.today);
  return {
    business: businessName,
    client: invoice.clientName,
    number: invoice.number,
    milestone: invoice.milestone,
    amount: fmt(balance, invoice.currency),
    total: fmt(invoice.total, invoice.currency),
    amount_paid: fmt(invoice.amountPaid, invoice.currency),
    due_date: due,
    days_overdue: Math.max(0, overdue),
    days_overdue_text: words.days(Math.max(0, overdue)),
    days_until_due: Math.max(0, -overdue),
    timing: overdue > 0 ? words.overdue(words.days(overdue)) : overdue === 0 ? words.dueToday : words.dueIn(words.days(-overdue), due),
    link: webLink(invoice.paymentUrl),
    lines: linesText(invoice, locale),
    subtotal: fmt(subtotalOf(invoice), invoice.currency),
    tax: hasTax(invoice) ? fmt(invoice.taxAmount!, invoice.currency) : '',
    tax_label: hasTax(invoice) ? taxLabel(invoice, words.tax) : '',
    has_tax: hasTax(invoice),
    // Instructions only stand in for a link: with a link they would be noise.
    pay_instructions: webLink(invoice.paymentUrl) ? '' : (invoice.payInstructions ?? ''),
    overdue: overdue > 0,
    due_today: overdue === 0,
    partly_paid: invoice.amountPaid > 0,
    step: facts.stepNumber ?? 1,
    pause: facts.finalMode === 'pause',
    credit_amount: facts.credit ? fmt(facts.credit.amount, invoice.currency) : '',
    credit_reason: facts.credit?.reason ?? '',
    settled: balance <= 0,
    client_page_url: webLink(facts.clientPageUrl ?? null),
    ...lateFeeValues(balance, invoice.currency, facts.lateFees, locale),
  };
}

function lateFeeValues(balance: number, currency: string, fees: LateFeeFacts | undefined, locale: Locale): TemplateValues {
  const open = fees?.open ?? 0;
  return {
    has_late_fee: open > 0,
    late_fee: open > 0 ? fmt(open, currency, locale) : '',
    late_fee_added: fees?.added ? fmt(fees.added, currency, locale) : '',
    late_fee_link: open > 0 ? webLink(fees?.link ?? null) : null,
    amount_with_fees: fmt(balance + open, currency, locale),
  };
}
