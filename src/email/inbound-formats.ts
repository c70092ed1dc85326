import { createHash } from 'node:crypto';
import { hmacDigest, safeEqual, timestampProblem } from '../http/signatures.js';
import { oneLine, parseFrom, type ParsedFrom } from './from-header.js';

/**
 * The three inbound-mail services' webhook formats, reduced to one shape. Pure: fields in, email out.
 * - Mailgun routes: form fields, `message-headers` as JSON pairs, `stripped-text`; HMAC over timestamp+token.
 * - Postmark inbound: JSON, `Headers[{Name,Value}]`, `StrippedTextReply`; no signature (basic auth).
 * - SendGrid Inbound Parse: multipart, `headers` as the raw header block; no stripped text (basic auth).
 */
export type InboundProvider = 'mailgun' | 'postmark' | 'sendgrid';

export interface InboundEmail extends ParsedFrom {
  provider: InboundProvider;
  /** The reply's own Message-ID (or a content hash when the sender gave none): the dedupe key. */
  messageId: string;
  /** The From header as received (for display); parsed at ingest into `sender`, `replyAddress`, `fromEntries`. */
  from: string;
  /** Subject on one line (no CR/LF or other control characters). */
  subject: string;
  inReplyTo: string | null;
  references: string[];
  /** The text body as received (quoted history included). */
  text: string;
  /** The provider's own quote-stripped reply, when it offers one. */
  strippedText: string | null;
  /** Headers that matter for auto-reply detection and threading (last value wins). */
  headers: Record<string, string>;
}

export type ParseResult = { ok: true; email: InboundEmail } | { ok: false; reason: string };

export function detectProvider(contentType: string, fields: Record<string, string> | null): InboundProvider | null {
  if (/application\/json/i.test(contentType)) return 'postmark';
  if (!fields) return null;
  if ('signature' in fields && 'token' in fields && 'timestamp' in fields) return 'mailgun';
  if ('headers' in fields || 'envelope' in fields) return 'sendgrid';
  return null;
}

/** How far a Mailgun timestamp may be from our clock. */
export const MAILGUN_MAX_AGE_SECONDS = 15 * 60;

/** Mailgun: hex HMAC-SHA256 of `timestamp + token` with the webhook signing key, and a fresh timestamp. */
export function verifyMailgun(
  signingKey: string,
  fields: { timestamp?: string; token?: string; signature?: string },
  now: Date,
  maxAgeSeconds = MAILGUN_MAX_AGE_SECONDS,
): { ok: true } | { ok: false; reason: string } {
  const { timestamp, token, signature } = fields;
  if (!timestamp || !token || !signature) return { ok: false, reason: 'missing timestamp, token or signature' };
  const problem = timestampProblem(timestamp, now.getTime(), maxAgeSeconds);
  if (problem) return { ok: false, reason: problem };
  const expected = hmacDigest('sha256', signingKey, `${timestamp}${token}`, 'hex');
  return safeEqual(expected, signature.trim().toLowerCase()) ? { ok: true } : { ok: false, reason: 'signature does not match' };
}

/** `Authorization: Basic …` against the configured `user:pass`, timing-safe. */
export function verifyBasicAuth(expected: string, header: string | undefined): boolean {
  if (!header || !expected) return false;
  const match = /^Basic\s+(\S+)$/i.exec(header.trim());
  if (!match) return false;
  const given = Buffer.from(match[1]!, 'base64').toString('utf8');
  return safeEqual(createHash('sha256').update(given).digest('hex'), createHash('sha256').update(expected).digest('hex'));
}

export function parseMailgun(fields: Record<string, string>): ParseResult {
  let pairs: unknown;
  try {
    pairs = JSON.parse(fields['message-headers'] ?? '[]');
  } catch {
    return { ok: false, reason: 'message-headers is not JSON' };
  }
  if (!Array.isArray(pairs)) return { ok: false, reason: 'message-headers must be a list of [name, value] pairs' };
  const headers: Record<string, string> = {};
  for (const pair of pairs) {
    if (Array.isArray(pair) && typeof pair[0] === 'string') headers[pair[0]] = String(pair[1] ?? '');
  }
  return build('mailgun', {
    headers,
    from: fields.from ?? fields.sender ?? '',
    subject: fields.subject ?? headerValue(headers, 'Subject') ?? '',
    text: fields['body-plain'] ?? '',
    strippedText: fields['stripped-text'] ?? null,
  });
}

export function parsePostmark(json: unknown): ParseResult {
  if (!json || typeof json !== 'object') return { ok: false, reason: 'expected a JSON object' };
  const body = json as Record<string, unknown>;
  if (typeof body.From !== 'string' && typeof (body.FromFull as { Email?: unknown } | undefined)?.Email !== 'string') return { ok: false, reason: 'missing From' };
  const headers: Record<string, string> = {};
  if (Array.isArray(body.Headers)) {
    for (const h of body.Headers as { Name?: unknown; Value?: unknown }[]) {
      if (h && typeof h.Name === 'string') headers[h.Name] = String(h.Value ?? '');
    }
  }
  // Postmark's MessageID is its own id; the sender's Message-ID is among the headers.
  if (!headerValue(headers, 'Message-ID') && typeof body.MessageID === 'string') headers['Message-ID'] = `<${body.MessageID}@postmark.inbound>`;
  return build('postmark', {
    headers,
    from: typeof body.From === 'string' ? body.From : String((body.FromFull as { Email: string }).Email),
    subject: typeof body.Subject === 'string' ? body.Subject : '',
    text: typeof body.TextBody === 'string' ? body.TextBody : '',
    strippedText: typeof body.StrippedTextReply === 'string' && body.StrippedTextReply.trim() ? body.StrippedTextReply : null,
  });
}

export function parseSendgrid(fields: Record<string, string>): ParseResult {
  if (fields.email && !fields.headers) return { ok: false, reason: 'raw MIME mode is not supported; turn off "POST the raw, full MIME message"' };
  const headers = parseHeaderBlock(fields.headers ?? '');
  return build('sendgrid', {
    headers,
    from: fields.from ?? headerValue(headers, 'From') ?? '',
    subject: fields.subject ?? headerValue(headers, 'Subject') ?? '',
    text: fields.text ?? '',
    strippedText: null,
  });
}

/** An RFC 5322 header block: folded lines joined, `Name: value` per line. */
export function parseHeaderBlock(block: string): Record<string, string> {
  const headers: Record<string, string> = {};
  const unfolded = block.replace(/\r\n/g, '\n').replace(/\n[ \t]+/g, ' ');
  for (const line of unfolded.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return headers;
}

export function headerValue(headers: Record<string, string>, name: string): string | null {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? null : headers[key]!;
}

/** `<a@b> <c@d>` → ['<a@b>', '<c@d>']. */
export function messageIds(value: string | null): string[] {
  return value ? [...value.matchAll(/<[^<>\s]+>/g)].map((m) => m[0]) : [];
}

function build(provider: InboundProvider, parts: { headers: Record<string, string>; from: string; subject: string; text: string; strippedText: string | null }): ParseResult {
  if (!parts.from.trim()) return { ok: false, reason: 'missing sender (from)' };
  if (!parts.text.trim() && !parts.strippedText?.trim()) return { ok: false, reason: 'missing text body' };
  const own = messageIds(headerValue(parts.headers, 'Message-ID'))[0];
  const messageId =
    own ??
    `<${createHash('sha256')
      .update(JSON.stringify([parts.from, parts.subject, headerValue(parts.headers, 'Date'), parts.text]))
      .digest('hex')
      .slice(0, 32)}@duebot.no-message-id>`;
  return {
    ok: true,
    email: {
      provider,
      messageId,
      from: oneLine(parts.from),
      ...parseFrom(parts.from),
      subject: oneLine(parts.subject),
      inReplyTo: messageIds(headerValue(parts.headers, 'In-Reply-To'))[0] ?? null,
      references: messageIds(headerValue(parts.headers, 'References')),
      text: parts.text,
      strippedText: parts.strippedText,
      headers: parts.headers,
    },
  };
}
