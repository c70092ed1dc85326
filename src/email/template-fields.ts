import { assertYmd, daysBetween } from '../domain/calendar.js';
import { formatMoney, money } from '../domain/money.js';
import { hasTax, taxLabel } from '../domain/tax.js';
import type { FinalMode, InvoiceView } from '../domain/types.js';

/**
 * The editable emails and the placeholders each may use. One list drives validation, the modal's
 * hint and the README, so they cannot drift apart.
 */
export const TEMPLATE_KINDS = ['invoice', 'friendly', 'firm', 'final', 'credit'] as const;
export type TemplateKind = (typeof TEMPLATE_KINDS)[number];

export const isTemplateKind = (value: string): value is TemplateKind => (TEMPLATE_KINDS as readonly string[]).includes(value);

export const KIND_LABELS: Record<TemplateKind, string> = {
  invoice: 'Invoice email',
  friendly: 'Reminder: friendly',
  firm: 'Reminder: firm',
  final: 'Reminder: final notice',
  credit: 'Credit applied',
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

export function placeholdersOf(kind: TemplateKind): Record<string, string> {
  if (kind === 'invoice') return COMMON;
  if (kind === 'credit') return { ...COMMON, ...CREDIT };
  return { ...COMMON, ...REMINDER };
}

/** Kinds whose email must carry {{link}}: the invoice and every reminder exist to get the client to pay. */
export const requiresLink = (kind: TemplateKind) => kind !== 'credit';

export interface TemplateFacts {
  /** YYYY-MM-DD in the business time zone. */
  today: string;
  finalMode?: FinalMode;
  stepNumber?: number;
  credit?: { amount: number; reason: string };
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

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * "2026-12-24" → "Dec 24, 2026". Due dates are calendar dates already fixed in the business time zone,
 * so they are formatted from their parts: going through a Date would let the reader's zone shift them.
 */
export function formatDueDate(ymd: string): string {
  const [y, m, d] = assertYmd(ymd).split('-').map(Number) as [number, number, number];
  const lastDay = new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (m < 1 || m > 12 || d < 1 || d > lastDay) throw new RangeError(`"${ymd}" is not a calendar date`);
  return `${MONTHS[m - 1]} ${d}, ${y}`;
}

export const fmt = (amount: number, currency: string) => formatMoney(money(amount, currency));
/** Only web links are offered; anything else (javascript:, data:) would be a hazard in a mail client. */
export const webLink = (url: string | null): string | null => (url && /^https?:\/\/\S+$/i.test(url) ? url : null);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Subtotal / Tax (name, rate) / Total when the back-end added tax; otherwise just the total. */
export function totalsRows(invoice: InvoiceView, totalLabel = 'Total'): [string, string][] {
  const total: [string, string] = [totalLabel, fmt(invoice.total, invoice.currency)];
  if (!hasTax(invoice)) return [total];
  return [['Subtotal', fmt(subtotalOf(invoice), invoice.currency)], [taxLabel(invoice), fmt(invoice.taxAmount!, invoice.currency)], total];
}

/** Total less tax: the lines' sum, a credit line (which lowers the total) included. */
const subtotalOf = (invoice: InvoiceView) => invoice.total - (invoice.taxAmount ?? 0);

export function linesText(invoice: InvoiceView): string {
  const lines = invoice.lines.map((l) => `- ${l.description}: ${l.quantity} × ${fmt(l.unitAmount, invoice.currency)} = ${fmt(l.amount, invoice.currency)}`);
  return [...lines, ...totalsRows(invoice).map(([label, value]) => `${label}: ${value}`)].join('\n');
}

/** Every placeholder's value for one invoice; money formatted from minor units in its currency. */
export function templateValues(invoice: InvoiceView, businessName: string, facts: TemplateFacts): TemplateValues {
  const due = formatDueDate(invoice.dueDate);
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
    days_overdue_text: plural(Math.max(0, overdue), 'day'),
    days_until_due: Math.max(0, -overdue),
    timing: overdue > 0 ? `is now ${plural(overdue, 'day')} past due` : overdue === 0 ? 'is due today' : `is due in ${plural(-overdue, 'day')}, on ${due}`,
    link: webLink(invoice.paymentUrl),
    lines: linesText(invoice),
    subtotal: fmt(subtotalOf(invoice), invoice.currency),
    tax: hasTax(invoice) ? fmt(invoice.taxAmount!, invoice.currency) : '',
    tax_label: hasTax(invoice) ? taxLabel(invoice) : '',
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
    ...lateFeeValues(balance, invoice.currency, facts.lateFees),
  };
}

function lateFeeValues(balance: number, currency: string, fees: LateFeeFacts | undefined): TemplateValues {
  const open = fees?.open ?? 0;
  return {
    has_late_fee: open > 0,
    late_fee: open > 0 ? fmt(open, currency) : '',
    late_fee_added: fees?.added ? fmt(fees.added, currency) : '',
    late_fee_link: open > 0 ? webLink(fees?.link ?? null) : null,
    amount_with_fees: fmt(balance + open, currency),
  };
}
