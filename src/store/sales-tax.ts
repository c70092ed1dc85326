import type { BillingAddress } from '../domain/billing-address.js';
import type { Queryable } from './db.js';

/**
 * The sales tax a tax service (TaxJar, Avalara) computed for an invoice, one row per invoice
 * (migration 280). `computed`: shown on the draft and carried to the back-end; `pending`: the service
 * was down, retried at `nextAttemptAt`; `failed`: it refused (a person fixes and recomputes); `skipped`:
 * an approver chose to send without tax. Approve waits while it is pending or failed.
 */
export type SalesTaxStatus = 'computed' | 'pending' | 'failed' | 'skipped';

export interface SalesTaxRecord {
  invoiceId: string;
  service: string;
  status: SalesTaxStatus;
  /** Minor units; null unless computed. */
  amount: number | null;
  ratePercent: string | null;
  jurisdiction: string | null;
  /** What the client sees, e.g. "Sales tax (NY)". */
  name: string | null;
  lineTaxes: number[] | null;
  /** The address the tax was computed for (recorded at the service on send with it). */
  shipTo: BillingAddress | null;
  /** Why it is pending, failed or skipped. */
  reason: string | null;
  attempts: number;
  windowStartedAt: Date | null;
  nextAttemptAt: Date | null;
  /** When the service recorded the sale (Avalara committed, TaxJar order created). */
  recordedAt: Date | null;
  voidedAt: Date | null;
  /** Who chose "Send without tax". */
  decidedBy: string | null;
  updatedAt: Date;
}

interface Row {
  invoice_id: string;
  service: string;
  status: SalesTaxStatus;
  amount: number | null;
  rate: string | null;
  jurisdiction: string | null;
  name: string | null;
  line_taxes: number[] | null;
  ship_to: BillingAddress | null;
  reason: string | null;
  attempts: number;
  window_started_at: Date | null;
  next_attempt_at: Date | null;
  recorded_at: Date | null;
  voided_at: Date | null;
  decided_by: string | null;
  updated_at: Date;
}

const toRecord = (r: Row): SalesTaxRecord => ({
  invoiceId: r.invoice_id,
  service: r.service,
  status: r.status,
  amount: r.amount,
  ratePercent: r.rate,
  jurisdiction: r.jurisdiction,
  name: r.name,
  lineTaxes: r.line_taxes,
  shipTo: r.ship_to,
  reason: r.reason,
  attempts: r.attempts,
  windowStartedAt: r.window_started_at,
  nextAttemptAt: r.next_attempt_at,
  recordedAt: r.recorded_at,
  voidedAt: r.voided_at,
  decidedBy: r.decided_by,
  updatedAt: r.updated_at,
});

export async function getSalesTax(db: Queryable, invoiceId: string, options: { forUpdate?: boolean } = {}): Promise<SalesTaxRecord | null> {
  const { rows } = await db.query<Row>(`SELECT * FROM invoice_sales_tax WHERE invoice_id = $1${options.forUpdate ? ' FOR UPDATE' : ''}`, [invoiceId]);
  return rows[0] ? toRecord(rows[0]) : null;
}

export interface ComputedTax {
  service: string;
  amount: number;
  ratePercent: string;
  jurisdiction: string;
  name: string;
  lineTaxes: number[];
  shipTo: BillingAddress;
}

/** Stores a fresh computation: whatever was there before (pending, failed, an older figure) is replaced. */
export async function saveComputedTax(db: Queryable, invoiceId: string, tax: ComputedTax, now: Date): Promise<SalesTaxRecord> {
  const { rows } = await db.query<Row>(
    `INSERT INTO invoice_sales_tax (invoice_id, service, status, amount, rate, jurisdiction, name, line_taxes, ship_to, updated_at)
     VALUES ($1, $2, 'computed', $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (invoice_id) DO UPDATE SET service = $2, status = 'computed', amount = $3, rate = $4, jurisdiction = $5, name = $6, line_taxes = $7,
       ship_to = $8, reason = NULL, attempts = 0, window_started_at = NULL, next_attempt_at = NULL, decided_by = NULL, updated_at = $9
     RETURNING *`,
    [invoiceId, tax.service, tax.amount, tax.ratePercent, tax.jurisdiction, tax.name, JSON.stringify(tax.lineTaxes), JSON.stringify(tax.shipTo), now],
  );
  return toRecord(rows[0]!);
}

/**
 * The service could not be asked (down, timed out, rate-limited; `nextAttemptAt` set) or refused
 * (`nextAttemptAt` null: failed until a person recomputes). Any earlier figure is dropped: it was for other lines.
 */
export async function saveUncomputedTax(
  db: Queryable,
  invoiceId: string,
  o: { service: string; status: 'pending' | 'failed'; reason: string; attempts: number; windowStartedAt: Date | null; nextAttemptAt: Date | null },
  now: Date,
): Promise<SalesTaxRecord> {
  const { rows } = await db.query<Row>(
    `INSERT INTO invoice_sales_tax (invoice_id, service, status, reason, attempts, window_started_at, next_attempt_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (invoice_id) DO UPDATE SET service = $2, status = $3, amount = NULL, rate = NULL, jurisdiction = NULL, name = NULL, line_taxes = NULL,
       reason = $4, attempts = $5, window_started_at = $6, next_attempt_at = $7, decided_by = NULL, updated_at = $8
     RETURNING *`,
    [invoiceId, o.service, o.status, o.reason, o.attempts, o.windowStartedAt, o.nextAttemptAt, now],
  );
  return toRecord(rows[0]!);
}

/** An approver's "Send without tax": only while the tax is pending or failed. Null when it was not. */
export async function markTaxSkipped(db: Queryable, invoiceId: string, by: string, now: Date): Promise<SalesTaxRecord | null> {
  const { rows } = await db.query<Row>(
    `UPDATE invoice_sales_tax SET status = 'skipped', decided_by = $2, next_attempt_at = NULL, updated_at = $3
     WHERE invoice_id = $1 AND status IN ('pending', 'failed') RETURNING *`,
    [invoiceId, by, now],
  );
  return rows[0] ? toRecord(rows[0]) : null;
}

export async function markTaxRecorded(db: Queryable, invoiceId: string, now: Date): Promise<void> {
  await db.query('UPDATE invoice_sales_tax SET recorded_at = $2, updated_at = $2 WHERE invoice_id = $1 AND recorded_at IS NULL', [invoiceId, now]);
}

export async function markTaxVoided(db: Queryable, invoiceId: string, now: Date): Promise<void> {
  await db.query('UPDATE invoice_sales_tax SET voided_at = $2, updated_at = $2 WHERE invoice_id = $1 AND voided_at IS NULL', [invoiceId, now]);
}

/** Drafts whose tax is pending and due for another try. */
export async function dueTaxRetries(db: Queryable, now: Date, limit = 50): Promise<SalesTaxRecord[]> {
  const { rows } = await db.query<Row>(
    `SELECT t.* FROM invoice_sales_tax t JOIN invoices i ON i.id = t.invoice_id
     WHERE t.status = 'pending' AND t.next_attempt_at <= $1 AND i.status = 'draft' ORDER BY t.next_attempt_at LIMIT $2`,
    [now, limit],
  );
  return rows.map(toRecord);
}

/**
 * Work the tax service still owes: computed taxes on invoices issued at the back-end but not recorded
 * at the service yet, and on void invoices recorded (or computed: Avalara keeps uncommitted documents) but not voided there.
 */
export async function taxFollowUps(db: Queryable, limit = 50): Promise<{ record: SalesTaxRecord[]; void: SalesTaxRecord[] }> {
  const { rows: record } = await db.query<Row>(
    `SELECT t.* FROM invoice_sales_tax t JOIN invoices i ON i.id = t.invoice_id
     WHERE t.status = 'computed' AND t.recorded_at IS NULL AND t.voided_at IS NULL AND i.provider_invoice_id IS NOT NULL
       AND i.status IN ('sent', 'partially_paid', 'paid', 'credited') LIMIT $1`,
    [limit],
  );
  const { rows: voids } = await db.query<Row>(
    `SELECT t.* FROM invoice_sales_tax t JOIN invoices i ON i.id = t.invoice_id
     WHERE t.status = 'computed' AND t.voided_at IS NULL AND i.status = 'void' LIMIT $1`,
    [limit],
  );
  return { record: record.map(toRecord), void: voids.map(toRecord) };
}

/** Drafts whose tax is pending or failed (waiting for the service or a person), for `/invoices status`. */
export async function countUncomputedTaxes(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM invoice_sales_tax t JOIN invoices i ON i.id = t.invoice_id WHERE t.status IN ('pending', 'failed') AND i.status = 'draft'",
  );
  return rows[0]?.n ?? 0;
}
