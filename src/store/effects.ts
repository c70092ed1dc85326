import type { Queryable } from './db.js';

/**
 * At-most-once ledger for outgoing side effects. A process claims the key before acting; only one
 * claim can exist. A claim that never completes (crash mid-send) turns into "unknown" for a human to
 * check: the effect is never repeated blindly.
 */
export type EffectStatus = 'claimed' | 'done' | 'unknown';

export interface Effect {
  key: string;
  invoiceId: string | null;
  kind: string;
  status: EffectStatus;
  claimedAt: Date;
  result: Record<string, unknown> | null;
}

interface EffectRow {
  key: string;
  invoice_id: string | null;
  kind: string;
  status: EffectStatus;
  claimed_at: Date;
  result: Record<string, unknown> | null;
}

const toEffect = (r: EffectRow): Effect => ({ key: r.key, invoiceId: r.invoice_id, kind: r.kind, status: r.status, claimedAt: r.claimed_at, result: r.result });

/** True when this caller now owns the effect; false when anyone claimed it before. */
export async function claimEffect(
  db: Queryable,
  claim: { key: string; invoiceId: string | null; kind: string; claimedBy: string; details?: Record<string, unknown> },
  now: Date,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO effects (key, invoice_id, kind, status, claimed_at, claimed_by, result) VALUES ($1, $2, $3, 'claimed', $4, $5, $6)
     ON CONFLICT (key) DO NOTHING`,
    [claim.key, claim.invoiceId, claim.kind, now, claim.claimedBy, claim.details ? JSON.stringify(claim.details) : null],
  );
  return rowCount === 1;
}

export async function completeEffect(db: Queryable, key: string, result: Record<string, unknown>, now: Date): Promise<void> {
  await db.query(`UPDATE effects SET status = 'done', finished_at = $2, result = $3 WHERE key = $1`, [key, now, JSON.stringify(result)]);
}

/** Gives a claim back when the effect certainly did not happen (e.g. the SMTP server refused the connection). */
export async function releaseEffect(db: Queryable, key: string): Promise<void> {
  await db.query(`DELETE FROM effects WHERE key = $1 AND status = 'claimed'`, [key]);
}

export async function getEffect(db: Queryable, key: string): Promise<Effect | null> {
  const { rows } = await db.query<EffectRow>('SELECT * FROM effects WHERE key = $1', [key]);
  return rows[0] ? toEffect(rows[0]) : null;
}

/** Claims older than `staleBefore` that never finished become "unknown"; returns them for flagging. */
export async function markStaleEffectsUnknown(db: Queryable, staleBefore: Date, now: Date): Promise<Effect[]> {
  const { rows } = await db.query<EffectRow>(`UPDATE effects SET status = 'unknown', finished_at = $2 WHERE status = 'claimed' AND claimed_at < $1 RETURNING *`, [
    staleBefore,
    now,
  ]);
  return rows.map(toEffect);
}
