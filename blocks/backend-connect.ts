import { clip, esc, truncate, who } from './format.js';

/** The confirmation of a connection to a different account: value = the pending connection's id. */
export const USE_NEW_BACKEND_ACCOUNT = 'use_new_backend_account';
export const KEEP_CURRENT_BACKEND_ACCOUNT = 'keep_current_backend_account';
export const BACKEND_ACCOUNT_BLOCK = 'backend_account_choice';

/** How a back-end names its accounts: "QuickBooks", "company", "realm". */
export interface AccountTerms {
  label: string;
  accountNoun: string;
  idNoun: string;
}

/** `company “Acme Books” (realm 4620816365)`, outside text escaped. */
export function accountPhrase(terms: AccountTerms, account: { accountId: string; accountName: string | null }): string {
  const name = account.accountName ? ` “${esc(truncate(account.accountName, 200))}”` : '';
  return `${terms.accountNoun}${name} (${terms.idNoun} ${esc(truncate(account.accountId, 100))})`;
}

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text: clip(text, 3000) } });

export function connectedNotice(terms: AccountTerms, by: string, account: { accountId: string; accountName: string | null }): string {
  return `:white_check_mark: ${who(by)} connected ${terms.label} ${accountPhrase(terms, account)}. Held invoices go out now.`;
}

/** Posted in the billing channel when an approver connects another account than the one in use. */
export function confirmAccountMessage(
  terms: AccountTerms,
  o: { pendingId: string; by: string; current: { accountId: string; accountName: string | null }; next: { accountId: string; accountName: string | null } },
): { text: string; blocks: unknown[] } {
  const text =
    `:warning: ${who(o.by)} connected ${terms.label} ${accountPhrase(terms, o.next)}, but duebot uses ${accountPhrase(terms, o.current)}. ` +
    `Nothing uses the new ${terms.accountNoun} and held invoices wait until an approver chooses.`;
  return {
    text,
    blocks: [
      section(text),
      {
        type: 'actions',
        block_id: BACKEND_ACCOUNT_BLOCK,
        elements: [
          { type: 'button', action_id: USE_NEW_BACKEND_ACCOUNT, text: { type: 'plain_text', text: `Use the new ${terms.accountNoun}` }, value: o.pendingId, style: 'danger' },
          { type: 'button', action_id: KEEP_CURRENT_BACKEND_ACCOUNT, text: { type: 'plain_text', text: 'Keep the current one' }, value: o.pendingId },
        ],
      },
    ],
  };
}

/** The confirmation message once decided: the buttons go, the decision stays. */
export function decidedAccountMessage(text: string): { text: string; blocks: unknown[] } {
  return { text, blocks: [section(text)] };
}
