import type { KnownBlock } from '@slack/types';
import type { AttentionReason } from '../src/store/receivables.js';
import type { ClientLine, HomeDashboard } from '../src/usecases/home-dashboard.js';
import { agingLines } from './aging.js';
import { channelRef, clip, dateLabel, esc, fmt, plural, truncate } from './format.js';
import { OPEN_CLIENT_SETTINGS } from './ids.js';
import { toneLabel, when } from './invoice-actions.js';
import { LIMITS } from './limits.js';

/** A Home tab view for `views.publish`. Home tabs share the modal's limit of 100 blocks. */
export interface HomeView {
  type: 'home';
  blocks: KnownBlock[];
}

export const HOME_MAX_BLOCKS = LIMITS.modalBlocks;
/** Currencies shown with their own figures; more are summed up in one line. */
const CURRENCIES_SHOWN = 5;

const REASON: Record<AttentionReason, string> = { disputed: 'disputed', escalated: 'escalated', unknown_outcome: 'send outcome unknown' };

const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: clip(text, LIMITS.sectionText) } });
const context = (text: string): KnownBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text: clip(text, LIMITS.sectionText) }] });

/**
 * duebot's Home tab: totals, DSO, aging, what needs a person, the next reminders, and the clients.
 * Everyone allowed in sees the figures; the client-settings buttons (they change terms, reminders and
 * auto-send, i.e. money) are rendered for approvers only.
 */
export function homeView(d: HomeDashboard, options: { timezone: string; approver: boolean }): HomeView {
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: `Receivables · ${dateLabel(d.asOf, options.timezone)}` } },
    context(`Updated ${when(d.asOf, options.timezone)} · ${options.approver ? 'you are an approver' : 'view only: approvers act on money'}`),
    ...totals(d),
    { type: 'divider' },
    section(d.aging.openCount ? `*Aging* (days since sending)\n${agingLines(d.aging).join('\n')}` : '*Aging*\nNothing open.'),
    { type: 'divider' },
    section(attention(d)),
    { type: 'divider' },
    section(reminders(d, options.timezone)),
    { type: 'divider' },
    { type: 'header', text: { type: 'plain_text', text: 'Clients' } },
  ];
  return { type: 'home', blocks: [...blocks, ...clientBlocks(d.clients, HOME_MAX_BLOCKS - blocks.length, options.approver)] };
}

/** What someone outside the billing channel sees (and what replaces a dashboard they may no longer see). */
export function homeNotAllowedView(billingChannelId: string): HomeView {
  return { type: 'home', blocks: [section(`:lock: The receivables dashboard is for members of ${channelRef(billingChannelId)}. Ask someone there to add you.`)] };
}

function totals(d: HomeDashboard): KnownBlock[] {
  if (d.currencies.length === 0) return [section(':tada: Nothing outstanding: every invoice sent has been paid.')];
  const shown = d.currencies.slice(0, CURRENCIES_SHOWN).map((c): KnownBlock => ({
    type: 'section',
    fields: [
      { type: 'mrkdwn', text: `*Outstanding (${c.currency})*\n${fmt(c.outstanding, c.currency)} · ${plural(c.openCount, 'invoice')}` },
      { type: 'mrkdwn', text: `*Overdue*\n${fmt(c.overdue, c.currency)} · ${plural(c.overdueCount, 'invoice')}` },
      { type: 'mrkdwn', text: `*DSO*\n${c.dso === null ? '—' : plural(c.dso, 'day')}` },
    ],
  }));
  const rest = d.currencies.slice(CURRENCIES_SHOWN);
  const more = rest.length ? [context(`Also outstanding: ${rest.map((c) => `${fmt(c.outstanding, c.currency)} (${fmt(c.overdue, c.currency)} overdue)`).join(' · ')}`)] : [];
  return [...shown, ...more, context(`DSO = open receivables ÷ invoiced in the last ${d.dsoWindowDays} days × ${d.dsoWindowDays}, per currency.`)];
}

function attention(d: HomeDashboard): string {
  if (d.attention.total === 0) return '*Needs attention*\nNothing disputed, escalated or with an unknown send outcome.';
  const lines = d.attention.rows.map(
    (a) => `• *${esc(a.number)}* · ${esc(truncate(a.clientName, 60))} · ${fmt(a.balance, a.currency)} · ${a.reasons.map((r) => REASON[r]).join(', ')}`,
  );
  const more = d.attention.total - d.attention.rows.length;
  return `*Needs attention* (${d.attention.total})\n${lines.join('\n')}${more > 0 ? `\n…and ${more} more: \`/invoices list disputed\`` : ''}`;
}

function reminders(d: HomeDashboard, timezone: string): string {
  if (d.nextReminders.length === 0) return '*Next reminders*\nNone scheduled.';
  const lines = d.nextReminders.map(
    (r) => `• ${when(r.dueAt, timezone)} — ${toneLabel(r.tone)} for *${esc(r.number)}* · ${esc(truncate(r.clientName, 60))} · ${fmt(r.balance, r.currency)}`,
  );
  return `*Next reminders*\n${lines.join('\n')}`;
}

/** Clients owing most come first, so those are the ones still shown when the 100 blocks run out. */
function clientBlocks(clients: readonly ClientLine[], room: number, approver: boolean): KnownBlock[] {
  if (clients.length === 0) return [context('No clients yet: add them to the clients file.')];
  const owed = (c: ClientLine) => c.open.reduce((n, o) => n + o.openCount, 0);
  const overdue = (c: ClientLine) => c.open.reduce((n, o) => n + o.overdueCount, 0);
  const sorted = [...clients].sort((a, b) => overdue(b) - overdue(a) || owed(b) - owed(a) || a.name.localeCompare(b.name));
  const fits = sorted.length <= room ? sorted.length : room - 1;
  const blocks = sorted.slice(0, fits).map((c): KnownBlock => {
    const open = c.open.length
      ? c.open.map((o) => `${fmt(o.outstanding, o.currency)} open (${plural(o.openCount, 'invoice')}${o.overdueCount ? `, ${o.overdueCount} overdue` : ''})`).join(' · ')
      : 'nothing open';
    return {
      type: 'section',
      text: { type: 'mrkdwn', text: `*${esc(truncate(c.name, 100))}* · ${open}` },
      ...(approver ? { accessory: { type: 'button', action_id: OPEN_CLIENT_SETTINGS, value: c.id, text: { type: 'plain_text', text: 'Settings' } } } : {}),
    };
  });
  const hidden = sorted.length - fits;
  if (hidden > 0)
    blocks.push(context(`${plural(hidden, 'more client')} not shown (Slack allows ${HOME_MAX_BLOCKS} blocks here): \`/invoices client &lt;name&gt;\` shows any of them.`));
  return blocks;
}
