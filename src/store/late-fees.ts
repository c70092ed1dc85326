import { randomUUID } from 'node:crypto';
import type { AppliedFee } from '../domain/late-fees.js';
import type { Queryable } from './db.js';

/**
 * Late fees added to invoices (migration 300). One row per fee key ('step:<index>' or 'invoice'), so a
 * fee is recorded once however often its step is retried; the row exists before the back-end is called.
 */
/** paid / voided: what the back-end said of an open fee invoice when read before a later reminder. */
export type LateFeeStatus = 'pending' | 'open' | 'waived' | 'paid' | 'voided';

export interface LateFeeRecord {
  id: string;
  invoiceId: string;
  feeKey: string;
  /** 1, 2, ... per invoice: the fee invoice's number is `<invoice number>-F<seq>`. */
  seq: number;
  number: string;
  stepIndex: number;
  /** The step as people count it, shown in the thread. */
  stepNumber: number;
  amount: number;
  currency: string;
  reason: string;
  status: LateFeeStatus;
  provider: string;
  providerInvoiceId: string | null;
  paymentUrl: string | null;
  slackTs: string | null;
  createdAt: Date;
  waivedAt: Date | null;
  waivedBy: string | null;
}

interface LateFeeRow {
  id: string;
  invoice_id: string;
  fee_key: string;
  seq: number;
  number: string;
  step_index: number;
  step_number: number;
  amount: string | number;
  currency: string;
  reason: string;
  status: LateFeeStatus;
  provider: string;
  provider_invoice_id: string | null;
  payment_url: string | null;
  slack_ts: string | null;
  created_at: Date;
  waived_at: Date | null;
  waived_by: string | null;
}

const toRecord = (r: LateFeeRow): LateFeeRecord => ({
  id: r.id,
  invoiceId: r.invoice_id,
  feeKey: r.fee_key,
  seq: r.seq,
  number: r.number,
  stepIndex: r.step_index,
  stepNumber: r.step_number,
  amount: Number(r.amount),
  currency: r.currency.trim(),
  reason: r.reason,
  status: r.status,
  provider: r.provider,
  providerInvoiceId: r.provider_invoice_id,
  paymentUrl: r.payment_url,
  slackTs: r.slack_ts,
  createdAt: r.created_at,
  waivedAt: r.waived_at,
  waivedBy: r.waived_by,
});

/** The key that makes a fee unique on its invoice: per step, or once per invoice. */
export const feeKeyOf = (stepIndex: number | null): string => (stepIndex === null ? 'invoice' : `step:${stepIndex}`);

/** What the policy needs to know of the fees so far. */
export const appliedFees = (fees: readonly LateFeeRecord[]): AppliedFee[] =>
  fees.map((f) => ({ stepIndex: f.feeKey === 'invoice' ? null : f.stepIndex, amount: f.amount, waived: f.status === 'waived' || f.status === 'voided' }));

export async function lateFeesOf(db: Queryable, invoiceId: string): Promise<LateFeeRecord[]> {
  const { rows } = await db.query<LateFeeRow>('SELECT * FROM late_fees WHERE invoice_id = $1 ORDER BY seq', [invoiceId]);
  return rows.map(toRecord);
}

export async function getLateFee(db: Queryable, id: string): Promise<LateFeeRecord | null> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  const { rows } = await db.query<LateFeeRow>('SELECT * FROM late_fees WHERE id = $1', [id]);
  return rows[0] ? toRecord(rows[0]) : null;
}

/**
 * Records a fee as pending, numbered after the invoice's earlier fees. Returns the fee recorded under
 * that key: the new one, or the one a retry or another process recorded first (`created` false).
 */
export async function recordLateFee(
  db: Queryable,
  fee: { invoiceId: string; invoiceNumber: string; feeKey: string; stepIndex: number; stepNumber: number; amount: number; currency: string; reason: string; provider: string },
  now: Date,
): Promise<{ fee: LateFeeRecord; created: boolean }> {
  // Two fees of one invoice recorded at the same moment may pick the same seq: the loser takes the next.
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const { rows } = await db.query<LateFeeRow>(
      `INSERT INTO late_fees (id, invoice_id, fee_key, seq, number, step_index, step_number, amount, currency, reason, status, provider, created_at)
       SELECT $1, $2, $3, s.seq, $4::text || '-F' || s.seq::text, $5, $11, $6, $7, $8, 'pending', $9, $10
         FROM (SELECT COALESCE(max(seq), 0) + 1 AS seq FROM late_fees WHERE invoice_id = $2) s
       ON CONFLICT DO NOTHING RETURNING *`,
      [randomUUID(), fee.invoiceId, fee.feeKey, fee.invoiceNumber, fee.stepIndex, fee.amount, fee.currency, fee.reason, fee.provider, now, fee.stepNumber],
    );
    if (rows[0]) return { fee: toRecord(rows[0]), created: true };
    const { rows: existing } = await db.query<LateFeeRow>('SELECT * FROM late_fees WHERE invoice_id = $1 AND fee_key = $2', [fee.invoiceId, fee.feeKey]);
    if (existing[0]) return { fee: toRecord(existing[0]), created: false };
  }
  throw new Error(`late fee ${fee.feeKey} of invoice ${fee.invoiceNumber} could not be numbered`);
}

/** The fee invoice exists at the back-end: pending → open. */
export async function markLateFeeIssued(db: Queryable, id: string, issued: { providerInvoiceId: string; paymentUrl: string | null }): Promise<LateFeeRecord | null> {
  const { rows } = await db.query<LateFeeRow>(`UPDATE late_fees SET status = 'open', provider_invoice_id = $2, payment_url = $3 WHERE id = $1 AND status = 'pending' RETURNING *`, [
    id,
    issued.providerInvoiceId,
    issued.paymentUrl,
  ]);
  return rows[0] ? toRecord(rows[0]) : null;
}

/** An open fee invoice the back-end reports paid or voided (in its own UI): no longer owed. */
export async function settleLateFee(db: Queryable, id: string, status: 'paid' | 'voided'): Promise<void> {
  await db.query(`UPDATE late_fees SET status = $2 WHERE id = $1 AND status = 'open'`, [id, status]);
}

/** The back-end certainly did not create it: the record goes, so a later step may charge again. */
export async function dropPendingLateFee(db: Queryable, id: string): Promise<void> {
  await db.query(`DELETE FROM late_fees WHERE id = $1 AND status = 'pending'`, [id]);
}

export async function rememberLateFeeNote(db: Queryable, id: string, slackTs: string): Promise<void> {
  await db.query('UPDATE late_fees SET slack_ts = $2 WHERE id = $1', [id, slackTs]);
}

/** open → waived, once: null when it was not open (waived already, or still being issued). */
export async function markLateFeeWaived(db: Queryable, id: string, by: string, now: Date): Promise<LateFeeRecord | null> {
  const { rows } = await db.query<LateFeeRow>(`UPDATE late_fees SET status = 'waived', waived_at = $3, waived_by = $2 WHERE id = $1 AND status = 'open' RETURNING *`, [
    id,
    by,
    now,
  ]);
  return rows[0] ? toRecord(rows[0]) : null;
}
