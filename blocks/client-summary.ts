import type { KnownBlock } from '@slack/types';
import type { ClientStats } from '../src/domain/client-stats.js';
import { TONE_NAMES, type Client, type ReminderStep } from '../src/domain/types.js';
import { clip, esc, fmt, plural, truncate } from './format.js';
import { EDIT_CLIENT } from './client-setup-modal.js';

const PROVIDER_LABEL: Record<string, string> = { stripe: 'Stripe', quickbooks: 'QuickBooks Online', freshbooks: 'FreshBooks', zoho: 'Zoho Invoice' };
const FINAL_MODE: Record<string, string> = {
  pause: 'pause: the final notice says work is paused; the owner gets a task and a DM',
  'notice-only': 'notice only: the final notice, nothing more',
};

/** "Day 7 after sending: friendly reminder", "3 days before due: friendly reminder". */
export function stepLabel(step: ReminderStep): string {
  const when =
    step.from === 'delivery'
      ? `Day ${step.day} after sending`
      : step.day < 0
        ? `${plural(-step.day, 'day')} before due`
        : step.day === 0
          ? 'On the due date'
          : `${plural(step.day, 'day')} after due`;
  return `${when}: ${TONE_NAMES[step.tone]}`;
}

/** Email statement on the client summary: value = the client id. Approvers only (authorize.ts), with a confirm dialog. */
export const EMAIL_STATEMENT = 'email_statement';

const field = (title: string, value: string) => ({ type: 'mrkdwn' as const, text: clip(`*${title}*\n${value}`, 2000) });

/** `/invoices client <name>`: one client's setup and receivables, answered ephemerally. */
export function clientSummaryMessage(client: Client, stats: ClientStats, options: { editable?: boolean } = {}): { text: string; blocks: KnownBlock[] } {
  const balance = stats.openBalances.length ? stats.openBalances.map((b) => fmt(b.amount, b.currency)).join(' · ') : 'Nothing open';
  const days = stats.averageDaysToPay === null ? 'No paid invoices yet' : `${stats.averageDaysToPay} days (${plural(stats.paidCount, 'paid invoice')})`;
  const schedule = client.reminderSchedule.length ? client.reminderSchedule.map((s) => `• ${stepLabel(s)}`).join('\n') : 'No reminders';
  return {
    text: clip(`${esc(client.name)}: ${balance} open, ${stats.overdueCount} overdue`, 3000),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: truncate(client.name, 150) } },
      {
        type: 'section',
        fields: [
          field('Contacts', esc(client.emails.join(', ')) || 'None'),
          field('Terms', `Net ${client.paymentTermsDays} days, ${esc(client.currency)}`),
          field('Provider', esc(PROVIDER_LABEL[client.provider] ?? client.provider)),
          field('Final mode', esc(FINAL_MODE[client.finalMode] ?? client.finalMode)),
          field('Auto-send', client.autoSend ? 'On: drafts go out without approval' : 'Off: approvers send each draft'),
          field('Reminder schedule', schedule),
          ...(client.businessHours
            ? [field('Quiet hours', `Reminders Mon–Fri ${client.businessHours.start}–${client.businessHours.end} only, ${esc(client.timezone ?? 'business time zone')}`)]
            : []),
          ...(client.clientPage ? [field('Client page', `On: linked in every email (\`/invoices client-link ${esc(truncate(client.id, 100))}\`)`)] : []),
        ],
      },
      {
        type: 'section',
        fields: [
          field('Open balance', `${balance} (${plural(stats.openCount, 'invoice')})`),
          field('Overdue', plural(stats.overdueCount, 'invoice')),
          field('Average days to pay', days),
        ],
      },
      ...(stats.openCount
        ? [
            {
              type: 'actions' as const,
              elements: [
                {
                  type: 'button' as const,
                  action_id: EMAIL_STATEMENT,
                  text: { type: 'plain_text' as const, text: 'Email statement' },
                  value: truncate(client.id, 100),
                  confirm: {
                    title: { type: 'plain_text' as const, text: 'Email the statement?' },
                    text: {
                      type: 'plain_text' as const,
                      text: `The client's contacts get one email listing its ${plural(stats.openCount, 'open invoice')} with their payment links.`,
                    },
                    confirm: { type: 'plain_text' as const, text: 'Email it' },
                    deny: { type: 'plain_text' as const, text: 'Cancel' },
                  },
                },
              ],
            },
          ]
        : []),
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: `Client id \`${esc(truncate(client.id, 100))}\` · \`/invoices list ${esc(truncate(client.id, 100))}\` shows its invoices` }],
      },
      // Approvers only: the button opens the client setup modal (src/slack/client-setup.ts).
      ...(options.editable
        ? [
            {
              type: 'actions' as const,
              elements: [{ type: 'button' as const, action_id: EDIT_CLIENT, text: { type: 'plain_text' as const, text: 'Edit client' }, value: client.id }],
            },
          ]
        : []),
    ],
  };
}
