import { localeOr } from '../domain/locale.js';
import { DAY_MS, localDate } from '../domain/calendar.js';
import { buildClientPage, RECENTLY_PAID_DAYS, type ClientPageModel } from '../domain/client-page.js';
import { looksLikeToken, newSalt, sameToken, tokenFor, tokenHash } from '../domain/client-page-token.js';
import { audit } from '../store/audit.js';
import { clientPageInvoices } from '../store/client-invoices.js';
import { insertFirstLink, insertLink, liveLinkByHash, liveLinkOf, revokeLiveLink, type PageLink } from '../store/client-page-links.js';
import { findClientByIdOrName, getClient, getClientForUpdate, type StoredClient } from '../store/clients.js';
import { withTransaction } from '../store/db.js';
import type { Services } from '../services.js';

/**
 * The client page (docs/client-page.md): which client a token opens, what the page shows, the link
 * every email carries, and an approver's revoke / new link. Off unless the client has `clientPage`
 * and the bot has ENCRYPTION_KEY (tokens are made with it) and PUBLIC_URL (the links' base).
 */

/** The client a token opens, or null for anything else: unknown, revoked, made with another key, or a client whose page is off. */
export async function clientForToken(services: Services, token: string): Promise<StoredClient | null> {
  const key = services.clientPage?.key;
  if (!key || !looksLikeToken(token)) return null;
  const link = await liveLinkByHash(services.db.pool, tokenHash(token));
  if (!link || !sameToken(token, tokenFor(key, link.salt))) return null;
  const client = await getClient(services.db.pool, link.clientId);
  return client?.clientPage ? client : null;
}

export async function clientPageFor(services: Services, client: StoredClient): Promise<ClientPageModel> {
  const now = services.clock.now();
  const tz = services.settings.timezone;
  // A day more than the page shows, so the time zone never cuts off a payment on the 90th day; the domain filters exactly.
  const rows = await clientPageInvoices(services.db.pool, client.id, new Date(now.getTime() - (RECENTLY_PAID_DAYS + 1) * DAY_MS));
  return buildClientPage({
    clientName: client.name,
    businessName: services.settings.businessName,
    locale: localeOr(client.locale),
    today: localDate(now, tz),
    invoices: rows.map((r) => ({ ...r, paidOn: r.paidAt ? localDate(r.paidAt, tz) : null })),
  });
}

/** The page link for the client's emails, or null (page off, no key or base URL, or revoked until an approver makes a new one). */
export async function clientPageUrl(services: Services, client: { id: string; clientPage?: boolean }): Promise<string | null> {
  const settings = services.clientPage;
  if (!client.clientPage || !settings?.key || !settings.publicUrl) return null;
  const link = (await liveLinkOf(services.db.pool, client.id)) ?? (await insertFirstLink(services.db.pool, freshLink(settings.key, client.id), services.clock.now()));
  return link ? urlOf(settings.publicUrl, tokenFor(settings.key, link.salt)) : null;
}

const freshLink = (key: Buffer, clientId: string): PageLink => {
  const salt = newSalt();
  return { clientId, salt, tokenHash: tokenHash(tokenFor(key, salt)) };
};

const urlOf = (publicUrl: string, token: string) => `${publicUrl.replace(/\/+$/, '')}/c/${token}`;

export type LinkAction = 'show' | 'new' | 'revoke';

export type LinkOutcome =
  | { ok: true; client: StoredClient; action: LinkAction; url: string | null; revoked: boolean }
  | { ok: false; reason: 'unknown_client' | 'page_off' | 'not_configured'; client?: StoredClient };

/**
 * `/invoices client-link <client> show|new|revoke` (approvers): new revokes the live link and makes
 * another, under the client's row lock so two approvers at once still leave one live link; audit-logged.
 */
export async function manageClientPageLink(services: Services, clientText: string, action: LinkAction, by: string): Promise<LinkOutcome> {
  const settings = services.clientPage;
  const found = await findClientByIdOrName(services.db.pool, clientText, { includeImported: false });
  if (!found) return { ok: false, reason: 'unknown_client' };
  if (!found.clientPage) return { ok: false, reason: 'page_off', client: found };
  if (!settings?.key || !settings.publicUrl) return { ok: false, reason: 'not_configured', client: found };
  if (action === 'show') return { ok: true, client: found, action, url: await clientPageUrl(services, found), revoked: false };
  const key = settings.key;
  const now = services.clock.now();
  const outcome = await withTransaction(services.db.pool, async (tx) => {
    await getClientForUpdate(tx, found.id);
    const revoked = await revokeLiveLink(tx, found.id, by, now);
    const link = action === 'new' ? freshLink(key, found.id) : null;
    if (link) await insertLink(tx, link, by, now);
    await audit(tx, { invoiceId: null, actor: by, action: action === 'new' ? 'client_page_link_new' : 'client_page_link_revoked', details: { client: found.id, revoked } }, now);
    return { revoked, url: link ? urlOf(settings.publicUrl!, tokenFor(key, link.salt)) : null };
  });
  services.log.info({ client: found.id, action, by }, 'client page link changed');
  return { ok: true, client: found, action, ...outcome };
}
