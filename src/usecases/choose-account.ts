import { createHash, randomBytes } from 'node:crypto';
import type { OAuthConnector } from '../providers/invoicing/build-backends.js';
import type { Services } from '../services.js';
import type { ConnectedAccount, ConnectionTokens } from '../store/connections.js';
import { saveAccountChoice, spendAccountChoice } from '../store/oauth-choices.js';
import { ownValue } from '../own-key.js';
import { audit } from '../store/audit.js';
import { connectAccount, type ConsentEnd } from './connect-backend.js';

/**
 * One consent may authorise several accounts (a Xero user ticks several organisations). The approver
 * then picks one on the callback page, in the same browser: the choice is bound to the approver who
 * spent the link, to that browser's cookie and to a one-time token in the page, never to a bare
 * parameter; the tokens wait sealed meanwhile. The pick then connects like a single account would.
 */

/** What the callback page shows: the accounts to pick from and the token the pick must carry. */
export interface AccountChoicePage {
  choiceToken: string;
  accounts: ConnectedAccount[];
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export async function offerAccountChoice(
  services: Services,
  connector: OAuthConnector,
  provider: string,
  userId: string,
  browserNonce: string,
  exchanged: { tokens: ConnectionTokens; choices?: ConnectedAccount[] },
): Promise<ConsentEnd> {
  const cipher = services.webhooks.cipher;
  const accounts = exchanged.choices ?? [];
  if (!cipher) return { ok: false, status: 404, error: `${provider} is not configured` };
  const choiceToken = randomBytes(32).toString('base64url');
  const { accountId: _none, ...tokens } = exchanged.tokens;
  const now = services.clock.now();
  await saveAccountChoice(services.db.pool, cipher, { tokenHash: sha256(choiceToken), browserHash: sha256(browserNonce), provider, slackUserId: userId, accounts, tokens }, now);
  await audit(services.db.pool, { invoiceId: null, actor: `slack:${userId}`, action: 'backend_connect_choice_offered', details: { provider, accounts } }, now);
  return {
    ok: true,
    // No plural built from the noun (a Wave "business"): the count goes in brackets.
    page: `Choose the ${connector.accountNoun} duebot invoices from (${connector.label} authorised ${accounts.length} in this consent):`,
    choose: { choiceToken, accounts },
  };
}

/** `POST /oauth/<provider>/choose`: the pick from the callback page, in the browser that started the consent. */
export async function chooseAccount(services: Services, provider: string, choiceToken: string | null, accountId: string | null, browserNonce: string | null): Promise<ConsentEnd> {
  const connector = ownValue(services.oauth.connectors, provider);
  const cipher = services.webhooks.cipher;
  if (!connector || !cipher || !services.oauth.connections) return { ok: false, status: 404, error: `${provider} is not configured` };
  if (!browserNonce) return { ok: false, status: 403, error: 'this browser did not open the connect link; finish in the browser that opened it' };
  if (!choiceToken || !accountId) return { ok: false, status: 400, error: 'the choice carries no account' };
  // Spent even when the pick is refused below: a choice is good for one try.
  const choice = await spendAccountChoice(services.db.pool, cipher, sha256(choiceToken), provider, sha256(browserNonce), services.clock.now());
  if (!choice)
    return { ok: false, status: 400, error: `this choice is unknown, already made or expired: an approver runs \`/invoices connect ${provider}\` in Slack for a new link` };
  if (!services.access.isApprover(choice.slackUserId)) return { ok: false, status: 403, error: 'only approvers connect accounts' };
  const picked = choice.accounts.find((a) => a.accountId === accountId);
  if (!picked) return { ok: false, status: 400, error: `that ${connector.accountNoun} was not authorised in this consent` };
  return connectAccount(services, connector, provider, choice.slackUserId, { ...choice.tokens, accountId: picked.accountId }, picked.accountName);
}
