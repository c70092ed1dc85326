import express, { type Request, type Response } from 'express';
import { WebhookSignatureError, type BackendWebhookEvent } from '../providers/invoicing/backend.js';
import type { FreshBooksBackend } from '../providers/invoicing/freshbooks.js';
import type { InboxEvent } from '../store/inbox.js';
import { storeBackendEvents } from './backend-events.js';
import { saveWebhookSecret, webhookSecrets } from '../store/secrets.js';
import type { Services } from '../services.js';
import { storeThenAct } from './store-then-act.js';
import { bodyBuffer, rawBody } from './raw-body.js';
import { receiveXero } from './xero-webhook.js';
import { receiveInvoiceNinja } from './invoiceninja-webhook.js';
import { receiveZohoDelivery } from './zoho-webhooks.js';

/**
 * Webhooks of the accounting back-ends, the same way as /webhooks/stripe: verify over the raw bytes
 * (401, nothing stored), store every accepted event in inbox_events (deduped on its id), answer,
 * then act. Their deliveries carry ids only; processing re-reads the invoice.
 */
export function accountingWebhookRouter(services: Services): express.Router {
  const router = express.Router();
  router.post('/webhooks/quickbooks', rawBody, (req, res) => void storeThenAct(res, services, () => receive('quickbooks', req, res, services, [])));
  router.post('/webhooks/freshbooks', rawBody, (req, res) => void storeThenAct(res, services, () => freshbooks(req, res, services)));
  router.post('/webhooks/xero', rawBody, (req, res) => void storeThenAct(res, services, () => receiveXero(req, res, services)));
  router.post('/webhooks/invoiceninja', rawBody, (req, res) => void storeThenAct(res, services, () => receiveInvoiceNinja(req, res, services)));
  router.post('/webhooks/zoho/:secret', rawBody, (req, res) => void storeThenAct(res, services, () => receiveZohoDelivery(req, res, services)));
  return router;
}

async function receive(provider: string, req: Request, res: Response, services: Services, extraSecrets: string[]): Promise<InboxEvent[]> {
  const backend = services.backends[provider];
  if (!backend?.parseWebhookEvents) {
    res.status(404).json({ error: `${provider} is not configured` });
    return [];
  }
  let events: BackendWebhookEvent[];
  try {
    events = backend.parseWebhookEvents(bodyBuffer(req.body), req.headers, extraSecrets);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    res.status(err instanceof WebhookSignatureError ? 401 : 400).json({ error: err instanceof WebhookSignatureError ? reason : `malformed ${provider} delivery: ${reason}` });
    return [];
  }
  const { accepted, duplicates, ignored } = await storeBackendEvents(services, provider, events);
  res.status(200).json({ accepted: accepted.length, duplicates, ignored });
  return accepted;
}

/** FreshBooks first sends an unsigned verification message; confirming it back proves it genuine. */
async function freshbooks(req: Request, res: Response, services: Services): Promise<InboxEvent[]> {
  const backend = services.backends.freshbooks as FreshBooksBackend | undefined;
  // FreshBooks runs only with ENCRYPTION_KEY (its tokens need it), which also seals its verifier.
  const cipher = services.webhooks.cipher;
  if (!backend || !cipher) {
    res.status(404).json({ error: 'freshbooks is not configured' });
    return [];
  }
  const form = new URLSearchParams(bodyBuffer(req.body).toString('utf8'));
  const verifier = form.get('verifier');
  const callbackId = form.get('object_id');
  if (verifier && !req.header('x-freshbooks-hmac-sha256')) {
    if (!callbackId) {
      res.status(400).json({ error: 'verification message without object_id' });
      return [];
    }
    try {
      await backend.confirmWebhook(callbackId, verifier);
    } catch (err) {
      services.log.warn({ callbackId, err: err instanceof Error ? err.message : String(err) }, 'freshbooks callback verification refused');
      res.status(400).json({ error: 'FreshBooks did not accept this verifier' });
      return [];
    }
    await saveWebhookSecret(services.db.pool, cipher, 'freshbooks', callbackId, verifier, services.clock.now());
    services.log.info({ callbackId }, 'freshbooks callback verified');
    res.status(200).json({ verified: true });
    return [];
  }
  return receive('freshbooks', req, res, services, await webhookSecrets(services.db.pool, services.webhooks.cipher, 'freshbooks'));
}
