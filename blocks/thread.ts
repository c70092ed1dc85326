import type { KnownBlock } from '@slack/types';
import { TONE_NAMES, type ReminderTone } from '../src/domain/types.js';
import { clip, dateLabel, esc, fmt, link, plural, who } from './format.js';

/** Short posts in an invoice's thread: what happened, in one line a person can scan. */
export interface ThreadPost {
  text: string;
  blocks?: KnownBlock[];
}

export const post = (mrkdwn: string): ThreadPost => {
  const text = clip(mrkdwn, 3000);
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
};

export { who };
const list = (emails: readonly string[]): string => clip(esc(emails.join(', ')), 1500);

export function invoiceSentNote(o: { number: string; recipients: string[]; paymentUrl: string | null; approvedBy: string | null }): ThreadPost {
  const how = o.approvedBy ? `sent to ${list(o.recipients)}, approved by ${who(o.approvedBy)}` : `sent automatically to ${list(o.recipients)} (auto-send client)`;
  const pay = o.paymentUrl ? ` · ${link(o.paymentUrl, 'Payment link')}` : '';
  return post(`:email: Invoice ${esc(o.number)} ${how}${pay}`);
}

export function reminderSentNote(o: { stepNumber: number; tone: ReminderTone; recipients: string[]; balance: number; currency: string }): ThreadPost {
  return post(`:bell: Reminder ${o.stepNumber} (${TONE_NAMES[o.tone]}) sent to ${list(o.recipients)} · balance ${fmt(o.balance, o.currency)}`);
}

/** A statement listing this invoice went out: as this invoice's reminder step(s), or asked for by an approver. */
export function statementSentNote(o: { recipients: string[]; invoices: number; steps: { stepNumber: number; tone: ReminderTone }[]; by?: string }): ThreadPost {
  const as = o.steps.length ? ` as ${o.steps.map((s) => `reminder ${s.stepNumber} (${TONE_NAMES[s.tone]})`).join(', ')}` : o.by ? `, requested by ${who(o.by)}` : '';
  return post(`:page_facing_up: Statement of ${plural(o.invoices, 'open invoice')} sent to ${list(o.recipients)}${as}`);
}

export function reminderSnoozedNote(o: { stepNumber: number; until: Date; by: string; timezone: string }): ThreadPost {
  return post(`:zzz: Reminder ${o.stepNumber} snoozed to ${dateLabel(o.until, o.timezone)} by ${who(o.by)}`);
}

export function reminderSkippedNote(o: { stepNumber: number; reason: string }): ThreadPost {
  return post(`:zzz: Reminder ${o.stepNumber} not sent: ${esc(o.reason)}`);
}

/** "Paid $1,500.00 on Dec 3, 2026 — 10 days after sending" (or the partial variant with the balance left). */
export function paymentNote(o: { amount: number; currency: string; paidAt: Date; daysAfterSending: number; fullyPaid: boolean; balance: number; timezone: string }): ThreadPost {
  const after = o.daysAfterSending <= 0 ? 'the day it was sent' : `${plural(o.daysAfterSending, 'day')} after sending`;
  const when = `on ${dateLabel(o.paidAt, o.timezone)} — ${after}`;
  return o.fullyPaid
    ? post(`:white_check_mark: Paid ${fmt(o.amount, o.currency)} ${when}. Reminders stopped.`)
    : post(`:heavy_minus_sign: Partial payment of ${fmt(o.amount, o.currency)} ${when}. ` + `${fmt(o.balance, o.currency)} still open; reminders continue for the balance.`);
}

export function escalationNote(o: { taskUrl: string | null; ownerUserId: string }): ThreadPost {
  const task = o.taskUrl ? ` ${link(o.taskUrl, 'Escalation task')} created;` : '';
  return post(`:rotating_light: Escalated:${task} ${who(o.ownerUserId)} notified by DM.`);
}

export function finalNoticePauseNote(): ThreadPost {
  return post(':double_vertical_bar: The final notice told the client that work is paused until payment.');
}

export function statusChangeNote(o: { status: 'void' | 'uncollectible' | 'discarded'; by: string | null }): ThreadPost {
  const by = o.by ? ` by ${who(o.by)}` : '';
  switch (o.status) {
    case 'void':
      return post(`:no_entry_sign: Invoice voided${by}. No further reminders.`);
    case 'uncollectible':
      return post(`:x: Invoice marked uncollectible${by}. No further reminders.`);
    case 'discarded':
      return post(`:wastebasket: Draft discarded${by}; it will not be sent. Its number stays used so the sequence has no gaps.`);
  }
}

/** A send that may or may not have happened before a crash: only a person can tell, so duebot stops. */
export function unknownOutcomeNote(o: { what: string; since: Date }): ThreadPost {
  const at = o.since.toISOString().replace('T', ' ').slice(0, 16);
  return post(
    `:warning: *Needs a human:* ${esc(o.what)} was in progress at ${at} UTC when duebot stopped, so it may or may not have gone out. ` +
      'It will not be retried automatically: please check (the invoicing back-end, the client, the mail log) and follow up by hand.',
  );
}

export function editedNote(o: { by: string }): ThreadPost {
  return post(`:pencil2: Draft edited by ${who(o.by)}.`);
}

/** The DM to the account owner when the final step escalates; `permalinkText` links the escalation task. */
export function ownerEscalationDm(o: { number: string; clientName: string; balance: number; currency: string; daysSinceSent: number; permalinkText: string | null }): ThreadPost {
  const task = o.permalinkText ? ` ${link(o.permalinkText, 'Open the escalation task')}.` : '';
  return post(
    `:rotating_light: *${esc(o.clientName)}* has not paid invoice ${esc(o.number)} (${fmt(o.balance, o.currency)} open) ` +
      `${plural(o.daysSinceSent, 'day')} after sending. The final notice went out and work is paused until payment.${task}`,
  );
}
