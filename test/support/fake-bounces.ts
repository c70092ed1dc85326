import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { hmacDigest } from '../../src/http/signatures.js';
import { INBOUND_AUTH, MAILGUN_KEY, type InboundRequest } from './fake-inbound.js';

/**
 * Bounce webhook deliveries exactly as the three providers send them: Mailgun's event webhook (JSON,
 * HMAC-SHA256 of timestamp+token), Postmark's bounce webhook (JSON behind basic auth) and SendGrid's
 * event webhook (a JSON array, ECDSA P-256 over timestamp+body with the key pair SendGrid generates).
 */
export interface BounceSpec {
  /** The bounced email's Message-ID as we set it, `<…>`. */
  messageId: string;
  recipient: string;
  reason?: string;
}

export function mailgunBounce(spec: BounceSpec, options: { timestamp: number; key?: string; token?: string; severity?: 'permanent' | 'temporary'; id?: string }): InboundRequest {
  const token = options.token ?? randomBytes(25).toString('hex');
  const timestamp = String(options.timestamp);
  const body = {
    signature: { timestamp, token, signature: hmacDigest('sha256', options.key ?? MAILGUN_KEY, `${timestamp}${token}`, 'hex') },
    'event-data': {
      id: options.id ?? randomBytes(11).toString('base64url'),
      timestamp: options.timestamp,
      event: 'failed',
      severity: options.severity ?? 'permanent',
      reason: 'bounce',
      recipient: spec.recipient,
      'log-level': 'error',
      'delivery-status': { code: 550, message: '5.1.1 The email account that you tried to reach does not exist', description: spec.reason ?? '', 'attempt-no': 1 },
      message: { headers: { 'message-id': spec.messageId.replace(/^<|>$/g, ''), to: spec.recipient, from: 'billing@pixelco.example', subject: 'Invoice' }, attachments: [], size: 1234 },
    },
  };
  return { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } };
}

const basic = (userPass: string) => `Basic ${Buffer.from(userPass).toString('base64')}`;

export function postmarkBounce(spec: BounceSpec, options: { auth?: string; type?: string; id?: number } = {}): InboundRequest {
  const body = {
    RecordType: 'Bounce',
    MessageStream: 'outbound',
    ID: options.id ?? Math.floor(Math.random() * 1e9),
    Type: options.type ?? 'HardBounce',
    TypeCode: 1,
    Name: 'Hard bounce',
    Tag: '',
    MessageID: '883953f4-6105-42a2-a16a-77a8eac79483',
    Metadata: { 'duebot-message-id': spec.messageId },
    ServerID: 23,
    Description: 'The server was unable to deliver your message (ex: unknown user, mailbox not found).',
    Details: spec.reason ?? 'smtp;550 5.1.1 The email account that you tried to reach does not exist.',
    Email: spec.recipient,
    From: 'billing@pixelco.example',
    BouncedAt: '2026-12-03T10:00:00Z',
    DumpAvailable: true,
    Inactive: true,
    CanActivate: true,
    Subject: 'Invoice',
  };
  return { body: JSON.stringify(body), headers: { 'content-type': 'application/json', authorization: basic(options.auth ?? INBOUND_AUTH) } };
}

/** SendGrid's signing key pair; the public half is what its settings page shows (base64 SPKI DER). */
export function sendgridKeys() {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { privateKey, publicKeyBase64: publicKey.export({ format: 'der', type: 'spki' }).toString('base64') };
}

export function sendgridEvents(events: Record<string, unknown>[], options: { privateKey: ReturnType<typeof sendgridKeys>['privateKey']; timestamp: number }): InboundRequest {
  const body = JSON.stringify(events);
  const timestamp = String(options.timestamp);
  const signature = sign('sha256', Buffer.from(timestamp + body), options.privateKey).toString('base64');
  return {
    body,
    headers: { 'content-type': 'application/json', 'x-twilio-email-event-webhook-signature': signature, 'x-twilio-email-event-webhook-timestamp': timestamp },
  };
}

export function sendgridBounceEvent(spec: BounceSpec, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    email: spec.recipient,
    timestamp: 1764756000,
    'smtp-id': spec.messageId,
    event: 'bounce',
    type: 'bounce',
    category: [],
    sg_event_id: randomBytes(12).toString('base64url'),
    sg_message_id: `${randomBytes(8).toString('hex')}.filter0001`,
    reason: spec.reason ?? '550 5.1.1 The email account that you tried to reach does not exist.',
    status: '5.1.1',
    ...extra,
  };
}
