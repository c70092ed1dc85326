import type { PlannedReminder } from '../domain/schedule.js';
import type { Queryable } from './db.js';

/**
 * Swapping an open invoice's remaining reminder steps for a new plan (client settings changed).
 * Steps already taken (sent, claimed, unknown, skipped) are never touched.
 */
export interface StepTimes {
  /** When each step already taken went out, was claimed or was skipped. */
  takenAt: Date[];
  /** Steps not taken yet (pending or paused). */
  open: { stepIndex: number; dueAt: Date; status: 'pending' | 'paused' }[];
  maxStepIndex: number;
}

/** Reads and locks the invoice's steps: a scheduler claim waits for the swap, then finds the new rows. */
export async function lockSteps(db: Queryable, invoiceId: string): Promise<StepTimes> {
  const { rows } = await db.query<{ step_index: number; status: string; due_at: Date; claimed_at: Date | null; finished_at: Date | null }>(
    'SELECT step_index, status, due_at, claimed_at, finished_at FROM reminders WHERE invoice_id = $1 ORDER BY step_index FOR UPDATE',
    [invoiceId],
  );
  const open = rows.filter((r) => r.status === 'pending' || r.status === 'paused');
  const taken = rows.filter((r) => r.status !== 'pending' && r.status !== 'paused' && r.status !== 'cancelled');
  return {
    takenAt: taken.map((r) => r.finished_at ?? r.claimed_at ?? r.due_at),
    open: open.map((r) => ({ stepIndex: r.step_index, dueAt: r.due_at, status: r.status as 'pending' | 'paused' })),
    maxStepIndex: rows.reduce((max, r) => Math.max(max, r.step_index), -1),
  };
}

/**
 * Deletes the steps not taken yet and inserts the new plan under fresh step indices (after every
 * index used so far, so message ids built from them never repeat). Returns the new indices.
 */
export async function replaceOpenSteps(
  db: Queryable,
  invoiceId: string,
  plan: readonly PlannedReminder[],
  status: 'pending' | 'paused',
  note: string | null,
  afterIndex: number,
): Promise<number[]> {
  await db.query(`DELETE FROM reminders WHERE invoice_id = $1 AND status IN ('pending', 'paused')`, [invoiceId]);
  const indices: number[] = [];
  for (const [i, p] of plan.entries()) {
    const stepIndex = afterIndex + 1 + i;
    await db.query('INSERT INTO reminders (invoice_id, step_index, tone, day, anchor, due_at, status, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
      invoiceId,
      stepIndex,
      p.tone,
      p.day,
      p.from,
      p.dueAt,
      status,
      note,
    ]);
    indices.push(stepIndex);
  }
  return indices;
}

/** Moves one step that is not taken yet to a new time (quiet hours), keeping its status. */
export async function moveOpenStep(db: Queryable, invoiceId: string, stepIndex: number, dueAt: Date): Promise<void> {
  await db.query(`UPDATE reminders SET due_at = $3 WHERE invoice_id = $1 AND step_index = $2 AND status IN ('pending', 'paused')`, [invoiceId, stepIndex, dueAt]);
}

/** A claimed step that may not go out yet (quiet hours) goes back to pending at its new time. */
export async function deferClaimedStep(db: Queryable, invoiceId: string, stepIndex: number, dueAt: Date, note: string): Promise<void> {
  await db.query(
    `UPDATE reminders SET status = 'pending', due_at = $3, claimed_at = NULL, claimed_by = NULL, note = $4 WHERE invoice_id = $1 AND step_index = $2 AND status = 'claimed'`,
    [invoiceId, stepIndex, dueAt, note],
  );
}
