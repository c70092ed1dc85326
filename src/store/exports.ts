import type { Queryable } from './db.js';

/** One invoice as the CSV exports list it, with its client's name. */
export interface ExportInvoice {
  number: string;
  clientId: string;
  clientName: string;
  milestone: string;
  status: string;
  currency: string;
  total: number;
  amountPaid: number;
  dueDate: string;
  createdAt: Date;
  sentAt: Date | null;
  paidAt: Date | null;
  provider: string;
  source: string;
  disputed: boolean;
}

/** Every invoice (or only the open ones the aging report counts: sent or partly paid, with a balance), oldest number first. */
export async function invoicesForExport(db: Queryable, o: { openOnly: boolean }): Promise<ExportInvoice[]> {
  const { rows } = await db.query<{
    number: string;
    client_id: string;
    client_name: string;
    milestone: string;
    status: string;
    currency: string;
    total: number;
    amount_paid: number;
    due: string;
    created_at: Date;
    sent_at: Date | null;
    paid_at: Date | null;
    provider: string;
    source: string;
    disputed: boolean;
  }>(
    `SELECT i.number, i.client_id, c.name AS client_name, i.milestone, i.status, i.currency, i.total, i.amount_paid, to_char(i.due_date, 'YYYY-MM-DD') AS due,
            i.created_at, i.sent_at, i.paid_at, i.provider, i.source, i.disputed
     FROM invoices i JOIN clients c ON c.id = i.client_id
     WHERE NOT $1::boolean OR (i.status IN ('sent', 'partially_paid') AND i.total > i.amount_paid AND i.sent_at IS NOT NULL)
     ORDER BY i.seq NULLS LAST, i.created_at, i.number`,
    [o.openOnly],
  );
  return rows.map((r) => ({
    number: r.number,
    clientId: r.client_id,
    clientName: r.client_name,
    milestone: r.milestone,
    status: r.status,
    currency: r.currency.trim(),
    total: Number(r.total),
    amountPaid: Number(r.amount_paid),
    dueDate: r.due,
    createdAt: r.created_at,
    sentAt: r.sent_at,
    paidAt: r.paid_at,
    provider: r.provider,
    source: r.source,
    disputed: r.disputed,
  }));
}
