import { getInboxEvent, requeueDeadLetter } from '../store/inbox.js';
import { audit } from '../store/audit.js';
import type { Services } from '../services.js';
import { attemptInboxEvent, INBOX_LEASE_MS, type AttemptOutcome } from './process-inbox.js';

export type RetryAnswer = AttemptOutcome | { outcome: 'not_dead'; state: 'missing' | 'processed' | 'queued' };

/**
 * An approver's Retry on a dead letter: a fresh backoff window, and one attempt right away (claimed
 * atomically, so two clicks or two processes make one attempt). Its message shows the outcome and who retried.
 */
export async function retryDeadLetter(services: Services, eventId: number, by: { slackUserId: string }): Promise<RetryAnswer> {
  const now = services.clock.now();
  const claimed = await requeueDeadLetter(services.db.pool, eventId, { by: by.slackUserId, now, leaseUntil: new Date(now.getTime() + INBOX_LEASE_MS) });
  if (!claimed) {
    const event = await getInboxEvent(services.db.pool, eventId);
    return { outcome: 'not_dead', state: !event ? 'missing' : event.processedAt ? 'processed' : 'queued' };
  }
  await audit(
    services.db.pool,
    { invoiceId: null, actor: `slack:${by.slackUserId}`, action: 'dead_letter_retried', details: { event: eventId, source: claimed.source, kind: claimed.kind } },
    now,
  );
  services.log.info({ id: eventId, by: by.slackUserId }, 'dead letter retried');
  return attemptInboxEvent(services, claimed);
}
