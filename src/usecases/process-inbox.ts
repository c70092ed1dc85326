import type { BackendWebhookEvent } from '../providers/invoicing/backend.js';
import type { ProjectTask } from '../providers/projects/tool.js';
import { markInboxFailed, markInboxProcessed, pendingInboxEvents, type InboxEvent } from '../store/inbox.js';
import type { Services } from '../services.js';
import { draftFromMilestone } from './draft-from-milestone.js';
import { handleBackendEvent } from './record-payment.js';
import { handleReply } from './handle-reply.js';
import type { InboundEmail } from '../email/inbound-formats.js';

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

/** Acts on one stored delivery; failures are recorded on the event and retried by the sweep. */
export async function processInboxEvent(services: Services, event: InboxEvent): Promise<void> {
  const sourceEvent = `${event.source}:${event.externalId}`;
  try {
    if (event.kind === 'task_changed') {
      const payload = event.payload as TaskChangedPayload;
      const snapshot = payload.task ? { ...payload.task, completedAt: payload.task.completedAt ? new Date(payload.task.completedAt) : null } : undefined;
      await draftFromMilestone(services, payload.taskId, sourceEvent, payload.tool ?? 'asana', snapshot);
    } else if (event.kind === 'backend_event') {
      const payload = event.payload as BackendEventPayload;
      // Business time is duebot's clock: the moment the event reached us, stable across retries.
      await handleBackendEvent(services, event.source, { ...payload, occurredAt: event.receivedAt }, sourceEvent);
    } else if (event.kind === 'inbound_email') {
      await handleReply(services, event.payload as InboundEmail, event.id, sourceEvent);
    } else {
      services.log.warn({ id: event.id, kind: event.kind }, 'inbox event of unknown kind left unprocessed');
      return;
    }
    await markInboxProcessed(services.db.pool, event.id, services.clock.now());
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    services.log.error({ id: event.id, source: event.source, err: message }, 'processing a stored event failed; will retry');
    await markInboxFailed(services.db.pool, event.id, message);
  }
}

export const INBOX_MAX_ATTEMPTS = 20;

/** Retries stored events that were not processed (crash, outage), oldest first. */
export async function retryPendingInbox(services: Services, graceMs: number): Promise<number> {
  const events = await pendingInboxEvents(services.db.pool, new Date(services.clock.now().getTime() - graceMs), INBOX_MAX_ATTEMPTS);
  for (const event of events) await processInboxEvent(services, event);
  return events.length;
}

/** Acts on freshly stored deliveries in the background, in order, after the sender got its answer. */
export function processInBackground(services: Services, events: readonly InboxEvent[]): void {
  if (events.length === 0) return;
  services.background.start('inbox events', async () => {
    for (const event of events) await processInboxEvent(services, event);
  });
}
