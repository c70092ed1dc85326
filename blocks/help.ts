import type { KnownBlock } from '@slack/types';
import { channelRef, esc } from './format.js';

export const COMMANDS: readonly (readonly [command: string, what: string])[] = [
  ['/invoices aging', 'Open invoices by days since sending (0-7, 8-14, 15-30, 30+) and the largest overdue ones'],
  ['/invoices list [client|overdue|disputed]', 'Open invoices, or those of one client, the overdue or the disputed ones'],
  ['/invoices show <number>', 'One invoice with its reminder plan and history'],
  ['/invoices forecast', 'Expected inflows per week for the next 30 days, the overdue balance, the bills due and the projected bank balance'],
  ['/invoices balance <amount> [currency]', 'Set the starting bank balance the forecast projects from (approvers only)'],
  ['/invoices client <name>', 'One client: contacts, terms, reminder schedule, open balance, overdue invoices, average days to pay'],
  ['/invoices status', 'Every configured connection (project tools, invoicing back-ends, email) and its state'],
  ['/invoices pause <number>', 'Hold the reminders of one invoice; none is skipped (approvers only)'],
  ['/invoices resume <number>', 'Carry on with the held reminders, one at a time at the usual spacing (approvers only)'],
  ['/invoices remind <number>', 'Send the next reminder of one invoice now (approvers only)'],
  ['/invoices settings [client]', "A client's contacts, terms, reminder schedule and quiet hours in a modal (approvers save)"],
  ['/invoices client-link <client> [new|revoke]', "Shows, renews or revokes the link to the client's page of invoices (approvers only)"],
  ['/invoices templates', 'The editable email templates (invoice, each reminder tone, credit), each with an Edit button'],
  ['/invoices template <kind> [client] [language]', 'Edit, preview or reset one email template, for every client or one, in a language (saving: approvers only)'],
  ['/invoices connect <back-end>', 'DMs you a one-time link to connect QuickBooks or FreshBooks (approvers only)'],
  ['/invoices connect <tool> <project/list/board id>', "Registers duebot's webhook in Asana, ClickUp, Trello or monday.com (approvers only)"],
  ['/invoices disconnect <back-end or tool> [id]', 'Removes a connection or a webhook (approvers only)'],
  ['/invoices import [back-end] [YYYY-MM-DD]', 'Backfill past invoices and payments from the back-end as history for the forecast; nothing is sent (approvers only)'],
  ['/invoices client add', 'Add a client in a modal: emails, currency, terms, back-end, projects, retainer, mapping; effective at once (approvers only)'],
  ['/invoices new', 'A one-off invoice (client, lines, due date) as a draft with Approve &amp; send (approvers only)'],
  ['/invoices export aging|invoices|audit [from] [to]', 'A CSV file in your DM; dates (YYYY-MM-DD) for the audit trail (approvers only)'],
  ['/invoices history <number|client> [page N]', 'The audit trail of an invoice or a client, newest first'],
  ['/invoices help', 'This list'],
];

export function helpMessage(): { text: string; blocks: KnownBlock[] } {
  const list = COMMANDS.map(([cmd, what]) => `• \`${esc(cmd)}\` — ${what}`).join('\n');
  return {
    text: `duebot commands: ${[...new Set(COMMANDS.map(([c]) => c.split(' ').slice(0, 2).join(' ')))].join(', ')}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*What I can do*\n${list}` } },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: 'Draft invoices appear in the billing channel when a billing milestone is completed; approvers send them with *Approve &amp; send*.',
          },
        ],
      },
    ],
  };
}

export function unknownCommandMessage(subcommand: string): { text: string; blocks: KnownBlock[] } {
  const shown = subcommand
    .replace(/[`\n\r]/g, '')
    .trim()
    .slice(0, 40);
  const lead = shown ? `I don't know \`${esc(shown)}\` yet.` : 'Tell me what you need.';
  const text = `${lead} Try \`/invoices aging\`, or \`/invoices help\` for everything I can do.`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

/** Ephemeral reply to someone who pressed a money button without being an approver. */
export function notAllowedMessage(action: string): { text: string } {
  return { text: `Sorry, only invoice approvers can ${esc(action)}; nothing was changed. Ask an approver, or an admin to add you to APPROVER_SLACK_USER_IDS.` };
}

/** Ephemeral reply to someone outside the billing channel asking to read invoices. */
export function notAMemberMessage(billingChannelId: string): { text: string } {
  return { text: `Sorry, invoices are visible to members of ${channelRef(billingChannelId)} and to approvers only. Ask someone there to add you to the channel.` };
}
