import type { BackendWebhookEvent } from '../providers/invoicing/backend.js';
import { storeInboxEvent, type InboxEvent } from '../store/inbox.js';
import type { Services } from '../services.js';
import type { BackendEventPayload } from '../usecases/process-inbox.js';

export interface StoredBackendEvents {
  /** Newly stored, to act on after answering. */
  accepted: InboxEvent[];
  /** Already stored under the same event id (a redelivery). */
  duplicates: number;
  /** Events about nothing duebot tracks (kind 'ignored'): not stored. */
  ignored: number;
}

/** Stores a verified delivery's back-end events in the inbox, deduped on each event id, before anything acts on them. */
export async function storeBackendEvents(services: Services, source: string, events: BackendWebhookEvent[]): Promise<StoredBackendEvents> {
  const accepted: InboxEvent[] = [];
  let ignored = 0;
  for (const event of events) {
    if (event.kind === 'ignored') {
      ignored += 1;
      continue;
    }
    const payload: BackendEventPayload = { ...event, occurredAt: event.occurredAt.toISOString() };
    const stored = await storeInboxEvent(services.db.pool, { source, externalId: event.eventId, kind: 'backend_event', payload }, services.clock.now());
    if (stored) accepted.push(stored);
  }
  return { accepted, duplicates: events.length - accepted.length - ignored, ignored };
}
