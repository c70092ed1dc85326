import { createHash } from 'node:crypto';
import { headerValue, messageIds, parseHeaderBlock } from './inbound-formats.js';

/**
 * Delivery status notifications (RFC 3464): a `multipart/report; report-type=delivery-status` email a
 * mail server sends back when it could not deliver ours. The inbound services hand its parts over as
 * attachments: `message/delivery-status` (per-message fields, then one block per recipient: Final-
 * Recipient, Action, Status, Diagnostic-Code) and the returned `text/rfc822-headers` or `message/rfc822`
 * (our email's headers, so its Message-ID). Pure: parts in, report out. Everything in it is outside text.
 */
export interface ReportPart {
  contentType: string;
  content: string;
}

export interface DeliveryFailure {
  recipient: string;
  /** e.g. "5.1.1". */
  status: string;
  diagnostic: string | null;
}

export interface DeliveryReport {
  /** The Message-ID of the email that bounced, from the returned headers; null when none came back. */
  originalMessageId: string | null;
  /** Recipients whose Action is `failed` with a permanent (5.x.x) Status. */
  failures: DeliveryFailure[];
}

/** The stored inbox payload of a DSN that reached the inbound address. */
export interface DeliveryReportPayload {
  provider: string;
  /** The DSN's own Message-ID (or a content hash): the inbox dedupe key. */
  messageId: string;
  from: string;
  report: DeliveryReport;
}

/** Content types of the parts worth keeping from an inbound email: the report and the returned headers. */
export const REPORT_PART_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status', 'text/rfc822-headers', 'message/rfc822', 'message/global-headers']);
/** The most of each report part kept (a returned message/rfc822 carries our whole email). */
export const REPORT_PART_LIMIT = 256 * 1024;

export function isReportPart(contentType: string): boolean {
  return REPORT_PART_TYPES.has(contentType.split(';')[0]!.trim().toLowerCase());
}

/** Recipient blocks read from one report (ours go to a client's few billing contacts). */
const MAX_RECIPIENTS = 50;

const typeOf = (p: ReportPart) => p.contentType.split(';')[0]!.trim().toLowerCase();

/** The report in these parts, or null when there is no delivery-status part (then it is no DSN). */
export function parseDeliveryReport(parts: readonly ReportPart[]): DeliveryReport | null {
  const status = parts.find((p) => typeOf(p) === 'message/delivery-status' || typeOf(p) === 'message/global-delivery-status');
  if (!status) return null;
  const blocks = status.content
    .replace(/\r\n/g, '\n')
    .split(/\n[ \t]*\n/)
    .map((b) => parseHeaderBlock(b))
    .filter((b) => Object.keys(b).length > 0);
  const failures: DeliveryFailure[] = [];
  // The first block is about the message; each later one is about one recipient.
  for (const block of blocks.slice(1, 1 + MAX_RECIPIENTS)) {
    const action = headerValue(block, 'Action')?.toLowerCase() ?? '';
    const code = /^\s*([245]\.\d{1,3}\.\d{1,3})/.exec(headerValue(block, 'Status') ?? '')?.[1];
    const recipient = addressOf(headerValue(block, 'Final-Recipient') ?? headerValue(block, 'Original-Recipient'));
    if (action !== 'failed' || !code?.startsWith('5') || !recipient) continue;
    failures.push({ recipient, status: code, diagnostic: headerValue(block, 'Diagnostic-Code')?.replace(/^\s*smtp\s*;\s*/i, '') ?? null });
  }
  const returned = parts.find((p) => ['text/rfc822-headers', 'message/rfc822', 'message/global-headers'].includes(typeOf(p)));
  const headerBlock = returned ? returned.content.replace(/\r\n/g, '\n').split(/\n[ \t]*\n/)[0]! : '';
  const originalMessageId = messageIds(headerValue(parseHeaderBlock(headerBlock), 'Message-ID'))[0] ?? null;
  return { originalMessageId, failures };
}

/** `rfc822; a@b.example` → `a@b.example`. */
function addressOf(field: string | null): string | null {
  if (!field) return null;
  const value = field.includes(';') ? field.slice(field.indexOf(';') + 1) : field;
  const address = value.trim().replace(/^<|>$/g, '');
  return /^[^\s@<>]+@[^\s@<>]+$/.test(address) ? address : null;
}

/** A DSN's id for the inbox when its headers gave none. */
export function reportHash(parts: readonly ReportPart[]): string {
  return `<${createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32)}@duebot.dsn>`;
}
