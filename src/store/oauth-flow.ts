import type { Queryable } from './db.js';

/** A connect link DMed to an approver is good for this long, once. */
export const LINK_TTL_MS = 10 * 60 * 1000;
/** A state is good for this long: the approver clicks through the provider's consent screen in between. */
export const STATE_TTL_MS = 15 * 60 * 1000;
/** A connection to a different account waits this long for an approver's decision. */
export const PENDING_TTL_MS = 24 * 60 * 60 * 1000;

const before = (now: Date, ms: number) => new Date(now.getTime() - ms);

/** Stores a connect link by the hash of its token (the token itself only ever goes to the approver). */
export async function createLink(db: Queryable, link: { tokenHash: string; provider: string; slackUserId: string }, now: Date): Promise<void> {
  await db.query('INSERT INTO oauth_links (token_hash, provider, slack_user_id, created_at) VALUES ($1, $2, $3, $4)', [link.tokenHash, link.provider, link.slackUserId, now]);
}

/** Spends a link still valid at `now`: returns its approver, or null (unknown, spent, expired or for another provider). */
export async function spendLink(db: Queryable, tokenHash: string, provider: string, now: Date): Promise<string | null> {
  const { rows } = await db.query<{ slack_user_id: string }>('DELETE FROM oauth_links WHERE token_hash = $1 AND provider = $2 AND created_at > $3 RETURNING slack_user_id', [
    tokenHash,
    provider,
    before(now, LINK_TTL_MS),
  ]);
  return rows[0]?.slack_user_id ?? null;
}

export async function createState(db: Queryable, state: { state: string; provider: string; slackUserId: string; browserHash: string }, now: Date): Promise<void> {
  await db.query('INSERT INTO oauth_states (state, provider, slack_user_id, browser_hash, created_at) VALUES ($1, $2, $3, $4, $5)', [
    state.state,
    state.provider,
    state.slackUserId,
    state.browserHash,
    now,
  ]);
}

export type SpentState = { outcome: 'spent'; slackUserId: string } | { outcome: 'other_browser' } | { outcome: 'unknown' };

/**
 * Spends a state valid at `now` only for the browser that started it. A state presented by another
 * browser is left alone (so the right browser can still finish), and told apart from an unknown one.
 */
export async function spendState(db: Queryable, state: string, provider: string, browserHash: string, now: Date): Promise<SpentState> {
  const cutoff = before(now, STATE_TTL_MS);
  const { rows } = await db.query<{ slack_user_id: string }>(
    'DELETE FROM oauth_states WHERE state = $1 AND provider = $2 AND browser_hash = $3 AND created_at > $4 RETURNING slack_user_id',
    [state, provider, browserHash, cutoff],
  );
  if (rows[0]) return { outcome: 'spent', slackUserId: rows[0].slack_user_id };
  const other = await db.query('SELECT 1 FROM oauth_states WHERE state = $1 AND provider = $2 AND created_at > $3', [state, provider, cutoff]);
  return other.rowCount ? { outcome: 'other_browser' } : { outcome: 'unknown' };
}

/** Deletes expired links, states and pending connections (run whenever one is made and by the sweep). */
export async function purgeExpiredConnectFlows(db: Queryable, now: Date): Promise<void> {
  await db.query('DELETE FROM oauth_links WHERE created_at <= $1', [before(now, LINK_TTL_MS)]);
  await db.query('DELETE FROM oauth_states WHERE created_at <= $1', [before(now, STATE_TTL_MS)]);
  await db.query('DELETE FROM pending_connections WHERE created_at <= $1', [before(now, PENDING_TTL_MS)]);
}
