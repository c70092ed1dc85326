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

export interface Connection extends ConnectionTokens {
  provider: string;
  status: 'active' | 'broken';
  lastSuccessAt: Date | null;
  lastError: string | null;
}

/** Where the back-ends keep their tokens; sealing and unsealing happen here and nowhere else. */
export interface ConnectionStore {
  get(provider: string): Promise<Connection | null>;
  /** Saves fresh tokens (connect or refresh) and marks the connection active again. */
  saveTokens(provider: string, tokens: ConnectionTokens, now: Date): Promise<void>;
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
    async saveTokens(provider, tokens, now) {
      await db.query(
        `INSERT INTO connections (provider, account_id, access_token, refresh_token, expires_at, status, last_success_at, last_error, updated_at)
         VALUES ($1, $2, $3, $4, $5, 'active', $6, NULL, $6)
         ON CONFLICT (provider) DO UPDATE SET account_id = $2, access_token = $3, refresh_token = $4, expires_at = $5,
           status = 'active', last_success_at = $6, last_error = NULL, updated_at = $6`,
        [provider, tokens.accountId, cipher.encrypt(tokens.accessToken), cipher.encrypt(tokens.refreshToken), tokens.expiresAt, now],
      );
    },
    async markSuccess(provider, now) {
      await db.query('UPDATE connections SET last_success_at = $2, updated_at = $2 WHERE provider = $1', [provider, now]);
    },
    async markBroken(provider, error, now) {
      const { rowCount } = await db.query(
        `UPDATE connections SET status = 'broken', last_error = $2, updated_at = $3 WHERE provider = $1 AND status = 'active'`,
        [provider, error.slice(0, 500), now],
      );
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
