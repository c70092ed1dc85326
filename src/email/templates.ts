import { daysBetween as calendarDaysBetween } from '../domain/calendar.js';
import type { Statement } from '../domain/grouped-reminders.js';
import type { FinalMode, InvoiceView, ReminderTone } from '../domain/types.js';
import { DEFAULT_LOCALE, type Locale } from '../domain/locale.js';
import { defaultTemplate, type EmailTemplate } from './default-templates.js';
import { EMAIL_WORDS, type EmailWords } from './locale-words.js';
import { escapeHtml, renderField, renderHtmlBody } from './template-engine.js';
import { formatQuantity } from '../domain/locale-format.js';
import {
  fmt,
  formatDueDate,
  isTemplateKind,
  templateValues,
  totalsRows,
  webLink,
  type LateFeeFacts,
  type TemplateFacts,
  type TemplateKind,
  type TemplateValues,
} from './template-fields.js';

/** Invoice, reminder and credit emails: pure renderers over editable templates, every value escaped in the HTML. */
export interface EmailContext {
  businessName: string;
  timezone: string;
  replyTo?: string | null;
  /** The client's language (src/domain/locale.ts): money, dates and duebot's own words; absent: English. */
  locale?: Locale;
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
  /** Late fees open as the reminder goes out (src/usecases/late-fees.ts). */
  lateFees?: LateFeeFacts;
}

export { escapeHtml, formatDueDate };

/** Whole calendar days from `fromYmd` to `toYmd`, negative when `toYmd` is earlier. */
export function daysBetween(fromYmd: string, toYmd: string): number {
  return calendarDaysBetween(fromYmd, toYmd);
}

/** Header values stay on one line whatever a milestone name contains. */
const oneLine = (value: string) =>
  value
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();

/**
 * The invoice email, from `template` (the stored one, or the default wording). `today` (business date)
 * feeds the timing placeholders; without it they read as of the due date.
 */
export function renderInvoiceEmail(invoice: InvoiceView, ctx: EmailContext, options: { today?: string; template?: EmailTemplate } = {}): RenderedEmail {
  return renderTemplatedEmail('invoice', options.template ?? defaultTemplate('invoice', ctx.locale), invoice, ctx, { today: options.today ?? invoice.dueDate });
}

export function renderReminderEmail(invoice: InvoiceView, tone: ReminderTone, ctx: EmailContext, facts: ReminderFacts, template?: EmailTemplate): RenderedEmail {
  const kind = reminderKind(tone);
  return renderTemplatedEmail(kind, template ?? defaultTemplate(kind, ctx.locale), invoice, ctx, facts);
}

/** The client's note after a credit: the corrected balance, or that nothing is left to pay. */
export function renderCreditEmail(
  invoice: InvoiceView,
  ctx: EmailContext,
  facts: TemplateFacts & { credit: { amount: number; reason: string } },
  template: EmailTemplate = defaultTemplate('credit', ctx.locale),
): RenderedEmail {
  return renderTemplatedEmail('credit', template, invoice, ctx, facts);
}

/** A tone without a template kind of its own (added later) is worded like the friendly one. */
export const reminderKind = (tone: ReminderTone): TemplateKind => (isTemplateKind(tone) ? tone : 'friendly');

/** Text and HTML parts from one template; throws TemplateError on a template that does not validate. */
export function renderTemplatedEmail(kind: TemplateKind, template: EmailTemplate, invoice: InvoiceView, ctx: EmailContext, facts: TemplateFacts): RenderedEmail {
  const locale = ctx.locale ?? DEFAULT_LOCALE;
  const values = templateValues(invoice, ctx.businessName, facts, locale);
  const subject = oneLine(renderField(kind, template.subject, values));
  const text = renderField(kind, template.body, values)
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd();
  const htmlOf = (name: string, value: string) => {
    if (name === 'link' || name === 'client_page_url') return `<a href="${escapeHtml(value)}">${escapeHtml(value)}</a>`;
    if (name === 'lines') return linesHtml(invoice, locale);
    if (name === 'pay_instructions') return escapeHtml(value).replace(/\n/g, '<br>'); // several lines, like an address
    return escapeHtml(value);
  };
  const html = layout(`${renderHtmlBody(kind, template.body, values, htmlOf, ['lines'])}\n${payButton(invoice.paymentUrl, locale)}`, locale);
  return { subject, text, html };
}

/** The lines table; its foot is Subtotal / Tax (name, rate) / Total when the back-end added tax, else the total. */
function linesHtml(invoice: InvoiceView, locale: Locale): string {
  const { lines, currency } = invoice;
  const words = EMAIL_WORDS[locale];
  const cell = 'padding:6px 8px;border-bottom:1px solid #e5e7eb';
  const rows = lines
    .map(
      (l) =>
        `<tr><td style="${cell}">${escapeHtml(l.description)}</td><td style="${cell};text-align:right">${escapeHtml(formatQuantity(l.quantity, locale))}</td><td style="${cell};text-align:right">${escapeHtml(fmt(l.unitAmount, currency, locale))}</td><td style="${cell};text-align:right">${escapeHtml(fmt(l.amount, currency, locale))}</td></tr>`,
    )
    .join('');
  const foot = totalsRows(invoice, locale)
    .map(([label, value], i, rows) => {
      const strong = (text: string) => (i === rows.length - 1 ? `<strong>${escapeHtml(text)}</strong>` : escapeHtml(text)); // the total stands out
      return `<tr><td colspan="3" style="padding:6px 8px;text-align:right">${strong(label)}</td><td style="padding:6px 8px;text-align:right">${strong(value)}</td></tr>`;
    })
    .join('');
  return `<table style="border-collapse:collapse;width:100%;margin:12px 0"><thead><tr><th style="${cell};text-align:left">${escapeHtml(words.description)}</th><th style="${cell};text-align:right">${escapeHtml(words.quantity)}</th><th style="${cell};text-align:right">${escapeHtml(words.unitPrice)}</th><th style="${cell};text-align:right">${escapeHtml(words.amount)}</th></tr></thead><tbody>${rows}</tbody><tfoot>${foot}</tfoot></table>`;
}

function payButton(paymentUrl: string | null, locale: Locale): string {
  const url = webLink(paymentUrl);
  if (!url) return '';
  const href = escapeHtml(url);
  const words = EMAIL_WORDS[locale];
  return `<p style="margin:20px 0"><a href="${href}" style="background:#1d3557;color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none;font-weight:bold">${escapeHtml(words.payNow)}</a></p>
<p style="font-size:12px;color:#6b7280">${escapeHtml(words.orOpen)} <a href="${href}">${href}</a></p>`;
}

/** The business name closes the template's own wording, so the frame adds nothing of its own. */
function layout(body: string, locale: Locale = DEFAULT_LOCALE): string {
  return `<!doctype html><html lang="${locale}"><body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#111827;max-width:600px;margin:0 auto;padding:16px">
${body}
</body></html>`;
}

export interface StatementView {
  clientName: string;
  statement: Statement;
  /** The most urgent step's tone; null for a statement an approver asked for. */
  tone: ReminderTone | null;
  finalMode: FinalMode;
  /** The client's page (docs/client-page.md), when it has one. */
  clientPageUrl?: string | null;
}

const totalDue = (s: Statement, locale: Locale) => s.totals.map((t) => fmt(t.amount, t.currency, locale)).join(' + ') || fmt(0, 'USD', locale);
const overdueText = (days: number, words: EmailWords) => (days > 0 ? words.statement.daysOverdue(words.days(days)) : words.statement.notOverdue);

function statementValues(view: StatementView, businessName: string, locale: Locale): TemplateValues {
  const { statement, tone } = view;
  const words = EMAIL_WORDS[locale];
  const lines = statement.lines.map((l) => {
    const pay = webLink(l.paymentUrl);
    return `- #${l.number} "${l.milestone}": ${fmt(l.balance, l.currency, locale)} ${words.statement.dueOn} ${formatDueDate(l.dueDate, locale)} (${overdueText(l.daysOverdue, words)})${pay ? `\n  ${words.payNow}: ${pay}` : ''}`;
  });
  return {
    business: businessName,
    client: view.clientName,
    invoices: lines.join('\n'),
    invoice_count: statement.lines.length,
    total_due: totalDue(statement, locale),
    overdue: statement.lines.some((l) => l.daysOverdue > 0),
    firm: tone === 'firm',
    final: tone === 'final',
    requested: tone === null,
    pause: tone === 'final' && view.finalMode === 'pause',
    client_page_url: webLink(view.clientPageUrl ?? null) ?? '',
  };
}

/**
 * The statement (grouped reminder): every open invoice of one client, one row each with its own pay link,
 * in the client's language (`ctx.locale`; the shipped wording of that language unless a template is given).
 */
export function renderStatementEmail(view: StatementView, ctx: EmailContext, template?: EmailTemplate): RenderedEmail {
  const locale = ctx.locale ?? DEFAULT_LOCALE;
  const wording = template ?? defaultTemplate('statement', locale);
  const values = statementValues(view, ctx.businessName, locale);
  const subject = oneLine(renderField('statement', wording.subject, values));
  const text = renderField('statement', wording.body, values)
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd();
  const htmlOf = (name: string, value: string) => {
    if (name === 'invoices') return statementHtml(view.statement, locale);
    if (name === 'client_page_url') return `<a href="${escapeHtml(value)}">${escapeHtml(value)}</a>`;
    return escapeHtml(value);
  };
  return { subject, text, html: layout(renderHtmlBody('statement', wording.body, values, htmlOf, ['invoices']), locale) };
}

function statementHtml(statement: Statement, locale: Locale): string {
  const words = EMAIL_WORDS[locale];
  const w = words.statement;
  const cell = 'padding:6px 8px;border-bottom:1px solid #e5e7eb';
  const rows = statement.lines
    .map((l) => {
      const url = webLink(l.paymentUrl);
      const pay = url ? `<a href="${escapeHtml(url)}">${escapeHtml(words.payNow)}</a>` : '';
      return `<tr><td style="${cell}">${escapeHtml(l.number)}</td><td style="${cell}">${escapeHtml(l.milestone)}</td><td style="${cell};text-align:right">${escapeHtml(fmt(l.balance, l.currency, locale))}</td><td style="${cell}">${escapeHtml(formatDueDate(l.dueDate, locale))}</td><td style="${cell}">${escapeHtml(overdueText(l.daysOverdue, words))}</td><td style="${cell}">${pay}</td></tr>`;
    })
    .join('');
  const foot = `<tr><td colspan="2" style="padding:6px 8px;text-align:right"><strong>${escapeHtml(w.totalDue)}</strong></td><td style="padding:6px 8px;text-align:right"><strong>${escapeHtml(totalDue(statement, locale))}</strong></td><td colspan="3"></td></tr>`;
  return `<table style="border-collapse:collapse;width:100%;margin:12px 0"><thead><tr><th style="${cell};text-align:left">${escapeHtml(w.invoice)}</th><th style="${cell};text-align:left">${escapeHtml(w.milestone)}</th><th style="${cell};text-align:right">${escapeHtml(w.amountDue)}</th><th style="${cell};text-align:left">${escapeHtml(w.due)}</th><th style="${cell};text-align:left">${escapeHtml(w.overdue)}</th><th style="${cell}"></th></tr></thead><tbody>${rows}</tbody><tfoot>${foot}</tfoot></table>`;
}

/**
 * The owner's weekly summary: the Monday post as plain text (`summaryText`, already rendered from
 * the same builder), so the email and the Slack post never disagree.
 */
/** `chartCid`: the Content-ID of the chart attached inline, shown above the summary. */
export function renderWeeklySummaryEmail(summary: { weekOf: string; summaryText: string; chartCid?: string }, ctx: EmailContext): RenderedEmail {
  const subject = oneLine(`[${ctx.businessName}] Weekly cash-flow summary — week of ${formatDueDate(summary.weekOf)}`);
  const text = `${summary.summaryText}\n\n— ${ctx.businessName} billing bot\n`;
  const chart = summary.chartCid
    ? `<p><img src="cid:${escapeHtml(summary.chartCid)}" alt="Cash-flow forecast chart: expected inflows, bills due and bank balance per week" style="max-width: 100%"></p>\n`
    : '';
  const html = `${chart}<pre style="font-family: ui-monospace, Menlo, Consolas, monospace; white-space: pre-wrap">${escapeHtml(text)}</pre>`;
  return { subject, text, html };
}
