import type { AgingBucket, AgingBucketLabel, AgingReport, InvoiceStatus } from './types.js';
import { daysBetween, elapsedDays, localDate } from './calendar.js';
import { isOpen } from './invoice.js';

/** Receivables by age since sending: 0-7, 8-14, 15-30 and 30+ days. */
export interface AgingInput {
  number: string;
  clientName: string;
  currency: string;
  total: number;
  amountPaid: number;
  status: InvoiceStatus;
  sentAt: Date | null;
  dueDate: string;
}

export const AGING_LABELS: readonly AgingBucketLabel[] = ['0-7', '8-14', '15-30', '30+'];

export function agingBucket(ageDays: number): AgingBucketLabel {
  if (ageDays <= 7) return '0-7';
  if (ageDays <= 14) return '8-14';
  if (ageDays <= 30) return '15-30';
  return '30+';
}

export function buildAgingReport(invoices: readonly AgingInput[], now: Date, timezone: string, largest = 5): AgingReport {
  const today = localDate(now, timezone);
  const totals = new Map<AgingBucketLabel, { count: number; byCurrency: Map<string, number> }>(
    AGING_LABELS.map((label) => [label, { count: 0, byCurrency: new Map() }]),
  );
  const overdue: AgingReport['largestOverdue'] = [];
  let openCount = 0;

  for (const invoice of invoices) {
    const balance = invoice.total - invoice.amountPaid;
    if (!isOpen(invoice.status) || balance <= 0 || !invoice.sentAt) continue;
    openCount += 1;
    const bucket = totals.get(agingBucket(Math.max(0, elapsedDays(invoice.sentAt, now))))!;
    bucket.count += 1;
    bucket.byCurrency.set(invoice.currency, (bucket.byCurrency.get(invoice.currency) ?? 0) + balance);
    const daysOverdue = daysBetween(invoice.dueDate, today);
    if (daysOverdue > 0) {
      overdue.push({ number: invoice.number, clientName: invoice.clientName, currency: invoice.currency, balance, daysOverdue });
    }
  }

  const buckets: AgingBucket[] = AGING_LABELS.map((label) => {
    const { count, byCurrency } = totals.get(label)!;
    return {
      label,
      count,
      totals: [...byCurrency.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([currency, amount]) => ({ currency, amount })),
    };
  });
  // Without FX rates, balances in different currencies are compared by their minor-unit size only.
  overdue.sort((a, b) => b.balance - a.balance || b.daysOverdue - a.daysOverdue || a.number.localeCompare(b.number));
  return { asOf: now, buckets, largestOverdue: overdue.slice(0, largest), openCount };
}
