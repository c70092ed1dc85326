import type { InvoiceStatus } from '../domain/types.js';
import type { Queryable } from './db.js';

/** Invoices as the forecast needs them: every non-void invoice with its client and paid date. */
export interface ForecastSourceRow {
  number: string;
  clientName: string;
  currency: string;
  total: number;
  amountPaid: number;
  status: InvoiceStatus;
  dueDate: string;
  createdAt: Date;
  sentAt: Date | null;
  /** The invoice's paid time, else the last recorded payment's. */
  paidAt: Date | null;
}

const FORECAST_STATUSES: readonly InvoiceStatus[] = ['draft', 'approved', 'sent', 'partially_paid', 'paid'];

/** `statuses` narrows the rows (the forecast reads the paid history grouped, with `paidLatenessSamples`). */
export async function invoicesForForecast(db: Queryable, statuses: readonly InvoiceStatus[] = FORECAST_STATUSES): Promise<ForecastSourceRow[]> {
  const { rows } = await db.query<{
    number: string;
    client_name: string;
    currency: string;
    total: number;
    amount_paid: number;
    status: InvoiceStatus;
    due_date: string;
    created_at: Date;
    sent_at: Date | null;
    paid_at: Date | null;
  }>(
    `SELECT i.number, c.name AS client_name, i.currency, i.total, i.amount_paid, i.status, i.due_date, i.created_at, i.sent_at,
            COALESCE(i.paid_at, (SELECT max(p.paid_at) FROM payments p WHERE p.invoice_id = i.id)) AS paid_at
     FROM invoices i JOIN clients c ON c.id = i.client_id
     WHERE i.status = ANY($1::text[])`,
    [statuses],
  );
  return rows.map((r) => ({
    number: r.number,
    clientName: r.client_name,
    currency: r.currency.trim(),
    total: r.total,
    amountPaid: r.amount_paid,
    status: r.status,
    dueDate: r.due_date,
    createdAt: r.created_at,
    sentAt: r.sent_at,
    paidAt: r.paid_at,
  }));
}

/**
 * The forecast's payment history, counted in the database: per client name and lateness (paid date
 * minus due date, in whole days, the paid date taken in the business time zone as `toForecastRows`
 * does), how many paid invoices. Only payments on or before `asOf` count.
 */
export async function paidLatenessSamples(db: Queryable, timezone: string, asOf: string): Promise<{ customer: string; lateness: number; count: number }[]> {
  const { rows } = await db.query<{ customer: string; lateness: number; count: number }>(
    // MATERIALIZED: the paid date (with its payments fallback) is computed once per invoice, not once per use.
    `WITH paid AS MATERIALIZED (
       SELECT c.name AS customer, i.due_date,
              (COALESCE(i.paid_at, (SELECT max(p.paid_at) FROM payments p WHERE p.invoice_id = i.id)) AT TIME ZONE $1)::date AS paid_on
       FROM invoices i JOIN clients c ON c.id = i.client_id WHERE i.status = 'paid')
     SELECT customer, (paid_on - due_date) AS lateness, count(*)::int AS count
     FROM paid WHERE paid_on IS NOT NULL AND paid_on <= $2::date
     GROUP BY 1, 2`,
    [timezone, asOf],
  );
  return rows;
}

export interface CashBalance {
  currency: string;
  amount: number;
  setAt: Date;
  setBy: string;
}

export async function setCashBalance(db: Queryable, balance: CashBalance): Promise<void> {
  await db.query(
    `INSERT INTO cash_balances (currency, amount, set_at, set_by) VALUES ($1, $2, $3, $4)
     ON CONFLICT (currency) DO UPDATE SET amount = $2, set_at = $3, set_by = $4`,
    [balance.currency, balance.amount, balance.setAt, balance.setBy],
  );
}

export async function cashBalances(db: Queryable): Promise<CashBalance[]> {
  const { rows } = await db.query<{ currency: string; amount: number; set_at: Date; set_by: string }>(
    'SELECT currency, amount, set_at, set_by FROM cash_balances ORDER BY currency',
  );
  return rows.map((r) => ({ currency: r.currency.trim(), amount: r.amount, setAt: r.set_at, setBy: r.set_by }));
}

/** The currencies clients are billed in (to default `/invoices balance` when there is only one). */
export async function clientCurrencies(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ currency: string }>('SELECT DISTINCT currency FROM clients ORDER BY currency');
  return rows.map((r) => r.currency.trim());
}
