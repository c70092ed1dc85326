import { backendErrorFor, BackendError } from './errors.js';
import type { RefreshedTokens } from './oauth-session.js';
import { isZohoDataCentre, zohoHosts, type ZohoDataCentre } from './zoho-dc.js';

/**
 * Zoho Accounts' OAuth 2.0 (the code grant) against one data centre's accounts server. The token
 * endpoint answers some failures with HTTP 200 and `{"error":"invalid_code"}` (a spent code or a
 * revoked refresh token), so the body is checked, not only the status. Refresh tokens do not expire
 * and are not rotated; a user holds at most 20, the oldest evicted by a 21st.
 */

/** Read only what duebot uses: invoices, contacts, payments (read), credit notes, and settings for /organizations and currencies. */
export const ZOHO_SCOPES = [
  'ZohoInvoice.invoices.CREATE',
  'ZohoInvoice.invoices.READ',
  'ZohoInvoice.invoices.UPDATE',
  'ZohoInvoice.contacts.CREATE',
  'ZohoInvoice.contacts.READ',
  'ZohoInvoice.customerpayments.READ',
  'ZohoInvoice.creditnotes.CREATE',
  'ZohoInvoice.creditnotes.READ',
  'ZohoInvoice.creditnotes.UPDATE',
  'ZohoInvoice.settings.READ',
].join(',');

export interface ZohoOAuthOptions {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** Replaces every DC host (tests): `<baseUrl>/<dc>/oauth/v2/…`, `<baseUrl>/<dc>/invoice/v3/…`. */
  baseUrl: string | null;
  now: () => Date;
}

/**
 * The data centre travels with the refresh token inside the sealed value the connection store keeps,
 * so a pending connection activated later, or a refresh, always uses the DC it was issued by.
 */
export function packZohoRefreshToken(dc: ZohoDataCentre, refreshToken: string): string {
  return `zoho-dc=${dc};${refreshToken}`;
}

export function unpackZohoRefreshToken(stored: string): { dc: ZohoDataCentre; refreshToken: string } {
  const match = /^zoho-dc=([a-z]{2});([\s\S]*)$/.exec(stored);
  if (!match || !isZohoDataCentre(match[1]!))
    throw new BackendError('the stored Zoho connection names no data centre: an approver reconnects with `/invoices connect zoho`', 'not_connected', false);
  return { dc: match[1], refreshToken: match[2]! };
}

export function zohoAuthorizeUrl(options: ZohoOAuthOptions, state: string): string {
  // Consent always starts at the US accounts server; Zoho sends the user on to their own DC.
  const params = new URLSearchParams({
    scope: ZOHO_SCOPES,
    client_id: options.clientId,
    response_type: 'code',
    redirect_uri: options.redirectUri,
    access_type: 'offline',
    // A refresh token only comes with the first consent unless consent is asked for again.
    prompt: 'consent',
    state,
  });
  return `${zohoHosts('us', options.baseUrl).accounts}/oauth/v2/auth?${params.toString()}`;
}

interface TokenAnswer {
  access_token?: string;
  refresh_token?: string;
  expires_in?: number;
  api_domain?: string;
  error?: string;
  error_description?: string;
}

async function tokenRequest(options: ZohoOAuthOptions, dc: ZohoDataCentre, form: Record<string, string>, what: string): Promise<TokenAnswer & { access_token: string }> {
  const url = `${zohoHosts(dc, options.baseUrl).accounts}/oauth/v2/token`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...form, client_id: options.clientId, client_secret: options.clientSecret }).toString(),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    throw backendErrorFor(`Zoho ${what} failed: ${err instanceof Error ? err.message : 'no answer'}`, null, undefined);
  }
  const data = (await response.json().catch(() => ({}))) as TokenAnswer;
  if (response.ok && data.access_token && !data.error) return data as TokenAnswer & { access_token: string };
  const reason = typeof data.error === 'string' ? data.error.slice(0, 100) : `HTTP ${response.status}`;
  // Zoho Accounts throttles token requests with "Access Denied" / "too many requests": retry later, not a broken connection.
  if (/too many requests/i.test(String(data.error_description ?? '')) || response.status === 429) {
    throw backendErrorFor(`Zoho ${what} was throttled: ${reason}`, 429, undefined);
  }
  // invalid_code (a spent code, a revoked refresh token), invalid_client: only a reconnect helps.
  const status = response.ok ? 400 : response.status;
  throw backendErrorFor(`Zoho ${what} was refused: ${reason}`, status >= 500 ? status : 400, undefined);
}

/** The consent's code → tokens, at the DC's accounts server. */
export async function exchangeZohoCode(options: ZohoOAuthOptions, dc: ZohoDataCentre, code: string): Promise<RefreshedTokens> {
  const data = await tokenRequest(options, dc, { grant_type: 'authorization_code', code, redirect_uri: options.redirectUri }, 'code exchange');
  if (!data.refresh_token) throw new BackendError('Zoho gave no refresh token (consent without access_type=offline)', 'invalid', false);
  return {
    accessToken: data.access_token,
    refreshToken: packZohoRefreshToken(dc, data.refresh_token),
    expiresAt: new Date(options.now().getTime() + (data.expires_in ?? 3600) * 1000),
  };
}

/** A new access token; the refresh token (with its DC) stays what it was. */
export async function refreshZohoToken(options: ZohoOAuthOptions, stored: string): Promise<RefreshedTokens> {
  const { dc, refreshToken } = unpackZohoRefreshToken(stored);
  const data = await tokenRequest(options, dc, { grant_type: 'refresh_token', refresh_token: refreshToken }, 'token refresh');
  return { accessToken: data.access_token, refreshToken: stored, expiresAt: new Date(options.now().getTime() + (data.expires_in ?? 3600) * 1000) };
}
