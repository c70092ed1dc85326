import type { Queryable } from './db.js';

/** Credits applied to issued invoices (src/usecases/credit-invoice.ts). Minor units. */
export interface CreditRecord {
  invoiceId: string;
  effectKey: string;
  amount: number;
  currency: string;
  reason: string;
  balanceAfter: number;
  createdAt: Date;
  createdBy: string;
}

export async function recordCredit(db: Queryable, c: CreditRecord): Promise<void> {
  await db.query(
    `INSERT INTO invoice_credits (invoice_id, effect_key, amount, currency, reason, balance_after, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [c.invoiceId, c.effectKey, c.amount, c.currency, c.reason, c.balanceAfter, c.createdAt, c.createdBy],
  );
}

/** Everything credited on the invoice so far (0 when never credited). */
export async function creditedTotal(db: Queryable, invoiceId: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>('SELECT coalesce(sum(amount), 0)::bigint AS n FROM invoice_credits WHERE invoice_id = $1', [invoiceId]);
  return Number(rows[0]?.n ?? 0);
}

/**
 * True while a credit is claimed but not yet recorded: the back-end may already show it, duebot not
 * yet, so a payment check in that moment would read the credit as money received.
 */
export async function creditInFlight(db: Queryable, invoiceId: string): Promise<boolean> {
  const { rows } = await db.query(`SELECT 1 FROM effects WHERE invoice_id = $1 AND kind = 'credit' AND status = 'claimed' LIMIT 1`, [invoiceId]);
  return rows.length > 0;
}
