import type { Queryable } from './db.js';

/** Who did what to which invoice, when, and because of which stored event. */
export interface AuditEntry {
  invoiceId: string | null;
  actor: string; // "slack:U123", "asana", "stripe", "scheduler", "system"
  action: string;
  details?: Record<string, unknown>;
  sourceEvent?: string | null;
}

export async function audit(db: Queryable, entry: AuditEntry, at: Date): Promise<void> {
  await db.query('INSERT INTO audit_log (invoice_id, at, actor, action, details, source_event) VALUES ($1, $2, $3, $4, $5, $6)', [
    entry.invoiceId,
    at,
    entry.actor,
    entry.action,
    JSON.stringify(entry.details ?? {}),
    entry.sourceEvent ?? null,
  ]);
}

export interface AuditRecord {
  at: Date;
  actor: string;
  action: string;
  details: Record<string, unknown>;
  sourceEvent: string | null;
}

export async function auditTrail(db: Queryable, invoiceId: string): Promise<AuditRecord[]> {
  const { rows } = await db.query<{ at: Date; actor: string; action: string; details: Record<string, unknown>; source_event: string | null }>(
    'SELECT at, actor, action, details, source_event FROM audit_log WHERE invoice_id = $1 ORDER BY id',
    [invoiceId],
  );
  return rows.map((r) => ({ at: r.at, actor: r.actor, action: r.action, details: r.details, sourceEvent: r.source_event }));
}

/** An audit entry with the invoice number and client it concerns (either may be unknown). */
export interface AuditSearchRecord extends AuditRecord {
  invoiceNumber: string | null;
  clientId: string | null;
}

type SearchRow = { at: Date; actor: string; action: string; details: Record<string, unknown>; source_event: string | null; number: string | null; client_id: string | null };

const SEARCH_SELECT = `SELECT a.at, a.actor, a.action, a.details, a.source_event, i.number, COALESCE(i.client_id, a.details->>'client') AS client_id
  FROM audit_log a LEFT JOIN invoices i ON i.id = a.invoice_id`;

const toSearchRecord = (r: SearchRow): AuditSearchRecord => ({
  at: r.at,
  actor: r.actor,
  action: r.action,
  details: r.details,
  sourceEvent: r.source_event,
  invoiceNumber: r.number,
  clientId: r.client_id,
});

/**
 * The audit trail of one invoice, or of one client (its invoices' entries and its own, such as
 * settings changes), newest first, one page at a time.
 */
export async function searchAudit(db: Queryable, about: { invoiceId: string } | { clientId: string }, page: { limit: number; offset: number }): Promise<AuditSearchRecord[]> {
  const where =
    'invoiceId' in about ? 'a.invoice_id = $1' : `(a.invoice_id IN (SELECT id FROM invoices WHERE client_id = $1) OR (a.invoice_id IS NULL AND a.details->>'client' = $1))`;
  const { rows } = await db.query<SearchRow>(`${SEARCH_SELECT} WHERE ${where} ORDER BY a.at DESC, a.id DESC LIMIT $2 OFFSET $3`, [
    'invoiceId' in about ? about.invoiceId : about.clientId,
    page.limit,
    page.offset,
  ]);
  return rows.map(toSearchRecord);
}

/** Every audit entry in [from, to), oldest first (the CSV export). */
export async function auditBetween(db: Queryable, from: Date, to: Date): Promise<AuditSearchRecord[]> {
  const { rows } = await db.query<SearchRow>(`${SEARCH_SELECT} WHERE a.at >= $1 AND a.at < $2 ORDER BY a.at, a.id`, [from, to]);
  return rows.map(toSearchRecord);
}
