import { createHash } from 'node:crypto';
import { hmacDigest, safeEqual, timestampProblem } from '../http/signatures.js';
import type { ReportPart } from './dsn.js';
import { oneLine, parseFrom, type ParsedFrom } from './from-header.js';
import { readHeaderBlock, readHeaderPairs, readMime, type MimeMessage } from './mime.js';

/**
 * The inbound-mail services' webhook formats, reduced to one shape: fields in, email out. Headers and
 * whole emails are read with a MIME parser (src/email/mime.ts: encoded words, charsets, transfer encodings).
 * - Mailgun routes: form fields, `message-headers` as JSON pairs, `stripped-text`; or the whole email in
 *   `body-mime` (a route forwarding to a URL ending in "mime"); HMAC over timestamp+token.
 * - Postmark inbound: JSON, `Headers[{Name,Value}]`, `StrippedTextReply`; no signature (basic auth).
 * - SendGrid Inbound Parse: multipart, `headers` as the raw header block, or the whole email in `email`
 *   ("POST the raw, full MIME message"); no stripped text (basic auth).
 * - raw: the whole email as the request body (`Content-Type: message/rfc822`), from any relay (basic auth).
 */
export type InboundProvider = 'mailgun' | 'postmark' | 'sendgrid' | 'raw';

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

/** A whole email may be a delivery report: its report parts come along (src/email/dsn.ts). */
export type ParseResult = ({ ok: true; email: InboundEmail } | { ok: false; reason: string }) & { reportParts?: ReportPart[] };

export function detectProvider(contentType: string, fields: Record<string, string> | null): InboundProvider | null {
  if (/application\/json/i.test(contentType)) return 'postmark';
  if (/^\s*message\/rfc822\s*(;|$)/i.test(contentType)) return 'raw';
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

export async function parseMailgun(fields: Record<string, string>): Promise<ParseResult> {
  return refusingUnreadable(() => mailgunEmail(fields));
}

async function mailgunEmail(fields: Record<string, string>): Promise<ParseResult> {
  if (fields['body-mime']) return fromMime('mailgun', await readMime(fields['body-mime']), fields['stripped-text'] ?? null);
  let pairs: unknown;
  try {
    pairs = JSON.parse(fields['message-headers'] ?? '[]');
  } catch {
    return { ok: false, reason: 'message-headers is not JSON' };
  }
  if (!Array.isArray(pairs)) return { ok: false, reason: 'message-headers must be a list of [name, value] pairs' };
  const headers = await readHeaderPairs(
    pairs.flatMap((pair: unknown): [string, string][] => (Array.isArray(pair) && typeof pair[0] === 'string' ? [[pair[0], String(pair[1] ?? '')]] : [])),
  );
  return build('mailgun', {
    headers,
    from: fieldOrHeader(fields.from ?? fields.sender, headers, 'From'),
    subject: fieldOrHeader(fields.subject, headers, 'Subject'),
    text: fields['body-plain'] ?? '',
    strippedText: fields['stripped-text'] ?? null,
  });
}

export async function parsePostmark(json: unknown): Promise<ParseResult> {
  return refusingUnreadable(() => postmarkEmail(json));
}

async function postmarkEmail(json: unknown): Promise<ParseResult> {
  if (!json || typeof json !== 'object') return { ok: false, reason: 'expected a JSON object' };
  const body = json as Record<string, unknown>;
  if (typeof body.From !== 'string' && typeof (body.FromFull as { Email?: unknown } | undefined)?.Email !== 'string') return { ok: false, reason: 'missing From' };
  const headers = Array.isArray(body.Headers)
    ? await readHeaderPairs(
        (body.Headers as { Name?: unknown; Value?: unknown }[]).flatMap((h): [string, string][] => (h && typeof h.Name === 'string' ? [[h.Name, String(h.Value ?? '')]] : [])),
      )
    : {};
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

export async function parseSendgrid(fields: Record<string, string>): Promise<ParseResult> {
  return refusingUnreadable(() => sendgridEmail(fields));
}

async function sendgridEmail(fields: Record<string, string>): Promise<ParseResult> {
  if (fields.email && !fields.headers) return fromMime('sendgrid', await readMime(fields.email), null);
  const headers = await readHeaderBlock(fields.headers ?? '');
  return build('sendgrid', {
    headers,
    from: fieldOrHeader(fields.from, headers, 'From'),
    subject: fieldOrHeader(fields.subject, headers, 'Subject'),
    text: fields.text ?? '',
    strippedText: null,
  });
}

/**
 * SendGrid fields (named in its `charsets` JSON) whose bytes were not UTF-8: read as UTF-8 they hold
 * U+FFFD. Only charsets the platform decodes are named; others stay as read.
 */
export function fieldsInOtherCharsets(fields: Record<string, string>): { name: string; charset: string }[] {
  let declared: unknown;
  try {
    declared = JSON.parse(fields.charsets ?? 'null');
  } catch {
    return [];
  }
  if (!declared || typeof declared !== 'object') return [];
  return Object.entries(declared as Record<string, unknown>).flatMap(([name, charset]) => {
    if (typeof charset !== 'string' || !Object.hasOwn(fields, name) || !fields[name]!.includes('\uFFFD')) return [];
    try {
      const decoder = new TextDecoder(charset.trim());
      return decoder.encoding === 'utf-8' ? [] : [{ name, charset: decoder.encoding }];
    } catch {
      return []; // an unknown label
    }
  });
}

/** RFC 2047 encoded words ("=?UTF-8?B?…?="): a field still encoded is read from the decoded header instead. */
const ENCODED_WORD = /=\?[^?\s]+\?[bq]\?[^?\s]*\?=/i;

/** The service's own field (already decoded by the service), else the decoded header. */
function fieldOrHeader(field: string | undefined, headers: Record<string, string>, name: string): string {
  const header = headerValue(headers, name);
  if (field !== undefined && (!ENCODED_WORD.test(field) || header === null)) return field;
  return header ?? '';
}

/** The whole email as the request body (`Content-Type: message/rfc822`). */
export async function parseRawMime(raw: Buffer): Promise<ParseResult> {
  return refusingUnreadable(async () => fromMime('raw', await readMime(raw), null));
}

/** The parser's own refusal (an HTML-only body beyond the HTML-to-text limit, say) is a bad request, not a crash. */
async function refusingUnreadable(work: () => Promise<ParseResult>): Promise<ParseResult> {
  try {
    return await work();
  } catch (err) {
    return { ok: false, reason: `not a readable email (${oneLine(err instanceof Error ? err.message : String(err)).slice(0, 200)})` };
  }
}

function fromMime(provider: InboundProvider, mime: MimeMessage, strippedText: string | null): ParseResult {
  const result = build(provider, { headers: mime.headers, from: mime.from, subject: mime.subject, text: mime.text, strippedText });
  return mime.reportParts.length ? { ...result, reportParts: mime.reportParts } : result;
}

/** Header-like fields (a delivery report's per-recipient blocks): folded lines joined, `Name: value` per line. */
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
