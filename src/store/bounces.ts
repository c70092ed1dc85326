import type { Queryable } from './db.js';

/** Emails that bounced (migration 210). `reason` is outside text: escape it wherever it is shown. */
export type BounceKind = 'smtp-reject' | 'dsn' | 'webhook';

export interface BounceRecord {
  id: number;
  kind: BounceKind;
  provider: string;
  messageId: string | null;
  recipient: string;
  reason: string;
  invoiceId: string | null;
  clientId: string | null;
  receivedAt: Date;
  resolvedAt: Date | null;
}

interface Row {
  id: string | number;
  kind: BounceKind;
  provider: string;
  message_id: string | null;
  recipient: string;
  reason: string;
  invoice_id: string | null;
  client_id: string | null;
  received_at: Date;
  resolved_at: Date | null;
}

const toRecord = (r: Row): BounceRecord => ({
  id: Number(r.id),
  kind: r.kind,
  provider: r.provider,
  messageId: r.message_id,
  recipient: r.recipient,
  reason: r.reason,
  invoiceId: r.invoice_id,
  clientId: r.client_id,
  receivedAt: r.received_at,
  resolvedAt: r.resolved_at,
});

/** `dedupeKey`: the same bounce reported again (a provider retry, a DSN after a webhook) is stored once. */
export type NewBounce = Omit<BounceRecord, 'id' | 'receivedAt' | 'resolvedAt'> & { dedupeKey: string };

/** Returns the new row, or null when a bounce with that key was stored before. */
export async function recordBounce(db: Queryable, bounce: NewBounce, now: Date): Promise<BounceRecord | null> {
  const { rows } = await db.query<Row>(
    `INSERT INTO email_bounces (dedupe_key, kind, provider, message_id, recipient, reason, invoice_id, client_id, received_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (dedupe_key) DO NOTHING RETURNING *`,
    [bounce.dedupeKey, bounce.kind, bounce.provider, bounce.messageId, bounce.recipient.slice(0, 320), bounce.reason.slice(0, 500), bounce.invoiceId, bounce.clientId, now],
  );
  return rows[0] ? toRecord(rows[0]) : null;
}

export async function getBounce(db: Queryable, id: number): Promise<BounceRecord | null> {
  const { rows } = await db.query<Row>('SELECT * FROM email_bounces WHERE id = $1', [id]);
  return rows[0] ? toRecord(rows[0]) : null;
}

/** Matched bounces not yet fixed (the billing emails not changed since), oldest first. */
export async function openBounces(db: Queryable, filter: { clientId?: string; invoiceId?: string } = {}): Promise<BounceRecord[]> {
  const { rows } = await db.query<Row>(
    `SELECT * FROM email_bounces WHERE resolved_at IS NULL AND invoice_id IS NOT NULL
       AND ($1::text IS NULL OR client_id = $1) AND ($2::uuid IS NULL OR invoice_id = $2) ORDER BY id`,
    [filter.clientId ?? null, filter.invoiceId ?? null],
  );
  return rows.map(toRecord);
}

/** Matched, open bounces whose thread alert was not posted yet (no `bounce-alert:<id>` effect). */
export async function unannouncedBounces(db: Queryable, limit = 50): Promise<BounceRecord[]> {
  const { rows } = await db.query<Row>(
    `SELECT b.* FROM email_bounces b LEFT JOIN effects e ON e.key = 'bounce-alert:' || b.id
     WHERE b.resolved_at IS NULL AND b.invoice_id IS NOT NULL AND e.key IS NULL ORDER BY b.id LIMIT $1`,
    [limit],
  );
  return rows.map(toRecord);
}

/** SQL: true when the client (by the column named) has an open bounce, i.e. its reminders are held. */
export const CLIENT_HELD_BY_BOUNCE = (clientColumn: string) =>
  `EXISTS (SELECT 1 FROM email_bounces b WHERE b.client_id = ${clientColumn} AND b.resolved_at IS NULL AND b.invoice_id IS NOT NULL)`;

export async function countOpenBounces(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: string | number }>('SELECT count(*) AS n FROM email_bounces WHERE resolved_at IS NULL AND invoice_id IS NOT NULL');
  return Number(rows[0]?.n ?? 0);
}

/** The client's billing emails changed: its open bounces are fixed. Returns those it resolved. */
export async function resolveClientBounces(db: Queryable, clientId: string, by: string, now: Date): Promise<BounceRecord[]> {
  const { rows } = await db.query<Row>(`UPDATE email_bounces SET resolved_at = $2, resolved_by = $3 WHERE client_id = $1 AND resolved_at IS NULL RETURNING *`, [clientId, now, by]);
  return rows.map(toRecord);
}

/**
 * The email duebot sent under this Message-ID: an invoice email or one of its reminders. Our ids are
 * random (src/providers/mail/smtp.ts newMessageId), so a bounce naming one is about our email; a
 * forged report for an id we never sent matches nothing.
 */
export async function findSentEmail(db: Queryable, messageId: string): Promise<{ invoiceId: string; clientId: string } | null> {
  const { rows } = await db.query<{ id: string; client_id: string }>(
    `SELECT i.id, i.client_id FROM invoices i WHERE i.email_message_id = $1
     UNION ALL
     SELECT i.id, i.client_id FROM reminders r JOIN invoices i ON i.id = r.invoice_id WHERE r.message_id = $1
     UNION ALL
     SELECT i.id, i.client_id FROM effects e JOIN invoices i ON i.id = e.invoice_id WHERE e.kind = 'invoice-email' AND e.result->>'messageId' = $1
     LIMIT 1`,
    [messageId],
  );
  return rows[0] ? { invoiceId: rows[0].id, clientId: rows[0].client_id } : null;
}
