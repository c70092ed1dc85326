import type { Queryable } from './db.js';
import type { ConnectedAccount, ConnectionTokens } from './connections.js';
import { STATE_TTL_MS } from './oauth-flow.js';
import type { TokenCipher } from './token-cipher.js';

/** A consent that reached several accounts, waiting for the approver's pick (tokens in clear only in memory). */
export interface AccountChoice {
  provider: string;
  slackUserId: string;
  accounts: ConnectedAccount[];
  tokens: Omit<ConnectionTokens, 'accountId'>;
}

export interface AccountChoiceStore {
  save(choice: AccountChoice & { tokenHash: string; browserHash: string }, now: Date): Promise<void>;
  /**
   * Spends the choice made for this browser within a state's lifetime, or returns null (unknown, spent,
   * expired, another provider or another browser). Spent even if the pick then fails: one try per consent.
   */
  take(tokenHash: string, provider: string, browserHash: string, now: Date): Promise<AccountChoice | null>;
}

interface Row {
  provider: string;
  slack_user_id: string;
  accounts: ConnectedAccount[] | string;
  access_token: string;
  refresh_token: string;
  expires_at: Date;
}

export function createAccountChoiceStore(db: Queryable, cipher: TokenCipher): AccountChoiceStore {
  const cutoff = (now: Date) => new Date(now.getTime() - STATE_TTL_MS);
  return {
    async save(choice, now) {
      await db.query('DELETE FROM oauth_account_choices WHERE created_at <= $1', [cutoff(now)]);
      await db.query(
        `INSERT INTO oauth_account_choices (token_hash, provider, slack_user_id, browser_hash, accounts, access_token, refresh_token, expires_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          choice.tokenHash,
          choice.provider,
          choice.slackUserId,
          choice.browserHash,
          JSON.stringify(choice.accounts),
          cipher.encrypt(choice.tokens.accessToken),
          cipher.encrypt(choice.tokens.refreshToken),
          choice.tokens.expiresAt,
          now,
        ],
      );
    },
    async take(tokenHash, provider, browserHash, now) {
      const { rows } = await db.query<Row>(
        `DELETE FROM oauth_account_choices WHERE token_hash = $1 AND provider = $2 AND browser_hash = $3 AND created_at > $4
         RETURNING provider, slack_user_id, accounts, access_token, refresh_token, expires_at`,
        [tokenHash, provider, browserHash, cutoff(now)],
      );
      const row = rows[0];
      if (!row) return null;
      return {
        provider: row.provider,
        slackUserId: row.slack_user_id,
        accounts: typeof row.accounts === 'string' ? (JSON.parse(row.accounts) as ConnectedAccount[]) : row.accounts,
        tokens: { accessToken: cipher.decrypt(row.access_token), refreshToken: cipher.decrypt(row.refresh_token), expiresAt: new Date(row.expires_at) },
      };
    },
  };
}
