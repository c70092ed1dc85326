import { BackendError, backendErrorFor } from './errors.js';
import type { RefreshedTokens } from './oauth-session.js';

/**
 * Wave's OAuth 2.0 authorization-code flow (developer.waveapps.com "OAuth Guide"): the consent page at
 * `/oauth2/authorize/`, the token endpoint at `/oauth2/token/` taking a form body with the client
 * credentials. Scopes are `resource:operation` and write does not imply read, so each is asked for.
 */
export const WAVE_AUTHORIZE_URL = 'https://api.waveapps.com/oauth2/authorize/';
export const WAVE_TOKEN_URL = 'https://api.waveapps.com/oauth2/token/';
export const WAVE_SCOPES = ['business:read', 'customer:*', 'invoice:*', 'product:*', 'account:*'];

export interface WaveOAuthOptions {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  authorizeUrl?: string | null;
  tokenUrl?: string | null;
  now: () => Date;
}

interface TokenAnswer {
  access_token?: string;
  refresh_token?: string;
  expires_in?: number;
}

export function waveAuthorizeUrl(options: WaveOAuthOptions, state: string): string {
  const params = new URLSearchParams({
    client_id: options.clientId,
    response_type: 'code',
    scope: WAVE_SCOPES.join(' '),
    redirect_uri: options.redirectUri,
    state,
  });
  return `${options.authorizeUrl ?? WAVE_AUTHORIZE_URL}?${params.toString()}`;
}

/**
 * One call to the token endpoint. A refused grant answers 400 (`invalid_grant`), which the OAuth
 * session reads as "reconnect needed". Where a refresh answer carries no new refresh token, the old
 * one stays in use (whether Wave rotates them is unconfirmed; the stand-in rotates, as OAuth servers
 * built on django-oauth-toolkit do by default).
 */
async function tokenRequest(options: WaveOAuthOptions, grant: Record<string, string>, keepRefresh: string | null): Promise<RefreshedTokens> {
  const what = grant.grant_type === 'refresh_token' ? 'token refresh' : 'token exchange';
  let response: Response;
  try {
    response = await fetch(options.tokenUrl ?? WAVE_TOKEN_URL, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: new URLSearchParams({ client_id: options.clientId, client_secret: options.clientSecret, ...grant }).toString(),
    });
  } catch (err) {
    throw backendErrorFor(`Wave ${what} failed: ${err instanceof Error ? err.message : 'no answer'}`, null, undefined);
  }
  if (!response.ok) throw backendErrorFor(`Wave ${what} failed (${response.status})`, response.status, undefined);
  const data = (await response.json().catch(() => ({}))) as TokenAnswer;
  const refreshToken = data.refresh_token ?? keepRefresh;
  if (!data.access_token || !refreshToken) throw new BackendError(`Wave ${what} answered without tokens`, 'invalid', false);
  // Wave's lifetime is unconfirmed (about 2 hours is reported): read it, assume an hour when absent.
  const seconds = typeof data.expires_in === 'number' && data.expires_in > 0 ? data.expires_in : 3600;
  return { accessToken: data.access_token, refreshToken, expiresAt: new Date(options.now().getTime() + seconds * 1000) };
}

export function exchangeWaveCode(options: WaveOAuthOptions, code: string): Promise<RefreshedTokens> {
  return tokenRequest(options, { grant_type: 'authorization_code', code, redirect_uri: options.redirectUri }, null);
}

export function refreshWaveToken(options: WaveOAuthOptions, refreshToken: string): Promise<RefreshedTokens> {
  return tokenRequest(options, { grant_type: 'refresh_token', refresh_token: refreshToken, redirect_uri: options.redirectUri }, refreshToken);
}
