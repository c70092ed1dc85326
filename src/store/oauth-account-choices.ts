import { createHash, randomBytes } from 'node:crypto';
import type { ConnectedAccount, ConnectionTokens } from './connections.js';
import type { Queryable } from './db.js';
import { STATE_TTL_MS } from './oauth-flow.js';
import type { TokenCipher } from './token-cipher.js';

/** Tokens of a consent not yet tied to an account. */
export type UnboundTokens = Omit<ConnectionTokens, 'accountId'>;

export interface TakenChoice {
  slackUserId: string;
  accounts: ConnectedAccount[];
  tokens: UnboundTokens;
}

/**
 * A consent that reaches several accounts (Wave businesses) waits here for the approver's pick: tokens
 * sealed like a connection's, the one-time choice token stored only as its hash, bound to the approver
 * and the browser of the consent, good for as long as a state (STATE_TTL_MS).
 */
export interface AccountChoiceStore {
  /** Stores the choice; returns the one-time token the page posts back. */
  save(choice: { provider: string; slackUserId: string; browserHash: string; accounts: ConnectedAccount[] }, tokens: UnboundTokens, now: Date): Promise<string>;
  /** Spends a choice made by this browser for this provider and still valid at `now`; null otherwise. */
  take(token: string, provider: string, browserHash: string, now: Date): Promise<TakenChoice | null>;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

interface Row {
  slack_user_id: string;
  accounts: ConnectedAccount[] | string;
  access_token: string;
  refresh_token: string;
  expires_at: Date;
}

export function createAccountChoiceStore(db: Queryable, cipher: TokenCipher): AccountChoiceStore {
  return {
    async save(choice, tokens, now) {
      const token = randomBytes(24).toString('base64url');
      await db.query(
        `INSERT INTO oauth_account_choices (token_hash, provider, slack_user_id, browser_hash, accounts, access_token, refresh_token, expires_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          sha256(token),
          choice.provider,
          choice.slackUserId,
          choice.browserHash,
          JSON.stringify(choice.accounts),
          cipher.encrypt(tokens.accessToken),
          cipher.encrypt(tokens.refreshToken),
          tokens.expiresAt,
          now,
        ],
      );
      return token;
    },
    async take(token, provider, browserHash, now) {
      const { rows } = await db.query<Row>(
        `DELETE FROM oauth_account_choices WHERE token_hash = $1 AND provider = $2 AND browser_hash = $3 AND created_at > $4
         RETURNING slack_user_id, accounts, access_token, refresh_token, expires_at`,
        [sha256(token), provider, browserHash, new Date(now.getTime() - STATE_TTL_MS)],
      );
      const row = rows[0];
      if (!row) return null;
      return {
        slackUserId: row.slack_user_id,
        accounts: typeof row.accounts === 'string' ? (JSON.parse(row.accounts) as ConnectedAccount[]) : row.accounts,
        tokens: { accessToken: cipher.decrypt(row.access_token), refreshToken: cipher.decrypt(row.refresh_token), expiresAt: new Date(row.expires_at) },
      };
    },
  };
}
