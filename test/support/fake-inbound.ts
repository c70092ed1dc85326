import { randomBytes } from 'node:crypto';
import { hmacDigest } from '../../src/http/signatures.js';

/**
 * Builds inbound-email webhook requests exactly as the three services send them: Mailgun route
 * forwards (urlencoded or multipart, HMAC-signed timestamp+token), Postmark inbound JSON and
 * SendGrid Inbound Parse multipart (both behind basic auth).
 */
export interface ReplySpec {
  from: string;
  subject: string;
  /** The client's words. */
  text: string;
  /** Quoted history appended under "On … wrote:", as mail clients do. */
  quoted?: string;
  messageId: string;
  inReplyTo?: string | null;
  references?: string[];
  /** Extra headers such as Auto-Submitted. */
  headers?: Record<string, string>;
}

export interface InboundRequest {
  body: string | Buffer;
  headers: Record<string, string>;
}

export const MAILGUN_KEY = 'mailgun-signing-key-test';
export const INBOUND_AUTH = 'inbound:s3cret-pass';

function fullText(spec: ReplySpec): string {
  const quote = spec.quoted
    ? `\n\nOn Mon, Nov 2, 2026 at 9:00 AM Pixel & Co Billing <billing@pixelco.example> wrote:\n${spec.quoted
        .split('\n')
        .map((l) => `> ${l}`)
        .join('\n')}\n`
    : '';
  return `${spec.text}${quote}`;
}

function headerPairs(spec: ReplySpec): [string, string][] {
  const pairs: [string, string][] = [
    ['From', spec.from],
    ['Subject', spec.subject],
    ['Message-Id', spec.messageId],
    ['Date', 'Mon, 09 Nov 2026 15:00:00 +0000'],
  ];
  if (spec.inReplyTo) pairs.push(['In-Reply-To', spec.inReplyTo]);
  if (spec.references?.length) pairs.push(['References', spec.references.join(' ')]);
  for (const [k, v] of Object.entries(spec.headers ?? {})) pairs.push([k, v]);
  return pairs;
}

const basic = (userPass: string) => `Basic ${Buffer.from(userPass).toString('base64')}`;

export function postmarkRequest(spec: ReplySpec, auth = INBOUND_AUTH): InboundRequest {
  const body = {
    From: spec.from,
    FromName: 'Client',
    FromFull: { Email: spec.from, Name: 'Client', MailboxHash: '' },
    To: 'billing@pixelco.example',
    ToFull: [{ Email: 'billing@pixelco.example', Name: '', MailboxHash: '' }],
    Cc: '',
    OriginalRecipient: 'billing@pixelco.example',
    ReplyTo: '',
    Subject: spec.subject,
    MessageID: randomBytes(8).toString('hex'),
    Date: 'Mon, 9 Nov 2026 15:00:00 +0000',
    MailboxHash: '',
    TextBody: fullText(spec),
    HtmlBody: `<p>${spec.text}</p>`,
    StrippedTextReply: spec.text,
    Tag: '',
    Headers: headerPairs(spec)
      .filter(([k]) => k !== 'From' && k !== 'Subject')
      .map(([Name, Value]) => ({ Name: Name === 'Message-Id' ? 'Message-ID' : Name, Value })),
    Attachments: [],
  };
  return { body: JSON.stringify(body), headers: { 'content-type': 'application/json', authorization: basic(auth) } };
}

export function mailgunFields(spec: ReplySpec, options: { key?: string; timestamp: number; token?: string }): Record<string, string> {
  const token = options.token ?? randomBytes(25).toString('hex');
  const timestamp = String(options.timestamp);
  return {
    recipient: 'billing@pixelco.example',
    sender: spec.from,
    from: spec.from,
    subject: spec.subject,
    'body-plain': fullText(spec),
    'stripped-text': spec.text,
    'stripped-signature': '',
    'body-html': `<p>${spec.text}</p>`,
    'attachment-count': '0',
    'message-headers': JSON.stringify(headerPairs(spec)),
    timestamp,
    token,
    signature: hmacDigest('sha256', options.key ?? MAILGUN_KEY, `${timestamp}${token}`, 'hex'),
  };
}

export function mailgunRequest(spec: ReplySpec, options: { key?: string; timestamp: number; token?: string; multipart?: boolean; tamper?: boolean }): InboundRequest {
  const fields = mailgunFields(spec, options);
  if (options.tamper) fields.token = `${fields.token}x`;
  if (options.multipart) return multipart(fields, {});
  return { body: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
}

export function sendgridRequest(spec: ReplySpec, auth = INBOUND_AUTH): InboundRequest {
  const headers = headerPairs(spec)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n');
  const req = multipart(
    {
      headers,
      dkim: '{@acme.example : pass}',
      to: 'billing@pixelco.example',
      from: spec.from,
      subject: spec.subject,
      text: fullText(spec),
      html: `<p>${spec.text}</p>`,
      sender_ip: '203.0.113.5',
      envelope: JSON.stringify({ to: ['billing@pixelco.example'], from: spec.from }),
      attachments: '1',
      charsets: JSON.stringify({ to: 'UTF-8', subject: 'UTF-8', from: 'UTF-8', text: 'UTF-8' }),
      SPF: 'pass',
    },
    { attachment1: { filename: 'note.txt', type: 'text/plain', content: 'attached' } },
  );
  req.headers.authorization = basic(auth);
  return req;
}

/** A multipart/form-data body as the services post it (fields, then files); a Buffer field goes as its bytes. */
export function multipart(fields: Record<string, string | Buffer>, files: Record<string, { filename: string; type: string; content: string }>): InboundRequest {
  const boundary = `----duebot${randomBytes(8).toString('hex')}`;
  const parts: (string | Buffer)[] = [];
  for (const [name, value] of Object.entries(fields)) parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n`, value, '\r\n');
  for (const [name, f] of Object.entries(files)) {
    parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${f.filename}"\r\nContent-Type: ${f.type}\r\n\r\n${f.content}\r\n`);
  }
  parts.push(`--${boundary}--\r\n`);
  return { body: Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p))), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** SendGrid Inbound Parse with "POST the raw, full MIME message" on: the whole email in the `email` field. */
export function sendgridRawRequest(mime: string, envelope: { from: string; to: string }, auth = INBOUND_AUTH): InboundRequest {
  const req = multipart(
    {
      email: mime,
      to: envelope.to,
      from: envelope.from,
      sender_ip: '203.0.113.5',
      envelope: JSON.stringify({ to: [envelope.to], from: envelope.from }),
      charsets: JSON.stringify({ to: 'UTF-8', from: 'UTF-8' }),
      SPF: 'pass',
    },
    {},
  );
  req.headers.authorization = basic(auth);
  return req;
}

/** A whole email (bytes as they travel) posted as `message/rfc822`, behind basic auth. */
export function rawMimeRequest(mime: Buffer, auth = INBOUND_AUTH): InboundRequest {
  return { body: mime, headers: { 'content-type': 'message/rfc822', authorization: basic(auth) } };
}

/** ISO-8859-1 bytes as quoted-printable (RFC 2045), line by line. */
const quotedPrintable = (text: string) =>
  text
    .split('\n')
    .map((line) =>
      [...Buffer.from(line, 'latin1')].map((b) => (b >= 33 && b <= 126 && b !== 61 ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`)).join(''),
    )
    .join('\r\n');

/**
 * A reply as a European mail client sends it: the display name as an ISO-8859-1 encoded word, the subject
 * as a UTF-8 base64 encoded word, the body quoted-printable ISO-8859-1. Bytes as they travel.
 */
export function latin1Reply(o: { name: string; address: string; subject: string; messageId: string; inReplyTo: string; references?: string[]; body: string }): Buffer {
  const qName = [...Buffer.from(o.name, 'latin1')]
    .map((b) => (/[A-Za-z0-9]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : b === 32 ? '_' : `=${b.toString(16).toUpperCase()}`))
    .join('');
  const headers = [
    `From: =?ISO-8859-1?Q?${qName}?= <${o.address}>`,
    'To: billing@pixelco.example',
    `Subject: =?UTF-8?B?${Buffer.from(o.subject, 'utf8').toString('base64')}?=`,
    `Message-ID: ${o.messageId}`,
    `In-Reply-To: ${o.inReplyTo}`,
    ...(o.references?.length ? [`References: ${o.references.join('\r\n ')}`] : []),
    'Date: Mon, 11 Jan 2027 13:00:00 +0100',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=ISO-8859-1',
    'Content-Transfer-Encoding: quoted-printable',
  ];
  return Buffer.from(`${headers.join('\r\n')}\r\n\r\n${quotedPrintable(o.body)}\r\n`, 'latin1');
}
