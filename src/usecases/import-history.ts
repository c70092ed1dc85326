import { addDays, localDate, localTime } from '../domain/calendar.js';
import { DEFAULT_FORECAST_OPTIONS, type ForecastInvoice } from '../domain/forecast.js';
import type { BackendInvoiceStatus, HistoricInvoice, InvoicingBackend } from '../providers/invoicing/backend.js';
import { parseHistoryCsv } from '../forecast/history-csv.js';
import { audit } from '../store/audit.js';
import { withTransaction, type Database } from '../store/db.js';
import { clientForImport, issuedByDuebot, recordImportedPayment, upsertImportedInvoice, type ImportedStatus } from '../store/imported-invoices.js';
import type { Clock } from '../clock.js';

/**
 * Backfills past invoices and payments (from a back-end or a payment-history CSV) so the forecast,
 * aging, `/invoices list` and client stats have history from the first day. Imported invoices are
 * history only: no reminders, no emails, no Slack messages, ever. An unpaid one counts as open in
 * aging and the forecast; nobody is chased for it (chase it in the back-end). Re-running updates
 * (a payment that arrived since) and never duplicates.
 */
export interface ImportRecord extends Pick<HistoricInvoice, 'number' | 'currency' | 'total' | 'amountPaid' | 'issueDate' | 'dueDate' | 'paidDate' | 'status'> {
  /** Unique per origin: `csv:<number>` or `<back-end>:<invoice id>`. A null due date means invoice date + 30 days, as in the forecast CLI. */
  ref: string;
  customer: { name: string; providerCustomerId: string | null };
  /** Set for back-end records: an invoice duebot issued itself is already tracked and is skipped. */
  providerInvoiceId: string | null;
}

export interface ImportReport {
  origin: string;
  read: number;
  imported: number;
  updated: number;
  unchanged: number;
  skipped: { number: string; reason: string }[];
  /** Customers no client matched: kept under a new client marked `imported`. */
  newClients: string[];
}

export interface ImportDeps {
  db: Database;
  clock: Clock;
  timezone: string;
  /** Who started it, for the audit log (e.g. `cli`, `slack:U123`). */
  actor: string;
  onProgress?: (done: number, total: number) => void;
}

const SKIP_STATUS: Partial<Record<BackendInvoiceStatus, string>> = {
  draft: 'a draft at the back-end (never sent)',
  void: 'void',
  uncollectible: 'written off as uncollectible',
};

export async function importRecords(deps: ImportDeps, origin: string, records: readonly ImportRecord[]): Promise<ImportReport> {
  const report: ImportReport = { origin, read: records.length, imported: 0, updated: 0, unchanged: 0, skipped: [], newClients: [] };
  const today = localDate(deps.clock.now(), deps.timezone);
  const seen = new Set<string>();
  // One lookup per customer and run: a history has many invoices per customer.
  const clients = new Map<string, string>();
  const skip = (record: ImportRecord, reason: string) => report.skipped.push({ number: record.number, reason });
  for (const [index, record] of records.entries()) {
    deps.onProgress?.(index, records.length);
    if (seen.has(record.ref)) {
      skip(record, 'appears twice in this import (the first one was taken)');
      continue;
    }
    seen.add(record.ref);
    const why = SKIP_STATUS[record.status];
    if (why) {
      skip(record, why);
      continue;
    }
    if (record.issueDate > today) {
      skip(record, `dated ${record.issueDate}, after today`);
      continue;
    }
    if (record.total <= 0) {
      skip(record, 'nothing to pay (zero total)');
      continue;
    }
    if (record.providerInvoiceId) {
      const own = await issuedByDuebot(deps.db.pool, origin, record.providerInvoiceId);
      if (own) {
        skip(record, `issued by duebot as ${own}; already tracked`);
        continue;
      }
    }
    if (record.status === 'paid' && record.paidDate === null) {
      skip(record, 'paid, but the back-end gives no payment date');
      continue;
    }
    // A payment dated after today is not known yet: the invoice is open until then (as in the forecast CLI).
    // "Paid" at the back-end settles it even when credits made the amount paid smaller than the total.
    const paidKnown = record.paidDate !== null && record.paidDate <= today;
    const fullyPaid = paidKnown && (record.status === 'paid' || record.amountPaid >= record.total);
    const amountPaid = fullyPaid ? record.total : record.paidDate !== null && !paidKnown ? 0 : Math.min(record.amountPaid, record.total);
    const status: ImportedStatus = fullyPaid ? 'paid' : amountPaid > 0 ? 'partially_paid' : 'sent';
    const now = deps.clock.now();
    const customerKey = `${record.customer.providerCustomerId ?? ''}\u0000${record.customer.name.trim().toLowerCase()}`;
    let clientId = clients.get(customerKey);
    if (!clientId) {
      const found = await clientForImport(
        deps.db.pool,
        { name: record.customer.name, provider: origin === 'csv' ? null : origin, providerCustomerId: record.customer.providerCustomerId, currency: record.currency },
        now,
      );
      if (found.created) report.newClients.push(record.customer.name);
      clients.set(customerKey, (clientId = found.clientId));
    }
    const paidAt = fullyPaid ? localTime(record.paidDate!, 12, deps.timezone) : null;
    const result = await withTransaction(deps.db.pool, async (tx) => {
      const upserted = await upsertImportedInvoice(
        tx,
        {
          sourceRef: record.ref,
          clientId,
          number: record.number,
          provider: origin,
          currency: record.currency,
          total: record.total,
          amountPaid,
          dueDate: record.dueDate ?? addDays(record.issueDate, DEFAULT_FORECAST_OPTIONS.defaultDaysToPay),
          status,
          sentAt: localTime(record.issueDate, 12, deps.timezone),
          paidAt,
        },
        now,
      );
      if (upserted.outcome === 'number_taken' || upserted.outcome === 'unchanged') return upserted;
      // Only a payment made after duebot knew the invoice is a collection the weekly accuracy check may
      // compare with a forecast; the payments of a first import predate every forecast that could have expected them.
      if (upserted.outcome === 'updated')
        await recordImportedPayment(tx, {
          invoiceId: upserted.invoiceId,
          sourceRef: record.ref,
          delta: upserted.paidDelta,
          currency: record.currency,
          amountPaidAfter: amountPaid,
          paidAt: paidAt ?? now,
        });
      await audit(
        tx,
        {
          invoiceId: upserted.invoiceId,
          actor: deps.actor,
          action: upserted.outcome === 'imported' ? 'imported' : 'import_updated',
          details: { origin, ref: record.ref, status, amountPaid },
        },
        now,
      );
      return upserted;
    });
    if (result.outcome === 'number_taken') skip(record, `the number is already used by ${result.by}`);
    else report[result.outcome] += 1;
  }
  deps.onProgress?.(records.length, records.length);
  return report;
}

/** CSV rows (the forecast CLI's history format) as import records; a bad row throws `HistoryCsvError`. */
export function recordsFromCsv(text: string): ImportRecord[] {
  return parseHistoryCsv(text).map((row: ForecastInvoice) => ({
    ref: `csv:${row.number}`,
    customer: { name: row.customer, providerCustomerId: null },
    number: row.number,
    currency: row.currency,
    total: row.amount,
    amountPaid: row.paidDate ? row.amount : 0,
    issueDate: row.invoiceDate,
    dueDate: row.dueDate,
    paidDate: row.paidDate,
    status: row.paidDate ? 'paid' : 'open',
    providerInvoiceId: null,
  }));
}

export function recordsFromBackend(provider: string, invoices: readonly HistoricInvoice[]): ImportRecord[] {
  return invoices.map((inv) => ({
    ref: `${provider}:${inv.providerInvoiceId}`,
    customer: { name: inv.customerName, providerCustomerId: inv.providerCustomerId || null },
    number: inv.number,
    currency: inv.currency,
    total: inv.total,
    amountPaid: inv.amountPaid,
    issueDate: inv.issueDate,
    dueDate: inv.dueDate,
    paidDate: inv.paidDate,
    status: inv.status,
    providerInvoiceId: inv.providerInvoiceId,
  }));
}

export async function importFromCsv(deps: ImportDeps, text: string): Promise<ImportReport> {
  return importRecords(deps, 'csv', recordsFromCsv(text));
}

export class ImportSetupError extends Error {
  override readonly name = 'ImportSetupError';
}

/** Reads every invoice since `since` from the back-end, then imports them. */
export async function importFromBackend(deps: ImportDeps & { backends: Record<string, InvoicingBackend> }, provider: string, since: string | null): Promise<ImportReport> {
  const backend = deps.backends[provider];
  if (!backend) {
    const configured = Object.keys(deps.backends);
    throw new ImportSetupError(`the back-end "${provider}" is not configured (configured: ${configured.join(', ') || 'none'})`);
  }
  if (!backend.listInvoicesForImport) throw new ImportSetupError(`the back-end "${provider}" cannot list its invoices`);
  const invoices = await backend.listInvoicesForImport({ since, timezone: deps.timezone });
  return importRecords(deps, provider, recordsFromBackend(provider, invoices));
}

/** One line per count, and every skipped invoice with its reason (the first `maxSkipped`). */
export function describeImport(report: ImportReport, maxSkipped = 20): string {
  const lines = [
    `Import from ${report.origin}: ${report.read} read, ${report.imported} imported, ${report.updated} updated, ${report.unchanged} unchanged, ${report.skipped.length} skipped.`,
  ];
  if (report.newClients.length) lines.push(`Not in the clients file, kept under new clients marked "imported": ${report.newClients.join(', ')}.`);
  for (const s of report.skipped.slice(0, maxSkipped)) lines.push(`  skipped ${s.number}: ${s.reason}`);
  if (report.skipped.length > maxSkipped) lines.push(`  … and ${report.skipped.length - maxSkipped} more skipped`);
  return lines.join('\n');
}
