import { createHash, randomBytes } from 'node:crypto';
import { accountPhrase, confirmAccountMessage, connectedNotice, decidedAccountMessage } from '../../blocks/backend-connect.js';
import { ownValue } from '../own-key.js';
import { who } from '../../blocks/format.js';
import type { OAuthConnector } from '../providers/invoicing/build-backends.js';
import type { Services } from '../services.js';
import { audit } from '../store/audit.js';
import { createLink, createState, LINK_TTL_MS, PENDING_TTL_MS, purgeExpiredConnectFlows, spendLink, spendState } from '../store/oauth-flow.js';
import { connectionHealth } from './connection-health.js';
import { offerAccountChoice, type AccountChoicePage } from './choose-account.js';
import type { ConnectionTokens } from '../store/connections.js';

/**
 * Connecting an accounting back-end is an approver's act: `/invoices connect <back-end>` DMs a one-time
 * link bound to the approver; the link starts the OAuth consent bound to the browser that opened it;
 * the callback connects the account, or, when it is another account than the one in use, waits for
 * an approver's confirmation in the billing channel. Every step is audit-logged.
 */

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const connectorOf = (services: Services, provider: string): OAuthConnector | null => ownValue(services.oauth.connectors, provider) ?? null;
const record = (services: Services, actor: string, action: string, details: Record<string, unknown>) =>
  audit(services.db.pool, { invoiceId: null, actor: `slack:${actor}`, action, details }, services.clock.now());
const again = (provider: string) => `an approver runs \`/invoices connect ${provider}\` in Slack for a new link`;

/** `/invoices connect <back-end>` (the caller checked the approver): DMs the link, answers what happened. */
export async function sendConnectLink(services: Services, provider: string, userId: string): Promise<string> {
  const connector = connectorOf(services, provider);
  if (!connector) return `${provider} is not configured here.`;
  const now = services.clock.now();
  await purgeExpiredConnectFlows(services.db.pool, now);
  const token = randomBytes(32).toString('base64url');
  await createLink(services.db.pool, { tokenHash: sha256(token), provider, slackUserId: userId }, now);
  const url = `${services.oauth.publicUrl}/oauth/${provider}/start?link=${token}`;
  const minutes = LINK_TTL_MS / 60_000;
  const sent = await services.slack.post(userId, {
    text: `Open this link within ${minutes} minutes to connect ${connector.label}. It works once, only for you; do not share it: ${url}`,
  });
  if (!sent) return `I couldn't send you a DM with the link; please try again.`;
  await record(services, userId, 'backend_connect_link_sent', { provider });
  return `I sent you a DM with a one-time link to connect ${connector.label} (valid ${minutes} minutes).`;
}

export type ConsentStart = { ok: true; redirectTo: string; browserNonce: string } | { ok: false; status: 403 | 404; error: string };

/** `/oauth/<provider>/start?link=…`: spends the link and starts a consent bound to this browser. */
export async function startConsent(services: Services, provider: string, linkToken: string | null): Promise<ConsentStart> {
  const connector = connectorOf(services, provider);
  if (!connector || !services.oauth.connections) return { ok: false, status: 404, error: `${provider} is not configured` };
  if (!linkToken) return { ok: false, status: 403, error: `connecting takes a one-time link: ${again(provider)}` };
  const now = services.clock.now();
  const userId = await spendLink(services.db.pool, sha256(linkToken), provider, now);
  if (!userId) return { ok: false, status: 403, error: `this link is unknown, already used or expired: ${again(provider)}` };
  if (!services.access.isApprover(userId)) return { ok: false, status: 403, error: 'only approvers connect accounts' };
  await purgeExpiredConnectFlows(services.db.pool, now);
  const state = randomBytes(24).toString('base64url');
  const browserNonce = randomBytes(32).toString('base64url');
  await createState(services.db.pool, { state, provider, slackUserId: userId, browserHash: sha256(browserNonce) }, now);
  return { ok: true, redirectTo: connector.authorizeUrl(state), browserNonce };
}

export type ConsentEnd = { ok: true; page: string; choose?: AccountChoicePage } | { ok: false; status: 400 | 403 | 404 | 502; error: string };

/** `/oauth/<provider>/callback`: checks the state and the browser, exchanges the code, connects or asks for confirmation. */
export async function finishConsent(services: Services, provider: string, query: URLSearchParams, browserNonce: string | null): Promise<ConsentEnd> {
  const connector = connectorOf(services, provider);
  const connections = services.oauth.connections;
  if (!connector || !connections) return { ok: false, status: 404, error: `${provider} is not configured` };
  if (!browserNonce) return { ok: false, status: 403, error: 'this browser did not open the connect link; finish in the browser that opened it' };
  // Spent even when what follows fails: a state is good for one try.
  const spent = await spendState(services.db.pool, query.get('state') ?? '', provider, sha256(browserNonce), services.clock.now());
  if (spent.outcome === 'other_browser') return { ok: false, status: 403, error: 'this browser did not open the connect link; finish in the browser that opened it' };
  if (spent.outcome === 'unknown') return { ok: false, status: 400, error: `unknown or expired state: ${again(provider)}` };
  const userId = spent.slackUserId;
  if (!services.access.isApprover(userId)) return { ok: false, status: 403, error: 'only approvers connect accounts' };
  if (query.get('error')) return { ok: false, status: 400, error: `${connector.label} refused the connection: ${query.get('error')}` };
  if (!query.get('code')) return { ok: false, status: 400, error: 'the callback carries no code' };

  let exchanged: Awaited<ReturnType<OAuthConnector['exchange']>>;
  try {
    exchanged = await connector.exchange(query);
  } catch (err) {
    services.log.warn({ provider, err: err instanceof Error ? err.message : String(err) }, 'oauth code exchange failed');
    return { ok: false, status: 502, error: `could not finish connecting ${connector.label}; ${again(provider)}` };
  }
  if (exchanged.choices && exchanged.choices.length > 1) return offerAccountChoice(services, connector, provider, userId, browserNonce, exchanged);
  return connectAccount(services, connector, provider, userId, exchanged.tokens, exchanged.accountName);
}

/** The consent's account is known (one authorised, or the approver's pick): connect it, or ask the channel when it replaces another. */
export async function connectAccount(
  services: Services,
  connector: OAuthConnector,
  provider: string,
  userId: string,
  tokens: ConnectionTokens,
  accountName: string | null,
): Promise<ConsentEnd> {
  const connections = services.oauth.connections!;
  const next = { accountId: tokens.accountId, accountName };
  const now = services.clock.now();
  const current = await connections.account(provider);
  if (!current || current.accountId === tokens.accountId) {
    await connections.saveTokens(provider, tokens, now, accountName);
    await record(services, userId, 'backend_connected', { provider, ...next });
    services.log.info({ provider, account: tokens.accountId }, 'accounting back-end connected');
    connectionHealth(services).connected(provider, connectedNotice(connector, userId, next));
    return { ok: true, page: `${connector.label} ${plainAccount(connector, next)} is connected. You can close this tab.` };
  }
  const pendingId = randomBytes(16).toString('base64url');
  await connections.savePending({ id: pendingId, provider, requestedBy: userId, accountName }, tokens, now);
  await record(services, userId, 'backend_connect_pending', { provider, ...next, current });
  const ts = await services.slack.post(services.settings.billingChannelId, confirmAccountMessage(connector, { pendingId, by: userId, current, next }));
  if (ts) await connections.setPendingMessage(pendingId, ts);
  return {
    ok: true,
    page: `${connector.label} ${plainAccount(connector, next)} is another ${connector.accountNoun} than the one in use (${plainAccount(connector, current)}). It is awaiting an approver's confirmation in Slack; nothing uses it until then. You can close this tab.`,
  };
}

/** For the browser page (HTML-escaped there, not mrkdwn). */
function plainAccount(connector: OAuthConnector, account: { accountId: string; accountName: string | null }): string {
  return `${connector.accountNoun}${account.accountName ? ` “${account.accountName}”` : ''} (${connector.idNoun} ${account.accountId})`;
}

/** **Use the new company** (the caller checked the approver): the pending tokens replace the active ones. Returns a note for the clicker, or null. */
export async function confirmPendingConnection(services: Services, pendingId: string, userId: string): Promise<string | null> {
  const connections = services.oauth.connections;
  const now = services.clock.now();
  const notBefore = new Date(now.getTime() - PENDING_TTL_MS);
  const pending = connections ? await connections.pending(pendingId, notBefore) : null;
  const connector = pending ? connectorOf(services, pending.provider) : null;
  if (!connections || !pending || !connector) return 'This connection is no longer waiting (decided, replaced or expired); nothing changed.';
  const previous = await connections.account(pending.provider);
  if (!(await connections.activatePending(pendingId, notBefore, now))) return 'This connection is no longer waiting (decided, replaced or expired); nothing changed.';
  const next = { accountId: pending.accountId, accountName: pending.accountName };
  await record(services, userId, 'backend_account_confirmed', { provider: pending.provider, ...next, previous, requestedBy: pending.requestedBy });
  const instead = previous ? ` instead of ${accountPhrase(connector, previous)}` : '';
  const text = `:white_check_mark: ${who(userId)} confirmed: ${connector.label} now uses ${accountPhrase(connector, next)}${instead} (connected by ${who(pending.requestedBy)}).`;
  if (pending.messageTs) await services.slack.update(services.settings.billingChannelId, pending.messageTs, decidedAccountMessage(text));
  connectionHealth(services).connected(pending.provider, `${text} Held invoices go out now.`);
  return null;
}

/** **Keep the current one** (the caller checked the approver): the pending tokens are discarded. */
export async function cancelPendingConnection(services: Services, pendingId: string, userId: string): Promise<string | null> {
  const connections = services.oauth.connections;
  const pending = connections ? await connections.pending(pendingId, new Date(0)) : null;
  const connector = pending ? connectorOf(services, pending.provider) : null;
  if (!connections || !pending || !connector || !(await connections.discardPending(pendingId)))
    return 'This connection is no longer waiting (decided, replaced or expired); nothing changed.';
  const next = { accountId: pending.accountId, accountName: pending.accountName };
  await record(services, userId, 'backend_account_kept', { provider: pending.provider, discarded: next, requestedBy: pending.requestedBy });
  const current = await connections.account(pending.provider);
  const kept = current ? accountPhrase(connector, current) : 'no account';
  const text = `:no_entry_sign: ${who(userId)} kept ${connector.label} ${kept}; the connection to ${accountPhrase(connector, next)} was discarded.`;
  const updated = pending.messageTs ? await services.slack.update(services.settings.billingChannelId, pending.messageTs, decidedAccountMessage(text)) : false;
  if (!updated) await services.slack.post(services.settings.billingChannelId, { text });
  return null;
}

/** `/invoices disconnect <back-end>` (the caller checked the approver): deletes the tokens; that back-end's invoices are held. */
export async function disconnectBackend(services: Services, provider: string, userId: string): Promise<string> {
  const connector = connectorOf(services, provider);
  const connections = services.oauth.connections;
  if (!connector || !connections) return `${provider} is not configured here.`;
  const removed = await connections.remove(provider);
  if (!removed) return `${connector.label} is not connected; nothing to disconnect.`;
  await record(services, userId, 'backend_disconnected', { provider, ...removed });
  const what = `${connector.label} ${accountPhrase(connector, removed)}`;
  await services.slack.post(services.settings.billingChannelId, {
    text: `:electric_plug: ${who(userId)} disconnected ${what}. ${connector.whileDisconnected ?? `Invoices for ${connector.label} clients are held until an approver runs \`/invoices connect ${provider}\`.`}`,
  });
  return `Disconnected ${what}.`;
}
