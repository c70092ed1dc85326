import type { Response } from 'express';
import type { InboxEvent } from '../store/inbox.js';
import type { Services } from '../services.js';
import { processInBackground } from '../usecases/process-inbox.js';
import { answerFailure } from './errors.js';

/**
 * The shape of every webhook route: `work` verifies the delivery, stores what it accepts in the inbox
 * and answers; a failure to store answers 400 when the data can never be stored and 503 when a retry
 * can succeed (the database is unreachable: nothing is lost, the sender retries); the stored events
 * are then acted on in the background, so the sender never waits on Slack, SMTP or a back-end.
 */
export async function storeThenAct(res: Response, services: Services, work: () => Promise<InboxEvent[]>, context: Record<string, unknown> = {}): Promise<void> {
  let accepted: InboxEvent[];
  try {
    accepted = await work();
  } catch (err) {
    answerFailure(res, services.log, err, context);
    return;
  }
  processInBackground(services, accepted);
}
