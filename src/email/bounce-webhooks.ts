import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { timestampProblem } from '../http/signatures.js';
import { verifyMailgun } from './inbound-formats.js';
import type { BounceReport } from '../usecases/bounces.js';

/**
 * The three mail providers' bounce webhooks, reduced to bounce reports. Pure: body in, reports out.
 * - Mailgun event webhook: JSON `{signature: {timestamp, token, signature}, "event-data": {...}}`,
 *   HMAC-SHA256 of timestamp+token with the webhook signing key; a bounce is `event: failed` with
 *   `severity: permanent`; our Message-ID is `message.headers.message-id` (without brackets).
 * - Postmark bounce webhook: JSON `RecordType: Bounce`, behind basic auth; our Message-ID travels in
 *   Metadata (`X-PM-Metadata-duebot-message-id`, set at send), Postmark's own `MessageID` is not ours.
 * - SendGrid event webhook: a JSON array, ECDSA P-256 signature (base64 DER) over timestamp + body in
 *   `X-Twilio-Email-Event-Webhook-Signature`; a bounce is `event: bounce` (not `type: blocked`, a
 *   temporary block) or `dropped`; our Message-ID is `smtp-id`.
 * Every other event (delivered, opened, a temporary failure) is no bounce and yields no report.
 */
export type BounceProvider = 'mailgun' | 'postmark' | 'sendgrid';

export type BounceParse = { ok: true; reports: BounceReport[]; mailgunToken?: string } | { ok: false; status: 400 | 401 | 406; reason: string };

/** Postmark metadata key (and header `X-PM-Metadata-<key>`) carrying our Message-ID. */
export const POSTMARK_METADATA_KEY = 'duebot-message-id';

const obj = (v: unknown): Record<string, unknown> | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : typeof v === 'number' ? String(v) : null);

/** `abc@host` or `<abc@host>` → `<abc@host>`; anything else → null. */
export function bracketed(id: string | null): string | null {
  if (!id) return null;
  const bare = id.trim().replace(/^<|>$/g, '');
  return /^[^<>\s]+@[^<>\s]+$/.test(bare) ? `<${bare}>` : null;
}

export function parseMailgunBounce(json: unknown, signingKey: string | null, now: Date): BounceParse {
  const body = obj(json);
  if (!body) return { ok: false, status: 400, reason: 'expected a JSON object' };
  const sig = obj(body.signature) ?? {};
  if (!signingKey) return { ok: false, status: 401, reason: 'MAILGUN_SIGNING_KEY is not set' };
  const verdict = verifyMailgun(signingKey, { timestamp: str(sig.timestamp) ?? undefined, token: str(sig.token) ?? undefined, signature: str(sig.signature) ?? undefined }, now);
  if (!verdict.ok) return { ok: false, status: 401, reason: `Mailgun signature rejected: ${verdict.reason}` };
  const data = obj(body['event-data']);
  if (!data) return { ok: false, status: 406, reason: 'missing event-data' };
  const token = String(sig.token);
  if (data.event !== 'failed' || data.severity !== 'permanent') return { ok: true, reports: [], mailgunToken: token };
  const recipient = str(data.recipient);
  const id = str(data.id);
  if (!recipient || !id) return { ok: false, status: 406, reason: 'a failed event needs id and recipient' };
  const headers = obj(obj(data.message)?.headers) ?? {};
  const status = obj(data['delivery-status']) ?? {};
  const reason = [str(status.code), str(status.description) ?? str(status.message) ?? str(data.reason)].filter(Boolean).join(' ');
  return {
    ok: true,
    mailgunToken: token,
    reports: [
      { kind: 'webhook', provider: 'mailgun', dedupeKey: `mailgun:${id}`, messageId: bracketed(str(headers['message-id'])), recipient, reason: reason || 'permanent failure' },
    ],
  };
}

/** Postmark bounce types that mean the address will not take mail (soft bounces and auto-replies are not bounces here). */
const POSTMARK_PERMANENT = new Set(['HardBounce', 'BadEmailAddress', 'ManuallyDeactivated', 'SpamNotification', 'Blocked', 'DMARCPolicy', 'AddressChange']);

export function parsePostmarkBounce(json: unknown): BounceParse {
  const body = obj(json);
  if (!body) return { ok: false, status: 400, reason: 'expected a JSON object' };
  if (body.RecordType !== 'Bounce') return { ok: true, reports: [] };
  const id = str(body.ID);
  const email = str(body.Email);
  if (!id || !email) return { ok: false, status: 400, reason: 'a bounce needs ID and Email' };
  if (!POSTMARK_PERMANENT.has(String(body.Type)) && body.Inactive !== true) return { ok: true, reports: [] };
  const metadata = obj(body.Metadata) ?? {};
  const reason = [str(body.Description), str(body.Details)].filter(Boolean).join(': ');
  return {
    ok: true,
    reports: [
      {
        kind: 'webhook',
        provider: 'postmark',
        dedupeKey: `postmark:${id}`,
        messageId: bracketed(str(metadata[POSTMARK_METADATA_KEY])),
        recipient: email,
        reason: reason || String(body.Type),
      },
    ],
  };
}

/** How far SendGrid's signed timestamp may be from our clock (SendGrid documents none; replay guard). */
export const SENDGRID_MAX_AGE_SECONDS = 15 * 60;

/** SendGrid's verification key as shown in its settings: base64 SubjectPublicKeyInfo DER (a PEM is accepted too). */
export function sendgridPublicKey(value: string): KeyObject {
  const trimmed = value.trim();
  const key = trimmed.includes('BEGIN PUBLIC KEY') ? createPublicKey(trimmed) : createPublicKey({ key: Buffer.from(trimmed, 'base64'), format: 'der', type: 'spki' });
  if (key.asymmetricKeyType !== 'ec') throw new Error('not an elliptic-curve public key');
  return key;
}

export function verifySendgrid(
  publicKey: KeyObject | null,
  headers: { signature?: string; timestamp?: string },
  raw: Buffer,
  now: Date,
): { ok: true } | { ok: false; reason: string } {
  if (!publicKey) return { ok: false, reason: 'SENDGRID_WEBHOOK_PUBLIC_KEY is not set' };
  if (!headers.signature || !headers.timestamp) return { ok: false, reason: 'missing X-Twilio-Email-Event-Webhook-Signature or -Timestamp' };
  const problem = timestampProblem(headers.timestamp, now.getTime(), SENDGRID_MAX_AGE_SECONDS);
  if (problem) return { ok: false, reason: problem };
  let good = false;
  try {
    good = verify('sha256', Buffer.concat([Buffer.from(headers.timestamp, 'utf8'), raw]), publicKey, Buffer.from(headers.signature, 'base64'));
  } catch {
    good = false;
  }
  return good ? { ok: true } : { ok: false, reason: 'signature does not match' };
}

export function parseSendgridEvents(json: unknown): BounceParse {
  if (!Array.isArray(json)) return { ok: false, status: 400, reason: 'expected a JSON array of events' };
  const reports: BounceReport[] = [];
  for (const item of json) {
    const e = obj(item);
    if (!e) return { ok: false, status: 400, reason: 'every event must be an object' };
    const bounce = (e.event === 'bounce' && e.type !== 'blocked') || e.event === 'dropped';
    if (!bounce) continue;
    const id = str(e.sg_event_id);
    const email = str(e.email);
    if (!id || !email) return { ok: false, status: 400, reason: 'a bounce event needs sg_event_id and email' };
    const reason = [str(e.status), str(e.reason)].filter(Boolean).join(' ');
    reports.push({
      kind: 'webhook',
      provider: 'sendgrid',
      dedupeKey: `sendgrid:${id}`,
      messageId: bracketed(str(e['smtp-id'])),
      recipient: email,
      reason: reason || String(e.event),
    });
  }
  return { ok: true, reports };
}
