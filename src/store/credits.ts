import type { Queryable } from './db.js';

/**
 * Credits applied to issued invoices: made in duebot (src/usecases/credit-invoice.ts, source 'duebot')
 * or in the back-end's own UI and read back from it (src/usecases/backend-credits.ts, source 'backend').
 * Minor units.
 */
export interface CreditRecord {
  invoiceId: string;
  effectKey: string;
  amount: number;
  currency: string;
  reason: string;
  balanceAfter: number;
  createdAt: Date;
  createdBy: string;
  /** Default 'duebot'. */
  source?: 'duebot' | 'backend';
  /** The back-end's id of the credit (credit note, memo application, credit payment) when known. */
  backendCreditId?: string | null;
}

/** Records a credit; false when the back-end's id was recorded on this invoice before (nothing written). */
export async function recordCredit(db: Queryable, c: CreditRecord): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO invoice_credits (invoice_id, effect_key, amount, currency, reason, balance_after, created_at, created_by, source, backend_credit_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (invoice_id, backend_credit_id) WHERE backend_credit_id IS NOT NULL DO NOTHING`,
    [c.invoiceId, c.effectKey, c.amount, c.currency, c.reason, c.balanceAfter, c.createdAt, c.createdBy, c.source ?? 'duebot', c.backendCreditId ?? null],
  );
  return (rowCount ?? 0) > 0;
}

/** Everything credited on the invoice so far (0 when never credited). */
export async function creditedTotal(db: Queryable, invoiceId: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>('SELECT coalesce(sum(amount), 0)::bigint AS n FROM invoice_credits WHERE invoice_id = $1', [invoiceId]);
  return Number(rows[0]?.n ?? 0);
}

/** The back-end ids of the credits recorded on the invoice (those whose id is known). */
export async function recordedBackendCreditIds(db: Queryable, invoiceId: string): Promise<Set<string>> {
  const { rows } = await db.query<{ id: string }>('SELECT backend_credit_id AS id FROM invoice_credits WHERE invoice_id = $1 AND backend_credit_id IS NOT NULL', [invoiceId]);
  return new Set(rows.map((r) => r.id));
}

/**
 * True while a credit is claimed but not yet recorded: the back-end may already show it, duebot not
 * yet, so a payment check in that moment would read the credit as money received.
 */
export async function creditInFlight(db: Queryable, invoiceId: string): Promise<boolean> {
  const { rows } = await db.query(`SELECT 1 FROM effects WHERE invoice_id = $1 AND kind = 'credit' AND status = 'claimed' LIMIT 1`, [invoiceId]);
  return rows.length > 0;
}
