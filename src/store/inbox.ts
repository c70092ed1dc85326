import type { Queryable } from './db.js';
import { assertStorable } from './storable.js';

/** Accepted webhook deliveries, stored before anything acts on them; (source, external_id) dedupes. */
export interface InboxEvent {
  id: number;
  source: string;
  externalId: string;
  kind: string;
  payload: unknown;
  receivedAt: Date;
  processedAt: Date | null;
  /** Every attempt ever started (claims count, so a crash mid-attempt counts too). */
  attempts: number;
  lastError: string | null;
  /** When the sweep may take it next (while an attempt runs: when that attempt's lease ends). */
  nextAttemptAt: Date;
  /** The backoff window: from arrival, or from an approver's Retry; attempts within it. */
  retryWindowStart: Date;
  windowAttempts: number;
  /** Set while it is a dead letter: it gave up (or cannot be handled) and waits for an approver's Retry. */
  deadAt: Date | null;
  /** The Slack user whose Retry re-queued it last. */
  retriedBy: string | null;
  /** The dead-letter message in Slack, once posted. */
  deadLetterMessage: { channel: string; ts: string } | null;
}

interface InboxRow {
  id: number;
  source: string;
  external_id: string;
  kind: string;
  payload: unknown;
  received_at: Date;
  processed_at: Date | null;
  attempts: number;
  last_error: string | null;
  next_attempt_at: Date;
  retry_window_start: Date;
  window_attempts: number;
  dead_at: Date | null;
  retried_by: string | null;
  dead_letter_channel: string | null;
  dead_letter_ts: string | null;
}

const toEvent = (r: InboxRow): InboxEvent => ({
  id: r.id,
  source: r.source,
  externalId: r.external_id,
  kind: r.kind,
  payload: r.payload,
  receivedAt: r.received_at,
  processedAt: r.processed_at,
  attempts: r.attempts,
  lastError: r.last_error,
  nextAttemptAt: r.next_attempt_at,
  retryWindowStart: r.retry_window_start,
  windowAttempts: r.window_attempts,
  deadAt: r.dead_at,
  retriedBy: r.retried_by,
  deadLetterMessage: r.dead_letter_channel && r.dead_letter_ts ? { channel: r.dead_letter_channel, ts: r.dead_letter_ts } : null,
});

/**
 * Stores a delivery; returns null when the same event was stored before (a duplicate or replay).
 * Throws UnstorableError (nothing stored) for a NUL or lone surrogate anywhere in it.
 */
export async function storeInboxEvent(db: Queryable, event: { source: string; externalId: string; kind: string; payload: unknown }, now: Date): Promise<InboxEvent | null> {
  assertStorable(event);
  const { rows } = await db.query<InboxRow>(
    `INSERT INTO inbox_events (source, external_id, kind, payload, received_at, next_attempt_at, retry_window_start) VALUES ($1, $2, $3, $4, $5, $5, $5)
     ON CONFLICT (source, external_id) DO NOTHING RETURNING *`,
    [event.source, event.externalId, event.kind, JSON.stringify(event.payload), now],
  );
  return rows[0] ? toEvent(rows[0]) : null;
}

/** Lets the fast path act on an event it just stored, unless someone already claimed it (the sweep). */
export async function claimNewInboxEvent(db: Queryable, id: number, leaseUntil: Date): Promise<InboxEvent | null> {
  const { rows } = await db.query<InboxRow>(
    `UPDATE inbox_events SET attempts = attempts + 1, window_attempts = window_attempts + 1, next_attempt_at = $2
     WHERE id = $1 AND attempts = 0 AND processed_at IS NULL AND dead_at IS NULL RETURNING *`,
    [id, leaseUntil],
  );
  return rows[0] ? toEvent(rows[0]) : null;
}

/**
 * Claims the events due for an attempt (oldest first): each is counted as attempted and leased until
 * `leaseUntil`, so a second process skips it, and a claimer that crashes leaves it to be retaken then.
 * Events received after `receivedBefore` are left to the in-process fast path.
 */
export async function claimDueInboxEvents(db: Queryable, o: { now: Date; receivedBefore: Date; leaseUntil: Date; limit: number }): Promise<InboxEvent[]> {
  // The pick is a materialized CTE: as an IN (subquery) PostgreSQL may run it once per candidate row,
  // each run locking the next batch, so one claim would take every due event.
  const { rows } = await db.query<InboxRow>(
    `WITH picked AS MATERIALIZED (
       SELECT id FROM inbox_events WHERE processed_at IS NULL AND dead_at IS NULL AND next_attempt_at <= $1 AND received_at <= $2
       ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED)
     UPDATE inbox_events e SET attempts = attempts + 1, window_attempts = window_attempts + 1, next_attempt_at = $3
     FROM picked WHERE e.id = picked.id
     RETURNING e.*`,
    [o.now, o.receivedBefore, o.leaseUntil, o.limit],
  );
  return rows.map(toEvent).sort((a, b) => a.id - b.id);
}

export async function markInboxProcessed(db: Queryable, id: number, now: Date): Promise<void> {
  await db.query('UPDATE inbox_events SET processed_at = $2, last_error = NULL, dead_at = NULL WHERE id = $1', [id, now]);
}

/** Where an attempt's outcome is written only while the attempt is still the latest claim of the event. */
const STILL_MINE = 'id = $1 AND attempts = $2 AND processed_at IS NULL AND dead_at IS NULL';

/** A failed attempt: tried again at `nextAttemptAt`. */
export async function rescheduleInboxEvent(db: Queryable, claimed: InboxEvent, error: string, nextAttemptAt: Date): Promise<void> {
  await db.query(`UPDATE inbox_events SET last_error = $3, next_attempt_at = $4 WHERE ${STILL_MINE}`, [claimed.id, claimed.attempts, clipError(error), nextAttemptAt]);
}

/** A failed attempt that gives up: the event becomes a dead letter (returned; null if someone else moved on). */
export async function markInboxDead(db: Queryable, claimed: InboxEvent, error: string, now: Date): Promise<InboxEvent | null> {
  const { rows } = await db.query<InboxRow>(`UPDATE inbox_events SET last_error = $3, dead_at = $4 WHERE ${STILL_MINE} RETURNING *`, [
    claimed.id,
    claimed.attempts,
    clipError(error),
    now,
  ]);
  return rows[0] ? toEvent(rows[0]) : null;
}

/**
 * An approver's Retry: the dead letter gets a fresh window and is claimed for an attempt right away.
 * Null when it is no dead letter (any more): processed, or already retried by someone else.
 */
export async function requeueDeadLetter(db: Queryable, id: number, o: { by: string; now: Date; leaseUntil: Date }): Promise<InboxEvent | null> {
  const { rows } = await db.query<InboxRow>(
    `UPDATE inbox_events SET dead_at = NULL, retried_by = $2, retry_window_start = $3, window_attempts = 1, attempts = attempts + 1, next_attempt_at = $4
     WHERE id = $1 AND dead_at IS NOT NULL AND processed_at IS NULL RETURNING *`,
    [id, o.by, o.now, o.leaseUntil],
  );
  return rows[0] ? toEvent(rows[0]) : null;
}

export async function setDeadLetterMessage(db: Queryable, id: number, message: { channel: string; ts: string }): Promise<void> {
  await db.query('UPDATE inbox_events SET dead_letter_channel = $2, dead_letter_ts = $3 WHERE id = $1', [id, message.channel, message.ts]);
}

export async function getInboxEvent(db: Queryable, id: number): Promise<InboxEvent | null> {
  if (!Number.isSafeInteger(id) || id <= 0) return null;
  const { rows } = await db.query<InboxRow>('SELECT * FROM inbox_events WHERE id = $1', [id]);
  return rows[0] ? toEvent(rows[0]) : null;
}

/** Dead letters never posted whose announcement nobody has claimed (see src/usecases/dead-letters.ts). */
export async function unannouncedDeadLetters(db: Queryable, effectKeyPrefix: string, limit: number): Promise<InboxEvent[]> {
  const { rows } = await db.query<InboxRow>(
    `SELECT * FROM inbox_events e WHERE processed_at IS NULL AND dead_at IS NOT NULL AND dead_letter_ts IS NULL
       AND NOT EXISTS (SELECT 1 FROM effects f WHERE f.key = $1 || e.id::text)
     ORDER BY id LIMIT $2`,
    [effectKeyPrefix, limit],
  );
  return rows.map(toEvent);
}

export interface InboxBacklog {
  /** Events not yet processed that will be tried again. */
  waiting: number;
  oldestWaitingSince: Date | null;
  nextAttemptAt: Date | null;
  deadLetters: number;
  /** The newest dead letters, newest first. */
  newestDead: InboxEvent[];
}

export async function inboxBacklog(db: Queryable, newest: number): Promise<InboxBacklog> {
  const [queue, dead] = await Promise.all([
    db.query<{ waiting: number; oldest: Date | null; next: Date | null; dead: number }>(
      `SELECT count(*) FILTER (WHERE dead_at IS NULL)::int AS waiting,
              min(received_at) FILTER (WHERE dead_at IS NULL) AS oldest,
              min(next_attempt_at) FILTER (WHERE dead_at IS NULL) AS next,
              count(*) FILTER (WHERE dead_at IS NOT NULL)::int AS dead
         FROM inbox_events WHERE processed_at IS NULL`,
    ),
    db.query<InboxRow>('SELECT * FROM inbox_events WHERE processed_at IS NULL AND dead_at IS NOT NULL ORDER BY dead_at DESC, id DESC LIMIT $1', [newest]),
  ]);
  const q = queue.rows[0];
  return { waiting: q?.waiting ?? 0, oldestWaitingSince: q?.oldest ?? null, nextAttemptAt: q?.next ?? null, deadLetters: q?.dead ?? 0, newestDead: dead.rows.map(toEvent) };
}

const clipError = (error: string) => error.slice(0, 2000);

export async function countInbox(db: Queryable, source?: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    source ? 'SELECT count(*)::int AS n FROM inbox_events WHERE source = $1' : 'SELECT count(*)::int AS n FROM inbox_events',
    source ? [source] : [],
  );
  return rows[0]?.n ?? 0;
}
