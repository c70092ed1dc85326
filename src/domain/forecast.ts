import { addDays, daysBetween } from './calendar.js';
import { firstAbove } from './sorted.js';
import { weeklyRanges, type WeekRange } from './forecast-range.js';
import { countPayment, detectRun, emptyRunCounts, nextRunDay, runTargets, type PaymentRun, type RunCounts } from './payment-runs.js';
import { curveFor, DEFAULT_SURVIVAL_OPTIONS, fitSurvival, paymentOutlook, recencyWeight, type SurvivalModel, type SurvivalOptions, type SurvivalSample } from './survival.js';

/**
 * Cash-flow forecast: when will each open or scheduled invoice be paid, and how much comes in per
 * week over the next 30 days. Pure: the as-of date is a parameter and dates are `YYYY-MM-DD`.
 *
 * The default model (`survival`, src/domain/survival.ts) gives each invoice a chance of payment on
 * every future day; its amount goes into each week in proportion. The older `median` model, kept for
 * comparison, gives each invoice one expected date:
 * it learns each customer's *lateness* (paid date minus due date, in days) from its paid
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

/**
 * `survival`: a chance of payment per day from the survival curves (default); `median`: one expected
 * date per invoice (the earlier model); `due-date`: the baseline "everyone pays on the due date".
 */
export type ForecastModel = 'survival' | 'median' | 'due-date';
export const FORECAST_MODELS: readonly ForecastModel[] = ['survival', 'median', 'due-date'];

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
  /** Null only when `basis` is `doubtful`. For `survival`: the day by which it is paid with even odds. */
  expectedDate: string | null;
  basis: ExpectationBasis;
  /** The chance that it is paid within each bucket (0 or 1 for the single-date models). */
  bucketChances: number[];
  /** The chance that it is never paid (beyond anything the history shows). */
  neverChance: number;
}

export interface ForecastWindow {
  start: string;
  end: string;
}

export interface ForecastWeek extends ForecastWindow {
  expected: number;
  /** 10th and 90th percentile of the week's inflow (src/domain/forecast-range.ts). */
  range: WeekRange;
}

export interface CurrencyForecast {
  currency: string;
  weeks: ForecastWeek[];
  /** Sum of the weeks: everything expected from as-of+1 to as-of+30. */
  total30d: number;
  /** Open balance past its due date at the as-of date. */
  overdue: number;
  overdueCount: number;
  /** Not expected within the 30 days ("later/doubtful"): open and scheduled amounts minus `total30d`; includes `doubtful`. */
  later: number;
  /** The part of `later` not expected at all (overdue beyond what the history shows). */
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
 * FORECAST_MILESTONES_CACHE's default, how long a client's open tasks are reused for upcoming milestones:
 * a minute, so new milestones show soon and one forecast a minute asks each project once (Asana's free
 * tier allows 150 calls a minute).
 */
export const DEFAULT_FORECAST_MILESTONES_CACHE_MS = 60_000;

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

type DatedPayment = Omit<ExpectedPayment, 'bucketChances' | 'neverChance'>;

/** The single-date models (`median`, `due-date`, and the fallback without history). */
function expectPayment(
  invoice: ForecastInvoice,
  kind: ExpectedPayment['kind'],
  asOf: string,
  history: PaymentHistory,
  model: ForecastModel,
  options: ForecastOptions,
): DatedPayment {
  const dueDate = effectiveDueDate(invoice, options);
  const base = paymentBase(invoice, kind, dueDate);
  // Nothing unpaid at as-of can be paid on or before as-of; a scheduled invoice not before it is issued.
  const earliest = earliestPayment(invoice, kind, asOf);
  if (model === 'due-date') return { ...base, expectedDate: maxDate(dueDate, earliest), basis: 'default' };

  const unpaidAt = kind === 'scheduled' ? -Infinity : daysBetween(dueDate, asOf);
  const learned = expectedLateness(history, invoice.customer, unpaidAt, options);
  if (learned) return { ...base, expectedDate: maxDate(addDays(dueDate, learned.lateness), earliest), basis: learned.basis };
  // Enough history, yet (almost) nothing was ever this late: expecting it next week would be
  // optimistic; a cash forecast should not count on it.
  if (history.pooled.length >= options.minSamples) return { ...base, expectedDate: null, basis: 'doubtful' };
  return fallbackPayment(invoice, kind, asOf, options);
}

/** Too little history to learn from: the due date, or for an invoice already past it, a grace period from now. */
function fallbackPayment(invoice: ForecastInvoice, kind: ExpectedPayment['kind'], asOf: string, options: ForecastOptions): DatedPayment {
  const dueDate = effectiveDueDate(invoice, options);
  const fallback = dueDate > asOf ? dueDate : addDays(asOf, options.staleOverdueDays);
  return { ...paymentBase(invoice, kind, dueDate), expectedDate: maxDate(fallback, earliestPayment(invoice, kind, asOf)), basis: 'default' };
}

function paymentBase(invoice: ForecastInvoice, kind: ExpectedPayment['kind'], dueDate: string) {
  return { customer: invoice.customer, number: invoice.number, currency: invoice.currency, amount: invoice.amount, kind, dueDate };
}

function earliestPayment(invoice: ForecastInvoice, kind: ExpectedPayment['kind'], asOf: string): string {
  return kind === 'scheduled' ? maxDate(invoice.invoiceDate, addDays(asOf, 1)) : addDays(asOf, 1);
}

/** One date: all of the chance in the bucket holding it (none when it is past the horizon or doubtful). */
function withDateChances(payment: DatedPayment, windows: readonly ForecastWindow[]): ExpectedPayment {
  const date = payment.expectedDate;
  return {
    ...payment,
    bucketChances: windows.map((w) => (date !== null && date >= w.start && date <= w.end ? 1 : 0)),
    neverChance: payment.basis === 'doubtful' ? 1 : 0,
  };
}

/** The survival model: the invoice's chance of payment on each day of the horizon, summed per bucket. */
function survivalPayment(
  invoice: ForecastInvoice,
  kind: ExpectedPayment['kind'],
  on: { asOf: string; model: SurvivalModel; options: ForecastOptions; runs: ReadonlyMap<string, PaymentRun> },
): ExpectedPayment {
  const { asOf, model, options } = on;
  const dueDate = effectiveDueDate(invoice, options);
  const first = earliestPayment(invoice, kind, asOf);
  // Known unpaid through the day before `first`; `gap` days of the horizon pass before it.
  const gap = daysBetween(addDays(asOf, 1), first);
  const curve = curveFor(model, invoice.customer);
  const run = on.runs.get(invoice.customer);
  const days = Math.max(0, HORIZON_DAYS - gap);
  // With a payment run, the days just past the horizon are read too: their chance moves to the nearest run
  // day, which may be inside it (as the horizon's last days may move out).
  const outlook = paymentOutlook(curve, daysBetween(dueDate, first) - 1, days + (run ? RUN_REACH_DAYS : 0), outlookScratch);
  // Each day's chance into the bucket of its day, or of its nearest run day.
  const targets = run ? runTargets(first, run, outlook.daily.length) : null;
  const bucketChances = [0, 0, 0, 0, 0];
  for (let k = 0; k < outlook.daily.length; k++) {
    const to = targets ? targets[k]! : k;
    if (to < days) bucketChances[((gap + to) / 7) | 0]! += outlook.daily[k]!;
  }
  const median = outlook.medianLateness === null ? null : maxDate(addDays(dueDate, outlook.medianLateness), first);
  // One literal (no spread of paymentBase): built for each of 12,000 open invoices per command.
  return {
    customer: invoice.customer,
    number: invoice.number,
    currency: invoice.currency,
    amount: invoice.amount,
    kind,
    dueDate,
    expectedDate: median && run ? nextRunDay(median, run) : median,
    basis: median === null ? 'doubtful' : curve.observations > 0 ? 'customer' : 'pooled',
    bucketChances,
    neverChance: outlook.never,
  };
}

/** How far a day's chance can move to its nearest run day: half a month (a weekday run: 3 days). */
const RUN_REACH_DAYS = 16;
/** Reused by every survivalPayment (pure and synchronous: one call at a time). */
const outlookScratch = new Float64Array(HORIZON_DAYS + RUN_REACH_DAYS);

function maxDate(a: string, b: string): string {
  return a > b ? a : b;
}

/** What a forecast learned from, when learned elsewhere (the bot counts its history in the database). */
export interface LearnedHistory {
  history?: PaymentHistory;
  survival?: SurvivalModel;
  /** Paid invoices the survival model learned from (below `minSamples` the fallback dates are used). */
  paidCount?: number;
  /** Clients that pay in runs (month end, one weekday). */
  runs?: ReadonlyMap<string, PaymentRun>;
}

/** Payments of the year before as-of show a client's payment runs. */
export const RUN_LOOKBACK_DAYS = 365;

/** Each client's payment run, from its payments in the RUN_LOOKBACK_DAYS before as-of. */
export function paymentRuns(invoices: readonly ForecastInvoice[], asOf: string): Map<string, PaymentRun> {
  const since = addDays(asOf, -RUN_LOOKBACK_DAYS);
  const counts = new Map<string, RunCounts>();
  for (const invoice of invoices) {
    if (!invoice.paidDate || invoice.paidDate > asOf || invoice.paidDate <= since) continue;
    let mine = counts.get(invoice.customer);
    if (!mine) counts.set(invoice.customer, (mine = emptyRunCounts()));
    countPayment(mine, invoice.paidDate);
  }
  return runsFromCounts(counts);
}

export function runsFromCounts(counts: ReadonlyMap<string, RunCounts>): Map<string, PaymentRun> {
  const runs = new Map<string, PaymentRun>();
  for (const [customer, c] of counts) {
    const run = detectRun(c);
    if (run) runs.set(customer, run);
  }
  return runs;
}

export interface BuildOptions {
  /** Compute each week's 10th-90th percentile range (a simulation; the backtest leaves it out). */
  ranges?: boolean;
  survival?: SurvivalOptions;
}

/**
 * The survival model's observations from the rows, as known at as-of: paid on or before as-of (an
 * event), issued on or before as-of and unpaid then (censored at as-of). Lateness uses the due date
 * (or the default terms), entry the invoice date.
 */
export function survivalSamples(
  invoices: readonly ForecastInvoice[],
  asOf: string,
  options: ForecastOptions = DEFAULT_FORECAST_OPTIONS,
  survivalOptions: SurvivalOptions = DEFAULT_SURVIVAL_OPTIONS,
): SurvivalSample[] {
  const samples: SurvivalSample[] = [];
  for (const invoice of invoices) {
    if (invoice.invoiceDate > asOf || invoice.amount <= 0) continue;
    const due = effectiveDueDate(invoice, options);
    const paid = invoice.paidDate !== null && invoice.paidDate <= asOf;
    samples.push({
      customer: invoice.customer,
      entry: daysBetween(due, invoice.invoiceDate),
      exit: daysBetween(due, paid ? invoice.paidDate! : asOf),
      paid,
      weight: recencyWeight(daysBetween(due, asOf), survivalOptions),
    });
  }
  return samples;
}

/**
 * Splits the input by its relation to as-of (paid on or before: history; issued on or before and
 * unpaid then: open; issued after: scheduled) and forecasts the 30 days after as-of. `learned` may
 * be given when it was learned elsewhere (then `invoices` need only hold the open and scheduled ones).
 */
export function buildForecast(
  invoices: readonly ForecastInvoice[],
  asOf: string,
  model: ForecastModel = 'survival',
  options: ForecastOptions = DEFAULT_FORECAST_OPTIONS,
  learned: LearnedHistory = {},
  build: BuildOptions = {},
): Forecast {
  const windows = forecastWindows(asOf);
  const history = model === 'median' ? (learned.history ?? learnHistory(invoices, asOf, options)) : undefined;
  const survival = model === 'survival' ? (learned.survival ?? fitSurvival(survivalSamples(invoices, asOf, options, build.survival), build.survival)) : undefined;
  const runs = survival ? (learned.runs ?? paymentRuns(invoices, asOf)) : new Map<string, PaymentRun>();
  const paidCount = learned.paidCount ?? invoices.filter((i) => i.paidDate !== null && i.paidDate <= asOf && i.invoiceDate <= asOf).length;
  const payments: ExpectedPayment[] = [];
  const overdue = new Map<string, { amount: number; count: number }>();
  const currencies = new Set<string>();

  for (const invoice of invoices) {
    if (invoice.amount <= 0) continue;
    const scheduled = invoice.invoiceDate > asOf;
    const open = !scheduled && (!invoice.paidDate || invoice.paidDate > asOf);
    if (!scheduled && !open) continue;
    currencies.add(invoice.currency);
    const kind = scheduled ? 'scheduled' : 'open';
    const payment =
      survival && paidCount >= options.minSamples
        ? survivalPayment(invoice, kind, { asOf, model: survival, options, runs })
        : withDateChances(survival ? fallbackPayment(invoice, kind, asOf, options) : expectPayment(invoice, kind, asOf, history ?? EMPTY_HISTORY, model, options), windows);
    payments.push(payment);
    if (open && payment.dueDate < asOf) {
      const o = overdue.get(invoice.currency) ?? { amount: 0, count: 0 };
      overdue.set(invoice.currency, { amount: o.amount + invoice.amount, count: o.count + 1 });
    }
  }

  const byCurrency = new Map<string, ExpectedPayment[]>();
  for (const p of payments) {
    const list = byCurrency.get(p.currency) ?? [];
    list.push(p);
    byCurrency.set(p.currency, list);
  }
  const result: CurrencyForecast[] = [...currencies].sort().map((currency) => {
    const mine = byCurrency.get(currency) ?? [];
    // Expected values: fractions of minor units until here, rounded once per bucket. One pass over the payments.
    const expected = windows.map(() => 0);
    let amount = 0;
    let never = 0;
    for (const p of mine) {
      for (let b = 0; b < expected.length; b++) expected[b]! += p.amount * p.bucketChances[b]!;
      amount += p.amount;
      never += p.amount * p.neverChance;
    }
    const ranges = build.ranges === false ? undefined : weeklyRanges(mine, windows.length);
    const weeks = windows.map((w, b) => ({ ...w, expected: Math.round(expected[b]!), range: ranges?.[b] ?? { p10: 0, p90: 0 } }));
    const total30d = weeks.reduce((s, w) => s + w.expected, 0);
    return {
      currency,
      weeks,
      total30d,
      overdue: overdue.get(currency)?.amount ?? 0,
      overdueCount: overdue.get(currency)?.count ?? 0,
      later: amount - total30d,
      doubtful: Math.round(never),
    };
  });
  return { asOf, model, currencies: result, payments: byExpectedDate(payments) };
}

/**
 * By expected date, then number; doubtful ones (no date) last. Grouped by date first: 12,000 open
 * invoices fall on a few dozen dates, so only the small groups are sorted by number (a comparison
 * sort of the whole list was the slowest step of `/invoices forecast`).
 */
function byExpectedDate(payments: readonly ExpectedPayment[]): ExpectedPayment[] {
  const groups = new Map<string, ExpectedPayment[]>();
  for (const p of payments) {
    const date = p.expectedDate ?? '9999';
    const group = groups.get(date);
    if (group) group.push(p);
    else groups.set(date, [p]);
  }
  // Plain comparisons, not localeCompare.
  const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const out: ExpectedPayment[] = [];
  for (const date of [...groups.keys()].sort(order)) for (const p of groups.get(date)!.sort((a, b) => order(a.number, b.number))) out.push(p);
  return out;
}

const EMPTY_HISTORY: PaymentHistory = { byCustomer: new Map(), pooled: [] };

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

/** A currency with nothing open or scheduled (shown when only a balance is known for it). */
export function emptyCurrencyForecast(asOf: string, currency: string): CurrencyForecast {
  const weeks = forecastWindows(asOf).map((w) => ({ ...w, expected: 0, range: { p10: 0, p90: 0 } }));
  return { currency, weeks, total30d: 0, overdue: 0, overdueCount: 0, later: 0, doubtful: 0 };
}
