import type { Request, Response } from 'express';
import { WebhookSignatureError, type BackendWebhookEvent } from '../providers/invoicing/backend.js';
import { XERO } from '../providers/invoicing/xero-webhooks.js';
import type { InboxEvent } from '../store/inbox.js';
import { storeBackendEvents } from './backend-events.js';
import type { Services } from '../services.js';
import { bodyBuffer } from './raw-body.js';

/**
 * `POST /webhooks/xero`. Xero's rules for the endpoint (developer.xero.com/documentation/webhooks/
 * configuring-your-server) replace duebot's JSON answers here: 200 with no body for a correctly signed
 * delivery, 401 for a wrong signature, no cookies. Its "intent to receive" check is a series of
 * deliveries with `events: []`, some signed wrongly, answered the same way; nothing is stored for them.
 * Accepted events are stored in the inbox (deduped) before the answer, and acted on afterwards.
 */
export async function receiveXero(req: Request, res: Response, services: Services): Promise<InboxEvent[]> {
  const backend = services.backends[XERO];
  if (!backend?.parseWebhookEvents) {
    res.status(404).json({ error: 'xero is not configured' });
    return [];
  }
  let events: BackendWebhookEvent[];
  try {
    events = backend.parseWebhookEvents(bodyBuffer(req.body), req.headers);
  } catch (err) {
    if (err instanceof WebhookSignatureError) {
      services.log.warn({ reason: err.message }, 'xero webhook refused');
      res.status(401).end();
      return [];
    }
    res.status(400).json({ error: `malformed xero delivery: ${err instanceof Error ? err.message : String(err)}` });
    return [];
  }
  const { accepted } = await storeBackendEvents(services, XERO, events);
  res.status(200).end();
  return accepted;
}
