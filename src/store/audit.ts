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
