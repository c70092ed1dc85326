import type { KnownBlock, ModalView } from '@slack/types';
import type { ReplyKind } from '../src/domain/reply-classifier.js';
import { oneLine, type Mailbox } from '../src/email/from-header.js';
import type { InvoiceView } from '../src/domain/types.js';
import {
  ADJUST_AMOUNT,
  DISPUTE_ACTIONS_BLOCK,
  MARK_DISPUTED,
  PROMISE_ACTIONS,
  PROMISE_BLOCKS,
  PROMISE_MODAL,
  REPLY_ACTIONS,
  REPLY_BLOCKS,
  REPLY_MARK_DISPUTED,
  REPLY_MODAL,
  REPLY_NOT_DISPUTE,
  REPLY_PROMISE,
  REPLY_TO_CLIENT,
  RESOLVE_DISPUTE,
} from './dispute-ids.js';
import { clip, esc, fmt, link, truncate, who, ymdLabel } from './format.js';
import type { ThreadPost } from './thread.js';

const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: clip(text, 3000) } });
const button = (action_id: string, text: string, value: string, style?: 'primary' | 'danger') => ({
  type: 'button' as const,
  action_id,
  text: { type: 'plain_text' as const, text },
  value,
  ...(style ? { style } : {}),
});
const quote = (text: string): string =>
  clip(
    esc(text.trim() || '(empty reply)')
      .split('\n')
      .map((l) => `>${l}`)
      .join('\n'),
    2500,
  );

const KIND_LABEL: Record<ReplyKind, string> = {
  dispute: ':warning: Dispute',
  question: ':question: Question',
  promise: ':spiral_calendar_pad: Promise to pay',
  auto_reply: ':robot_face: Auto-reply',
  other: ':speech_balloon: Reply',
};

/** Buttons under the invoice message while it awaits money: flag a dispute, or settle one. */
export function invoiceDisputeActions(view: InvoiceView): KnownBlock {
  return {
    type: 'actions',
    block_id: DISPUTE_ACTIONS_BLOCK,
    elements: view.disputed
      ? [button(RESOLVE_DISPUTE, 'Resolve: amount stands', view.id, 'primary'), button(ADJUST_AMOUNT, 'Adjust amount', view.id)]
      : [button(MARK_DISPUTED, 'Mark disputed', view.id)],
  };
}

/**
 * A client's reply in the invoice thread (or the billing channel when unmatched): what they wrote,
 * how duebot read it and why, and one-click corrections. A reply that did not act by itself says why
 * (`notActedOn`) and offers every action, so a person decides.
 */
export function replyPost(o: {
  inboundId: number;
  /** The From header as received. */
  from: string;
  /** Its one parsed mailbox, when it has exactly one. */
  sender?: Mailbox | null;
  subject: string;
  text: string;
  kind: ReplyKind;
  explanation: string;
  /** Null when the reply matched no invoice. */
  invoiceNumber: string | null;
  effect: string | null;
  /** Why the reply's dispute or promise did not act by itself (null: it acted, or had nothing to do). */
  notActedOn?: string | null;
}): ThreadPost {
  const id = String(o.inboundId);
  const from = senderLabel(o.from, o.sender ?? null);
  const heading = o.invoiceNumber
    ? `*${KIND_LABEL[o.kind]}* from ${from} · _${esc(truncate(o.subject, 200))}_`
    : `:mailbox_with_mail: *Reply that matches no invoice* from ${from} · _${esc(truncate(o.subject, 200))}_`;
  const blocks: KnownBlock[] = [
    section(heading),
    section(quote(o.text)),
    { type: 'context', elements: [{ type: 'mrkdwn', text: clip(`How duebot read it: ${esc(o.explanation)}${o.effect ? ` → ${esc(o.effect)}` : ''}`, 2000) }] },
  ];
  if (o.notActedOn) blocks.push(section(`:raised_hand: *Not acted on:* ${esc(o.notActedOn)}. Nothing changed; decide with the buttons below.`));
  const acted = !o.notActedOn;
  const elements = o.invoiceNumber
    ? [
        ...(o.kind === 'dispute' && acted ? [] : [button(REPLY_MARK_DISPUTED, 'Mark disputed', id, 'danger')]),
        ...(o.kind === 'dispute' && acted ? [button(REPLY_NOT_DISPUTE, 'Not a dispute', id)] : []),
        ...(o.kind === 'promise' && acted ? [] : [button(REPLY_PROMISE, o.kind === 'promise' ? 'Snooze until the promised date' : 'Promise to pay', id)]),
        button(REPLY_TO_CLIENT, 'Reply to client', id, 'primary'),
      ]
    : [button(REPLY_TO_CLIENT, 'Reply to client', id, 'primary')];
  blocks.push({ type: 'actions', block_id: `reply_actions_${id}`, elements });
  const label = o.invoiceNumber ? KIND_LABEL[o.kind].replace(/^:[a-z_]+: /, '') : 'Unmatched reply';
  const text = `${label}${o.notActedOn ? ' (not acted on)' : ''} from ${esc(o.sender?.address ?? o.from)}: ${esc(truncate(o.text.replace(/\s+/g, ' '), 200))}`;
  return { text: clip(text, 3000), blocks };
}

/** The address first (what was checked), the display name after it: a name can say anything. */
function senderLabel(raw: string, sender: Mailbox | null): string {
  if (!sender) return `${esc(truncate(raw, 300))} _(not a single sender)_`;
  return sender.name ? `*${esc(sender.address)}* (${esc(truncate(sender.name, 100))})` : `*${esc(sender.address)}*`;
}

export function disputedNote(o: { by: string; reason: string; pausedSteps: number; taskUrl: string | null; ownerUserId: string }): ThreadPost {
  const task = o.taskUrl ? ` ${link(o.taskUrl, 'Review task')} created;` : '';
  const steps = o.pausedSteps === 1 ? '1 reminder' : `${o.pausedSteps} reminders`;
  return post(`:warning: Marked *disputed* (${esc(o.reason)}) by ${who(o.by)}. ${steps} paused until it is resolved.${task} ${who(o.ownerUserId)} notified.`);
}

export function resolvedNote(o: { by: string; next: { at: Date; label: string } | null; timezone: string; stillPaused?: boolean }): ThreadPost {
  const next = o.stillPaused
    ? ' Reminders stay paused until someone runs `/invoices resume`.'
    : o.next
      ? ` Reminders resume: next is ${esc(o.next.label)} on ${when(o.next.at, o.timezone)}.`
      : ' No reminders are left to send.';
  return post(`:white_check_mark: Dispute resolved by ${who(o.by)}: the amount stands.${next}`);
}

export function snoozedNote(o: { by: string; promisedDate: string; resumesAt: Date | null; timezone: string }): ThreadPost {
  const resumes = o.resumesAt ? ` Reminders wait until ${when(o.resumesAt, o.timezone)}.` : '';
  return post(`:spiral_calendar_pad: Promise to pay by ${ymdLabel(o.promisedDate)} (${who(o.by)}).${resumes}`);
}

export function reclassifiedNote(o: { by: string; kind: ReplyKind }): ThreadPost {
  return post(`:pencil2: ${who(o.by)} corrected the reading of the client's reply: ${KIND_LABEL[o.kind]}.`);
}

export function clientReplySentNote(o: { by: string; to: string; text: string }): ThreadPost {
  return post(`:outbox_tray: ${who(o.by)} replied to ${esc(o.to)}:\n${quote(o.text)}`);
}

export function disputeDm(o: { number: string; clientName: string; reason: string; excerpt: string; taskUrl: string | null }): ThreadPost {
  const task = o.taskUrl ? ` ${link(o.taskUrl, 'Open the review task')}.` : '';
  return post(`:warning: *${esc(o.clientName)}* disputes invoice ${esc(o.number)} (${esc(o.reason)}). Reminders are paused.${task}\n${quote(o.excerpt)}`);
}

/** Correcting a reply to "promise to pay": the date it promised. */
export function promiseModal(o: { inboundId: number; initialDate: string }): ModalView {
  return {
    type: 'modal',
    callback_id: PROMISE_MODAL,
    private_metadata: String(o.inboundId),
    title: { type: 'plain_text', text: 'Promise to pay' },
    submit: { type: 'plain_text', text: 'Snooze reminders' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'input',
        block_id: PROMISE_BLOCKS.date,
        label: { type: 'plain_text', text: 'Promised payment date' },
        hint: { type: 'plain_text', text: 'No reminder goes out before the day after this date.' },
        element: { type: 'datepicker', action_id: PROMISE_ACTIONS.date, initial_date: o.initialDate },
      },
    ],
  };
}

/** "Reply to client": the email goes out threaded under the client's message, to exactly the one address shown. */
export function replyModal(o: { inboundId: number; to: string; subject: string }): ModalView {
  return {
    type: 'modal',
    callback_id: REPLY_MODAL,
    private_metadata: String(o.inboundId),
    title: { type: 'plain_text', text: 'Reply to client' },
    submit: { type: 'plain_text', text: 'Send' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      section(`To: ${esc(o.to)} · _${esc(truncate(replySubject(o.subject), 200))}_`),
      {
        type: 'input',
        block_id: REPLY_BLOCKS.text,
        label: { type: 'plain_text', text: 'Message' },
        element: { type: 'plain_text_input', action_id: REPLY_ACTIONS.text, multiline: true, max_length: 3000 },
      },
    ],
  };
}

/** The subject of our reply, on one line whatever the client's subject carried (it becomes a header). */
export function replySubject(subject: string): string {
  const line = oneLine(subject);
  return /^re:/i.test(line) ? line : `Re: ${line}`;
}

function post(mrkdwn: string): ThreadPost {
  const text = clip(mrkdwn, 3000);
  return { text, blocks: [section(text)] };
}

function when(at: Date, timezone: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: timezone, month: 'short', day: 'numeric', year: 'numeric', hour: 'numeric', minute: '2-digit' }).format(at);
}

export function reissuedNote(o: { by: string; oldNumber: string; newNumber: string; oldTotal: number; newTotal: number; currency: string; backendName: string }): ThreadPost {
  return post(
    `:arrows_counterclockwise: Amount adjusted by ${who(o.by)}: ${esc(o.oldNumber)} (${fmt(o.oldTotal, o.currency)}) voided in ${esc(o.backendName)} and reissued as *${esc(o.newNumber)}* (${fmt(o.newTotal, o.currency)}). Its reminders are cancelled; the new invoice has its own message and sequence.`,
  );
}

export function replacesNote(o: { oldNumber: string }): ThreadPost {
  return post(`:arrows_counterclockwise: Corrected invoice: replaces ${esc(o.oldNumber)}, which was voided after a dispute.`);
}
