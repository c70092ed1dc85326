import { simpleParser, type AddressObject, type EmailAddress, type ParsedMail } from 'mailparser';
import { isReportPart, REPORT_PART_LIMIT, type ReportPart } from './dsn.js';
import { oneLine } from './from-header.js';

/**
 * Inbound mail read with a real MIME parser (mailparser): RFC 2047 encoded words in headers
 * (`Subject: =?UTF-8?B?…?=`, encoded display names), quoted-printable and base64 bodies, and the
 * declared charset (ISO-8859-1, Windows-1252, …) turned into text. Everything in it is outside text:
 * attachments stay in memory and only a delivery report's parts are kept (src/email/dsn.ts), never
 * written anywhere; the body size limit is the route's (BODY_LIMITS.email).
 */
export interface MimeMessage {
  /** Header values by their name as written (decoded where mailparser knows the header; last value wins). */
  headers: Record<string, string>;
  /** The From header with its display names decoded, re-quoted for src/email/from-header.ts; '' when none. */
  from: string;
  subject: string;
  /** The plain-text body (from the HTML part when there is no text part). */
  text: string;
  reportParts: ReportPart[];
}

/** Bounds the work an HTML-only email can cause when its text is made from the HTML. */
const HTML_TO_TEXT_LIMIT = 1024 * 1024;
const OPTIONS = { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true, keepDeliveryStatus: true, maxHtmlLengthToParse: HTML_TO_TEXT_LIMIT } as const;
/** A delivery report has a handful of parts; anything past this is not read. */
const MAX_REPORT_PARTS = 4;

/** A whole email as it travels (SendGrid's raw mode, Mailgun's `body-mime`, a raw POST). */
export async function readMime(source: Buffer | string): Promise<MimeMessage> {
  const parsed = await simpleParser(source, OPTIONS);
  return {
    headers: headersOf(parsed),
    from: fromOf(parsed.from),
    subject: parsed.subject ?? '',
    text: parsed.text ?? '',
    reportParts: parsed.attachments
      .filter((a) => isReportPart(a.contentType))
      .slice(0, MAX_REPORT_PARTS)
      .map((a) => ({ contentType: a.contentType, content: a.content.subarray(0, REPORT_PART_LIMIT).toString('utf8') })),
  };
}

/** A header block alone (SendGrid's `headers` field), decoded the same way. */
export async function readHeaderBlock(block: string): Promise<Record<string, string>> {
  // The blank line ends the headers: whatever follows an injected one would be body, never a header.
  return headersOf(await simpleParser(`${block.replace(/(\r?\n)+$/, '')}\r\n\r\n`, OPTIONS));
}

/** Name/value pairs (Mailgun's `message-headers`, Postmark's `Headers`) decoded as one header block. */
export async function readHeaderPairs(pairs: readonly (readonly [string, string])[]): Promise<Record<string, string>> {
  const lines = pairs.filter(([name]) => /^[!-9;-~]+$/.test(name)).map(([name, value]) => `${name}: ${oneLine(value)}`);
  return lines.length ? readHeaderBlock(lines.join('\r\n')) : {};
}

function headersOf(parsed: ParsedMail): Record<string, string> {
  // No prototype: a header named `__proto__` is just a header.
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const { key, line } of parsed.headerLines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const decoded = parsed.headers.get(key);
    const value =
      typeof decoded === 'string'
        ? decoded
        : key === 'references' && Array.isArray(decoded)
          ? decoded.join(' ')
          : isAddressObject(decoded)
            ? fromOf(decoded)
            : line.slice(colon + 1).replace(/\r?\n[ \t]+/g, ' ');
    headers[line.slice(0, colon).trim()] = value.trim();
  }
  return headers;
}

const isAddressObject = (value: unknown): value is AddressObject => typeof value === 'object' && value !== null && Array.isArray((value as AddressObject).value);

const quoted = (name: string) => `"${name.replace(/[\\"]/g, '\\$&')}"`;

function mailbox(entry: EmailAddress): string {
  if (entry.group) return `${quoted(entry.name)}: ${entry.group.map(mailbox).join(', ')};`;
  return entry.name ? `${quoted(entry.name)} <${entry.address ?? ''}>` : (entry.address ?? '');
}

/** Decoded names, quoted again, so a decoded "Müller, Hans" stays one mailbox. */
function fromOf(from: AddressObject | AddressObject[] | undefined): string {
  const objects = from === undefined ? [] : Array.isArray(from) ? from : [from];
  return objects.flatMap((o) => o.value.map(mailbox)).join(', ');
}
