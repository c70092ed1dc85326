import type { Config } from '../../config.js';
import type { ConnectionStore } from '../../store/connections.js';
import type { OAuthConnector } from '../invoicing/build-backends.js';
import { BackendError, backendErrorFor } from '../invoicing/errors.js';
import { createOAuthSession, type RefreshedTokens } from '../invoicing/oauth-session.js';
import { ProjectToolError } from './http.js';
import type { AsanaAuth } from './asana.js';

/**
 * Asana OAuth 2.0 (authorization code grant), the alternative to a personal access token: an approver
 * connects it with `/invoices connect asana` through the same approver-only flow as the accounting
 * back-ends (src/usecases/connect-backend.ts: one-time DMed link, state bound to the browser, another
 * user confirmed in the channel). Tokens are stored sealed in `connections` under "asana" and refreshed
 * by src/providers/invoicing/oauth-session.ts: access tokens last an hour (`expires_in`); refresh tokens
 * are long-lived and, should Asana send a new one, the new one is kept.
 */
export const ASANA = 'asana';
const DEFAULT_OAUTH_URL = 'https://app.asana.com';

export interface AsanaOAuthOptions {
  clientId: string;
  clientSecret: string;
  /** `${PUBLIC_URL}/oauth/asana/callback`, registered on the Asana app. */
  redirectUri: string;
  /** Base of /-/oauth_authorize and /-/oauth_token (ASANA_OAUTH_URL; default https://app.asana.com). */
  oauthUrl?: string | null;
  /** Base of the REST API, for /users/me when the token answer names no user. */
  apiUrl?: string | null;
  /** Space-separated granular scopes (ASANA_OAUTH_SCOPES); null for an app with full permissions. */
  scopes?: string | null;
  /** ASANA_ACCESS_TOKEN, still used while no OAuth connection exists (or it is broken). */
  personalAccessToken?: string | null;
  connections: ConnectionStore;
  now: () => Date;
  onBroken?: (provider: string, reason: string) => void;
}

interface TokenAnswer {
  access_token?: string;
  refresh_token?: string;
  expires_in?: number;
  data?: { gid?: string; id?: number | string; name?: string; email?: string };
}

export function createAsanaOAuth(options: AsanaOAuthOptions): { connector: OAuthConnector; auth: AsanaAuth } {
  const base = (options.oauthUrl || DEFAULT_OAUTH_URL).replace(/\/+$/, '');
  const pat = options.personalAccessToken ?? null;

  async function tokenRequest(what: string, form: Record<string, string>): Promise<TokenAnswer & { access_token: string }> {
    const response = await fetch(`${base}/-/oauth_token`, {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...form, client_id: options.clientId, client_secret: options.clientSecret, redirect_uri: options.redirectUri }).toString(),
      signal: AbortSignal.timeout(15_000),
    }).catch((err: unknown) => {
      throw backendErrorFor(`Asana ${what} failed: ${err instanceof Error ? err.message : 'no answer'}`, null, undefined);
    });
    const text = await response.text();
    // Only Asana's error code goes into the message: the body of a token answer holds tokens.
    if (!response.ok) throw backendErrorFor(`Asana ${what} failed (${response.status})${oauthError(text)}`, response.status, undefined);
    const answer = JSON.parse(text) as TokenAnswer;
    if (!answer.access_token) throw new BackendError(`Asana ${what} answered without an access token`, 'invalid', false);
    return answer as TokenAnswer & { access_token: string };
  }

  const expiry = (answer: TokenAnswer) => new Date(options.now().getTime() + (answer.expires_in ?? 3600) * 1000);

  const session = createOAuthSession({
    provider: ASANA,
    store: options.connections,
    now: options.now,
    refresh: async (refreshToken): Promise<RefreshedTokens> => {
      const answer = await tokenRequest('token refresh', { grant_type: 'refresh_token', refresh_token: refreshToken });
      return { accessToken: answer.access_token, refreshToken: answer.refresh_token ?? refreshToken, expiresAt: expiry(answer) };
    },
    ...(options.onBroken ? { onBroken: options.onBroken } : {}),
  });

  /** The user the token acts as, when the token answer does not say (it normally does, in `data`). */
  async function me(accessToken: string): Promise<TokenAnswer['data']> {
    const res = await fetch(`${(options.apiUrl || `${DEFAULT_OAUTH_URL}/api/1.0`).replace(/\/+$/, '')}/users/me`, {
      headers: { Authorization: `Bearer ${accessToken}`, Accept: 'application/json' },
      signal: AbortSignal.timeout(15_000),
    });
    if (!res.ok) throw backendErrorFor(`Asana users/me failed (${res.status})`, res.status, undefined);
    return ((await res.json()) as { data?: TokenAnswer['data'] }).data;
  }

  const connector: OAuthConnector = {
    label: 'Asana',
    accountNoun: 'user',
    idNoun: 'user gid',
    whileDisconnected: pat
      ? 'duebot reads Asana with `ASANA_ACCESS_TOKEN` again until an approver runs `/invoices connect asana`.'
      : 'Milestones from Asana cannot be read until an approver runs `/invoices connect asana`.',
    authorizeUrl(state) {
      const params = new URLSearchParams({ client_id: options.clientId, redirect_uri: options.redirectUri, response_type: 'code', state });
      if (options.scopes) params.set('scope', options.scopes);
      return `${base}/-/oauth_authorize?${params.toString()}`;
    },
    async exchange(query) {
      const answer = await tokenRequest('token exchange', { grant_type: 'authorization_code', code: query.get('code') ?? '' });
      if (!answer.refresh_token) throw new BackendError('Asana token exchange answered without a refresh token', 'invalid', false);
      const user = answer.data?.gid || answer.data?.id ? answer.data : await me(answer.access_token);
      const accountId = String(user?.gid ?? user?.id ?? '');
      if (!accountId) throw new BackendError('Asana did not say which user connected', 'invalid', false);
      return {
        tokens: { accountId, accessToken: answer.access_token, refreshToken: answer.refresh_token, expiresAt: expiry(answer) },
        accountName: user?.name || user?.email || null,
      };
    },
  };

  const auth: AsanaAuth = {
    async token() {
      const connection = await options.connections.get(ASANA).catch(() => null);
      if (connection?.status === 'active') {
        try {
          return (await session.tokens()).accessToken;
        } catch (err) {
          // Refresh refused just now (the connection is broken from here on): the personal token still works.
          if (pat && err instanceof BackendError && err.code === 'not_connected') return pat;
          throw toolError(err);
        }
      }
      if (pat) return pat;
      throw new ProjectToolError(
        connection
          ? `the Asana connection needs reconnecting (${connection.lastError ?? 'refresh failed'}): an approver runs \`/invoices connect asana\``
          : 'Asana is not connected: an approver runs `/invoices connect asana` (or set ASANA_ACCESS_TOKEN)',
        'auth',
        false,
      );
    },
    async refused(token) {
      if (token === pat) return null;
      const current = await options.connections.get(ASANA).catch(() => null);
      if (current?.status !== 'active') return pat;
      try {
        // Refreshes unless another call already did since `token` was read (then that token is used).
        return (await session.refresh({ ...current, accessToken: token })).accessToken;
      } catch (err) {
        if (pat && err instanceof BackendError && err.code === 'not_connected') return pat;
        throw toolError(err);
      }
    },
    async broken(token, reason) {
      if (token !== pat) await session.broken(reason);
    },
    async succeeded(token) {
      if (token !== pat) await options.connections.markSuccess(ASANA, options.now());
    },
  };
  return { connector, auth };
}

/** `{"error":"invalid_grant"}` → ": invalid_grant" (never the rest of the body). */
function oauthError(body: string): string {
  try {
    const code = (JSON.parse(body) as { error?: unknown }).error;
    return typeof code === 'string' && /^[a-z_]{1,64}$/.test(code) ? `: ${code}` : '';
  } catch {
    return '';
  }
}

function toolError(err: unknown): ProjectToolError {
  if (err instanceof ProjectToolError) return err;
  if (err instanceof BackendError) {
    const code = err.code === 'not_connected' || err.code === 'auth' ? 'auth' : err.code === 'rate_limited' ? 'rate_limited' : err.retryable ? 'unavailable' : 'invalid';
    return new ProjectToolError(err.message, code, err.retryable, null, err.status);
  }
  return new ProjectToolError(`Asana token: ${err instanceof Error ? err.message : String(err)}`, 'unavailable', true);
}

/** The Asana OAuth wiring when ASANA_CLIENT_ID/SECRET are set (and tokens can be sealed), else null. */
export function buildAsanaOAuth(
  config: Pick<Config, 'asana'>,
  wiring: { connections: ConnectionStore | null; publicUrl: string },
  now: () => Date,
  onBroken: (provider: string, reason: string) => void,
): { connector: OAuthConnector; auth: AsanaAuth } | null {
  const oauth = config.asana.oauth;
  if (!oauth || !wiring.connections) return null;
  return createAsanaOAuth({
    ...oauth,
    redirectUri: `${wiring.publicUrl}/oauth/asana/callback`,
    apiUrl: config.asana.apiUrl,
    personalAccessToken: config.asana.accessToken,
    connections: wiring.connections,
    now,
    onBroken,
  });
}
