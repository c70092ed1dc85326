import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../../store/db.js';
import type { TokenCipher } from '../../store/token-cipher.js';
import { webhookSecrets } from '../../store/secrets.js';
import type { BackendEventKind, BackendWebhookEvent } from './backend.js';

/**
 * Zoho Invoice's workflow webhooks carry no signature. duebot vouches for a delivery by a long random
 * secret in its URL (`POST /webhooks/zoho/<secret>`), made by duebot, sealed in webhook_secrets and
 * shown to the approver who connects Zoho. A delivery only names the invoice to read again: the body's
 * amounts and statuses are never used (record-payment.ts reads the invoice from Zoho).
 */

const PROVIDER = 'zoho';
const SCOPE = 'workflow-url';

/** The secret of the webhook URL, made on first use (one per installation, kept across reconnects). */
export async function zohoWebhookSecret(db: Queryable, cipher: TokenCipher, now: Date): Promise<string> {
  const [existing] = await webhookSecrets(db, cipher, PROVIDER);
  if (existing) return existing;
  // 256 bits, URL-safe: the URL is the only credential a delivery has.
  const fresh = randomBytes(32).toString('base64url');
  const sealed = cipher.encrypt(fresh);
  const inserted = await db.query('INSERT INTO webhook_secrets (provider, scope, secret, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (provider, scope) DO NOTHING', [
    PROVIDER,
    SCOPE,
    sealed,
    now,
  ]);
  if (inserted.rowCount) return fresh;
  // Two connects at once: both show the one that won. A row sealed under an older key is replaced.
  const [stored] = await webhookSecrets(db, cipher, PROVIDER);
  if (stored) return stored;
  await db.query('UPDATE webhook_secrets SET secret = $3, created_at = $4 WHERE provider = $1 AND scope = $2', [PROVIDER, SCOPE, sealed, now]);
  return fresh;
}

const ZOHO_ID = /^\d{1,30}$/;
const ENTITY_KINDS: Record<string, BackendEventKind> = { invoice: 'payment', payment: 'payment', creditnote: 'credit' };

/**
 * The invoices one delivery names. Zoho's default body is the entity as JSON (`{"invoice":{…}}`,
 * `{"payment":{…, "invoices":[{invoice_id}]}}`, `{"creditnote":{…, "invoices":[…]}}`); a rule may
 * instead append `invoice_id` to the URL as a custom parameter. Anything else is ignored (not refused:
 * Zoho would retry a refusal). Deliveries carry no event id: one per entity, body and minute.
 */
export function parseZohoDelivery(rawBody: Buffer, urlParams: URLSearchParams, now: Date): BackendWebhookEvent[] {
  const digest = createHash('sha256').update(rawBody).update(urlParams.toString()).digest('hex').slice(0, 16);
  const minute = Math.floor(now.getTime() / 60_000);
  const event = (entity: string, invoiceId: string | null, subject: BackendWebhookEvent['subject']): BackendWebhookEvent => ({
    eventId: `${entity}:${invoiceId ?? subject?.id ?? '-'}:${digest}:${minute}`,
    type: `${entity}.workflow`,
    kind: Object.hasOwn(ENTITY_KINDS, entity) ? ENTITY_KINDS[entity]! : 'ignored',
    providerInvoiceId: invoiceId,
    duebotInvoiceId: null,
    occurredAt: now,
    subject,
  });
  const fromUrl = urlParams.get('invoice_id');
  if (fromUrl && ZOHO_ID.test(fromUrl)) return [event('invoice', fromUrl, null)];

  let body: unknown = null;
  if (rawBody.length) {
    try {
      body = JSON.parse(rawBody.toString('utf8'));
    } catch {
      throw new Error('body is neither JSON nor empty');
    }
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) return [event('unknown', null, null)];
  const record = body as Record<string, unknown>;
  const entity = ['invoice', 'payment', 'creditnote'].find((key) => Object.hasOwn(record, key) && record[key] && typeof record[key] === 'object');
  if (!entity) return [event('unknown', null, null)];
  const item = record[entity] as Record<string, unknown>;
  if (entity === 'invoice') {
    const id = String(item.invoice_id ?? '');
    return ZOHO_ID.test(id) ? [event('invoice', id, null)] : [event('unknown', null, null)];
  }
  const ids = [
    ...new Set((Array.isArray(item.invoices) ? (item.invoices as Record<string, unknown>[]) : []).map((i) => String(i?.invoice_id ?? '')).filter((id) => ZOHO_ID.test(id))),
  ];
  if (ids.length) return ids.map((id) => event(entity, id, null));
  // A payment that names no invoice: the payment says which (resolveInvoiceId reads it).
  const paymentId = String(item.payment_id ?? '');
  if (entity === 'payment' && ZOHO_ID.test(paymentId)) return [event('payment', null, { type: 'payment', id: paymentId })];
  return [event('unknown', null, null)];
}
