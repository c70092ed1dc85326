import type { Queryable } from './db.js';

/**
 * Client page links (src/domain/client-page-token.ts): the salt a token is made from and the token's
 * SHA-256; at most one live link per client (a partial unique index), revoked ones kept for the record.
 */
export interface PageLink {
  clientId: string;
  salt: string;
  tokenHash: string;
}

interface LinkRow {
  client_id: string;
  salt: string;
  token_hash: string;
}

const toLink = (r: LinkRow): PageLink => ({ clientId: r.client_id, salt: r.salt, tokenHash: r.token_hash });

export async function liveLinkByHash(db: Queryable, tokenHash: string): Promise<PageLink | null> {
  const { rows } = await db.query<LinkRow>('SELECT client_id, salt, token_hash FROM client_page_links WHERE token_hash = $1 AND revoked_at IS NULL', [tokenHash]);
  return rows[0] ? toLink(rows[0]) : null;
}

export async function liveLinkOf(db: Queryable, clientId: string): Promise<PageLink | null> {
  const { rows } = await db.query<LinkRow>('SELECT client_id, salt, token_hash FROM client_page_links WHERE client_id = $1 AND revoked_at IS NULL', [clientId]);
  return rows[0] ? toLink(rows[0]) : null;
}

/**
 * The client's first link, made only if it never had one (a revoked link stays revoked until an approver
 * makes a new one). Two processes racing both insert; the unique index keeps one, and both read it back.
 */
export async function insertFirstLink(db: Queryable, link: PageLink, now: Date): Promise<PageLink | null> {
  await db.query(
    `INSERT INTO client_page_links (client_id, salt, token_hash, created_at, created_by)
     SELECT $1, $2, $3, $4, 'duebot' WHERE NOT EXISTS (SELECT 1 FROM client_page_links WHERE client_id = $1)
     ON CONFLICT (client_id) WHERE revoked_at IS NULL DO NOTHING`,
    [link.clientId, link.salt, link.tokenHash, now],
  );
  return liveLinkOf(db, link.clientId);
}

/** Revokes the live link; false when there was none. */
export async function revokeLiveLink(db: Queryable, clientId: string, by: string, now: Date): Promise<boolean> {
  const { rowCount } = await db.query('UPDATE client_page_links SET revoked_at = $2, revoked_by = $3 WHERE client_id = $1 AND revoked_at IS NULL', [clientId, now, by]);
  return (rowCount ?? 0) > 0;
}

/** Adds a live link; the caller revoked the old one in the same transaction, under the client's row lock. */
export async function insertLink(db: Queryable, link: PageLink, by: string, now: Date): Promise<void> {
  await db.query('INSERT INTO client_page_links (client_id, salt, token_hash, created_at, created_by) VALUES ($1, $2, $3, $4, $5)', [
    link.clientId,
    link.salt,
    link.tokenHash,
    now,
    by,
  ]);
}
