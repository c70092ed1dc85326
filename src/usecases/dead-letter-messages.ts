import { deadLetterMessage } from '../../blocks/dead-letter.js';
import { claimEffect, completeEffect, releaseEffect } from '../store/effects.js';
import { getInboxEvent, setDeadLetterMessage, unannouncedDeadLetters, type InboxEvent } from '../store/inbox.js';
import type { Services } from '../services.js';

/** Effects-ledger key of a dead letter's announcement: posted once per event, whichever process gets there. */
const ANNOUNCEMENT = 'dead-letter:';
/** Dead letters announced per sweep (a backlog of old ones does not flood the channel at once). */
const ANNOUNCE_BATCH = 10;

/**
 * Posts a dead letter to the billing channel, once across processes (claimed in the effects ledger). A
 * crash mid-post leaves the claim to turn "unknown": never posted twice, still listed in `/invoices status`.
 * A post Slack refuses is given back and tried again by the next sweep.
 */
export async function announceDeadLetter(services: Services, event: InboxEvent): Promise<void> {
  const db = services.db.pool;
  const key = `${ANNOUNCEMENT}${event.id}`;
  if (!(await claimEffect(db, { key, invoiceId: null, kind: 'dead-letter', claimedBy: services.instanceId }, services.clock.now()))) return;
  const channel = services.settings.billingChannelId;
  const ts = await services.slack.post(channel, deadLetterMessage(event, { timezone: services.settings.timezone }));
  if (!ts) return releaseEffect(db, key);
  await setDeadLetterMessage(db, event.id, { channel, ts });
  await completeEffect(db, key, { channel, ts }, services.clock.now());
}

/** Dead letters whose announcement never happened (Slack down, a crash before the post, the upgrade's backlog). */
export async function announceUnannouncedDeadLetters(services: Services): Promise<void> {
  for (const event of await unannouncedDeadLetters(services.db.pool, ANNOUNCEMENT, ANNOUNCE_BATCH)) await announceDeadLetter(services, event);
}

/** Re-renders a dead letter's message from the event's state now (done, retrying, given up again). */
export async function refreshDeadLetterMessage(services: Services, eventId: number): Promise<void> {
  const event = await getInboxEvent(services.db.pool, eventId);
  if (!event?.deadLetterMessage) return;
  await services.slack.update(event.deadLetterMessage.channel, event.deadLetterMessage.ts, deadLetterMessage(event, { timezone: services.settings.timezone }));
}
