import { createHmac } from 'node:crypto';
import { safeEqual } from '../../http/signatures.js';
import { WebhookSignatureError, type BackendEventKind, type BackendWebhookEvent } from './backend.js';

/** Xero's provider name (here, not in xero.ts, so the webhook route does not load the xero-node SDK). */
export const XERO = 'xero';

/** Xero: `x-xero-signature` is the base64 HMAC-SHA256 of the raw body with the app's webhook key. */
export function xeroSignature(webhookKey: string, rawBody: Buffer | string): string {
  return createHmac('sha256', webhookKey).update(rawBody).digest('base64');
}

/** Throws WebhookSignatureError unless the delivery is signed with the webhook key. */
export function verifyXeroSignature(webhookKey: string | null, rawBody: Buffer, headers: Record<string, string | string[] | undefined>): void {
  const header = headers['x-xero-signature'];
  const signature = Array.isArray(header) ? header[0] : header;
  if (!signature) throw new WebhookSignatureError('missing x-xero-signature header');
  if (!webhookKey || !safeEqual(xeroSignature(webhookKey, rawBody), signature.trim())) throw new WebhookSignatureError('x-xero-signature does not match the webhook key');
}

interface XeroEvent {
  resourceUrl?: string;
  resourceId?: string;
  eventDateUtc?: string;
  eventType?: string;
  eventCategory?: string;
  tenantId?: string;
  tenantType?: string;
}

/**
 * Xero's events carry ids only: an INVOICE event (payments show up as invoice updates) makes processing
 * re-read the invoice; a CREDITNOTE event is resolved to the invoice it is allocated to. Contacts and
 * subscriptions are ignored. The "intent to receive" check sends `events: []`, which maps to nothing.
 * Deliveries have no event id: tenant, category, resource, type and time identify one change.
 */
export function parseXeroEvents(body: unknown, now: Date): BackendWebhookEvent[] {
  const events = (body as { events?: unknown })?.events;
  if (!Array.isArray(events)) throw new Error('expected an events array');
  return (events as XeroEvent[]).map((e) => {
    if (!e || typeof e.resourceId !== 'string' || typeof e.eventCategory !== 'string' || typeof e.eventType !== 'string') {
      throw new Error('event without resourceId, eventCategory or eventType');
    }
    const category = e.eventCategory.toUpperCase();
    const organisation = (e.tenantType ?? 'ORGANISATION').toUpperCase() === 'ORGANISATION';
    const kind: BackendEventKind = !organisation ? 'ignored' : category === 'INVOICE' ? 'payment' : category === 'CREDITNOTE' ? 'credit' : 'ignored';
    const at = e.eventDateUtc && !Number.isNaN(Date.parse(e.eventDateUtc)) ? new Date(e.eventDateUtc) : now;
    return {
      eventId: `${e.tenantId ?? ''}:${category}:${e.resourceId}:${e.eventType}:${e.eventDateUtc ?? ''}`,
      type: `${category}.${e.eventType}`,
      kind,
      providerInvoiceId: kind === 'payment' ? e.resourceId : null,
      duebotInvoiceId: null,
      occurredAt: at,
      subject: kind === 'credit' ? { type: 'credit_note', id: e.resourceId } : null,
    };
  });
}
