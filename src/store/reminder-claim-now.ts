import type { Queryable } from './db.js';

/**
 * `/invoices remind`: makes a pending step due now and claims it in one compare-and-set, so the
 * scheduler cannot take it between the two (it either claimed it before, and this returns false, or
 * never sees it pending and due).
 */
export async function claimReminderNow(db: Queryable, invoiceId: string, stepIndex: number, claimedBy: string, now: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE reminders SET status = 'claimed', due_at = $3, claimed_at = $3, claimed_by = $4
     WHERE invoice_id = $1 AND step_index = $2 AND status = 'pending'`,
    [invoiceId, stepIndex, now, claimedBy],
  );
  return rowCount === 1;
}
