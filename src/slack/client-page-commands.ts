import { esc } from '../../blocks/format.js';
import type { Services } from '../services.js';
import { manageClientPageLink, type LinkAction, type LinkOutcome } from '../usecases/client-page.js';
import type { Subcommand } from './forecast-commands.js';

const ACTIONS: readonly LinkAction[] = ['show', 'new', 'revoke'];

/**
 * `/invoices client-link <client> [show|new|revoke]` (approvers only, authorize.ts): the client page link
 * (docs/client-page.md). Answered only to the approver: the link opens the client's invoices.
 */
export function clientPageSubcommands(services: Services): Record<string, Subcommand> {
  return {
    'client-link': async ({ text, userId, respond }) => {
      const words = text.trim().split(/\s+/).slice(1);
      const last = words.at(-1)?.toLowerCase() ?? '';
      const action = (ACTIONS as string[]).includes(last) ? (last as LinkAction) : 'show';
      const name = (action === last ? words.slice(0, -1) : words).join(' ');
      if (!name) return void (await respond({ text: 'Which client? Try `/invoices client-link acme`, `… acme new` or `… acme revoke`.' }));
      await respond({ text: linkMessage(await manageClientPageLink(services, name, action, `slack:${userId}`), name) });
    },
  };
}

export function linkMessage(outcome: LinkOutcome, asked: string): string {
  if (!outcome.ok) {
    const who = outcome.client ? esc(outcome.client.name) : '';
    if (outcome.reason === 'unknown_client') return `No client "${esc(asked.slice(0, 60))}"; use its id or its exact name.`;
    if (outcome.reason === 'page_off')
      return `${who} has no client page: turn on *Client page* in \`/invoices settings ${esc(outcome.client!.id)}\` (or \`clientPage: true\` in the clients file).`;
    return 'The client page needs `ENCRYPTION_KEY` (its links are made with it) and `PUBLIC_URL` (their address); one of them is not set.';
  }
  const name = esc(outcome.client.name);
  if (outcome.action === 'revoke')
    return outcome.revoked
      ? `:no_entry: ${name}'s page link is revoked: it now answers "not found", and emails carry no link until someone makes a new one (\`/invoices client-link ${esc(outcome.client.id)} new\`).`
      : `${name} has no live page link; nothing to revoke.`;
  if (!outcome.url) return `${name}'s page link is revoked; \`/invoices client-link ${esc(outcome.client.id)} new\` makes a new one.`;
  const lead = outcome.action === 'new' ? `:link: New page link for ${name}${outcome.revoked ? ' (the old one no longer works)' : ''}` : `${name}'s page link`;
  return `${lead}: ${outcome.url}\nIt is in every email to ${name} from now on. Anyone with it sees their invoices: share it only with them.`;
}
