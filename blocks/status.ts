import type { KnownBlock } from '@slack/types';
import type { ConnectionState } from '../src/store/connections.js';
import type { IntegrationStatus } from '../src/usecases/integration-status.js';
import { clip, esc, plural, truncate } from './format.js';
import { inboxBlocks } from './inbox-status.js';

const LABEL: Record<string, string> = {
  asana: 'Asana',
  clickup: 'ClickUp',
  trello: 'Trello',
  monday: 'monday.com',
  generic: 'Generic webhook',
  stripe: 'Stripe',
  quickbooks: 'QuickBooks Online',
  freshbooks: 'FreshBooks',
};
const label = (name: string) => esc(LABEL[name] ?? name);

function when(at: Date, timezone: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: timezone, month: 'short', day: 'numeric', year: 'numeric', hour: 'numeric', minute: '2-digit' }).format(at);
}

function connectionLine(name: string, c: ConnectionState | null, timezone: string): string {
  if (!c) return `:warning: ${label(name)}: not connected yet; an approver runs \`/invoices connect ${esc(name)}\``;
  const last = c.lastSuccessAt ? `last success ${when(c.lastSuccessAt, timezone)}` : 'no success yet';
  if (c.status === 'active') return `:white_check_mark: ${label(name)}: connected, ${last}`;
  return `:x: ${label(name)}: broken (${esc(truncate(c.lastError ?? 'unknown error', 200))}), ${last}; reconnect with \`/invoices connect ${esc(name)}\``;
}

const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: clip(text, 3000) } });

/** `/invoices status`: one line per connection, worst states marked so they stand out. */
export function statusMessage(status: IntegrationStatus, options: { timezone: string }): { text: string; blocks: KnownBlock[] } {
  const tools = status.projectTools.length ? status.projectTools.map((t) => `:white_check_mark: ${label(t)}: configured`).join('\n') : ':warning: None configured: no milestone becomes a draft';
  const backends = status.backends.length
    ? status.backends.map((b) => (b.oauth ? connectionLine(b.name, b.connection, options.timezone) : `:white_check_mark: ${label(b.name)}: configured (API key)`)).join('\n')
    : ':warning: None configured';
  const unused = status.unusedConnections.map((c) => `:grey_question: ${label(c.provider)}: a stored ${c.status} connection, but the back-end is not configured`);
  const smtp = status.smtp;
  const target = smtp.target ? ` ${esc(smtp.target)}` : '';
  const mail =
    smtp.reachable === null
      ? `:grey_question: SMTP${target}: configured, not checked`
      : smtp.reachable
        ? `:white_check_mark: SMTP${target}: reachable`
        : `:x: SMTP${target}: not reachable (${esc(truncate(smtp.error ?? 'unknown error', 200))})`;
  const problems = [
    ...status.backends.filter((b) => b.oauth && b.connection?.status !== 'active').map((b) => label(b.name)),
    ...(smtp.reachable === false ? ['SMTP'] : []),
    ...(status.inbox?.deadLetters ? [plural(status.inbox.deadLetters, 'dead letter')] : []),
  ];
  return {
    text: problems.length ? `Connections: needs attention: ${problems.join(', ')}` : 'Connections: all configured connections work',
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: 'Connections' } },
      section(`*Project tools*\n${tools}`),
      section(`*Invoicing back-ends*\n${[backends, ...unused].join('\n')}`),
      section(`*Email*\n${mail}`),
      ...(status.inbox ? inboxBlocks(status.inbox, options) : []),
    ],
  };
}
