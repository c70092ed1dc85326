import type { PlannedReminder } from '../domain/schedule.js';
import type { ReminderTone } from '../domain/types.js';
import type pg from 'pg';
import { withTransaction, type Queryable } from './db.js';
import { CLIENT_HELD_BY_BOUNCE } from './bounces.js';

export type ReminderStatus = 'pending' | 'claimed' | 'sent' | 'skipped' | 'cancelled' | 'unknown' | 'paused';

export interface ReminderRecord {
  invoiceId: string;
  stepIndex: number;
  tone: ReminderTone;
  day: number;
  anchor: 'delivery' | 'due';
  dueAt: Date;
  status: ReminderStatus;
  claimedAt: Date | null;
  finishedAt: Date | null;
  messageId: string | null;
  note: string | null;
}

interface ReminderRow {
  invoice_id: string;
  step_index: number;
  tone: ReminderTone;
  day: number;
  anchor: 'delivery' | 'due';
  due_at: Date;
  status: ReminderStatus;
  claimed_at: Date | null;
  finished_at: Date | null;
  message_id: string | null;
  note: string | null;
}

const toRecord = (r: ReminderRow): ReminderRecord => ({
  invoiceId: r.invoice_id,
  stepIndex: r.step_index,
  tone: r.tone,
  day: r.day,
  anchor: r.anchor,
  dueAt: r.due_at,
  status: r.status,
  claimedAt: r.claimed_at,
  finishedAt: r.finished_at,
  messageId: r.message_id,
  note: r.note,
});

export async function insertReminders(db: Queryable, invoiceId: string, plan: readonly PlannedReminder[]): Promise<void> {
  for (const p of plan) {
    await db.query(
      `INSERT INTO reminders (invoice_id, step_index, tone, day, anchor, due_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (invoice_id, step_index) DO NOTHING`,
      [invoiceId, p.stepIndex, p.tone, p.day, p.from, p.dueAt],
    );
  }
}

export async function remindersOf(db: Queryable, invoiceId: string): Promise<ReminderRecord[]> {
  const { rows } = await db.query<ReminderRow>('SELECT * FROM reminders WHERE invoice_id = $1 ORDER BY due_at, step_index', [invoiceId]);
  return rows.map(toRecord);
}

/** A step with its invoice's client, for grouping by client. */
export type ClientStep = ReminderRecord & { clientId: string };

const toClientStep = (r: ReminderRow & { client_id: string }): ClientStep => ({ ...toRecord(r), clientId: r.client_id });

export async function dueReminders(db: Queryable, now: Date, limit = 100): Promise<ClientStep[]> {
  const { rows } = await db.query<ReminderRow & { client_id: string }>(
    // A client with an open bounce is held (src/usecases/bounces.ts): its steps wait, kept pending.
    `SELECT r.*, i.client_id FROM reminders r JOIN invoices i ON i.id = r.invoice_id
     WHERE r.status = 'pending' AND r.due_at <= $1 AND NOT ${CLIENT_HELD_BY_BOUNCE('i.client_id')}
     ORDER BY r.due_at, r.invoice_id, r.step_index LIMIT $2`,
    [now, limit],
  );
  return rows.map(toClientStep);
}

/** Pending steps of these clients due before `before` (the rest of the day), for a grouped statement. */
export async function pendingStepsOfClientsDueBefore(db: Queryable, clientIds: readonly string[], before: Date): Promise<ClientStep[]> {
  const { rows } = await db.query<ReminderRow & { client_id: string }>(
    `SELECT r.*, i.client_id FROM reminders r JOIN invoices i ON i.id = r.invoice_id
     WHERE r.status = 'pending' AND r.due_at < $2 AND i.client_id = ANY($1::text[]) AND NOT ${CLIENT_HELD_BY_BOUNCE('i.client_id')}
     ORDER BY r.due_at, r.invoice_id, r.step_index`,
    [clientIds, before],
  );
  return rows.map(toClientStep);
}

/** One step in the list of the day's sends: the step, its invoice's number and its client. */
export type ListedStep = ClientStep & { number: string; clientName: string };

/** Pending steps due before `before` (today's sends), earliest first; clients held by a bounce left out. */
export async function pendingStepsDueBefore(db: Queryable, before: Date, limit = 200): Promise<ListedStep[]> {
  const { rows } = await db.query<ReminderRow & { client_id: string; number: string; client_name: string }>(
    `SELECT r.*, i.client_id, i.number, c.name AS client_name FROM reminders r JOIN invoices i ON i.id = r.invoice_id JOIN clients c ON c.id = i.client_id
     WHERE r.status = 'pending' AND r.due_at < $1 AND NOT ${CLIENT_HELD_BY_BOUNCE('i.client_id')}
     ORDER BY r.due_at, i.number, r.step_index LIMIT $2`,
    [before, limit],
  );
  return rows.map((r) => ({ ...toClientStep(r), number: r.number, clientName: r.client_name }));
}

/** These steps as they are now (any status), with invoice number and client, in the order asked. */
export async function listedSteps(db: Queryable, keys: readonly { invoiceId: string; stepIndex: number }[]): Promise<ListedStep[]> {
  if (!keys.length) return [];
  const { rows } = await db.query<ReminderRow & { client_id: string; number: string; client_name: string }>(
    // Joined on the key columns (not a built "id:step" string), so the lookup uses the reminders' key index.
    `SELECT r.*, i.client_id, i.number, c.name AS client_name
     FROM unnest($1::uuid[], $2::int[]) AS k(invoice_id, step_index)
     JOIN reminders r ON r.invoice_id = k.invoice_id AND r.step_index = k.step_index
     JOIN invoices i ON i.id = r.invoice_id JOIN clients c ON c.id = i.client_id`,
    [keys.map((k) => k.invoiceId), keys.map((k) => k.stepIndex)],
  );
  const byKey = new Map(rows.map((r) => [`${r.invoice_id}:${r.step_index}`, { ...toClientStep(r), number: r.number, clientName: r.client_name }]));
  return keys.flatMap((k) => byKey.get(`${k.invoiceId}:${k.stepIndex}`) ?? []);
}

/**
 * Claims several steps in one transaction (a grouped statement): each by compare-and-set, so the
 * steps another process holds are left out; the claims are durable together before the one email.
 */
export async function claimReminders<T extends { invoiceId: string; stepIndex: number }>(pool: pg.Pool, steps: readonly T[], claimedBy: string, now: Date): Promise<T[]> {
  return withTransaction(pool, async (tx) => {
    const claimed: T[] = [];
    for (const s of steps) if (await claimReminder(tx, s.invoiceId, s.stepIndex, claimedBy, now)) claimed.push(s);
    return claimed;
  });
}

/** An approver's Skip: a pending step becomes skipped for good (compare-and-set; false when it moved on). */
export async function skipPendingStep(db: Queryable, invoiceId: string, stepIndex: number, note: string, now: Date): Promise<boolean> {
  const { rowCount } = await db.query(`UPDATE reminders SET status = 'skipped', finished_at = $3, note = $4 WHERE invoice_id = $1 AND step_index = $2 AND status = 'pending'`, [
    invoiceId,
    stepIndex,
    now,
    note,
  ]);
  return rowCount === 1;
}

/** An approver's Snooze: a pending step moves to a later time (compare-and-set on its current due time). */
export async function snoozePendingStep(db: Queryable, invoiceId: string, stepIndex: number, from: Date, to: Date, note: string): Promise<boolean> {
  const { rowCount } = await db.query(`UPDATE reminders SET due_at = $4, note = $5 WHERE invoice_id = $1 AND step_index = $2 AND status = 'pending' AND due_at = $3`, [
    invoiceId,
    stepIndex,
    from,
    to,
    note,
  ]);
  return rowCount === 1;
}

/** Compare-and-set claim: exactly one process wins a pending step, and the claim is durable before any send. */
export async function claimReminder(db: Queryable, invoiceId: string, stepIndex: number, claimedBy: string, now: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE reminders SET status = 'claimed', claimed_at = $3, claimed_by = $4
     WHERE invoice_id = $1 AND step_index = $2 AND status = 'pending'`,
    [invoiceId, stepIndex, now, claimedBy],
  );
  return rowCount === 1;
}

export async function finishReminder(
  db: Queryable,
  invoiceId: string,
  stepIndex: number,
  outcome: { status: 'sent' | 'skipped' | 'pending' | 'paused'; messageId?: string | null; note?: string | null },
  now: Date,
): Promise<void> {
  await db.query(
    `UPDATE reminders SET status = $3, finished_at = $4, message_id = $5, note = $6,
       claimed_at = CASE WHEN $3 IN ('pending', 'paused') THEN NULL ELSE claimed_at END
     WHERE invoice_id = $1 AND step_index = $2 AND status = 'claimed'`,
    [invoiceId, stepIndex, outcome.status, outcome.status === 'pending' || outcome.status === 'paused' ? null : now, outcome.messageId ?? null, outcome.note ?? null],
  );
}

/** Paid, void or uncollectible: every step not yet taken is cancelled. Returns how many. */
export async function cancelPendingReminders(db: Queryable, invoiceId: string, reason: string, now: Date): Promise<number> {
  const { rowCount } = await db.query(`UPDATE reminders SET status = 'cancelled', finished_at = $2, note = $3 WHERE invoice_id = $1 AND status IN ('pending', 'paused')`, [
    invoiceId,
    now,
    reason,
  ]);
  return rowCount ?? 0;
}

/** Claims that never finished (crash mid-send) become "unknown"; returned so they can be flagged. */
export async function markStaleRemindersUnknown(db: Queryable, staleBefore: Date, now: Date): Promise<ReminderRecord[]> {
  const { rows } = await db.query<ReminderRow>(`UPDATE reminders SET status = 'unknown', finished_at = $2 WHERE status = 'claimed' AND claimed_at < $1 RETURNING *`, [
    staleBefore,
    now,
  ]);
  return rows.map(toRecord);
}
