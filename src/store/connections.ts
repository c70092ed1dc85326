import type { Queryable } from './db.js';
import type { TokenCipher } from './token-cipher.js';

/** An OAuth connection to an accounting back-end, tokens in clear (only ever in memory). */
export interface ConnectionTokens {
  /** QuickBooks realm id or FreshBooks account id. */
  accountId: string;
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
}

/** Which account a connection reaches, told to people: QuickBooks realm / FreshBooks account and its name. */
export interface ConnectedAccount {
  accountId: string;
  accountName: string | null;
}

/** A connection to a different account than the current one, waiting for an approver (tokens stay sealed). */
export interface PendingConnection extends ConnectedAccount {
  id: string;
  provider: string;
  requestedBy: string;
  createdAt: Date;
  messageTs: string | null;
}

export interface Connection extends ConnectionTokens {
  provider: string;
  status: 'active' | 'broken';
  lastSuccessAt: Date | null;
  lastError: string | null;
}

/** Where the back-ends keep their tokens; sealing and unsealing happen here and nowhere else. */
export interface ConnectionStore {
  get(provider: string): Promise<Connection | null>;
  /** Saves fresh tokens (connect or refresh) and marks the connection active again; a refresh keeps the account name. */
  saveTokens(provider: string, tokens: ConnectionTokens, now: Date, accountName?: string | null): Promise<void>;
  /**
   * Saves refreshed tokens only while the connection still reaches the same account: a refresh that
   * finishes after a disconnect or a switch to another company must not bring the old one back.
   */
  saveRefreshed(provider: string, tokens: ConnectionTokens, now: Date): Promise<boolean>;
  /** The account a stored connection reaches, without unsealing its tokens. */
  account(provider: string): Promise<ConnectedAccount | null>;
  /** Deletes the connection (and any pending one); returns the account it reached. */
  remove(provider: string): Promise<ConnectedAccount | null>;
  /** Stores tokens for another account, unused until confirmed; replaces any earlier pending one of the provider. */
  savePending(pending: { id: string; provider: string; requestedBy: string; accountName: string | null }, tokens: ConnectionTokens, now: Date): Promise<void>;
  setPendingMessage(id: string, messageTs: string): Promise<void>;
  /** A pending connection created after `notBefore`, tokens left sealed. */
  pending(id: string, notBefore: Date): Promise<PendingConnection | null>;
  /** Moves a pending connection (created after `notBefore`) in place of the active one, in one statement: true when it did. */
  activatePending(id: string, notBefore: Date, now: Date): Promise<boolean>;
  /** Deletes a pending connection; true when it was there. */
  discardPending(id: string): Promise<boolean>;
  markSuccess(provider: string, now: Date): Promise<void>;
  /** Returns true only for the call that moved an active connection to broken (report it once). */
  markBroken(provider: string, error: string, now: Date): Promise<boolean>;
}

interface Row {
  provider: string;
  account_id: string;
  access_token: string;
  refresh_token: string;
  expires_at: Date;
  status: 'active' | 'broken';
  last_success_at: Date | null;
  last_error: string | null;
}

interface AccountRow {
  account_id: string;
  account_name: string | null;
}
interface PendingRow extends AccountRow {
  id: string;
  provider: string;
  requested_by: string;
  created_at: Date;
  message_ts: string | null;
}
const toAccount = (row: AccountRow): ConnectedAccount => ({ accountId: row.account_id, accountName: row.account_name });

export function createConnectionStore(db: Queryable, cipher: TokenCipher): ConnectionStore {
  return {
    async get(provider) {
      const { rows } = await db.query<Row>('SELECT * FROM connections WHERE provider = $1', [provider]);
      const row = rows[0];
      if (!row) return null;
      return {
        provider: row.provider,
        accountId: row.account_id,
        accessToken: cipher.decrypt(row.access_token),
        refreshToken: cipher.decrypt(row.refresh_token),
        expiresAt: new Date(row.expires_at),
        status: row.status,
        lastSuccessAt: row.last_success_at ? new Date(row.last_success_at) : null,
        lastError: row.last_error,
      };
    },
    async saveTokens(provider, tokens, now, accountName = null) {
      await db.query(
        `INSERT INTO connections (provider, account_id, access_token, refresh_token, expires_at, status, last_success_at, last_error, updated_at, account_name)
         VALUES ($1, $2, $3, $4, $5, 'active', $6, NULL, $6, $7)
         ON CONFLICT (provider) DO UPDATE SET account_id = $2, access_token = $3, refresh_token = $4, expires_at = $5,
           status = 'active', last_success_at = $6, last_error = NULL, updated_at = $6, account_name = COALESCE($7, connections.account_name)`,
        [provider, tokens.accountId, cipher.encrypt(tokens.accessToken), cipher.encrypt(tokens.refreshToken), tokens.expiresAt, now, accountName],
      );
    },
    async saveRefreshed(provider, tokens, now) {
      const { rowCount } = await db.query(
        `UPDATE connections SET access_token = $3, refresh_token = $4, expires_at = $5, status = 'active', last_success_at = $6, last_error = NULL, updated_at = $6
         WHERE provider = $1 AND account_id = $2`,
        [provider, tokens.accountId, cipher.encrypt(tokens.accessToken), cipher.encrypt(tokens.refreshToken), tokens.expiresAt, now],
      );
      return (rowCount ?? 0) > 0;
    },
    async account(provider) {
      const { rows } = await db.query<AccountRow>('SELECT account_id, account_name FROM connections WHERE provider = $1', [provider]);
      return rows[0] ? toAccount(rows[0]) : null;
    },
    async remove(provider) {
      await db.query('DELETE FROM pending_connections WHERE provider = $1', [provider]);
      const { rows } = await db.query<AccountRow>('DELETE FROM connections WHERE provider = $1 RETURNING account_id, account_name', [provider]);
      return rows[0] ? toAccount(rows[0]) : null;
    },
    async savePending(pending, tokens, now) {
      await db.query('DELETE FROM pending_connections WHERE provider = $1', [pending.provider]);
      await db.query(
        `INSERT INTO pending_connections (id, provider, account_id, account_name, access_token, refresh_token, expires_at, requested_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          pending.id,
          pending.provider,
          tokens.accountId,
          pending.accountName,
          cipher.encrypt(tokens.accessToken),
          cipher.encrypt(tokens.refreshToken),
          tokens.expiresAt,
          pending.requestedBy,
          now,
        ],
      );
    },
    async setPendingMessage(id, messageTs) {
      await db.query('UPDATE pending_connections SET message_ts = $2 WHERE id = $1', [id, messageTs]);
    },
    async pending(id, notBefore) {
      const { rows } = await db.query<PendingRow>(
        'SELECT id, provider, account_id, account_name, requested_by, created_at, message_ts FROM pending_connections WHERE id = $1 AND created_at > $2',
        [id, notBefore],
      );
      const row = rows[0];
      if (!row) return null;
      return { ...toAccount(row), id: row.id, provider: row.provider, requestedBy: row.requested_by, createdAt: new Date(row.created_at), messageTs: row.message_ts };
    },
    async activatePending(id, notBefore, now) {
      // Sealed values move as they are: the pending tokens are never unsealed before they are the active ones.
      const { rowCount } = await db.query(
        `WITH taken AS (DELETE FROM pending_connections WHERE id = $1 AND created_at > $2 RETURNING *)
         INSERT INTO connections (provider, account_id, access_token, refresh_token, expires_at, status, last_success_at, last_error, updated_at, account_name)
         SELECT provider, account_id, access_token, refresh_token, expires_at, 'active', $3::timestamptz, NULL, $3::timestamptz, account_name FROM taken
         ON CONFLICT (provider) DO UPDATE SET account_id = EXCLUDED.account_id, access_token = EXCLUDED.access_token, refresh_token = EXCLUDED.refresh_token,
           expires_at = EXCLUDED.expires_at, status = 'active', last_success_at = EXCLUDED.last_success_at, last_error = NULL, updated_at = EXCLUDED.updated_at,
           account_name = EXCLUDED.account_name`,
        [id, notBefore, now],
      );
      return (rowCount ?? 0) > 0;
    },
    async discardPending(id) {
      const { rowCount } = await db.query('DELETE FROM pending_connections WHERE id = $1', [id]);
      return (rowCount ?? 0) > 0;
    },
    async markSuccess(provider, now) {
      await db.query('UPDATE connections SET last_success_at = $2, updated_at = $2 WHERE provider = $1', [provider, now]);
    },
    async markBroken(provider, error, now) {
      const { rowCount } = await db.query(`UPDATE connections SET status = 'broken', last_error = $2, updated_at = $3 WHERE provider = $1 AND status = 'active'`, [
        provider,
        error.slice(0, 500),
        now,
      ]);
      return (rowCount ?? 0) > 0;
    },
  };
}

/** Health of every stored connection, for `/invoices status`; tokens are neither read nor unsealed. */
export interface ConnectionState {
  provider: string;
  status: 'active' | 'broken';
  lastSuccessAt: Date | null;
  lastError: string | null;
}

export async function connectionStates(db: Queryable): Promise<ConnectionState[]> {
  const { rows } = await db.query<Pick<Row, 'provider' | 'status' | 'last_success_at' | 'last_error'>>(
    'SELECT provider, status, last_success_at, last_error FROM connections ORDER BY provider',
  );
  return rows.map((r) => ({ provider: r.provider, status: r.status, lastSuccessAt: r.last_success_at ? new Date(r.last_success_at) : null, lastError: r.last_error }));
}
