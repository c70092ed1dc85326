import { createHash } from 'node:crypto';
import { safeEqual } from '../../http/signatures.js';
import { WebhookSignatureError, type BackendEventKind, type BackendWebhookEvent } from './backend.js';
import { SECRET_HEADER } from './backend-webhooks.js';

/**
 * Invoice Ninja webhooks: the body is the bare entity (no event name, no id of the delivery, no
 * signature), sent with the headers set on the webhook. duebot creates one webhook per event below
 * (Webhook::EVENT_* ids), each carrying its own random `X-Duebot-Secret`; the registration named by the
 * target URL's `?hook=` says which event a delivery is and which secret it must carry. A delivery only
 * says which invoice to read again: amounts in the body are never used.
 */
export const INVOICENINJA_EVENTS = {
  create_payment: 4,
  update_payment: 31,
  delete_payment: 12,
  update_invoice: 8,
  delete_invoice: 9,
} as const;

export type InvoiceNinjaEvent = keyof typeof INVOICENINJA_EVENTS;

/** What the registration behind a delivery's `?hook=` holds: its event and its secret (unsealed). */
export interface InvoiceNinjaDeliveryAuth {
  event: string;
  secret: string;
}

interface DeliveredEntity {
  id?: unknown;
  updated_at?: unknown;
  /** Payments: which invoices (and credits) they were applied to. */
  paymentables?: { invoice_id?: unknown }[];
  invoices?: { id?: unknown }[];
}

export function parseInvoiceNinjaDelivery(
  rawBody: Buffer,
  headers: Record<string, string | string[] | undefined>,
  auth: InvoiceNinjaDeliveryAuth,
  now: Date,
): BackendWebhookEvent[] {
  const header = headers[SECRET_HEADER.toLowerCase()];
  const given = Array.isArray(header) ? header[0] : header;
  if (!given) throw new WebhookSignatureError(`missing ${SECRET_HEADER} header`);
  if (!auth.secret || !safeEqual(given, auth.secret)) throw new WebhookSignatureError(`${SECRET_HEADER} does not match this webhook's secret`);
  if (!Object.hasOwn(INVOICENINJA_EVENTS, auth.event)) throw new Error(`unknown event ${auth.event}`);

  const body = JSON.parse(rawBody.toString('utf8')) as DeliveredEntity;
  if (!body || typeof body !== 'object' || typeof body.id !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(body.id)) throw new Error('expected the entity with its id');
  const id = body.id;
  const event = auth.event as InvoiceNinjaEvent;
  // No event ids: a payment is created once; a later change is told apart by its updated_at (else the body).
  const version = typeof body.updated_at === 'number' ? String(body.updated_at) : createHash('sha256').update(rawBody).digest('hex').slice(0, 16);
  const base = event === 'create_payment' ? `${event}:${id}` : `${event}:${id}:${version}`;

  if (event.endsWith('_payment')) {
    const invoiceIds = new Set<string>();
    for (const p of body.paymentables ?? []) if (typeof p?.invoice_id === 'string') invoiceIds.add(p.invoice_id);
    for (const i of body.invoices ?? []) if (typeof i?.id === 'string') invoiceIds.add(i.id);
    const subject = { type: 'payment', id };
    if (invoiceIds.size === 0) return [{ eventId: base, type: event, kind: 'payment', providerInvoiceId: null, duebotInvoiceId: null, occurredAt: now, subject }];
    return [...invoiceIds].map((invoiceId) => ({
      eventId: `${base}:${invoiceId}`,
      type: event,
      kind: 'payment',
      providerInvoiceId: invoiceId,
      duebotInvoiceId: null,
      occurredAt: now,
      subject,
    }));
  }
  const kind: BackendEventKind = event === 'delete_invoice' ? 'voided' : 'payment';
  return [{ eventId: base, type: event, kind, providerInvoiceId: id, duebotInvoiceId: null, occurredAt: now, subject: null }];
}
