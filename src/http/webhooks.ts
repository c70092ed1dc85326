import { createHash } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { WebhookSignatureError } from '../providers/invoicing/backend.js';
import { verifyAsanaSignature } from './signatures.js';
import { storeInboxEvent, type InboxEvent } from '../store/inbox.js';
import { acceptRegisteredHandshake, hookToken, noteVerifiedDelivery, registeredWebhook } from '../usecases/registered-webhooks.js';
import type { Services } from '../services.js';
import type { BackendEventPayload, TaskChangedPayload } from '../usecases/process-inbox.js';
import { storeThenAct } from './store-then-act.js';
import { bodyBuffer, parseJson, rawBody } from './raw-body.js';

/**
 * Webhook routes: verify over the raw bytes, store every accepted event, answer at once, then act.
 * Processing starts right away in this process; the sweep retries anything a crash interrupted.
 */
export function webhookRouter(services: Services): express.Router {
  const router = express.Router();
  // Without an Asana token the route answers 404 (like any unconfigured tool) and stores nothing.
  const asanaEnabled: express.RequestHandler = (_req, _res, next) => (services.projectTools.asana ? next() : next('router'));
  router.post('/webhooks/asana', asanaEnabled, rawBody, (req, res) => void storeThenAct(res, services, () => asana(req, res, services)));
  router.post('/webhooks/stripe', rawBody, (req, res) => void storeThenAct(res, services, () => stripe(req, res, services)));
  return router;
}

const asanaEvent = z.object({
  action: z.string(),
  created_at: z.string().optional(),
  resource: z.object({ gid: z.string(), resource_type: z.string() }),
  change: z.object({ field: z.string() }).passthrough().nullish(),
  user: z.unknown().optional(),
  parent: z.unknown().optional(),
});
const asanaDelivery = z.object({ events: z.array(z.unknown()) });

async function asana(req: Request, res: Response, services: Services): Promise<InboxEvent[]> {
  const now = services.clock.now();
  const token = hookToken(req.query);
  const handshake = req.header('x-hook-secret');
  if (handshake !== undefined) {
    // Asana's handshake while duebot's own create call for this registration is in flight: echo and keep the secret.
    if (!(await acceptRegisteredHandshake(services, 'asana', token, handshake))) {
      services.log.warn({ route: '/webhooks/asana', reason: token ? 'no pending registration for this hook' : 'no hook token' }, 'asana handshake refused');
      res.status(403).json({ error: 'no webhook registration of duebot is waiting for this handshake; connect with /invoices connect asana <project gid>' });
      return [];
    }
    services.log.info('asana webhook handshake accepted');
    res.setHeader('X-Hook-Secret', handshake);
    res.status(200).end();
    return [];
  }
  const raw = bodyBuffer(req.body);
  const signature = req.header('x-hook-signature');
  // One HMAC: against the registration the target URL's ?hook= names, never a scan of every stored secret.
  const secret = (await registeredWebhook(services, 'asana', token))?.secret;
  if (!secret || !signature || !verifyAsanaSignature(secret, raw, signature)) {
    const reason = !secret ? 'unknown or missing ?hook= registration' : signature ? 'X-Hook-Signature does not match this webhook' : 'missing X-Hook-Signature';
    res.status(401).json({ error: reason });
    return [];
  }
  await noteVerifiedDelivery(services, token!);
  const json = parseJson(raw);
  const delivery = json.ok ? asanaDelivery.safeParse(json.value) : null;
  if (!json.ok || !delivery?.success) {
    res.status(400).json({ error: json.ok ? 'expected {"events": [...]}' : json.reason });
    return [];
  }
  const accepted: InboxEvent[] = [];
  let ignored = 0;
  for (const item of delivery.data.events) {
    const parsed = asanaEvent.safeParse(item);
    const event = parsed.success ? parsed.data : null;
    if (!event || event.resource.resource_type !== 'task' || event.action !== 'changed' || event.change?.field !== 'completed') {
      ignored += 1;
      continue;
    }
    // Asana events carry no id: the event's own content identifies a repeat delivery.
    const externalId = createHash('sha256')
      .update(JSON.stringify([event.resource.gid, event.action, event.change?.field, event.created_at ?? '', event.user ?? null]))
      .digest('hex');
    const payload: TaskChangedPayload = { taskId: event.resource.gid, tool: 'asana' };
    const stored = await storeInboxEvent(services.db.pool, { source: 'asana', externalId, kind: 'task_changed', payload }, now);
    if (stored) accepted.push(stored);
  }
  res.status(200).json({ accepted: accepted.length, duplicates: delivery.data.events.length - accepted.length - ignored, ignored });
  return accepted;
}

async function stripe(req: Request, res: Response, services: Services): Promise<InboxEvent[]> {
  const backend = services.backends.stripe;
  if (!backend) {
    res.status(404).json({ error: 'stripe is not configured' });
    return [];
  }
  const raw = bodyBuffer(req.body);
  let event;
  try {
    event = backend.parseWebhook(raw, req.headers);
  } catch (err) {
    if (err instanceof WebhookSignatureError) {
      res.status(401).json({ error: `invalid Stripe-Signature: ${err.message}` });
    } else {
      res.status(400).json({ error: `malformed Stripe event: ${err instanceof Error ? err.message : String(err)}` });
    }
    return [];
  }
  if (event.kind === 'ignored') {
    res.status(200).json({ ignored: event.type });
    return [];
  }
  const payload: BackendEventPayload = { ...event, occurredAt: event.occurredAt.toISOString() };
  const stored = await storeInboxEvent(services.db.pool, { source: 'stripe', externalId: event.eventId, kind: 'backend_event', payload }, services.clock.now());
  res.status(200).json({ received: true, duplicate: !stored });
  return stored ? [stored] : [];
}
