/**
 * Days sales outstanding, per currency: how many days of recent invoicing are still unpaid.
 *
 *   DSO = open receivables now ÷ amount invoiced in the last 90 days × 90
 *
 * "Open receivables" is the unpaid balance of every sent invoice (as in the aging report); "invoiced"
 * is the total of the invoices sent in the window (voided and discarded ones were no sale). Both are
 * integer minor units of one currency; the result is whole days. Null when nothing was invoiced in
 * the window (no sales to measure against).
 */
export const DSO_WINDOW_DAYS = 90;

export function daysSalesOutstanding(receivables: number, invoicedInWindow: number, windowDays = DSO_WINDOW_DAYS): number | null {
  if (!Number.isSafeInteger(receivables) || !Number.isSafeInteger(invoicedInWindow)) throw new RangeError('DSO takes integer minor units');
  if (invoicedInWindow <= 0) return null;
  // BigInt keeps receivables × days exact for any balance; only the final division rounds (half up).
  const numerator = BigInt(Math.max(0, receivables)) * BigInt(windowDays) * 2n + BigInt(invoicedInWindow);
  return Number(numerator / (2n * BigInt(invoicedInWindow)));
}
