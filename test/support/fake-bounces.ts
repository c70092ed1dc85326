import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { hmacDigest } from '../../src/http/signatures.js';
import { INBOUND_AUTH, MAILGUN_KEY, multipart, type InboundRequest } from './fake-inbound.js';

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
      message: {
        headers: { 'message-id': spec.messageId.replace(/^<|>$/g, ''), to: spec.recipient, from: 'billing@pixelco.example', subject: 'Invoice' },
        attachments: [],
        size: 1234,
      },
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

/** A delivery status notification (RFC 3464) for our email `messageId`, as a receiving server sends it back. */
export interface DsnSpec {
  /** The Message-ID of the email that bounced (in the returned headers). */
  messageId: string;
  recipient: string;
  status?: string;
  diagnostic?: string;
  /** The DSN's own Message-ID. */
  dsnId?: string;
}

function dsnParts(spec: DsnSpec) {
  const status = [
    'Reporting-MTA: dns; mx.acme.example',
    'X-Postfix-Queue-ID: 4Q2x7H1zZ9z',
    'Arrival-Date: Thu, 3 Dec 2026 10:00:00 +0000',
    '',
    `Final-Recipient: rfc822; ${spec.recipient}`,
    `Original-Recipient: rfc822;${spec.recipient}`,
    'Action: failed',
    `Status: ${spec.status ?? '5.1.1'}`,
    'Remote-MTA: dns; mail.acme.example',
    `Diagnostic-Code: smtp; ${spec.diagnostic ?? '550 5.1.1 <' + spec.recipient + '>: Recipient address rejected: User unknown'}`,
    '',
  ].join('\r\n');
  const headers = [
    'From: Pixel & Co Billing <billing@pixelco.example>',
    `To: ${spec.recipient}`,
    'Subject: Invoice from Pixel & Co',
    `Message-ID: ${spec.messageId}`,
    'Date: Thu, 3 Dec 2026 09:59:58 +0000',
    '',
  ].join('\r\n');
  const human = `This is the mail system at host mx.acme.example.\n\nI'm sorry to have to inform you that your message could not be delivered to one or more recipients.\n\n<${spec.recipient}>: host mail.acme.example said: 550 5.1.1 User unknown`;
  return { status, headers, human };
}

const DSN_FROM = 'MAILER-DAEMON@mx.acme.example (Mail Delivery System)';
const dsnHeaderPairs = (spec: DsnSpec): [string, string][] => [
  ['From', DSN_FROM],
  ['Subject', 'Undelivered Mail Returned to Sender'],
  ['Message-Id', spec.dsnId ?? `<dsn.${randomBytes(6).toString('hex')}@mx.acme.example>`],
  ['Auto-Submitted', 'auto-replied'],
  ['Content-Type', 'multipart/report; report-type=delivery-status; boundary="4Q2x7H1zZ9z.1764756000/mx.acme.example"'],
];

/** Postmark inbound: the report parts arrive as JSON attachments, base64. */
export function postmarkDsn(spec: DsnSpec, auth = INBOUND_AUTH): InboundRequest {
  const parts = dsnParts(spec);
  const body = {
    From: 'MAILER-DAEMON@mx.acme.example',
    FromFull: { Email: 'MAILER-DAEMON@mx.acme.example', Name: 'Mail Delivery System', MailboxHash: '' },
    To: 'billing@pixelco.example',
    Subject: 'Undelivered Mail Returned to Sender',
    MessageID: randomBytes(8).toString('hex'),
    TextBody: parts.human,
    HtmlBody: '',
    StrippedTextReply: '',
    Headers: dsnHeaderPairs(spec)
      .filter(([k]) => k !== 'From' && k !== 'Subject')
      .map(([Name, Value]) => ({ Name: Name === 'Message-Id' ? 'Message-ID' : Name, Value })),
    Attachments: [
      { Name: 'details.txt', ContentType: 'message/delivery-status', Content: Buffer.from(parts.status).toString('base64'), ContentLength: parts.status.length },
      { Name: 'Undelivered Message Headers.txt', ContentType: 'text/rfc822-headers', Content: Buffer.from(parts.headers).toString('base64'), ContentLength: parts.headers.length },
    ],
  };
  return { body: JSON.stringify(body), headers: { 'content-type': 'application/json', authorization: basic(auth) } };
}

/** Mailgun route forward (multipart): the report parts are attached files. */
export function mailgunDsn(spec: DsnSpec, options: { timestamp: number; key?: string }): InboundRequest {
  const parts = dsnParts(spec);
  const token = randomBytes(25).toString('hex');
  const timestamp = String(options.timestamp);
  return multipart(
    {
      recipient: 'billing@pixelco.example',
      sender: 'MAILER-DAEMON@mx.acme.example',
      from: DSN_FROM,
      subject: 'Undelivered Mail Returned to Sender',
      'body-plain': parts.human,
      'stripped-text': parts.human,
      'attachment-count': '2',
      'message-headers': JSON.stringify(dsnHeaderPairs(spec)),
      timestamp,
      token,
      signature: hmacDigest('sha256', options.key ?? MAILGUN_KEY, `${timestamp}${token}`, 'hex'),
    },
    {
      'attachment-1': { filename: 'details.txt', type: 'message/delivery-status', content: parts.status },
      'attachment-2': { filename: 'headers.txt', type: 'text/rfc822-headers', content: parts.headers },
    },
  );
}

/** SendGrid Inbound Parse (multipart, basic auth): the report parts are attached files. */
export function sendgridDsn(spec: DsnSpec, auth = INBOUND_AUTH): InboundRequest {
  const parts = dsnParts(spec);
  const req = multipart(
    {
      headers: dsnHeaderPairs(spec)
        .map(([k, v]) => `${k}: ${v}`)
        .join('\n'),
      to: 'billing@pixelco.example',
      from: DSN_FROM,
      subject: 'Undelivered Mail Returned to Sender',
      text: parts.human,
      envelope: JSON.stringify({ to: ['billing@pixelco.example'], from: '' }),
      attachments: '2',
    },
    {
      attachment1: { filename: 'details.txt', type: 'message/delivery-status', content: parts.status },
      attachment2: { filename: 'headers.txt', type: 'text/rfc822-headers', content: parts.headers },
    },
  );
  req.headers.authorization = basic(auth);
  return req;
}
