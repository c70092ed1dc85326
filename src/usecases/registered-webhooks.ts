import type { Services } from '../services.js';
import { acceptHandshake, findRegistration, recordDelivery } from '../store/webhook-registrations.js';

/**
 * The webhook routes' side of duebot's own registrations: a handshake is taken only for a registration
 * duebot started (pending, at most 10 minutes old, once), and a delivery is checked against the one
 * registration its `?hook=` token names, so the work per request does not grow with the stored secrets.
 */
export const HANDSHAKE_WINDOW_MS = 10 * 60_000;

/** `?hook=` as sent: one short token, or null (absent, repeated, or not token-shaped). */
export function hookToken(query: unknown): string | null {
  const hook = (query as Record<string, unknown> | undefined)?.hook;
  return typeof hook === 'string' && /^[A-Za-z0-9_-]{16,64}$/.test(hook) ? hook : null;
}

/** Seals and stores the handshake's secret on its registration; false when nothing vouches for it. */
export async function acceptRegisteredHandshake(services: Services, tool: string, token: string | null, secret: string): Promise<boolean> {
  const cipher = services.webhooks.cipher;
  if (!token || !cipher || secret.length === 0 || secret.length > 512) return false;
  const now = services.clock.now();
  return acceptHandshake(services.db.pool, tool, token, cipher.encrypt(secret), new Date(now.getTime() - HANDSHAKE_WINDOW_MS), now);
}

/**
 * The active registration `token` names, its secret unsealed (null when the tool signs with an app-level secret).
 * `pendingToo`: for tools signing with an app-level secret, whose set-up check (monday's challenge) comes while
 * the registration is still pending; the app-level signature is still required for every event.
 */
export async function registeredWebhook(
  services: Services,
  tool: string,
  token: string | null,
  options: { pendingToo?: boolean } = {},
): Promise<{ token: string; secret: string | null; targetUrl: string } | null> {
  const cipher = services.webhooks.cipher;
  if (!token || !cipher) return null;
  const registration = await findRegistration(services.db.pool, tool, token);
  if (!registration || (registration.status !== 'active' && !(options.pendingToo && !registration.sealedSecret))) return null;
  try {
    return { token, secret: registration.sealedSecret ? cipher.decrypt(registration.sealedSecret) : null, targetUrl: registration.targetUrl };
  } catch {
    services.log.warn({ tool, resource: registration.resource }, 'webhook secret does not unseal (ENCRYPTION_KEY changed?): reconnect the resource');
    return null;
  }
}

/** Shown in `/invoices status`: when the registration last brought a verified delivery. */
export async function noteVerifiedDelivery(services: Services, token: string): Promise<void> {
  await recordDelivery(services.db.pool, token, services.clock.now());
}
