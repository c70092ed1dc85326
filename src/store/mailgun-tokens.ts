import type { Queryable } from './db.js';

/**
 * Mailgun's signature covers `timestamp + token`, not the body, so a captured signature could carry
 * another email. Each token is bound to the first Message-ID it came with: the same email again (a
 * Mailgun retry) is fine, a different one under the same token is a replay.
 */
export async function bindMailgunToken(db: Queryable, token: string, messageId: string, now: Date): Promise<boolean> {
  await db.query('INSERT INTO mailgun_tokens (token, message_id, seen_at) VALUES ($1, $2, $3) ON CONFLICT (token) DO NOTHING', [token, messageId, now]);
  const { rows } = await db.query<{ message_id: string }>('SELECT message_id FROM mailgun_tokens WHERE token = $1', [token]);
  return rows[0]?.message_id === messageId;
}

/** Tokens older than the signature's freshness window can never verify again. */
export async function forgetMailgunTokens(db: Queryable, before: Date): Promise<number> {
  const { rowCount } = await db.query('DELETE FROM mailgun_tokens WHERE seen_at < $1', [before]);
  return rowCount ?? 0;
}
