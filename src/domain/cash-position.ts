import type { ForecastWindow } from './forecast.js';

/**
 * Cash position: the forecast's inflows less the bills due, from a starting balance. Pure; money in
 * integer minor units, each currency on its own.
 */
export interface Outflow {
  currency: string;
  amount: number;
  /** YYYY-MM-DD. */
  dueDate: string;
}

/**
 * Bills per currency into the forecast's buckets. A bill due on or before the first bucket's start (due
 * today, not paid yet) is counted in the first bucket; one due after the last bucket is left out.
 */
export function outflowsByWeek(bills: readonly Outflow[], windows: readonly ForecastWindow[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const last = windows[windows.length - 1];
  for (const bill of bills) {
    if (!last || bill.amount <= 0 || bill.dueDate > last.end) continue;
    const index = Math.max(
      0,
      windows.findIndex((w) => bill.dueDate <= w.end),
    );
    const weeks = out.get(bill.currency) ?? windows.map(() => 0);
    weeks[index]! += bill.amount;
    out.set(bill.currency, weeks);
  }
  return out;
}

/** Balance at the end of each bucket: the starting balance plus the inflows, less the outflows, so far. */
export function projectCashPosition(inflows: readonly { expected: number }[], startingBalance: number, outflows: readonly number[] | null = null): number[] {
  let running = startingBalance;
  return inflows.map((w, i) => (running += w.expected - (outflows?.[i] ?? 0)));
}
