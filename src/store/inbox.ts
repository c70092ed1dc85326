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
  attempts: number;
  lastError: string | null;
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
});

/**
 * Stores a delivery; returns null when the same event was stored before (a duplicate or replay).
 * Throws UnstorableError (nothing stored) for a NUL or lone surrogate anywhere in it.
 */
export async function storeInboxEvent(
  db: Queryable,
  event: { source: string; externalId: string; kind: string; payload: unknown },
  now: Date,
): Promise<InboxEvent | null> {
  assertStorable(event);
  const { rows } = await db.query<InboxRow>(
    `INSERT INTO inbox_events (source, external_id, kind, payload, received_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (source, external_id) DO NOTHING RETURNING *`,
    [event.source, event.externalId, event.kind, JSON.stringify(event.payload), now],
  );
  return rows[0] ? toEvent(rows[0]) : null;
}

export async function markInboxProcessed(db: Queryable, id: number, now: Date): Promise<void> {
  await db.query('UPDATE inbox_events SET processed_at = $2, attempts = attempts + 1, last_error = NULL WHERE id = $1', [id, now]);
}

export async function markInboxFailed(db: Queryable, id: number, error: string): Promise<void> {
  await db.query('UPDATE inbox_events SET attempts = attempts + 1, last_error = $2 WHERE id = $1', [id, error.slice(0, 2000)]);
}

/** Unprocessed events older than `olderThan` (so the in-process fast path is not raced), oldest first. */
export async function pendingInboxEvents(db: Queryable, olderThan: Date, maxAttempts: number, limit = 50): Promise<InboxEvent[]> {
  const { rows } = await db.query<InboxRow>(
    'SELECT * FROM inbox_events WHERE processed_at IS NULL AND received_at <= $1 AND attempts < $2 ORDER BY id LIMIT $3',
    [olderThan, maxAttempts, limit],
  );
  return rows.map(toEvent);
}

export async function countInbox(db: Queryable, source?: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    source ? 'SELECT count(*)::int AS n FROM inbox_events WHERE source = $1' : 'SELECT count(*)::int AS n FROM inbox_events',
    source ? [source] : [],
  );
  return rows[0]?.n ?? 0;
}
