import { createHash } from 'node:crypto';
import { ownValue } from '../own-key.js';
import type { AccountChoice, OAuthConnector } from '../providers/invoicing/build-backends.js';
import type { Services } from '../services.js';
import { audit } from '../store/audit.js';
import { connectAccount, type ConsentEnd } from './connect-backend.js';

/**
 * When one consent reaches several accounts (a Wave user with several businesses), the approver picks
 * the account in the same flow: the callback stores the tokens sealed, bound to the approver and the
 * browser that started the consent, and answers a page offering the accounts; the pick comes back as a
 * POST carrying a one-time choice token, accepted only from that browser and only for an account that
 * consent reached (never an id taken on trust from the request). Then it connects as any consent does.
 */

/** What the callback page offers: the one-time token to post back and the accounts to pick from. */
export interface AccountChoicePage {
  action: string;
  token: string;
  options: { id: string; label: string }[];
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const again = (provider: string) => `an approver runs \`/invoices connect ${provider}\` in Slack for a new link`;

export async function askAccountChoice(
  services: Services,
  provider: string,
  connector: OAuthConnector,
  userId: string,
  browserHash: string,
  choice: AccountChoice,
): Promise<ConsentEnd> {
  const store = services.oauth.choices;
  if (!store) return { ok: false, status: 404, error: `${provider} is not configured` };
  const token = await store.save({ provider, slackUserId: userId, browserHash, accounts: choice.choices }, choice.tokens, services.clock.now());
  await audit(
    services.db.pool,
    { invoiceId: null, actor: `slack:${userId}`, action: 'backend_account_choice_offered', details: { provider, accounts: choice.choices.map((a) => a.accountId) } },
    services.clock.now(),
  );
  return {
    ok: true,
    page: `This ${connector.label} login reaches more than one ${connector.accountNoun}: choose the ${connector.accountNoun} duebot invoices from.`,
    choose: {
      action: `${services.oauth.publicUrl}/oauth/${provider}/choose`,
      token,
      options: choice.choices.map((a) => ({ id: a.accountId, label: a.accountName ?? a.accountId })),
    },
  };
}

/** `POST /oauth/<provider>/choose`: the approver's pick, from the browser that ran the consent. */
export async function finishAccountChoice(services: Services, provider: string, token: string | null, accountId: string | null, browserNonce: string | null): Promise<ConsentEnd> {
  const connector = ownValue(services.oauth.connectors, provider) ?? null;
  const store = services.oauth.choices;
  if (!connector || !store || !services.oauth.connections) return { ok: false, status: 404, error: `${provider} is not configured` };
  if (!browserNonce) return { ok: false, status: 403, error: 'this browser did not open the connect link; finish in the browser that opened it' };
  if (!token || !accountId) return { ok: false, status: 400, error: 'choose one of the offered accounts' };
  // Spent on the first try, whatever follows.
  const taken = await store.take(token, provider, sha256(browserNonce), services.clock.now());
  if (!taken) return { ok: false, status: 403, error: `this choice is unknown, already made, expired or from another browser: ${again(provider)}` };
  if (!services.access.isApprover(taken.slackUserId)) return { ok: false, status: 403, error: 'only approvers connect accounts' };
  const account = taken.accounts.find((a) => a.accountId === accountId);
  if (!account) return { ok: false, status: 400, error: `that ${connector.accountNoun} was not offered: ${again(provider)}` };
  return connectAccount(services, provider, connector, taken.slackUserId, { ...taken.tokens, accountId: account.accountId }, account.accountName);
}
