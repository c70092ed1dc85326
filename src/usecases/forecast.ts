import { addDays, localDate } from '../domain/calendar.js';
import {
  DEFAULT_FORECAST_OPTIONS,
  buildForecast,
  emptyCurrencyForecast,
  forecastWindows,
  RUN_LOOKBACK_DAYS,
  runsFromCounts,
  survivalSamples,
  type CurrencyForecast,
  type Forecast,
  type ForecastInvoice,
} from '../domain/forecast.js';
import { MoneyError, parseMajor, type Money } from '../domain/money.js';
import {
  cashBalances,
  clientCurrencies,
  invoicesForForecast,
  paidSurvivalSamples,
  paymentRunCounts,
  setCashBalance,
  type ForecastSourceRow,
  type PaidSurvivalRow,
} from '../store/forecast.js';
import { DEFAULT_SURVIVAL_OPTIONS, fitSurvival } from '../domain/survival.js';
import { countPayments, emptyRunCounts, type PaymentRun, type RunCounts } from '../domain/payment-runs.js';
import type { Queryable } from '../store/db.js';
import type { Services } from '../services.js';
import { upcomingRetainerInvoices } from '../domain/forecast-retainers.js';
import { retainerOutlooks } from './forecast-retainers.js';
import { upcomingMilestoneInflows } from './upcoming-milestones.js';
import { backendBankBalances } from './bank-balances.js';
import { backendBillsDue } from './bills-due.js';
import { outflowsByWeek, projectCashPosition } from '../domain/cash-position.js';
import { renderForecastChart, type PastWeek } from '../forecast/chart.js';

export interface CurrencyOutlook {
  forecast: CurrencyForecast;
  /** Set with `/invoices balance`, else read from the back-end's bank accounts; null when neither. */
  startingBalance: number | null;
  /** Where a starting balance not set in Slack came from, e.g. "quickbooks bank accounts". */
  balanceSource?: string;
  /** Bills due in each bucket (minor units), when a back-end's bills could be read; null: outflows unknown. */
  outflows: number[] | null;
  /** Balance at the end of each bucket (inflows less outflows), when a starting balance is known. */
  projected: number[] | null;
}

export interface ForecastOutlook {
  asOf: string;
  forecast: Forecast;
  currencies: CurrencyOutlook[];
  /** Upcoming milestones, balances or bills left out and why (a tool that failed or was too slow, no back-end with bills). */
  notes?: string[];
  /** Back-ends whose bills were read as outflows ("QuickBooks"); empty: inflows only. */
  outflowsFrom?: string[];
  /** The configured back-ends when none keeps bills ("Stripe"): the reply says outflows are not available from them. */
  outflowsUnavailableFrom?: string[];
}

/**
 * Maps stored invoices onto the forecast's rows, as of the business date:
 * paid → history (issued when sent, paid on the paid date); sent / partially paid → open for the
 * remaining balance; draft / approved → scheduled, issued tomorrow at the earliest (not sent yet).
 */
export function toForecastRows(rows: readonly ForecastSourceRow[], today: string): ForecastInvoice[] {
  const tomorrow = addDays(today, 1);
  // A plain loop: 12,000 open invoices per command, so no intermediate arrays or spreads.
  const out: ForecastInvoice[] = [];
  for (const r of rows) {
    const row = (invoiceDate: string, dueDate: string, amount: number, paidDate: string | null): ForecastInvoice => ({
      customer: r.clientName,
      number: r.number,
      currency: r.currency,
      invoiceDate,
      dueDate,
      amount,
      paidDate,
    });
    if (r.status === 'paid') {
      if (r.paidOn) out.push(row(r.issuedOn <= r.paidOn ? r.issuedOn : r.paidOn, r.dueDate, r.total, r.paidOn));
    } else if (r.status === 'sent' || r.status === 'partially_paid') {
      out.push(row(r.issuedOn, r.dueDate, r.total - r.amountPaid, null));
    } else {
      out.push(row(tomorrow, r.dueDate > tomorrow ? r.dueDate : tomorrow, r.total, null));
    }
  }
  return out;
}

export async function forecastNow(services: Services): Promise<ForecastOutlook> {
  const asOf = localDate(services.clock.now(), services.settings.timezone);
  // The paid history arrives counted per client and lateness, not as one row per paid invoice (100,000s),
  // and is reused for a few minutes. The outside tools (project tools, bank balances, bills) are asked at the
  // same time as the database, each within its budget.
  const [stored, paid, retainers, upcoming, fromBackends, setInSlack, bills] = await Promise.all([
    invoicesForForecast(services.db.pool, services.settings.timezone, ['draft', 'approved', 'sent', 'partially_paid']),
    paidHistory(services, asOf),
    retainerOutlooks(services.db.pool, asOf),
    upcomingMilestoneInflows(services, asOf),
    backendBankBalances(services),
    cashBalances(services.db.pool),
    backendBillsDue(services, asOf),
  ]);
  const rows = [
    ...toForecastRows(stored, asOf),
    // Retainer invoices billed within the 30 days are expected inflows too (src/domain/forecast-retainers.ts).
    ...upcomingRetainerInvoices(retainers, asOf),
    ...upcoming.rows,
  ];
  // Open invoices are evidence too ("not paid by now"): always the live ones, with the cached paid history.
  const survival = fitSurvival([...paid.samples.map((p) => ({ ...p, paid: true })), ...survivalSamples(rows, asOf)]);
  const paidCount = paid.samples.reduce((s, p) => s + p.count, 0);
  const forecast = buildForecast(rows, asOf, 'survival', DEFAULT_FORECAST_OPTIONS, { survival, paidCount, runs: paid.runs });
  const balances = new Map<string, { amount: number; source?: string }>(fromBackends.balances);
  for (const set of setInSlack) balances.set(set.currency, { amount: set.amount }); // set in Slack: wins
  const outflows = outflowsByWeek(
    bills.bills.map((b) => ({ currency: b.currency, amount: b.amountDue, dueDate: b.dueDate })),
    forecastWindows(asOf),
  );
  const outflowsKnown = bills.readFrom.length > 0;
  // A currency with a balance or bills but nothing expected still gets a row, so they are shown.
  const known = new Set(forecast.currencies.map((c) => c.currency));
  const extra = [...new Set([...balances.keys(), ...outflows.keys()])].filter((c) => !known.has(c)).map((currency) => emptyCurrencyForecast(asOf, currency));
  const currencies = [...forecast.currencies, ...extra]
    .sort((a, b) => a.currency.localeCompare(b.currency))
    .map((c): CurrencyOutlook => {
      const out = outflowsKnown ? (outflows.get(c.currency) ?? c.weeks.map(() => 0)) : null;
      const start = balances.get(c.currency);
      if (!start) return { forecast: c, startingBalance: null, outflows: out, projected: null };
      return {
        forecast: c,
        startingBalance: start.amount,
        outflows: out,
        projected: projectCashPosition(c.weeks, start.amount, out),
        ...(start.source ? { balanceSource: start.source } : {}),
      };
    });
  return {
    asOf,
    forecast,
    currencies,
    notes: [...upcoming.notes, ...fromBackends.notes, ...bills.notes],
    outflowsFrom: bills.readFrom,
    outflowsUnavailableFrom: bills.unavailableFrom,
  };
}

/** The outlook as a PNG chart; `past` (per currency, oldest first) adds the last weeks' accuracy beside it. */
export function forecastChartPng(outlook: ForecastOutlook, past?: ReadonlyMap<string, readonly PastWeek[]>): Promise<Buffer> {
  return renderForecastChart(
    outlook.currencies.map((c) => ({ forecast: c.forecast, projected: c.projected, outflows: c.outflows, ...(past ? { accuracy: past.get(c.forecast.currency) ?? [] } : {}) })),
  );
}

/** How long the counted paid history is reused: new payments reach the curves within this time (open invoices are always live). */
export const PAID_HISTORY_TTL_MS = 10 * 60 * 1000;
interface PaidHistory {
  samples: PaidSurvivalRow[];
  runs: Map<string, PaymentRun>;
}
const paidHistoryCache = new WeakMap<Queryable, { key: string; fetchedAt: number; history: PaidHistory }>();

/**
 * The paid observations of the survival model and the clients' payment runs, counted in the database
 * (a few seconds' work on a 100,000-invoice PGlite book), reused per database and as-of date for
 * PAID_HISTORY_TTL_MS. Per process: a second bot process counts its own.
 */
async function paidHistory(services: Services, asOf: string): Promise<PaidHistory> {
  const { pool } = services.db;
  const { timezone } = services.settings;
  const key = `${asOf}|${timezone}`;
  const now = services.clock.now().getTime();
  const cached = paidHistoryCache.get(pool);
  if (cached && cached.key === key && now - cached.fetchedAt >= 0 && now - cached.fetchedAt < PAID_HISTORY_TTL_MS) return cached.history;
  const [samples, runRows] = await Promise.all([
    paidSurvivalSamples(pool, timezone, asOf, DEFAULT_SURVIVAL_OPTIONS.halfLifeDays),
    paymentRunCounts(pool, timezone, asOf, RUN_LOOKBACK_DAYS),
  ]);
  const counts = new Map<string, RunCounts>();
  for (const row of runRows) {
    let mine = counts.get(row.customer);
    if (!mine) counts.set(row.customer, (mine = emptyRunCounts()));
    countPayments(mine, row.weekday, row.monthEnd, row.count);
  }
  const history = { samples, runs: runsFromCounts(counts) };
  paidHistoryCache.set(pool, { key, fetchedAt: now, history });
  return history;
}

export type SetBalanceResult = { ok: true; balance: Money } | { ok: false; reason: string };

/** `/invoices balance 12,500.00 [USD]`: the currency may be left out when every client uses the same one. */
export async function setStartingBalance(services: Services, text: string, actor: string): Promise<SetBalanceResult> {
  const parts = text.trim().split(/\s+/).filter(Boolean);
  const currencyPart = parts.find((p) => /^[A-Za-z]{3}$/.test(p));
  const amountPart = parts.find((p) => p !== currencyPart);
  if (!amountPart || parts.length > 2) return { ok: false, reason: 'Usage: `/invoices balance <amount> [currency]`, e.g. `/invoices balance 12,500.00 USD`.' };
  let currency = currencyPart?.toUpperCase();
  if (!currency) {
    const used = await clientCurrencies(services.db.pool);
    if (used.length !== 1)
      return { ok: false, reason: `Which currency? Your clients use ${used.join(', ') || 'none yet'}: add it, e.g. \`/invoices balance ${amountPart} ${used[0] ?? 'USD'}\`.` };
    currency = used[0]!;
  }
  let balance: Money;
  try {
    balance = parseMajor(amountPart, currency);
  } catch (err) {
    return { ok: false, reason: err instanceof MoneyError ? `${err.message}.` : `"${amountPart}" is not an amount.` };
  }
  await setCashBalance(services.db.pool, { currency: balance.currency, amount: balance.amount, setAt: services.clock.now(), setBy: actor });
  services.log.info({ currency: balance.currency, actor }, 'starting cash balance set');
  return { ok: true, balance };
}
