import type { KnownBlock } from '@slack/types';
import type { InboxBacklog } from '../src/store/inbox.js';
import { eventSummary, retryButton } from './dead-letter.js';
import { when } from './invoice-actions.js';
import { clip, plural } from './format.js';

const MINUTE = 60_000;

/** "45 min", "5 h 20 min", "3 days". */
export function ageText(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / MINUTE));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`;
  return plural(Math.floor(hours / 24), 'day');
}

const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: clip(text, 3000) } });

/** `/invoices status`, the inbox part: the retry backlog, and the dead letters with their Retry buttons. */
export function inboxBlocks(inbox: InboxBacklog & { checkedAt: Date }, options: { timezone: string }): KnownBlock[] {
  const tz = options.timezone;
  const backlog = inbox.waiting
    ? `:hourglass_flowing_sand: ${plural(inbox.waiting, 'event')} waiting to be processed; the oldest arrived ${ageText(inbox.checkedAt.getTime() - inbox.oldestWaitingSince!.getTime())} ago` +
      `, next attempt ${inbox.nextAttemptAt! <= inbox.checkedAt ? 'now' : when(inbox.nextAttemptAt!, tz)}`
    : ':white_check_mark: Nothing waiting: every stored event was processed';
  const dead = inbox.deadLetters
    ? `:rotating_light: ${plural(inbox.deadLetters, 'dead letter')}: gave up, nothing was done with ${inbox.deadLetters === 1 ? 'it' : 'them'}. Fix the cause, then Retry.`
    : ':white_check_mark: No dead letters';
  const letters: KnownBlock[] = inbox.newestDead.map((event) => ({
    type: 'section',
    text: { type: 'mrkdwn', text: clip(`${eventSummary(event)}\ngave up ${when(event.deadAt ?? inbox.checkedAt, tz)} after ${plural(event.attempts, 'attempt')}`, 3000) },
    accessory: retryButton(event.id),
  }));
  const more =
    inbox.deadLetters > inbox.newestDead.length
      ? ` The ${inbox.deadLetters - inbox.newestDead.length} older ones carry the same button on their messages in the billing channel.`
      : '';
  return [
    section(`*Inbox (webhooks and replies)*\n${backlog}\n${dead}`),
    ...letters,
    ...(letters.length ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: `Retry: approvers only.${more}` }] } as KnownBlock] : []),
  ];
}
