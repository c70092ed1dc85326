import type { Response } from 'express';
import type { InboxEvent } from '../store/inbox.js';
import type { Services } from '../services.js';
import { processInBackground } from '../usecases/process-inbox.js';

/**
 * The shape of every webhook route: `work` verifies the delivery, stores what it accepts in the inbox
 * and answers; a storage failure answers 503 so the sender retries (nothing is lost); the stored events
 * are then acted on in the background, so the sender never waits on Slack, SMTP or a back-end.
 */
export async function storeThenAct(res: Response, services: Services, work: () => Promise<InboxEvent[]>): Promise<void> {
  let accepted: InboxEvent[];
  try {
    accepted = await work();
  } catch (err) {
    services.log.error({ err: err instanceof Error ? err.message : String(err) }, 'webhook could not be stored');
    if (!res.headersSent) res.status(503).json({ error: 'temporarily unable to store the event; please retry' });
    return;
  }
  processInBackground(services, accepted);
}
