import { BackendError, backendErrorFor } from './errors.js';
import type { RefreshedTokens } from './oauth-session.js';

/**
 * Xero's identity side, spoken with fetch: xero-node's token calls post to a hard-coded
 * https://identity.xero.com/connect/token and its tenant listing to https://api.xero.com/connections,
 * and its consent helpers run OpenID discovery there, so none can be pointed at a local stand-in.
 * The Accounting API itself goes through the SDK (xero.ts).
 */

/**
 * Granular scopes of apps created since 2 March 2026 (older apps may still use accounting.transactions:
 * XERO_SCOPES). offline_access gives the refresh token; settings.read reads tax rates.
 */
export const XERO_DEFAULT_SCOPES = 'offline_access accounting.invoices accounting.payments.read accounting.contacts accounting.settings.read';

export interface XeroIdentityOptions {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** Token endpoint host: https://identity.xero.com. */
  identityUrl: string;
  /** Consent page host: https://login.xero.com. */
  loginUrl: string;
  /** Tenant listing: https://api.xero.com/connections. */
  connectionsUrl: string;
  scopes: string;
  now: () => Date;
}

/** One organisation the app is connected to (GET /connections). */
export interface XeroTenant {
  /** The connection's id (DELETE /connections/{id} disconnects it). */
  id: string;
  authEventId: string | null;
  tenantId: string;
  tenantType: string;
  tenantName: string | null;
}

export function xeroAuthorizeUrl(options: XeroIdentityOptions, state: string): string {
  const params = new URLSearchParams({ response_type: 'code', client_id: options.clientId, redirect_uri: options.redirectUri, scope: options.scopes, state });
  return `${options.loginUrl}/identity/connect/authorize?${params.toString()}`;
}

/** POST /connect/token (code or refresh grant). 400 invalid_grant = the refresh token is dead. */
export async function xeroTokenRequest(options: XeroIdentityOptions, form: Record<string, string>): Promise<RefreshedTokens> {
  const response = await fetch(`${options.identityUrl}/connect/token`, {
    method: 'POST',
    headers: {
      Accept: 'application/json',
      'Content-Type': 'application/x-www-form-urlencoded',
      Authorization: `Basic ${Buffer.from(`${options.clientId}:${options.clientSecret}`).toString('base64')}`,
    },
    body: new URLSearchParams(form).toString(),
    signal: AbortSignal.timeout(30_000),
  }).catch((err: unknown) => {
    throw backendErrorFor(`Xero token request failed: ${err instanceof Error ? err.message : 'no answer'}`, null, undefined);
  });
  // The body is never quoted: it may carry tokens. Xero's error code alone ("invalid_grant") is safe.
  const data = (await response.json().catch(() => ({}))) as { access_token?: string; refresh_token?: string; expires_in?: number; error?: string };
  if (!response.ok) throw backendErrorFor(`Xero token request failed (${response.status}${data.error ? ` ${String(data.error).slice(0, 40)}` : ''})`, response.status, undefined);
  if (!data.access_token || !data.refresh_token || typeof data.expires_in !== 'number') {
    throw new BackendError('Xero token endpoint answered without an access token, refresh token (offline_access) or expiry', 'invalid', false);
  }
  return { accessToken: data.access_token, refreshToken: data.refresh_token, expiresAt: new Date(options.now().getTime() + data.expires_in * 1000) };
}

/** GET /connections, limited to the organisations of one consent when its auth event is known. */
export async function xeroTenants(options: XeroIdentityOptions, accessToken: string, authEventId: string | null): Promise<XeroTenant[]> {
  const url = authEventId ? `${options.connectionsUrl}?authEventId=${encodeURIComponent(authEventId)}` : options.connectionsUrl;
  const response = await fetch(url, { headers: { Authorization: `Bearer ${accessToken}`, Accept: 'application/json' }, signal: AbortSignal.timeout(30_000) }).catch(
    (err: unknown) => {
      throw backendErrorFor(`Xero connections request failed: ${err instanceof Error ? err.message : 'no answer'}`, null, undefined);
    },
  );
  if (!response.ok) throw backendErrorFor(`Xero connections request failed (${response.status})`, response.status, undefined);
  const list = (await response.json()) as unknown;
  if (!Array.isArray(list)) throw new BackendError('Xero connections answer is not a list', 'invalid', false);
  return (list as Record<string, unknown>[])
    .filter((c) => typeof c.tenantId === 'string' && typeof c.id === 'string')
    .map((c) => ({
      id: c.id as string,
      authEventId: typeof c.authEventId === 'string' ? c.authEventId : null,
      tenantId: c.tenantId as string,
      tenantType: typeof c.tenantType === 'string' ? c.tenantType : 'ORGANISATION',
      tenantName: typeof c.tenantName === 'string' && c.tenantName ? c.tenantName : null,
    }));
}

/**
 * The organisations this consent authorised: the connections whose authEventId is the access token's
 * `authentication_event_id` (earlier consents' organisations are not the approver's pick now). Without
 * that claim, every organisation connection is offered.
 */
export function tenantsOfConsent(tenants: readonly XeroTenant[], authEventId: string | null): XeroTenant[] {
  return tenants.filter((t) => t.tenantType === 'ORGANISATION' && (authEventId === null || t.authEventId === authEventId));
}

/**
 * A claim of the access token (a JWT), read without verifying it: it came straight from Xero's token
 * endpoint over TLS, and it only narrows which organisations are offered to the approver.
 */
export function accessTokenClaim(token: string, claim: string): string | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const value = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>)[claim];
    return typeof value === 'string' && value ? value : null;
  } catch {
    return null;
  }
}
