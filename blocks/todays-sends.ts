import type { KnownBlock } from '@slack/types';
import { SNOOZE_DAYS } from '../src/domain/todays-sends.js';
import { TONE_NAMES, type ReminderTone } from '../src/domain/types.js';
import { clip, dateLabel, esc, plural, truncate, who } from './format.js';

/** Action ids of the today's-sends list (value: `<day>|<invoice id>|<step index>`; Send now: `<day>`). Approvers only. */
export const TODAYS_SKIP = 'todays_sends_skip';
export const TODAYS_SNOOZE = 'todays_sends_snooze';
export const TODAYS_PREVIEW = 'todays_sends_preview';
export const TODAYS_SEND_NOW = 'todays_sends_send_now';

/** Where a listed step stands now: shown in place of its buttons once it is no longer waiting. */
export type ListedState =
  { kind: 'waiting' } | { kind: 'sent' } | { kind: 'sending' } | { kind: 'skipped'; by: string | null } | { kind: 'snoozed'; until: Date } | { kind: 'other'; what: string };

export interface TodaysSendRow {
  invoiceId: string;
  stepIndex: number;
  clientName: string;
  number: string;
  tone: ReminderTone;
  /** When it goes out (the client's send time, quiet hours aside). */
  plannedAt: Date;
  /** The client groups its reminders: this step goes out in its statement. */
  grouped: boolean;
  state: ListedState;
}

/** Two blocks per row and a header, a context and the Send now block: 22 rows stay within Slack's 50 blocks. */
export const MAX_LISTED_ROWS = 22;

export const stepValue = (day: string, invoiceId: string, stepIndex: number) => `${day}|${invoiceId}|${stepIndex}`;

/** `<day>|<uuid>|<n>` back into its parts; null for anything else (a forged value). */
export function parseStepValue(value: string): { day: string; invoiceId: string; stepIndex: number; days: number | null } | null {
  const m = /^(\d{4}-\d{2}-\d{2})\|([0-9a-f-]{36})\|(\d{1,4})(?:\|(\d{1,2}))?$/i.exec(value);
  return m ? { day: m[1]!, invoiceId: m[2]!.toLowerCase(), stepIndex: Number(m[3]), days: m[4] ? Number(m[4]) : null } : null;
}

function timeLabel(at: Date, timezone: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: timezone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
}

function stateText(state: ListedState, timezone: string): string {
  switch (state.kind) {
    case 'sent':
      return ':white_check_mark: sent';
    case 'sending':
      return ':hourglass: being sent';
    case 'skipped':
      return `:no_entry_sign: skipped${state.by ? ` by ${who(state.by)}` : ''}`;
    case 'snoozed':
      return `:zzz: snoozed to ${dateLabel(state.until, timezone)}`;
    case 'other':
      return esc(state.what);
    default:
      return '';
  }
}

/** The morning list in the billing channel: every reminder email due today, with what approvers can do about each. */
export function todaysSendsMessage(o: { day: string; rows: readonly TodaysSendRow[]; timezone: string; sentNowBy?: string | null }): { text: string; blocks: KnownBlock[] } {
  const waiting = o.rows.filter((r) => r.state.kind === 'waiting');
  const shown = o.rows.slice(0, MAX_LISTED_ROWS);
  const blocks: KnownBlock[] = [{ type: 'header', text: { type: 'plain_text', text: `Today's reminder emails (${o.rows.length})` } }];
  for (const row of shown) {
    const when = `${timeLabel(row.plannedAt, o.timezone)} ${o.timezone}`;
    const line = `*${esc(truncate(row.clientName, 80))}* · ${esc(row.number)} · ${TONE_NAMES[row.tone]}${row.grouped ? ' (in the client’s statement)' : ''} · ${when}`;
    const state = stateText(row.state, o.timezone);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(state ? `${line}\n${state}` : line, 3000) } });
    if (row.state.kind !== 'waiting') continue;
    const value = stepValue(o.day, row.invoiceId, row.stepIndex);
    blocks.push({
      type: 'actions',
      block_id: `todays:${row.invoiceId}:${row.stepIndex}`,
      elements: [
        { type: 'button', action_id: TODAYS_SKIP, text: { type: 'plain_text', text: 'Skip' }, value },
        {
          type: 'static_select',
          action_id: TODAYS_SNOOZE,
          placeholder: { type: 'plain_text', text: 'Snooze' },
          options: SNOOZE_DAYS.map((d) => ({ text: { type: 'plain_text' as const, text: `Snooze ${plural(d, 'day')}` }, value: `${value}|${d}` })),
        },
        { type: 'button', action_id: TODAYS_PREVIEW, text: { type: 'plain_text', text: 'Preview' }, value },
      ],
    });
  }
  const more = o.rows.length - shown.length;
  const footer = [
    more > 0 ? `${plural(more, 'more step')} not shown; \`/invoices list\` has them all.` : null,
    o.sentNowBy ? `Sent now by ${who(o.sentNowBy)}.` : null,
    'Steps go out at the time shown unless skipped or snoozed. Only invoice approvers can use these buttons.',
  ].filter(Boolean);
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: clip(footer.join(' '), 3000) }] });
  if (waiting.length) {
    blocks.push({
      type: 'actions',
      block_id: 'todays:send_now',
      elements: [
        {
          type: 'button',
          action_id: TODAYS_SEND_NOW,
          style: 'primary',
          text: { type: 'plain_text', text: 'Send now' },
          value: o.day,
          confirm: {
            title: { type: 'plain_text', text: 'Send them now?' },
            text: { type: 'plain_text', text: `The ${plural(waiting.length, 'reminder email')} still waiting go out now.` },
            confirm: { type: 'plain_text', text: 'Send now' },
            deny: { type: 'plain_text', text: 'Cancel' },
          },
        },
      ],
    });
  }
  return { text: `Today's reminder emails: ${plural(o.rows.length, 'step')}, ${waiting.length} waiting`, blocks };
}

/** The rendered email of one step, as an approver's private preview. */
export function previewMessage(o: { number: string; subject: string; text: string }): { text: string } {
  return { text: clip(`Preview for ${esc(o.number)}\n*Subject:* ${esc(o.subject)}\n\`\`\`${esc(o.text.replace(/`{3,}/g, "'''"))}\`\`\``, 3000) };
}
