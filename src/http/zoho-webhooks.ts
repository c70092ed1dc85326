import type { Request, Response } from 'express';
import type { BackendWebhookEvent } from '../providers/invoicing/backend.js';
import { parseZohoDelivery } from '../providers/invoicing/zoho-webhook.js';
import type { InboxEvent } from '../store/inbox.js';
import { storeBackendEvents } from './backend-events.js';
import { webhookSecrets } from '../store/secrets.js';
import type { Services } from '../services.js';
import { bodyBuffer } from './raw-body.js';
import { safeEqual } from './signatures.js';

/**
 * `POST /webhooks/zoho/<secret>`: Zoho Invoice signs nothing, so the URL's secret is the proof. It is
 * compared in constant time with the sealed one before anything is read or stored: a wrong secret gets
 * 401 and leaves no trace. Accepted deliveries are stored in the inbox (deduped) and only make duebot
 * read the named invoice again.
 */
export async function receiveZohoDelivery(req: Request, res: Response, services: Services): Promise<InboxEvent[]> {
  const cipher = services.webhooks.cipher;
  if (!services.backends.zoho || !cipher) {
    res.status(404).json({ error: 'zoho is not configured' });
    return [];
  }
  const presented = typeof req.params.secret === 'string' ? req.params.secret : '';
  const secrets = await webhookSecrets(services.db.pool, cipher, 'zoho');
  // Every stored secret is compared (no early exit) so the answer time says nothing about which matched.
  const matches = secrets.map((secret) => safeEqual(secret, presented)).filter(Boolean).length;
  if (!presented || matches === 0) {
    res.status(401).json({ error: 'unknown webhook URL: use the one shown when Zoho Invoice was connected' });
    return [];
  }
  const query = new URL(req.originalUrl, 'http://duebot').searchParams;
  let events: BackendWebhookEvent[];
  try {
    events = parseZohoDelivery(bodyBuffer(req.body), query, services.clock.now());
  } catch (err) {
    res.status(400).json({ error: `malformed zoho delivery: ${err instanceof Error ? err.message : String(err)}` });
    return [];
  }
  const { accepted, duplicates, ignored } = await storeBackendEvents(services, 'zoho', events);
  res.status(200).json({ accepted: accepted.length, duplicates, ignored });
  return accepted;
}
