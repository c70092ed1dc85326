import type { Request, Response } from 'express';
import { WebhookSignatureError, type BackendWebhookEvent } from '../providers/invoicing/backend.js';
import { INVOICENINJA, type InvoiceNinjaBackend } from '../providers/invoicing/invoiceninja.js';
import type { InboxEvent } from '../store/inbox.js';
import { storeBackendEvents } from './backend-events.js';
import { findRegistration } from '../store/webhook-registrations.js';
import type { Services } from '../services.js';
import { hookToken, noteVerifiedDelivery } from '../usecases/registered-webhooks.js';
import { bodyBuffer } from './raw-body.js';

/**
 * `POST /webhooks/invoiceninja?hook=<token>`: Invoice Ninja signs nothing, so a delivery must name a
 * webhook duebot registered (`/invoices connect invoiceninja`) and carry that registration's secret
 * header, compared in constant time; otherwise 401 and nothing is stored. Accepted events are stored in
 * the inbox (deduped) before anything acts on them; processing reads the invoice again.
 */
export async function receiveInvoiceNinja(req: Request, res: Response, services: Services): Promise<InboxEvent[]> {
  const backend = Object.hasOwn(services.backends, INVOICENINJA) ? (services.backends[INVOICENINJA] as InvoiceNinjaBackend) : undefined;
  const cipher = services.webhooks.cipher;
  if (!backend || !cipher) {
    res.status(404).json({ error: 'invoiceninja is not configured' });
    return [];
  }
  const token = hookToken(req.query);
  const registration = token ? await findRegistration(services.db.pool, INVOICENINJA, token) : null;
  let secret: string | null = null;
  try {
    secret = registration?.status === 'active' && registration.sealedSecret ? cipher.decrypt(registration.sealedSecret) : null;
  } catch {
    services.log.warn({ event: registration?.resource }, 'invoiceninja webhook secret does not unseal (ENCRYPTION_KEY changed?): run /invoices connect invoiceninja again');
  }
  if (!registration || !secret) {
    res.status(401).json({ error: 'unknown webhook: register it with /invoices connect invoiceninja' });
    return [];
  }
  let events: BackendWebhookEvent[];
  try {
    events = backend.parseDelivery(bodyBuffer(req.body), req.headers, { event: registration.resource, secret });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    res.status(err instanceof WebhookSignatureError ? 401 : 400).json({ error: err instanceof WebhookSignatureError ? reason : `malformed invoiceninja delivery: ${reason}` });
    return [];
  }
  await noteVerifiedDelivery(services, registration.token);
  const { accepted, duplicates, ignored } = await storeBackendEvents(services, INVOICENINJA, events);
  res.status(200).json({ accepted: accepted.length, duplicates, ignored });
  return accepted;
}
