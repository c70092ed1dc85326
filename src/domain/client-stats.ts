import { DAY_MS } from './calendar.js';
import { isOpen } from './invoice.js';
import type { InvoiceStatus } from './types.js';

export interface ClientInvoiceFacts {
  status: InvoiceStatus;
  currency: string;
  /** Minor units. */
  total: number;
  amountPaid: number;
  /** YYYY-MM-DD. */
  dueDate: string;
  sentAt: Date | null;
  paidAt: Date | null;
}

export interface ClientStats {
  /** Open balance per currency (minor units), currencies sorted; only currencies with money owed. */
  openBalances: { currency: string; amount: number }[];
  openCount: number;
  /** Open invoices whose due date is before `today`. */
  overdueCount: number;
  /** Mean days from sending to payment over the paid invoices, one decimal; null when none was paid. */
  averageDaysToPay: number | null;
  paidCount: number;
}

/** One client's receivables, from its invoices; `today` is the business date (YYYY-MM-DD). */
export function clientStats(invoices: readonly ClientInvoiceFacts[], today: string): ClientStats {
  const balances = new Map<string, number>();
  let openCount = 0;
  let overdueCount = 0;
  const daysToPay: number[] = [];
  for (const inv of invoices) {
    if (isOpen(inv.status)) {
      openCount += 1;
      const owed = inv.total - inv.amountPaid;
      if (owed > 0) balances.set(inv.currency, (balances.get(inv.currency) ?? 0) + owed);
      if (inv.dueDate < today) overdueCount += 1;
    } else if (inv.status === 'paid' && inv.sentAt && inv.paidAt) {
      daysToPay.push(Math.max(0, inv.paidAt.getTime() - inv.sentAt.getTime()) / DAY_MS);
    }
  }
  const mean = daysToPay.length ? daysToPay.reduce((a, b) => a + b, 0) / daysToPay.length : null;
  return {
    openBalances: [...balances].sort(([a], [b]) => a.localeCompare(b)).map(([currency, amount]) => ({ currency, amount })),
    openCount,
    overdueCount,
    averageDaysToPay: mean === null ? null : Math.round(mean * 10) / 10,
    paidCount: daysToPay.length,
  };
}
