import { randomUUID } from 'node:crypto';
import { slugify } from '../clients-file.js';
import type { InvoiceStatus } from '../domain/types.js';
import type { Queryable } from './db.js';

/** `invoices.source` of imported history; `source_ref` is `<origin>:<id at the origin>`, unique. */
export const IMPORT_SOURCE = 'import';

export type ImportedStatus = Extract<InvoiceStatus, 'sent' | 'partially_paid' | 'paid'>;

export interface ImportedInvoice {
  sourceRef: string;
  clientId: string;
  number: string;
  /** Where it came from: `csv` or the back-end's name (nothing is ever sent there). */
  provider: string;
  currency: string;
  total: number;
  amountPaid: number;
  dueDate: string;
  status: ImportedStatus;
  /** The invoice date, as an instant at midday in the business time zone. */
  sentAt: Date;
  paidAt: Date | null;
}

export type UpsertOutcome = { outcome: 'imported' | 'updated' | 'unchanged'; invoiceId: string; paidDelta: number } | { outcome: 'number_taken'; by: string };

/** One line with the whole amount: the back-end's own lines are not needed for history. */
function linesOf(inv: ImportedInvoice): string {
  return JSON.stringify([{ description: `Imported invoice ${inv.number}`, quantity: '1', unitAmount: inv.total, amount: inv.total }]);
}

interface StoredRow {
  id: string;
  client_id: string;
  total: number;
  amount_paid: number;
  status: InvoiceStatus;
  due_date: string;
  sent_at: Date | null;
  paid_at: Date | null;
}

/**
 * Inserts an imported invoice, or brings the stored one up to date (a payment that arrived since).
 * The (source, source_ref) key makes a re-run update instead of duplicate; the number stays unique
 * across all invoices, so an invoice duebot itself issued (exported again in a CSV) is refused.
 * Imported rows get no reminders, no Slack message and no back-end id: the live machinery (payment
 * poll, webhooks, reminder sweep) never touches them. Call inside a transaction.
 */
export async function upsertImportedInvoice(tx: Queryable, inv: ImportedInvoice, now: Date): Promise<UpsertOutcome> {
  const { rows } = await tx.query<StoredRow>(
    `SELECT id, client_id, total, amount_paid, status, to_char(due_date, 'YYYY-MM-DD') AS due_date, sent_at, paid_at
     FROM invoices WHERE source = $1 AND source_ref = $2 FOR UPDATE`,
    [IMPORT_SOURCE, inv.sourceRef],
  );
  const current = rows[0];
  if (!current) {
    const taken = await tx.query<{ source: string; source_ref: string }>('SELECT source, source_ref FROM invoices WHERE upper(number) = upper($1)', [inv.number]);
    if (taken.rows[0]) return { outcome: 'number_taken', by: taken.rows[0].source === IMPORT_SOURCE ? `imported ${taken.rows[0].source_ref}` : 'an invoice duebot issued' };
    const id = randomUUID();
    await tx.query(
      `INSERT INTO invoices (id, seq, number, client_id, source, source_ref, milestone, currency, lines, total, amount_paid, due_date, status,
         recipients, provider, created_at, sent_at, paid_at, updated_at)
       VALUES ($1, NULL, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, '{}', $13, $14, $15, $16, $14)`,
      [
        id,
        inv.number,
        inv.clientId,
        IMPORT_SOURCE,
        inv.sourceRef,
        `Imported from ${inv.provider}`,
        inv.currency,
        linesOf(inv),
        inv.total,
        inv.amountPaid,
        inv.dueDate,
        inv.status,
        inv.provider,
        now,
        inv.sentAt,
        inv.paidAt,
      ],
    );
    return { outcome: 'imported', invoiceId: id, paidDelta: inv.amountPaid };
  }
  const same =
    current.client_id === inv.clientId &&
    Number(current.total) === inv.total &&
    Number(current.amount_paid) === inv.amountPaid &&
    current.status === inv.status &&
    current.due_date === inv.dueDate &&
    current.sent_at?.getTime() === inv.sentAt.getTime() &&
    (current.paid_at?.getTime() ?? null) === (inv.paidAt?.getTime() ?? null);
  if (same) return { outcome: 'unchanged', invoiceId: current.id, paidDelta: 0 };
  await tx.query(
    `UPDATE invoices SET client_id = $2, total = $3, amount_paid = $4, status = $5, due_date = $6, sent_at = $7, paid_at = $8, lines = $9, updated_at = $10
     WHERE id = $1`,
    [current.id, inv.clientId, inv.total, inv.amountPaid, inv.status, inv.dueDate, inv.sentAt, inv.paidAt, linesOf(inv), now],
  );
  return { outcome: 'updated', invoiceId: current.id, paidDelta: inv.amountPaid - Number(current.amount_paid) };
}

/**
 * A payment a re-run found (the increase since the last import), so the weekly accuracy check counts
 * it like any other collection. Once per invoice and amount.
 */
export async function recordImportedPayment(
  tx: Queryable,
  p: { invoiceId: string; sourceRef: string; delta: number; currency: string; amountPaidAfter: number; paidAt: Date },
): Promise<void> {
  if (p.delta <= 0) return;
  await tx.query(
    `INSERT INTO payments (invoice_id, source_event, amount, currency, amount_paid_after, paid_at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (source_event) DO NOTHING`,
    [p.invoiceId, `import:${p.sourceRef}:${p.amountPaidAfter}`, p.delta, p.currency, p.amountPaidAfter, p.paidAt],
  );
}

export interface ImportCustomer {
  name: string;
  /** The back-end and its customer id (null for a CSV). */
  provider: string | null;
  providerCustomerId: string | null;
  currency: string;
}

/**
 * The client an imported invoice belongs to: by the back-end customer id, else by id or name
 * (clients-file clients first). A customer no client matches gets a client marked `imported` (no
 * emails, no reminders; never matched to milestones), so its history is kept and reported, not dropped.
 */
export async function clientForImport(db: Queryable, customer: ImportCustomer, now: Date): Promise<{ clientId: string; created: boolean }> {
  const name = customer.name.trim();
  // Clients-file clients before imported ones (a client added since takes its history over), then the customer id before the name.
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM clients
     WHERE (provider = $1 AND provider_customer_id = $2) OR lower(id) = lower($3) OR lower(name) = lower($3)
     ORDER BY imported, (provider = $1 AND provider_customer_id = $2) DESC NULLS LAST, id LIMIT 1`,
    [customer.provider, customer.providerCustomerId, name],
  );
  if (rows[0]) return { clientId: rows[0].id, created: false };
  const base = `imported-${slugify(name)}`;
  for (let n = 1; ; n += 1) {
    const id = n === 1 ? base : `${base}-${n}`;
    const { rowCount } = await db.query(
      `INSERT INTO clients (id, name, emails, currency, payment_terms_days, provider, reminder_schedule, final_mode, auto_send, provider_customer_id, imported, updated_at)
       VALUES ($1, $2, '{}', $3, 30, $4, '[]', 'notice-only', false, $5, true, $6) ON CONFLICT (id) DO NOTHING`,
      [id, name, customer.currency, customer.provider ?? 'csv', customer.providerCustomerId, now],
    );
    if (rowCount === 1) return { clientId: id, created: true };
  }
}

/** The invoice duebot itself issued under this back-end id, if any (its history is already here). */
export async function issuedByDuebot(db: Queryable, provider: string, providerInvoiceId: string): Promise<string | null> {
  const { rows } = await db.query<{ number: string }>('SELECT number FROM invoices WHERE provider = $1 AND provider_invoice_id = $2 AND source <> $3', [
    provider,
    providerInvoiceId,
    IMPORT_SOURCE,
  ]);
  return rows[0]?.number ?? null;
}
