import type { ReplyClassification, ReplyKind } from '../domain/reply-classifier.js';
import { parseFrom, type ParsedFrom } from '../email/from-header.js';
import type { Queryable } from './db.js';

/** Client replies, each stored once (by its Message-ID) with its match and classification. */
export type MatchedBy = 'in-reply-to' | 'references' | 'subject' | 'none';

/** `sender`, `replyAddress` and `fromEntries` are read from the stored From header (src/email/from-header.ts). */
export interface InboundEmailRecord extends ParsedFrom {
  id: number;
  messageId: string;
  invoiceId: string | null;
  matchedBy: MatchedBy;
  /** The From header as received. */
  fromAddress: string;
  subject: string;
  referencesIds: string[];
  strippedText: string;
  kind: ReplyKind;
  classification: ReplyClassification;
  receivedAt: Date;
}

interface Row {
  id: string | number;
  message_id: string;
  invoice_id: string | null;
  matched_by: MatchedBy;
  from_address: string;
  subject: string;
  references_ids: string[];
  stripped_text: string;
  kind: ReplyKind;
  classification: ReplyClassification;
  received_at: Date;
}

const toRecord = (r: Row): InboundEmailRecord => ({
  ...parseFrom(r.from_address),
  id: Number(r.id),
  messageId: r.message_id,
  invoiceId: r.invoice_id,
  matchedBy: r.matched_by,
  fromAddress: r.from_address,
  subject: r.subject,
  referencesIds: r.references_ids,
  strippedText: r.stripped_text,
  kind: r.kind,
  classification: r.classification,
  receivedAt: r.received_at,
});

/** Inserts the reply; returns the stored row either way (a retried inbox event finds its earlier row). */
export async function saveInboundEmail(
  db: Queryable,
  email: Omit<InboundEmailRecord, 'id' | 'kind' | keyof ParsedFrom> & { inboxEventId: number | null },
): Promise<{ record: InboundEmailRecord; created: boolean }> {
  const { rows } = await db.query<Row>(
    `INSERT INTO inbound_emails (message_id, inbox_event_id, invoice_id, matched_by, from_address, subject, references_ids, stripped_text, kind, classification, received_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (message_id) DO NOTHING RETURNING *`,
    [
      email.messageId,
      email.inboxEventId,
      email.invoiceId,
      email.matchedBy,
      email.fromAddress,
      email.subject,
      email.referencesIds,
      email.strippedText,
      email.classification.kind,
      JSON.stringify(email.classification),
      email.receivedAt,
    ],
  );
  if (rows[0]) return { record: toRecord(rows[0]), created: true };
  const existing = await getInboundEmailByMessageId(db, email.messageId);
  if (!existing) throw new Error(`inbound email ${email.messageId} vanished`);
  return { record: existing, created: false };
}

export async function getInboundEmail(db: Queryable, id: number): Promise<InboundEmailRecord | null> {
  if (!Number.isSafeInteger(id)) return null;
  const { rows } = await db.query<Row>('SELECT * FROM inbound_emails WHERE id = $1', [id]);
  return rows[0] ? toRecord(rows[0]) : null;
}

export async function getInboundEmailByMessageId(db: Queryable, messageId: string): Promise<InboundEmailRecord | null> {
  const { rows } = await db.query<Row>('SELECT * FROM inbound_emails WHERE message_id = $1', [messageId]);
  return rows[0] ? toRecord(rows[0]) : null;
}

export async function inboundEmailsOf(db: Queryable, invoiceId: string): Promise<InboundEmailRecord[]> {
  const { rows } = await db.query<Row>('SELECT * FROM inbound_emails WHERE invoice_id = $1 ORDER BY id', [invoiceId]);
  return rows.map(toRecord);
}

/** A person corrected the classification in Slack. */
export async function reclassifyInboundEmail(db: Queryable, id: number, classification: ReplyClassification): Promise<void> {
  await db.query('UPDATE inbound_emails SET kind = $2, classification = $3 WHERE id = $1', [id, classification.kind, JSON.stringify(classification)]);
}

/**
 * The invoice a reply answers: one of our Message-IDs (the invoice email's or a reminder's) among
 * In-Reply-To, then References (newest first); else the invoice number in the subject.
 */
export async function matchReply(
  db: Queryable,
  reply: { inReplyTo: string | null; references: readonly string[]; subject: string },
): Promise<{ invoiceId: string; matchedBy: MatchedBy } | null> {
  const byId = async (ids: readonly string[]): Promise<string | null> => {
    for (const id of ids) {
      const { rows } = await db.query<{ id: string }>(
        `SELECT id FROM invoices WHERE email_message_id = $1
         UNION SELECT invoice_id AS id FROM reminders WHERE message_id = $1 LIMIT 1`,
        [id],
      );
      if (rows[0]) return rows[0].id;
    }
    return null;
  };
  if (reply.inReplyTo) {
    const id = await byId([reply.inReplyTo]);
    if (id) return { invoiceId: id, matchedBy: 'in-reply-to' };
  }
  const fromReferences = await byId([...reply.references].reverse());
  if (fromReferences) return { invoiceId: fromReferences, matchedBy: 'references' };
  for (const number of invoiceNumbersIn(reply.subject)) {
    const { rows } = await db.query<{ id: string }>('SELECT id FROM invoices WHERE upper(number) = upper($1)', [number]);
    if (rows[0]) return { invoiceId: rows[0].id, matchedBy: 'subject' };
  }
  return null;
}

/** "#INV-0042" or "INV-0042" (any prefix of letters, a dash, digits) in a subject line. */
export function invoiceNumbersIn(subject: string): string[] {
  return [...subject.matchAll(/#?\b([A-Za-z]{1,10}-\d{1,10})\b/g)].map((m) => m[1]!);
}
