import type { BackendWebhookEvent } from '../providers/invoicing/backend.js';
import type { ProjectTask } from '../providers/projects/tool.js';
import { afterFailure, DEFAULT_RETRY_POLICY } from '../domain/retry-backoff.js';
import { claimDueInboxEvents, claimNewInboxEvent, markInboxDead, markInboxProcessed, rescheduleInboxEvent, type InboxEvent } from '../store/inbox.js';
import type { Services } from '../services.js';
import { draftFromMilestone } from './draft-from-milestone.js';
import { handleBackendEvent } from './record-payment.js';
import { handleReply } from './handle-reply.js';
import { announceBounces, recordBounceReport, recordDeliveryReport, type BounceReport } from './bounces.js';
import type { DeliveryReportPayload } from '../email/dsn.js';
import type { InboundEmail } from '../email/inbound-formats.js';
import { announceDeadLetter, announceUnannouncedDeadLetters, refreshDeadLetterMessage } from './dead-letter-messages.js';

/**
 * Payload stored for a project-tool delivery: the tool and the task id (the task itself is read back),
 * or the whole task when the tool has no API to ask (the generic webhook). No `tool`: Asana (older rows).
 */
export interface TaskChangedPayload {
  taskId: string;
  tool?: string;
  task?: StoredTask;
}

/** A ProjectTask as stored in JSON (the date as an ISO string). */
export type StoredTask = Omit<ProjectTask, 'completedAt'> & { completedAt: string | null };

/** Payload stored for a back-end delivery: the verified, mapped event. */
export type BackendEventPayload = Omit<BackendWebhookEvent, 'occurredAt'> & { occurredAt: string };

/** How long an attempt holds its claim; a process that dies mid-attempt leaves the event to others after it. */
export const INBOX_LEASE_MS = 5 * 60 * 1000;
/** Events attempted per sweep: the rest wait for the next one. */
const SWEEP_BATCH = 50;

export type AttemptOutcome =
  | { outcome: 'done' }
  | { outcome: 'retrying'; error: string; nextAttemptAt: Date }
  | { outcome: 'dead'; error: string }
  /** Another claim took over (this attempt outlived its lease); its result was not recorded. */
  | { outcome: 'superseded' };

/**
 * One attempt at a claimed event. A failure is tried again after a backoff (src/domain/retry-backoff.ts)
 * until the window ends; then, or at once for an event no handler knows, it becomes a dead letter
 * posted to the billing channel. Its dead-letter message, if any, is brought up to date.
 */
export async function attemptInboxEvent(services: Services, event: InboxEvent): Promise<AttemptOutcome> {
  let outcome: AttemptOutcome;
  try {
    if (await act(services, event)) {
      await markInboxProcessed(services.db.pool, event.id, services.clock.now());
      outcome = { outcome: 'done' };
    } else {
      services.log.warn({ id: event.id, kind: event.kind }, 'inbox event of unknown kind: a dead letter at once');
      outcome = await giveUp(services, event, `duebot has no handler for events of kind "${event.kind}" (from ${event.source})`);
    }
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    const now = services.clock.now();
    const next = afterFailure(
      { failedAt: now, windowStartedAt: event.retryWindowStart, attempt: event.windowAttempts, random: Math.random() },
      services.settings.inboxRetry ?? DEFAULT_RETRY_POLICY,
    );
    if (next.giveUp) {
      services.log.error({ id: event.id, source: event.source, attempts: event.attempts, err: error }, 'processing a stored event failed; giving up: a dead letter');
      outcome = await giveUp(services, event, error);
    } else {
      services.log.error({ id: event.id, source: event.source, attempts: event.attempts, next: next.nextAttemptAt, err: error }, 'processing a stored event failed; will retry');
      await rescheduleInboxEvent(services.db.pool, event, error, next.nextAttemptAt);
      outcome = { outcome: 'retrying', error, nextAttemptAt: next.nextAttemptAt };
    }
  }
  if (event.deadLetterMessage && outcome.outcome !== 'superseded') await refreshDeadLetterMessage(services, event.id);
  return outcome;
}

async function act(services: Services, event: InboxEvent): Promise<boolean> {
  const sourceEvent = `${event.source}:${event.externalId}`;
  if (event.kind === 'task_changed') {
    const payload = event.payload as TaskChangedPayload;
    const snapshot = payload.task ? { ...payload.task, completedAt: payload.task.completedAt ? new Date(payload.task.completedAt) : null } : undefined;
    await draftFromMilestone(services, payload.taskId, sourceEvent, payload.tool ?? 'asana', snapshot);
  } else if (event.kind === 'backend_event') {
    const payload = event.payload as BackendEventPayload;
    // Business time is duebot's clock: the moment the event reached us, stable across retries.
    await handleBackendEvent(services, event.source, { ...payload, occurredAt: event.receivedAt }, sourceEvent);
  } else if (event.kind === 'email_bounce') {
    await recordBounceReport(services, event.payload as BounceReport);
    await announceBounces(services);
  } else if (event.kind === 'delivery_report') {
    await recordDeliveryReport(services, event.payload as DeliveryReportPayload);
  } else if (event.kind === 'inbound_email') {
    await handleReply(services, event.payload as InboundEmail, event.id, sourceEvent);
  } else {
    return false;
  }
  return true;
}

async function giveUp(services: Services, event: InboxEvent, error: string): Promise<AttemptOutcome> {
  const dead = await markInboxDead(services.db.pool, event, error, services.clock.now());
  if (!dead) return { outcome: 'superseded' };
  if (!dead.deadLetterMessage) await announceDeadLetter(services, dead);
  return { outcome: 'dead', error };
}

/**
 * Tries the stored events that are due (crash, outage, backoff over), oldest first. Each is claimed just
 * before its attempt, so a slow attempt never lets the lease of a later one run out unattempted.
 */
export async function retryPendingInbox(services: Services, graceMs: number): Promise<number> {
  let attempted = 0;
  while (attempted < SWEEP_BATCH) {
    const now = services.clock.now();
    const [event] = await claimDueInboxEvents(services.db.pool, {
      now,
      receivedBefore: new Date(now.getTime() - graceMs),
      leaseUntil: new Date(now.getTime() + INBOX_LEASE_MS),
      limit: 1,
    });
    if (!event) break;
    await attemptInboxEvent(services, event);
    attempted += 1;
  }
  await announceUnannouncedDeadLetters(services);
  return attempted;
}

/** Acts on freshly stored deliveries in the background, in order, after the sender got its answer. */
export function processInBackground(services: Services, events: readonly InboxEvent[]): void {
  if (events.length === 0) return;
  services.background.start('inbox events', async () => {
    for (const stored of events) {
      const claimed = await claimNewInboxEvent(services.db.pool, stored.id, new Date(services.clock.now().getTime() + INBOX_LEASE_MS));
      if (claimed) await attemptInboxEvent(services, claimed);
    }
  });
}
