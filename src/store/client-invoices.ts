import type { InvoiceStatus } from '../domain/types.js';
import type { ClientInvoiceFacts } from '../domain/client-stats.js';
import type { PageInvoiceFacts } from '../domain/client-page.js';
import type { Queryable } from './db.js';

/** The facts `/invoices client` needs about every invoice a client was sent (drafts and discards left out). */
export async function clientInvoiceFacts(db: Queryable, clientId: string): Promise<ClientInvoiceFacts[]> {
  const { rows } = await db.query<{ status: InvoiceStatus; currency: string; total: number; amount_paid: number; due_date: string; sent_at: Date | null; paid_at: Date | null }>(
    `SELECT status, currency, total, amount_paid, due_date, sent_at, paid_at FROM invoices
     WHERE client_id = $1 AND status IN ('sent', 'partially_paid', 'paid')`,
    [clientId],
  );
  return rows.map((r) => ({ status: r.status, currency: r.currency.trim(), total: r.total, amountPaid: r.amount_paid, dueDate: r.due_date, sentAt: r.sent_at, paidAt: r.paid_at }));
}

/** The page's facts with the payment instant (the use case makes it a business date). */
export type PageInvoiceRow = Omit<PageInvoiceFacts, 'paidOn'> & { paidAt: Date | null };

/** What the client page shows (src/domain/client-page.ts): the client's open invoices and those paid since `paidSince`. */
export async function clientPageInvoices(db: Queryable, clientId: string, paidSince: Date): Promise<PageInvoiceRow[]> {
  const { rows } = await db.query<{
    number: string;
    milestone: string;
    currency: string;
    total: number;
    amount_paid: number;
    due_date: string;
    status: InvoiceStatus;
    payment_url: string | null;
    paid_at: Date | null;
  }>(
    `SELECT number, milestone, currency, total, amount_paid, due_date, status, payment_url, paid_at FROM invoices
     WHERE client_id = $1 AND (status IN ('sent', 'partially_paid') OR (status = 'paid' AND paid_at >= $2))
     ORDER BY due_date, number LIMIT 1000`,
    [clientId, paidSince],
  );
  return rows.map((r) => ({
    number: r.number,
    milestone: r.milestone,
    currency: r.currency.trim(),
    total: r.total,
    amountPaid: r.amount_paid,
    dueDate: r.due_date,
    status: r.status,
    paymentUrl: r.payment_url,
    paidAt: r.paid_at,
  }));
}
