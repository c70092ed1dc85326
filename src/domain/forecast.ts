import { addDays, daysBetween } from './calendar.js';

/**
 * Cash-flow forecast: when will each open or scheduled invoice be paid, and how much comes in per
 * week over the next 30 days. Pure: the as-of date is a parameter and dates are `YYYY-MM-DD`.
 *
 * The model learns each customer's *lateness* (paid date minus due date, in days) from its paid
 * invoices. Lateness rather than days-from-issue, so an invoice on net-15 and one on net-45 for the
 * same customer are read on the same scale. For an invoice still unpaid at the as-of date it only
 * looks at past invoices that were also still unpaid at the same lateness (conditional on "not paid
 * yet"): an invoice 10 days overdue from a customer who usually pays 5 days late is not expected
 * 5 days ago, but at the median lateness of that customer's invoices that took longer than 10 days.
 */

export interface ForecastInvoice {
  customer: string;
  number: string;
  invoiceDate: string;
  /** Null when the invoice has no due date; `defaultDaysToPay` after the invoice date is used then. */
  dueDate: string | null;
  /** Open balance (or, for paid history, the amount paid) in integer minor units. */
  amount: number;
  currency: string;
  /** Null while unpaid. */
  paidDate: string | null;
}

export interface ForecastOptions {
  /** Samples needed before an estimate is trusted: first the customer's own, then the pooled ones. */
  minSamples: number;
  /** Days from invoice date to due date when an invoice has none (the configured default terms). */
  defaultDaysToPay: number;
  /** With too little history to learn anything, an already-overdue invoice is expected this many days after as-of. */
  staleOverdueDays: number;
}

export const DEFAULT_FORECAST_OPTIONS: ForecastOptions = { minSamples: 3, defaultDaysToPay: 30, staleOverdueDays: 7 };

/** `history` is the learned model; `due-date` is the baseline "everyone pays on the due date". */
export type ForecastModel = 'history' | 'due-date';

/**
 * Where an expected date came from: the customer's own history, all customers pooled, or the
 * fallback. `doubtful`: unpaid for longer past its due date than any invoice in the history ever
 * took, so no date is expected (it stays in the overdue balance, not in the inflows).
 */
export type ExpectationBasis = 'customer' | 'pooled' | 'default' | 'doubtful';

export interface ExpectedPayment {
  customer: string;
  number: string;
  currency: string;
  amount: number;
  /** `open`: issued on or before as-of and unpaid; `scheduled`: issued after as-of (a known milestone). */
  kind: 'open' | 'scheduled';
  dueDate: string;
  /** Null only when `basis` is `doubtful`. */
  expectedDate: string | null;
  basis: ExpectationBasis;
}

export interface ForecastWindow {
  start: string;
  end: string;
}

export interface ForecastWeek extends ForecastWindow {
  expected: number;
  /** The 10th and 90th percentile of what comes in that week (minor units), where the model gives a distribution. */
  range?: { p10: number; p90: number };
}

export interface CurrencyForecast {
  currency: string;
  weeks: ForecastWeek[];
  /** Sum of the weeks: everything expected from as-of+1 to as-of+30. */
  total30d: number;
  /** Open balance past its due date at the as-of date. */
  overdue: number;
  overdueCount: number;
  /** Expected after the 30-day horizon (not in the weeks). */
  later: number;
  /** Overdue for longer than any paid invoice in the history took: no payment date expected. */
  doubtful: number;
}

export interface Forecast {
  asOf: string;
  model: ForecastModel;
  /** One entry per currency, sorted by code; amounts in different currencies are never added. */
  currencies: CurrencyForecast[];
  payments: ExpectedPayment[];
}

export const HORIZON_DAYS = 30;

/**
 * The buckets: four weeks of 7 days (as-of+1..+7, +8..+14, +15..+21, +22..+28) and a final 2-day
 * bucket (+29..+30), so the buckets cover exactly the 30 days after as-of.
 */
export function forecastWindows(asOf: string): ForecastWindow[] {
  const windows: ForecastWindow[] = [];
  for (let first = 1; first <= HORIZON_DAYS; first += 7) {
    windows.push({ start: addDays(asOf, first), end: addDays(asOf, Math.min(first + 6, HORIZON_DAYS)) });
  }
  return windows;
}

/** Median of whole-day samples; for an even count the mean of the middle two, rounded up to a whole day. */
export function medianDays(samples: readonly number[]): number {
  if (samples.length === 0) throw new RangeError('median of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length % 2 === 1) return sorted[mid]!;
  return Math.ceil((sorted[mid - 1]! + sorted[mid]!) / 2);
}

function effectiveDueDate(invoice: ForecastInvoice, options: ForecastOptions): string {
  return invoice.dueDate ?? addDays(invoice.invoiceDate, options.defaultDaysToPay);
}

/** Paid-history lateness samples known at as-of: per customer and pooled across all customers, each sorted ascending. */
export interface PaymentHistory {
  byCustomer: Map<string, number[]>;
  pooled: number[];
}

/** Sorted once, so each open invoice's estimate is a binary search, not a filter and sort of the whole history. */
function sortedHistory(byCustomer: Map<string, number[]>, pooled: number[]): PaymentHistory {
  const ascending = (a: number, b: number) => a - b;
  for (const list of byCustomer.values()) list.sort(ascending);
  return { byCustomer, pooled: pooled.sort(ascending) };
}

/** The same history from samples counted elsewhere (the database groups 100,000 paid invoices into a few thousand rows). */
export function historyFromSamples(samples: readonly { customer: string; lateness: number; count: number }[]): PaymentHistory {
  const byCustomer = new Map<string, number[]>();
  const pooled: number[] = [];
  for (const { customer, lateness, count } of samples) {
    const list = byCustomer.get(customer) ?? [];
    for (let i = 0; i < count; i++) {
      list.push(lateness);
      pooled.push(lateness);
    }
    byCustomer.set(customer, list);
  }
  return sortedHistory(byCustomer, pooled);
}

export function learnHistory(invoices: readonly ForecastInvoice[], asOf: string, options: ForecastOptions = DEFAULT_FORECAST_OPTIONS): PaymentHistory {
  const byCustomer = new Map<string, number[]>();
  const pooled: number[] = [];
  for (const invoice of invoices) {
    if (!invoice.paidDate || invoice.paidDate > asOf || invoice.invoiceDate > asOf) continue;
    const lateness = daysBetween(effectiveDueDate(invoice, options), invoice.paidDate);
    pooled.push(lateness);
    const list = byCustomer.get(invoice.customer) ?? [];
    list.push(lateness);
    byCustomer.set(invoice.customer, list);
  }
  return sortedHistory(byCustomer, pooled);
}

/** Index of the first sample greater than `value` in an ascending list. */
function firstAbove(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! > value) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** medianDays of sorted[from..]: already sorted, so no copy. */
function medianFrom(sorted: readonly number[], from: number): number {
  const count = sorted.length - from;
  const mid = from + Math.floor(count / 2);
  return count % 2 === 1 ? sorted[mid]! : Math.ceil((sorted[mid - 1]! + sorted[mid]!) / 2);
}

/**
 * The expected lateness of an invoice known to be unpaid at lateness `unpaidAt` (as-of minus due
 * date; -Infinity for a scheduled invoice, about which nothing is known yet): the median of the
 * samples greater than `unpaidAt`, from the customer when it has `minSamples` of them, else pooled.
 */
export function expectedLateness(
  history: PaymentHistory,
  customer: string,
  unpaidAt: number,
  options: ForecastOptions = DEFAULT_FORECAST_OPTIONS,
): { lateness: number; basis: 'customer' | 'pooled' } | null {
  const own = history.byCustomer.get(customer) ?? [];
  const ownFrom = firstAbove(own, unpaidAt);
  if (own.length - ownFrom >= options.minSamples) return { lateness: medianFrom(own, ownFrom), basis: 'customer' };
  const pooledFrom = firstAbove(history.pooled, unpaidAt);
  if (history.pooled.length - pooledFrom >= options.minSamples) return { lateness: medianFrom(history.pooled, pooledFrom), basis: 'pooled' };
  return null;
}

function expectPayment(
  invoice: ForecastInvoice,
  kind: ExpectedPayment['kind'],
  asOf: string,
  history: PaymentHistory,
  model: ForecastModel,
  options: ForecastOptions,
): ExpectedPayment {
  const dueDate = effectiveDueDate(invoice, options);
  const base = { customer: invoice.customer, number: invoice.number, currency: invoice.currency, amount: invoice.amount, kind, dueDate };
  // Nothing unpaid at as-of can be paid on or before as-of; a scheduled invoice not before it is issued.
  const earliest = kind === 'scheduled' ? maxDate(invoice.invoiceDate, addDays(asOf, 1)) : addDays(asOf, 1);
  if (model === 'due-date') return { ...base, expectedDate: maxDate(dueDate, earliest), basis: 'default' };

  const unpaidAt = kind === 'scheduled' ? -Infinity : daysBetween(dueDate, asOf);
  const learned = expectedLateness(history, invoice.customer, unpaidAt, options);
  if (learned) return { ...base, expectedDate: maxDate(addDays(dueDate, learned.lateness), earliest), basis: learned.basis };
  // Enough history, yet (almost) nothing was ever this late: expecting it next week would be
  // optimistic; a cash forecast should not count on it.
  if (history.pooled.length >= options.minSamples) return { ...base, expectedDate: null, basis: 'doubtful' };
  // Too little history to learn from: the due date, or for an invoice already past it, a grace period from now.
  const fallback = dueDate > asOf ? dueDate : addDays(asOf, options.staleOverdueDays);
  return { ...base, expectedDate: maxDate(fallback, earliest), basis: 'default' };
}

function maxDate(a: string, b: string): string {
  return a > b ? a : b;
}

/**
 * Splits the input by its relation to as-of (paid on or before: history; issued on or before and
 * unpaid then: open; issued after: scheduled) and forecasts the 30 days after as-of. `history` may
 * be given when it was learned elsewhere (then `invoices` need only hold the open and scheduled ones).
 */
export function buildForecast(
  invoices: readonly ForecastInvoice[],
  asOf: string,
  model: ForecastModel = 'history',
  options: ForecastOptions = DEFAULT_FORECAST_OPTIONS,
  history: PaymentHistory = learnHistory(invoices, asOf, options),
): Forecast {
  const payments: ExpectedPayment[] = [];
  const overdue = new Map<string, { amount: number; count: number }>();
  const currencies = new Set<string>();

  for (const invoice of invoices) {
    if (invoice.amount <= 0) continue;
    const scheduled = invoice.invoiceDate > asOf;
    const open = !scheduled && (!invoice.paidDate || invoice.paidDate > asOf);
    if (!scheduled && !open) continue;
    currencies.add(invoice.currency);
    const payment = expectPayment(invoice, scheduled ? 'scheduled' : 'open', asOf, history, model, options);
    payments.push(payment);
    if (open && payment.dueDate < asOf) {
      const o = overdue.get(invoice.currency) ?? { amount: 0, count: 0 };
      overdue.set(invoice.currency, { amount: o.amount + invoice.amount, count: o.count + 1 });
    }
  }

  const windows = forecastWindows(asOf);
  const horizonEnd = addDays(asOf, HORIZON_DAYS);
  const byCurrency = new Map<string, ExpectedPayment[]>();
  for (const p of payments) {
    const list = byCurrency.get(p.currency) ?? [];
    list.push(p);
    byCurrency.set(p.currency, list);
  }
  const result: CurrencyForecast[] = [...currencies].sort().map((currency) => {
    const mine = byCurrency.get(currency) ?? [];
    const weeks = windows.map((w) => ({
      ...w,
      expected: mine.filter((p) => p.expectedDate && p.expectedDate >= w.start && p.expectedDate <= w.end).reduce((s, p) => s + p.amount, 0),
    }));
    return {
      currency,
      weeks,
      total30d: weeks.reduce((s, w) => s + w.expected, 0),
      overdue: overdue.get(currency)?.amount ?? 0,
      overdueCount: overdue.get(currency)?.count ?? 0,
      later: mine.filter((p) => p.expectedDate && p.expectedDate > horizonEnd).reduce((s, p) => s + p.amount, 0),
      doubtful: mine.filter((p) => p.basis === 'doubtful').reduce((s, p) => s + p.amount, 0),
    };
  });
  // Doubtful ones (no date) last.
  payments.sort((a, b) => (a.expectedDate ?? '9999').localeCompare(b.expectedDate ?? '9999') || a.number.localeCompare(b.number));
  return { asOf, model, currencies: result, payments };
}

/** What was actually collected in each forecast bucket after as-of (for backtesting), per currency. */
export function actualCollections(invoices: readonly ForecastInvoice[], asOf: string): Map<string, number[]> {
  const windows = forecastWindows(asOf);
  const out = new Map<string, number[]>();
  for (const invoice of invoices) {
    if (!invoice.paidDate) continue;
    const index = windows.findIndex((w) => invoice.paidDate! >= w.start && invoice.paidDate! <= w.end);
    if (index < 0) continue;
    const weeks = out.get(invoice.currency) ?? windows.map(() => 0);
    weeks[index]! += invoice.amount;
    out.set(invoice.currency, weeks);
  }
  return out;
}

/**
 * Projected bank balance at the end of each bucket: the starting balance plus the inflows expected
 * so far. Inflows only: duebot knows nothing of outgoing payments.
 */
export function projectBalance(weeks: readonly ForecastWeek[], startingBalance: number): number[] {
  let running = startingBalance;
  return weeks.map((w) => (running += w.expected));
}

/** A currency with nothing open or scheduled (shown when only a balance is known for it). */
export function emptyCurrencyForecast(asOf: string, currency: string): CurrencyForecast {
  const weeks = forecastWindows(asOf).map((w) => ({ ...w, expected: 0 }));
  return { currency, weeks, total30d: 0, overdue: 0, overdueCount: 0, later: 0, doubtful: 0 };
}
