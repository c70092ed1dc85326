import { assertYmd, daysBetween as calendarDaysBetween } from '../domain/calendar.js';
import { formatMoney, money } from '../domain/money.js';
import { hasTax, taxLabel } from '../domain/tax.js';
import type { FinalMode, InvoiceLine, InvoiceView, ReminderTone } from '../domain/types.js';

/** Invoice and reminder emails: pure renderers, every interpolated value escaped in the HTML. */
export interface EmailContext {
  businessName: string;
  timezone: string;
  replyTo?: string | null;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export interface ReminderFacts {
  /** YYYY-MM-DD in the business time zone. */
  today: string;
  finalMode: FinalMode;
  stepNumber: number;
}

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

/** Whole calendar days from `fromYmd` to `toYmd`, negative when `toYmd` is earlier. */
export function daysBetween(fromYmd: string, toYmd: string): number {
  return calendarDaysBetween(fromYmd, toYmd);
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const fmt = (amount: number, currency: string) => formatMoney(money(amount, currency));
/** Header values stay on one line whatever a milestone name contains. */
const oneLine = (value: string) => value.replace(/[\r\n\t]+/g, ' ').replace(/ {2,}/g, ' ').trim();
const QUESTIONS = 'Please reply to this email with any questions.';
/** Only web links are offered; anything else (javascript:, data:) would be a hazard in a mail client. */
const webLink = (url: string | null): string | null => (url && /^https?:\/\/\S+$/i.test(url) ? url : null);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function renderInvoiceEmail(invoice: InvoiceView, ctx: EmailContext): RenderedEmail {
  const due = formatDueDate(invoice.dueDate);
  const total = fmt(invoice.total, invoice.currency);
  const subject = oneLine(`[${ctx.businessName}] Invoice #${invoice.number} — ${invoice.milestone} — Due ${due}`);
  const intro = `Thank you for working with ${ctx.businessName}. Please find invoice #${invoice.number} for "${invoice.milestone}" below.`;
  const text = [
    `Hello ${invoice.clientName},`,
    '',
    intro,
    '',
    `Amount due: ${total}`,
    `Due date: ${due}`,
    '',
    ...linesText(invoice.lines, invoice.currency),
    ...totalsText(invoice),
    '',
    ...payText(invoice, 'Payment instructions will follow in a separate message.'),
    '',
    QUESTIONS,
    '',
    ctx.businessName,
  ].join('\n');
  const html = layout(
    ctx,
    `<p>Hello ${escapeHtml(invoice.clientName)},</p>
<p>${escapeHtml(intro)}</p>
<p style="font-size:18px;margin:16px 0"><strong>Amount due: ${escapeHtml(total)}</strong><br>Due date: ${escapeHtml(due)}</p>
${linesHtml(invoice.lines, invoice.currency, totalsRows(invoice))}
${payButton(invoice.paymentUrl)}${payInstructionsHtml(invoice)}
<p>${QUESTIONS}</p>`,
  );
  return { subject, text, html };
}

export function renderReminderEmail(invoice: InvoiceView, tone: ReminderTone, ctx: EmailContext, facts: ReminderFacts): RenderedEmail {
  const due = formatDueDate(invoice.dueDate);
  const balance = fmt(invoice.total - invoice.amountPaid, invoice.currency);
  const overdue = daysBetween(invoice.dueDate, facts.today);
  const partial = invoice.amountPaid > 0 ? `Thank you for the ${fmt(invoice.amountPaid, invoice.currency)} received so far; ${balance} remains open.` : null;
  const timing = overdue > 0 ? `is now ${plural(overdue, 'day')} past due` : overdue === 0 ? 'is due today' : `is due in ${plural(-overdue, 'day')}, on ${due}`;

  let subject: string;
  let paragraphs: string[];
  if (tone === 'friendly') {
    subject = overdue > 0 ? `[${ctx.businessName}] Reminder: Invoice #${invoice.number} — ${plural(overdue, 'day')} overdue` : `[${ctx.businessName}] Reminder: Invoice #${invoice.number} — due ${due}`;
    paragraphs = [
      `Just a quick note that invoice #${invoice.number} for "${invoice.milestone}" (${balance}) ${timing}.`,
      ...(partial ? [partial] : []),
      'If it is already on its way, thank you, and please ignore this message.',
    ];
  } else if (tone === 'firm') {
    subject = overdue > 0 ? `[${ctx.businessName}] Past due: Invoice #${invoice.number} — ${plural(overdue, 'day')} overdue` : `[${ctx.businessName}] Payment due: Invoice #${invoice.number} — due ${due}`;
    paragraphs = [
      `Invoice #${invoice.number} for "${invoice.milestone}" ${timing}. The open balance is ${balance}.`,
      ...(partial ? [partial] : []),
      overdue > 0 ? 'Please arrange payment today, or reply to let us know when we can expect it.' : 'Please make sure payment reaches us by the due date.',
    ];
  } else {
    subject = `[${ctx.businessName}] Final notice: Invoice #${invoice.number} — ${overdue > 0 ? `${plural(overdue, 'day')} overdue` : `due ${due}`}`;
    paragraphs = [
      `Final notice: invoice #${invoice.number} for "${invoice.milestone}" ${timing}, with ${balance} still open.`,
      ...(partial ? [partial] : []),
      ...(facts.finalMode === 'pause'
        ? [`Work on the project (${invoice.milestone}) is paused until payment is received.`]
        : []),
      'Please pay now, or reply today if anything about this invoice needs to be discussed.',
    ];
  }

  const text = [
    `Hello ${invoice.clientName},`,
    '',
    ...paragraphs.flatMap((p) => [p, '']),
    `Amount due: ${balance}`,
    `Due date: ${due}`,
    ...(hasTax(invoice) ? ['', ...totalsText(invoice, 'Invoice total')] : []),
    '',
    ...(webLink(invoice.paymentUrl) || invoice.payInstructions ? [...payText(invoice, ''), ''] : []),
    QUESTIONS,
    '',
    ctx.businessName,
  ].join('\n');
  const html = layout(
    ctx,
    `<p>Hello ${escapeHtml(invoice.clientName)},</p>
${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n')}
<p style="font-size:18px;margin:16px 0"><strong>Amount due: ${escapeHtml(balance)}</strong><br>Due date: ${escapeHtml(due)}</p>
${hasTax(invoice) ? `<p style="color:#374151">${totalsRows(invoice, 'Invoice total').map(([label, value]) => `${escapeHtml(label)}: ${escapeHtml(value)}`).join('<br>')}</p>\n` : ''}${payButton(invoice.paymentUrl)}${payInstructionsHtml(invoice)}
<p>${QUESTIONS}</p>`,
  );
  return { subject: oneLine(subject), text, html };
}

function linesText(lines: readonly InvoiceLine[], currency: string): string[] {
  return lines.map((l) => `- ${l.description}: ${l.quantity} × ${fmt(l.unitAmount, currency)} = ${fmt(l.amount, currency)}`);
}

/** Subtotal / Tax (name, rate) / Total when the back-end added tax; otherwise just the total. */
function totalsRows(invoice: InvoiceView, totalLabel = 'Total'): [string, string][] {
  const total: [string, string] = [totalLabel, fmt(invoice.total, invoice.currency)];
  if (!hasTax(invoice)) return [total];
  return [['Subtotal', fmt(invoice.subtotal ?? invoice.total - (invoice.taxAmount ?? 0), invoice.currency)], [taxLabel(invoice), fmt(invoice.taxAmount!, invoice.currency)], total];
}

function totalsText(invoice: InvoiceView, totalLabel?: string): string[] {
  return totalsRows(invoice, totalLabel).map(([label, value]) => `${label}: ${value}`);
}

/** The payment link, else the pay instructions (QuickBooks without Payments), else `fallback`. */
function payText(invoice: InvoiceView, fallback: string): string[] {
  const link = webLink(invoice.paymentUrl);
  if (link) return [`Pay now: ${link}`];
  if (invoice.payInstructions) return ['How to pay:', invoice.payInstructions];
  return fallback ? [fallback] : [];
}

function payInstructionsHtml(invoice: InvoiceView): string {
  if (webLink(invoice.paymentUrl) || !invoice.payInstructions) return '';
  return `\n<p><strong>How to pay</strong><br>${escapeHtml(invoice.payInstructions).replace(/\n/g, '<br>')}</p>`;
}

function linesHtml(lines: readonly InvoiceLine[], currency: string, totals: [string, string][]): string {
  const cell = 'padding:6px 8px;border-bottom:1px solid #e5e7eb';
  const rows = lines
    .map((l) => `<tr><td style="${cell}">${escapeHtml(l.description)}</td><td style="${cell};text-align:right">${escapeHtml(l.quantity)}</td><td style="${cell};text-align:right">${escapeHtml(fmt(l.unitAmount, currency))}</td><td style="${cell};text-align:right">${escapeHtml(fmt(l.amount, currency))}</td></tr>`)
    .join('');
  return `<table style="border-collapse:collapse;width:100%;margin:12px 0"><thead><tr><th style="${cell};text-align:left">Description</th><th style="${cell};text-align:right">Qty</th><th style="${cell};text-align:right">Unit price</th><th style="${cell};text-align:right">Amount</th></tr></thead><tbody>${rows}</tbody><tfoot>${totals
    .map(([label, value], i) => {
      const strong = (t: string) => (i === totals.length - 1 ? `<strong>${escapeHtml(t)}</strong>` : escapeHtml(t));
      return `<tr><td colspan="3" style="padding:6px 8px;text-align:right">${strong(label)}</td><td style="padding:6px 8px;text-align:right">${strong(value)}</td></tr>`;
    })
    .join('')}</tfoot></table>`;
}

function payButton(paymentUrl: string | null): string {
  const url = webLink(paymentUrl);
  if (!url) return '';
  const href = escapeHtml(url);
  return `<p style="margin:20px 0"><a href="${href}" style="background:#1d3557;color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none;font-weight:bold">Pay now</a></p>
<p style="font-size:12px;color:#6b7280">Or open this link: <a href="${href}">${href}</a></p>`;
}

function layout(ctx: EmailContext, body: string): string {
  return `<!doctype html><html><body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#111827;max-width:600px;margin:0 auto;padding:16px">
${body}
<p style="color:#6b7280">${escapeHtml(ctx.businessName)}</p>
</body></html>`;
}

/**
 * The owner's weekly summary: the Monday post as plain text (`summaryText`, already rendered from
 * the same builder), so the email and the Slack post never disagree.
 */
export function renderWeeklySummaryEmail(summary: { weekOf: string; summaryText: string }, ctx: EmailContext): RenderedEmail {
  const subject = oneLine(`[${ctx.businessName}] Weekly cash-flow summary — week of ${formatDueDate(summary.weekOf)}`);
  const text = `${summary.summaryText}\n\n— ${ctx.businessName} billing bot\n`;
  const html = `<pre style="font-family: ui-monospace, Menlo, Consolas, monospace; white-space: pre-wrap">${escapeHtml(text)}</pre>`;
  return { subject, text, html };
}
