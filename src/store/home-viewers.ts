import type { Queryable } from './db.js';

/** Remembers who opened the Home tab, so their view can be republished when an invoice changes. */
export async function recordHomeViewer(db: Queryable, userId: string, now: Date): Promise<void> {
  await db.query(
    `INSERT INTO home_viewers (user_id, first_opened_at, last_opened_at) VALUES ($1, $2, $2)
     ON CONFLICT (user_id) DO UPDATE SET last_opened_at = $2`,
    [userId, now],
  );
}

export async function homeViewers(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ user_id: string }>('SELECT user_id FROM home_viewers ORDER BY last_opened_at DESC');
  return rows.map((r) => r.user_id);
}

/** Someone no longer allowed to see the dashboard: their tab was replaced once, no more refreshes. */
export async function forgetHomeViewer(db: Queryable, userId: string): Promise<void> {
  await db.query('DELETE FROM home_viewers WHERE user_id = $1', [userId]);
}
