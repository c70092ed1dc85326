import type { Queryable } from './db.js';

/**
 * Reminder steps held back by a dispute or a promise to pay. A dispute moves pending steps to
 * "paused" (kept, not cancelled); resuming and snoozing re-time them (src/domain/dispute-sequence.ts).
 */
export interface HeldStep {
  stepIndex: number;
  dueAt: Date;
  status: 'pending' | 'paused';
}

/** Pending steps → paused. Returns how many. */
export async function pausePendingReminders(db: Queryable, invoiceId: string, note: string): Promise<number> {
  const { rowCount } = await db.query(`UPDATE reminders SET status = 'paused', note = $2 WHERE invoice_id = $1 AND status = 'pending'`, [invoiceId, note]);
  return rowCount ?? 0;
}

/** Steps not taken yet, paused or pending, in sequence order. */
export async function heldSteps(db: Queryable, invoiceId: string): Promise<HeldStep[]> {
  const { rows } = await db.query<{ step_index: number; due_at: Date; status: 'pending' | 'paused' }>(
    `SELECT step_index, due_at, status FROM reminders WHERE invoice_id = $1 AND status IN ('pending', 'paused') ORDER BY due_at, step_index`,
    [invoiceId],
  );
  return rows.map((r) => ({ stepIndex: r.step_index, dueAt: r.due_at, status: r.status }));
}

/** Gives each step its new time and status; only steps still pending or paused are touched. */
export async function retimeSteps(
  db: Queryable,
  invoiceId: string,
  steps: readonly { stepIndex: number; dueAt: Date }[],
  status: 'pending' | 'paused',
  note: string | null,
): Promise<number> {
  let changed = 0;
  for (const step of steps) {
    const { rowCount } = await db.query(`UPDATE reminders SET due_at = $3, status = $4, note = $5 WHERE invoice_id = $1 AND step_index = $2 AND status IN ('pending', 'paused')`, [
      invoiceId,
      step.stepIndex,
      step.dueAt,
      status,
      note,
    ]);
    changed += rowCount ?? 0;
  }
  return changed;
}

/**
 * Compare-and-set of the dispute flag on an invoice still awaiting money: only the first of two
 * racing "dispute" (or "resolve") actions wins; the loser gets null and does nothing more.
 */
export async function setDisputed(db: Queryable, invoiceId: string, disputed: boolean, now: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE invoices SET disputed = $2, disputed_at = CASE WHEN $2 THEN $3::timestamptz ELSE NULL END, updated_at = $3
     WHERE id = $1 AND disputed <> $2 AND status IN ('sent', 'partially_paid')`,
    [invoiceId, disputed, now],
  );
  return rowCount === 1;
}

/** Remembers the latest promised payment date (an earlier promise never shortens a later one). */
export async function setSnoozedUntil(db: Queryable, invoiceId: string, ymd: string, now: Date): Promise<void> {
  await db.query(`UPDATE invoices SET snoozed_until = GREATEST(COALESCE(snoozed_until, $2::date), $2::date), updated_at = $3 WHERE id = $1`, [invoiceId, ymd, now]);
}
