import type { Queryable } from './db.js';

/**
 * Compare-and-set of the hand-set "reminders paused" flag on an invoice still awaiting money: of two
 * racing pause (or resume) commands only the first wins; the other gets false and changes nothing.
 */
export async function setPaused(db: Queryable, invoiceId: string, paused: boolean, now: Date): Promise<boolean> {
  const { rowCount } = await db.query(`UPDATE invoices SET paused = $2, updated_at = $3 WHERE id = $1 AND paused <> $2 AND status IN ('sent', 'partially_paid')`, [
    invoiceId,
    paused,
    now,
  ]);
  return rowCount === 1;
}
