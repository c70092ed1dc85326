import { randomUUID } from 'node:crypto';
import type { InvoiceLine, InvoiceStatus } from '../domain/types.js';
import type { Queryable } from './db.js';

export interface InvoiceRecord {
  id: string;
  /** Null for imported history, which takes no number from the gap-free sequence. */
  seq: number | null;
  number: string;
  clientId: string;
  source: string;
  sourceRef: string;
  sourceUrl: string | null;
  milestone: string;
  currency: string;
  lines: InvoiceLine[];
  /** Minor units the client owes: the subtotal plus the back-end's tax once it is known. */
  total: number;
  /**
   * Sum of the lines as issued (the back-end's figure). Displays show total − tax instead, so that a
   * later credit line, which lowers the total, shows in the subtotal too.
   */
  subtotal: number;
  /** Null until the back-end has computed it. */
  taxAmount: number | null;
  taxName: string | null;
  taxRate: string | null;
  amountPaid: number;
  dueDate: string;
  status: InvoiceStatus;
  disputed: boolean;
  paused: boolean;
  recipients: string[];
  provider: string;
  providerInvoiceId: string | null;
  paymentUrl: string | null;
  emailMessageId: string | null;
  slackChannel: string | null;
  slackTs: string | null;
  attention: string | null;
  createdAt: Date;
  approvedAt: Date | null;
  approvedBy: string | null;
  sentAt: Date | null;
  paidAt: Date | null;
  updatedAt: Date;
  /** When the current dispute began (null when not disputed). */
  disputedAt: Date | null;
  /** Business date the client promised to pay by; reminders wait until the morning after. */
  snoozedUntil: string | null;
}

interface InvoiceRow {
  id: string;
  seq: number | null;
  number: string;
  client_id: string;
  source: string;
  source_ref: string;
  source_url: string | null;
  milestone: string;
  currency: string;
  lines: InvoiceLine[];
  total: number;
  subtotal: number | null;
  tax_amount: number | null;
  tax_name: string | null;
  tax_rate: string | null;
  amount_paid: number;
  due_date: string;
  status: InvoiceStatus;
  disputed: boolean;
  paused: boolean;
  recipients: string[];
  provider: string;
  provider_invoice_id: string | null;
  payment_url: string | null;
  email_message_id: string | null;
  slack_channel: string | null;
  slack_ts: string | null;
  attention: string | null;
  created_at: Date;
  approved_at: Date | null;
  approved_by: string | null;
  sent_at: Date | null;
  paid_at: Date | null;
  updated_at: Date;
  disputed_at: Date | null;
  snoozed_until: string | null;
}

function toRecord(r: InvoiceRow): InvoiceRecord {
  return {
    id: r.id,
    seq: r.seq,
    number: r.number,
    clientId: r.client_id,
    source: r.source,
    sourceRef: r.source_ref,
    sourceUrl: r.source_url,
    milestone: r.milestone,
    currency: r.currency.trim(),
    lines: r.lines,
    total: r.total,
    subtotal: r.subtotal ?? r.total,
    taxAmount: r.tax_amount ?? null,
    taxName: r.tax_name ?? null,
    taxRate: r.tax_rate ?? null,
    amountPaid: r.amount_paid,
    dueDate: r.due_date,
    status: r.status,
    disputed: r.disputed,
    paused: r.paused,
    recipients: r.recipients,
    provider: r.provider,
    providerInvoiceId: r.provider_invoice_id,
    paymentUrl: r.payment_url,
    emailMessageId: r.email_message_id,
    slackChannel: r.slack_channel,
    slackTs: r.slack_ts,
    attention: r.attention,
    createdAt: r.created_at,
    approvedAt: r.approved_at,
    approvedBy: r.approved_by,
    sentAt: r.sent_at,
    paidAt: r.paid_at,
    updatedAt: r.updated_at,
    disputedAt: r.disputed_at ?? null,
    snoozedUntil: r.snoozed_until ?? null,
  };
}

export interface NewInvoice {
  clientId: string;
  source: string;
  sourceRef: string;
  sourceUrl: string | null;
  milestone: string;
  currency: string;
  lines: InvoiceLine[];
  total: number;
  dueDate: string;
  recipients: string[];
  provider: string;
}

/**
 * Creates a draft with the next number of the gap-free sequence, in the caller's transaction: the
 * counter row is locked until commit, so numbers are handed out in order and a rolled-back insert
 * gives its number back. Returns null when the same milestone already has an invoice.
 */
export async function insertDraft(tx: Queryable, draft: NewInvoice, numbering: { scope: string; format: (seq: number) => string }, now: Date): Promise<InvoiceRecord | null> {
  const existing = await tx.query('SELECT 1 FROM invoices WHERE source = $1 AND source_ref = $2', [draft.source, draft.sourceRef]);
  if (existing.rowCount) return null;
  const { rows: counter } = await tx.query<{ last_value: number }>(
    `INSERT INTO invoice_counters (scope, last_value) VALUES ($1, 1)
     ON CONFLICT (scope) DO UPDATE SET last_value = invoice_counters.last_value + 1 RETURNING last_value`,
    [numbering.scope],
  );
  const seq = counter[0]!.last_value;
  const { rows } = await tx.query<InvoiceRow>(
    `INSERT INTO invoices (id, seq, number, client_id, source, source_ref, source_url, milestone, currency, lines, total, subtotal, due_date,
       status, recipients, provider, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12, 'draft', $13, $14, $15, $15)
     ON CONFLICT (source, source_ref) DO NOTHING RETURNING *`,
    [
      randomUUID(),
      seq,
      numbering.format(seq),
      draft.clientId,
      draft.source,
      draft.sourceRef,
      draft.sourceUrl,
      draft.milestone,
      draft.currency,
      JSON.stringify(draft.lines),
      draft.total,
      draft.dueDate,
      draft.recipients,
      draft.provider,
      now,
    ],
  );
  if (!rows[0]) throw new Error('invoice for this milestone was created concurrently'); // rolls the number back
  return toRecord(rows[0]);
}

export async function getInvoice(db: Queryable, id: string, options: { forUpdate?: boolean } = {}): Promise<InvoiceRecord | null> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  const { rows } = await db.query<InvoiceRow>(`SELECT * FROM invoices WHERE id = $1${options.forUpdate ? ' FOR UPDATE' : ''}`, [id]);
  return rows[0] ? toRecord(rows[0]) : null;
}

/** Invoice ids are unique per back-end only (QuickBooks "130" and FreshBooks "130" are different invoices). */
export async function findInvoiceByProviderId(db: Queryable, providerInvoiceId: string, provider?: string): Promise<InvoiceRecord | null> {
  const { rows } = provider
    ? await db.query<InvoiceRow>('SELECT * FROM invoices WHERE provider_invoice_id = $1 AND provider = $2', [providerInvoiceId, provider])
    : await db.query<InvoiceRow>('SELECT * FROM invoices WHERE provider_invoice_id = $1', [providerInvoiceId]);
  return rows[0] ? toRecord(rows[0]) : null;
}

export async function findInvoiceBySource(db: Queryable, source: string, sourceRef: string): Promise<InvoiceRecord | null> {
  const { rows } = await db.query<InvoiceRow>('SELECT * FROM invoices WHERE source = $1 AND source_ref = $2', [source, sourceRef]);
  return rows[0] ? toRecord(rows[0]) : null;
}

type Patch = Partial<{
  status: InvoiceStatus;
  lines: InvoiceLine[];
  total: number;
  subtotal: number;
  taxAmount: number | null;
  taxName: string | null;
  taxRate: string | null;
  amountPaid: number;
  dueDate: string;
  recipients: string[];
  providerInvoiceId: string;
  paymentUrl: string | null;
  emailMessageId: string;
  slackChannel: string;
  slackTs: string;
  attention: string | null;
  approvedAt: Date;
  approvedBy: string;
  sentAt: Date;
  paidAt: Date | null;
  paused: boolean;
  disputed: boolean;
  disputedAt: Date | null;
  snoozedUntil: string | null;
}>;

const COLUMNS: Record<keyof Patch, string> = {
  status: 'status',
  lines: 'lines',
  total: 'total',
  subtotal: 'subtotal',
  taxAmount: 'tax_amount',
  taxName: 'tax_name',
  taxRate: 'tax_rate',
  amountPaid: 'amount_paid',
  dueDate: 'due_date',
  recipients: 'recipients',
  providerInvoiceId: 'provider_invoice_id',
  paymentUrl: 'payment_url',
  emailMessageId: 'email_message_id',
  slackChannel: 'slack_channel',
  slackTs: 'slack_ts',
  attention: 'attention',
  approvedAt: 'approved_at',
  approvedBy: 'approved_by',
  sentAt: 'sent_at',
  paidAt: 'paid_at',
  paused: 'paused',
  disputed: 'disputed',
  disputedAt: 'disputed_at',
  snoozedUntil: 'snoozed_until',
};

/**
 * Applies a patch. With `expectStatus`, the update only happens while the invoice is still in one of
 * those states (compare-and-set): the loser of a race (two approvals, approval vs. discard) gets null.
 */
export async function updateInvoice(db: Queryable, id: string, patch: Patch, now: Date, expectStatus?: readonly InvoiceStatus[]): Promise<InvoiceRecord | null> {
  const sets: string[] = [];
  const values: unknown[] = [id];
  for (const [key, value] of Object.entries(patch) as [keyof Patch, unknown][]) {
    if (value === undefined) continue;
    values.push(key === 'lines' ? JSON.stringify(value) : value);
    sets.push(`${COLUMNS[key]} = $${values.length}`);
  }
  values.push(now);
  sets.push(`updated_at = $${values.length}`);
  let where = 'id = $1';
  if (expectStatus) {
    values.push(expectStatus);
    where += ` AND status = ANY($${values.length}::text[])`;
  }
  const { rows } = await db.query<InvoiceRow>(`UPDATE invoices SET ${sets.join(', ')} WHERE ${where} RETURNING *`, values);
  return rows[0] ? toRecord(rows[0]) : null;
}

/** Invoices in the given states, oldest first (sweeps and polling); imported history is never swept or polled. */
export async function invoicesInStatus(db: Queryable, statuses: readonly InvoiceStatus[], limit = 500): Promise<InvoiceRecord[]> {
  const { rows } = await db.query<InvoiceRow>("SELECT * FROM invoices WHERE status = ANY($1::text[]) AND source <> 'import' ORDER BY created_at LIMIT $2", [statuses, limit]);
  return rows.map(toRecord);
}

/**
 * One page of the invoices the payment poll checks (sent or partially paid, not imported), by id after
 * `afterId`: keyset pagination, so a page never repeats or skips a row while others change status.
 */
export async function openInvoicesPage(db: Queryable, afterId: string | null, limit: number): Promise<InvoiceRecord[]> {
  const { rows } = await db.query<InvoiceRow>(
    "SELECT * FROM invoices WHERE status IN ('sent', 'partially_paid') AND source <> 'import' AND ($1::uuid IS NULL OR id > $1::uuid) ORDER BY id LIMIT $2",
    [afterId, limit],
  );
  return rows.map(toRecord);
}

/** Drafts whose Slack message was never posted (a crash between storing and posting); imported history has none by design. */
export async function draftsWithoutMessage(db: Queryable, createdBefore: Date): Promise<InvoiceRecord[]> {
  const { rows } = await db.query<InvoiceRow>(
    `SELECT * FROM invoices WHERE slack_ts IS NULL AND status <> 'discarded' AND source <> 'import' AND created_at <= $1 ORDER BY seq LIMIT 100`,
    [createdBefore],
  );
  return rows.map(toRecord);
}

export interface AgingRow {
  number: string;
  clientName: string;
  currency: string;
  total: number;
  amountPaid: number;
  status: InvoiceStatus;
  sentAt: Date | null;
  dueDate: string;
}

export async function openInvoicesForAging(db: Queryable): Promise<AgingRow[]> {
  const { rows } = await db.query<{
    number: string;
    client_name: string;
    currency: string;
    total: number;
    amount_paid: number;
    status: InvoiceStatus;
    sent_at: Date | null;
    due_date: string;
  }>(
    `SELECT i.number, c.name AS client_name, i.currency, i.total, i.amount_paid, i.status, i.sent_at, i.due_date
     FROM invoices i JOIN clients c ON c.id = i.client_id WHERE i.status IN ('sent', 'partially_paid')`,
  );
  return rows.map((r) => ({
    number: r.number,
    clientName: r.client_name,
    currency: r.currency.trim(),
    total: r.total,
    amountPaid: r.amount_paid,
    status: r.status,
    sentAt: r.sent_at,
    dueDate: r.due_date,
  }));
}

/** Records a payment seen in a back-end event; false when this event was recorded before. */
export async function recordPaymentRow(
  db: Queryable,
  payment: { invoiceId: string; sourceEvent: string; amount: number; currency: string; amountPaidAfter: number; paidAt: Date },
): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO payments (invoice_id, source_event, amount, currency, amount_paid_after, paid_at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (source_event) DO NOTHING`,
    [payment.invoiceId, payment.sourceEvent, payment.amount, payment.currency, payment.amountPaidAfter, payment.paidAt],
  );
  return rowCount === 1;
}

export async function findInvoiceByNumber(db: Queryable, number: string): Promise<InvoiceRecord | null> {
  const { rows } = await db.query<InvoiceRow>('SELECT * FROM invoices WHERE upper(number) = upper($1)', [number.trim().replace(/^#/, '')]);
  return rows[0] ? toRecord(rows[0]) : null;
}

/** What `/invoices list` asks for; every filter is optional and they combine. */
export interface InvoiceListFilter {
  clientId?: string;
  statuses?: readonly InvoiceStatus[];
  /** Only invoices whose due date is before this day (YYYY-MM-DD). */
  dueBefore?: string;
  disputed?: boolean;
  limit: number;
}

/** Newest first, with one extra row fetched so the caller can say "and more". */
export async function listInvoices(db: Queryable, filter: InvoiceListFilter): Promise<InvoiceRecord[]> {
  const { rows } = await db.query<InvoiceRow>(
    `SELECT * FROM invoices
     WHERE ($1::text IS NULL OR client_id = $1)
       AND ($2::text[] IS NULL OR status = ANY($2::text[]))
       AND ($3::date IS NULL OR due_date < $3::date)
       AND ($4::boolean IS NULL OR disputed = $4)
     ORDER BY seq DESC NULLS LAST, sent_at DESC LIMIT $5`,
    [filter.clientId ?? null, filter.statuses ?? null, filter.dueBefore ?? null, filter.disputed ?? null, filter.limit],
  );
  return rows.map(toRecord);
}

/** Which of these task ids of a tool were invoiced already (any status). */
export async function invoicedSourceRefs(db: Queryable, source: string, sourceRefs: readonly string[]): Promise<string[]> {
  if (!sourceRefs.length) return [];
  const { rows } = await db.query<{ source_ref: string }>('SELECT source_ref FROM invoices WHERE source = $1 AND source_ref = ANY($2::text[])', [source, sourceRefs]);
  return rows.map((r) => r.source_ref);
}

/** How many invoices are in each state (imported history left out), for the metrics. */
export async function countInvoicesByStatus(db: Queryable): Promise<Partial<Record<InvoiceStatus, number>>> {
  const { rows } = await db.query<{ status: InvoiceStatus; n: number }>("SELECT status, count(*)::int AS n FROM invoices WHERE source <> 'import' GROUP BY status");
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}
