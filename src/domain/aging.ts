import type { AgingBucket, AgingBucketLabel, AgingReport, InvoiceStatus } from './types.js';
import { DAY_MS, daysBetween, elapsedDays, localDate } from './calendar.js';
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

/**
 * The same buckets as instants, for a database to group by: an invoice sent after `sentAfter[i]`
 * is younger than bucket i's upper edge (elapsed days floor((now - sentAt) / 1 day) ≤ 7 ⇔ sentAt > now - 8 days).
 */
export function agingCutoffs(now: Date): { young: Date; mid: Date; old: Date } {
  const before = (days: number) => new Date(now.getTime() - days * DAY_MS);
  return { young: before(8), mid: before(15), old: before(31) };
}

/** One group of open invoices: a bucket and a currency, with how many and their open balance. */
export interface AgingGroup {
  label: AgingBucketLabel;
  currency: string;
  count: number;
  balance: number;
}

export type OverdueEntry = AgingReport['largestOverdue'][number];

/**
 * Assembles the report from grouped balances (from SQL, or from `buildAgingReport` below) and the
 * overdue invoices, largest first.
 */
export function agingReportFromGroups(groups: readonly AgingGroup[], overdue: readonly OverdueEntry[], now: Date, largest = 5): AgingReport {
  const buckets: AgingBucket[] = AGING_LABELS.map((label) => {
    const mine = groups.filter((g) => g.label === label);
    const byCurrency = new Map<string, number>();
    for (const g of mine) byCurrency.set(g.currency, (byCurrency.get(g.currency) ?? 0) + g.balance);
    return {
      label,
      count: mine.reduce((n, g) => n + g.count, 0),
      totals: [...byCurrency.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([currency, amount]) => ({ currency, amount })),
    };
  });
  // Without FX rates, balances in different currencies are compared by their minor-unit size only.
  const sorted = [...overdue].sort((a, b) => b.balance - a.balance || b.daysOverdue - a.daysOverdue || a.number.localeCompare(b.number));
  return { asOf: now, buckets, largestOverdue: sorted.slice(0, largest), openCount: buckets.reduce((n, b) => n + b.count, 0) };
}

export function buildAgingReport(invoices: readonly AgingInput[], now: Date, timezone: string, largest = 5): AgingReport {
  const today = localDate(now, timezone);
  const groups = new Map<string, AgingGroup>();
  const overdue: OverdueEntry[] = [];
  for (const invoice of invoices) {
    const balance = invoice.total - invoice.amountPaid;
    if (!isOpen(invoice.status) || balance <= 0 || !invoice.sentAt) continue;
    const label = agingBucket(Math.max(0, elapsedDays(invoice.sentAt, now)));
    const key = `${label}|${invoice.currency}`;
    const group = groups.get(key) ?? { label, currency: invoice.currency, count: 0, balance: 0 };
    group.count += 1;
    group.balance += balance;
    groups.set(key, group);
    const daysOverdue = daysBetween(invoice.dueDate, today);
    if (daysOverdue > 0) overdue.push({ number: invoice.number, clientName: invoice.clientName, currency: invoice.currency, balance, daysOverdue });
  }
  return agingReportFromGroups([...groups.values()], overdue, now, largest);
}
