import type { InvoiceStatus } from '../domain/types.js';
import type { Queryable } from './db.js';

/** Invoices as the forecast needs them: every non-void invoice with its client, issue and paid dates in the business time zone. */
export interface ForecastSourceRow {
  number: string;
  clientName: string;
  currency: string;
  total: number;
  amountPaid: number;
  status: InvoiceStatus;
  dueDate: string;
  /** The local date it was sent, or created when not sent yet (`YYYY-MM-DD`). */
  issuedOn: string;
  /** A paid invoice's local paid date (its own paid time, else its last recorded payment's); null for every other status. */
  paidOn: string | null;
}

const FORECAST_STATUSES: readonly InvoiceStatus[] = ['draft', 'approved', 'sent', 'partially_paid', 'paid'];

/**
 * `statuses` narrows the rows (the forecast reads the paid history grouped, with `paidSurvivalSamples`).
 * The dates are made local in SQL: 12,000 open invoices would otherwise cost 12,000 timestamp parses
 * and time-zone conversions in the bot.
 */
export async function invoicesForForecast(db: Queryable, timezone: string, statuses: readonly InvoiceStatus[] = FORECAST_STATUSES): Promise<ForecastSourceRow[]> {
  const { rows } = await db.query<{
    number: string;
    client_name: string;
    currency: string;
    total: number;
    amount_paid: number;
    status: InvoiceStatus;
    due_date: string;
    issued_on: string;
    paid_on: string | null;
  }>(
    `SELECT i.number, c.name AS client_name, i.currency, i.total, i.amount_paid, i.status, i.due_date,
            to_char(coalesce(i.sent_at, i.created_at) AT TIME ZONE $2, 'YYYY-MM-DD') AS issued_on,
            -- Only a paid invoice's paid date is used: the open ones (12,000 in the benchmark) skip the lookup.
            CASE WHEN i.status = 'paid'
                 THEN to_char(COALESCE(i.paid_at, (SELECT max(p.paid_at) FROM payments p WHERE p.invoice_id = i.id)) AT TIME ZONE $2, 'YYYY-MM-DD') END AS paid_on
     FROM invoices i JOIN clients c ON c.id = i.client_id
     WHERE i.status = ANY($1::text[])`,
    [statuses, timezone],
  );
  return rows.map((r) => ({
    number: r.number,
    clientName: r.client_name,
    currency: r.currency.trim(),
    total: r.total,
    amountPaid: r.amount_paid,
    status: r.status,
    dueDate: r.due_date,
    issuedOn: r.issued_on,
    paidOn: r.paid_on,
  }));
}

/**
 * Every payment known to the forecast, in the business time zone ($1): each paid invoice (its paid
 * time, else its last payment's) and each payment of a partly paid one. MATERIALIZED: the paid date
 * (with its payments fallback) is computed once per invoice, not once per use.
 */
const PAID_ON = `WITH paid AS MATERIALIZED (
       SELECT c.name AS customer, i.due_date, (coalesce(i.sent_at, i.created_at) AT TIME ZONE $1)::date AS issued,
              (COALESCE(i.paid_at, (SELECT max(p.paid_at) FROM payments p WHERE p.invoice_id = i.id)) AT TIME ZONE $1)::date AS paid_on
       FROM invoices i JOIN clients c ON c.id = i.client_id WHERE i.status = 'paid'
       UNION ALL
       SELECT c.name, i.due_date, (coalesce(i.sent_at, i.created_at) AT TIME ZONE $1)::date, (p.paid_at AT TIME ZONE $1)::date
       FROM payments p JOIN invoices i ON i.id = p.invoice_id JOIN clients c ON c.id = i.client_id WHERE i.status = 'partially_paid')`;

/** Paid observations for the survival model, counted per client, entry and exit lateness (see `paidSurvivalSamples`). */
export interface PaidSurvivalRow {
  customer: string;
  entry: number;
  exit: number;
  count: number;
  /** Sum of the recency weights 0.5^(days since the due date / half-life). */
  weight: number;
}

/**
 * The survival model's paid observations, counted in the database: per client name, entry lateness
 * (issue date minus due date) and exit lateness (paid date minus due date), the number of payments
 * and the sum of their recency weights. Every paid invoice counts, and so does each payment of a
 * partly paid invoice (its rest is open, a censored observation the caller adds). Dates are taken in
 * the business time zone as `toForecastRows` does; only payments on or before `asOf` count.
 */
export async function paidSurvivalSamples(db: Queryable, timezone: string, asOf: string, halfLifeDays: number): Promise<PaidSurvivalRow[]> {
  const { rows } = await db.query<PaidSurvivalRow>(
    `${PAID_ON}
     SELECT customer, (least(issued, paid_on) - due_date) AS entry, (paid_on - due_date) AS exit, count(*)::int AS count,
            sum(power(0.5, greatest(0, $2::date - due_date) / $3::float8))::float8 AS weight
     FROM paid WHERE paid_on IS NOT NULL AND paid_on <= $2::date
     GROUP BY 1, 2, 3`,
    [timezone, asOf, halfLifeDays],
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

/**
 * Each client's payments of the `lookbackDays` before `asOf` counted per weekday (0 = Sunday) and
 * whether they fell near a month end (`nearMonthEnd` in src/domain/payment-runs.ts), to find payment runs.
 */
export async function paymentRunCounts(
  db: Queryable,
  timezone: string,
  asOf: string,
  lookbackDays: number,
): Promise<{ customer: string; weekday: number; monthEnd: boolean; count: number }[]> {
  const { rows } = await db.query<{ customer: string; weekday: number; month_end: boolean; count: number }>(
    `${PAID_ON}
     SELECT customer, extract(dow FROM paid_on)::int AS weekday,
            (extract(day FROM paid_on) <= 2 OR extract(day FROM paid_on + 3) <= 3) AS month_end, count(*)::int AS count
     FROM paid WHERE paid_on <= $2::date AND paid_on > $2::date - $3::int
     GROUP BY 1, 2, 3`,
    [timezone, asOf, lookbackDays],
  );
  return rows.map((r) => ({ customer: r.customer, weekday: r.weekday, monthEnd: r.month_end, count: r.count }));
}
