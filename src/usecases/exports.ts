import { agingBucket } from '../domain/aging.js';
import { addDays, assertYmd, daysBetween, elapsedDays, localDate, localTime } from '../domain/calendar.js';
import { toCsv, type CsvValue } from '../domain/csv.js';
import { money, toMajorString } from '../domain/money.js';
import { auditBetween, type AuditSearchRecord } from '../store/audit.js';
import { invoicesForExport, type ExportInvoice } from '../store/exports.js';
import type { Services } from '../services.js';

export const EXPORT_KINDS = ['aging', 'invoices', 'audit'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

export type ExportRequest = { kind: ExportKind; from: string | null; to: string | null };

/** How far back an audit export without dates reaches. */
export const AUDIT_DEFAULT_DAYS = 30;

/**
 * `/invoices export aging|invoices|audit [from] [to]`: the words after "export". Dates (YYYY-MM-DD,
 * business days, both included) apply to the audit trail only.
 */
export function parseExportRequest(words: string): { ok: true; request: ExportRequest } | { ok: false; message: string } {
  const [kind = '', ...dates] = words.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (!(EXPORT_KINDS as readonly string[]).includes(kind))
    return { ok: false, message: 'Export what? `/invoices export aging`, `invoices`, or `audit [from] [to]` (dates as YYYY-MM-DD).' };
  if (dates.length && kind !== 'audit') return { ok: false, message: `The ${kind} export takes no dates; only \`audit\` does.` };
  if (dates.length > 2) return { ok: false, message: 'At most two dates: `/invoices export audit 2026-01-01 2026-01-31`.' };
  const checked: string[] = [];
  for (const d of dates) {
    try {
      checked.push(assertYmd(d));
    } catch {
      return { ok: false, message: `"${d.slice(0, 20)}" is not a date YYYY-MM-DD.` };
    }
  }
  const [from = null, to = null] = checked;
  if (from && to && to < from) return { ok: false, message: `The range ends (${to}) before it starts (${from}).` };
  return { ok: true, request: { kind: kind as ExportKind, from, to } };
}

export interface CsvExport {
  filename: string;
  title: string;
  csv: string;
  rows: number;
}

const major = (amount: number, currency: string) => toMajorString(money(amount, currency));
const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const AGING_HEADER = ['Invoice', 'Client', 'Milestone', 'Currency', 'Total', 'Paid', 'Balance', 'Sent', 'Due date', 'Days overdue', 'Age bucket', 'Disputed'];

/** One open invoice of the aging export: its balance, days past due and the report's age bucket (days since sending). */
export function agingRow(i: ExportInvoice, now: Date, timezone: string): CsvValue[] {
  const today = localDate(now, timezone);
  return [
    i.number,
    i.clientName,
    i.milestone,
    i.currency,
    major(i.total, i.currency),
    major(i.amountPaid, i.currency),
    major(i.total - i.amountPaid, i.currency),
    i.sentAt ? localDate(i.sentAt, timezone) : null,
    i.dueDate,
    Math.max(0, daysBetween(i.dueDate, today)),
    i.sentAt ? agingBucket(Math.max(0, elapsedDays(i.sentAt, now))) : null,
    i.disputed ? 'yes' : 'no',
  ];
}

export const INVOICES_HEADER = [
  'Invoice',
  'Client',
  'Client id',
  'Milestone',
  'Status',
  'Currency',
  'Total',
  'Paid',
  'Due date',
  'Created',
  'Sent',
  'Paid at',
  'Back-end',
  'Source',
];

export function invoiceRow(i: ExportInvoice): CsvValue[] {
  return [
    i.number,
    i.clientName,
    i.clientId,
    i.milestone,
    i.status,
    i.currency,
    major(i.total, i.currency),
    major(i.amountPaid, i.currency),
    i.dueDate,
    iso(i.createdAt),
    iso(i.sentAt),
    iso(i.paidAt),
    i.provider,
    i.source,
  ];
}

export const AUDIT_HEADER = ['At', 'Actor', 'Action', 'Invoice', 'Client id', 'Details', 'Source event'];

export function auditRow(a: AuditSearchRecord): CsvValue[] {
  return [iso(a.at), a.actor, a.action, a.invoiceNumber, a.clientId, JSON.stringify(a.details), a.sourceEvent];
}

/** The CSV file for a request, as of the business clock. */
export async function buildExport(services: Services, request: ExportRequest): Promise<CsvExport> {
  const now = services.clock.now();
  const tz = services.settings.timezone;
  const today = localDate(now, tz);
  const pool = services.db.pool;
  if (request.kind === 'aging') {
    const rows = (await invoicesForExport(pool, { openOnly: true })).map((i) => agingRow(i, now, tz));
    return { filename: `aging-${today}.csv`, title: `Aging as of ${today}`, csv: toCsv(AGING_HEADER, rows), rows: rows.length };
  }
  if (request.kind === 'invoices') {
    const rows = (await invoicesForExport(pool, { openOnly: false })).map(invoiceRow);
    return { filename: `invoices-${today}.csv`, title: `Invoices as of ${today}`, csv: toCsv(INVOICES_HEADER, rows), rows: rows.length };
  }
  const to = request.to ?? today;
  const from = request.from ?? addDays(to, -(AUDIT_DEFAULT_DAYS - 1));
  const rows = (await auditBetween(pool, localTime(from, 0, tz), localTime(addDays(to, 1), 0, tz))).map(auditRow);
  return { filename: `audit-${from}-to-${to}.csv`, title: `Audit trail ${from} to ${to}`, csv: toCsv(AUDIT_HEADER, rows), rows: rows.length };
}
