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
    const { rowCount } = await db.query(
      `UPDATE reminders SET due_at = $3, status = $4, note = $5 WHERE invoice_id = $1 AND step_index = $2 AND status IN ('pending', 'paused')`,
      [invoiceId, step.stepIndex, step.dueAt, status, note],
    );
    changed += rowCount ?? 0;
  }
  return changed;
}
