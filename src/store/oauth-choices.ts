import type { Queryable } from './db.js';
import type { ConnectedAccount, ConnectionTokens } from './connections.js';
import { STATE_TTL_MS } from './oauth-flow.js';
import type { TokenCipher } from './token-cipher.js';

/** A consent waiting for the approver to pick one of the accounts it authorised (tokens in clear, memory only). */
export interface AccountChoice {
  provider: string;
  slackUserId: string;
  accounts: ConnectedAccount[];
  tokens: Omit<ConnectionTokens, 'accountId'>;
}

const cutoff = (now: Date) => new Date(now.getTime() - STATE_TTL_MS);

/** Stores a choice under the hash of its one-time token, bound to the browser; tokens sealed. */
export async function saveAccountChoice(db: Queryable, cipher: TokenCipher, choice: AccountChoice & { tokenHash: string; browserHash: string }, now: Date): Promise<void> {
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
}

interface ChoiceRow {
  provider: string;
  slack_user_id: string;
  accounts: ConnectedAccount[] | string;
  access_token: string;
  refresh_token: string;
  expires_at: Date;
}

/**
 * Spends a choice still valid at `now`, only from the browser that made it: null when unknown, spent,
 * expired, for another provider or another browser (which cannot spend it for the right one).
 */
export async function spendAccountChoice(db: Queryable, cipher: TokenCipher, tokenHash: string, provider: string, browserHash: string, now: Date): Promise<AccountChoice | null> {
  const { rows } = await db.query<ChoiceRow>(
    `DELETE FROM oauth_account_choices WHERE token_hash = $1 AND provider = $2 AND browser_hash = $3 AND created_at > $4
     RETURNING provider, slack_user_id, accounts, access_token, refresh_token, expires_at`,
    [tokenHash, provider, browserHash, cutoff(now)],
  );
  const row = rows[0];
  if (!row) return null;
  const accounts = (typeof row.accounts === 'string' ? JSON.parse(row.accounts) : row.accounts) as ConnectedAccount[];
  return {
    provider: row.provider,
    slackUserId: row.slack_user_id,
    accounts,
    tokens: { accessToken: cipher.decrypt(row.access_token), refreshToken: cipher.decrypt(row.refresh_token), expiresAt: new Date(row.expires_at) },
  };
}
