import { createHash, randomBytes } from 'node:crypto';
import type { OAuthConnector } from '../providers/invoicing/build-backends.js';
import type { Services } from '../services.js';
import type { ConnectedAccount } from '../store/connections.js';
import { ownValue } from '../own-key.js';
import { connectAccount, type ConsentEnd } from './connect-backend.js';

/**
 * When one consent reaches several accounts (a Zoho user with several organizations), the approver
 * picks one on a page in the same browser, inside the same bound flow: the tokens wait sealed under a
 * one-time token that only the browser holding the flow's cookie can spend, and only an account the
 * provider listed can be picked. Then it goes on as any connect (connectAccount: confirm a change).
 */

export interface AccountChoiceOffer {
  /** One-time token the pick must carry (in the form, never in a URL). */
  token: string;
  accounts: ConnectedAccount[];
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export async function offerAccountChoice(
  services: Services,
  provider: string,
  connector: OAuthConnector,
  userId: string,
  browserNonce: string,
  exchanged: Awaited<ReturnType<OAuthConnector['exchange']>>,
): Promise<ConsentEnd> {
  const store = services.oauth.choices;
  if (!store) return { ok: false, status: 404, error: `${provider} is not configured` };
  const token = randomBytes(32).toString('base64url');
  const accounts = (exchanged.choices ?? []).map((a) => ({ accountId: a.accountId, accountName: a.accountName }));
  const { accountId: _unpicked, ...tokens } = exchanged.tokens;
  await store.save({ tokenHash: sha256(token), browserHash: sha256(browserNonce), provider, slackUserId: userId, accounts, tokens }, services.clock.now());
  return {
    ok: true,
    page: `This ${connector.label} login reaches ${accounts.length} ${connector.accountNoun === 'company' ? 'companies' : `${connector.accountNoun}s`}. Choose the one duebot invoices from:`,
    choose: { token, accounts },
  };
}

/** `POST /oauth/<provider>/choose`: spends the choice for this browser and connects the picked account. */
export async function finishAccountChoice(services: Services, provider: string, token: string, accountId: string, browserNonce: string | null): Promise<ConsentEnd> {
  const connector = ownValue(services.oauth.connectors, provider) ?? null;
  const store = services.oauth.choices;
  if (!connector || !store || !services.oauth.connections) return { ok: false, status: 404, error: `${provider} is not configured` };
  if (!browserNonce) return { ok: false, status: 403, error: 'this browser did not open the connect link; finish in the browser that opened it' };
  const choice = token ? await store.take(sha256(token), provider, sha256(browserNonce), services.clock.now()) : null;
  if (!choice)
    return { ok: false, status: 400, error: `this choice is unknown, already made or expired: an approver runs \`/invoices connect ${provider}\` in Slack for a new link` };
  if (!services.access.isApprover(choice.slackUserId)) return { ok: false, status: 403, error: 'only approvers connect accounts' };
  const picked = choice.accounts.find((a) => a.accountId === accountId);
  if (!picked) return { ok: false, status: 400, error: `that ${connector.accountNoun} was not one offered; an approver runs \`/invoices connect ${provider}\` again` };
  return connectAccount(services, provider, connector, choice.slackUserId, { ...choice.tokens, accountId: picked.accountId }, picked.accountName);
}
