import type { Queryable } from './db.js';

/** Stamps the end of a successful sweep; a stamp older than the stored one (a slow process) is ignored. */
export async function recordSweepFinished(db: Queryable, finishedAt: Date, instanceId: string): Promise<void> {
  await db.query(
    `INSERT INTO sweep_heartbeat (id, finished_at, finished_by) VALUES (true, $1, $2)
     ON CONFLICT (id) DO UPDATE SET finished_at = EXCLUDED.finished_at, finished_by = EXCLUDED.finished_by
     WHERE sweep_heartbeat.finished_at < EXCLUDED.finished_at`,
    [finishedAt, instanceId],
  );
}

/** When the last sweep of any process finished (null: none yet). */
export async function lastSweepFinished(db: Queryable): Promise<Date | null> {
  const { rows } = await db.query<{ finished_at: Date }>('SELECT finished_at FROM sweep_heartbeat');
  return rows[0] ? new Date(rows[0].finished_at) : null;
}
