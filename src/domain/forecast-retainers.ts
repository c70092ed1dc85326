import { addDays } from './calendar.js';
import { HORIZON_DAYS, type ForecastInvoice } from './forecast.js';
import { billingDate, firstPeriod, latestPeriod } from './retainer.js';

/** A client's retainer as the forecast needs it (amount in minor units, the client's currency). */
export interface RetainerOutlook {
  clientId: string;
  clientName: string;
  currency: string;
  amount: number;
  dayOfMonth: number;
  paymentTermsDays: number;
  /** YYYY-MM-DD: no billing day before it is billed (the clients file's startsOn, or the day duebot first saw it). */
  startsOn: string;
  /** Periods ("YYYY-MM") that already have an invoice: those are in the forecast as invoices. */
  invoiced: ReadonlySet<string>;
}

/**
 * The retainer invoices that will be issued within the 30 days after as-of, as scheduled forecast
 * rows: issued on the billing day (tomorrow at the earliest, for a billing day that is today and not
 * invoiced yet), due after the client's terms, so the model then expects them at due date + the
 * client's usual lateness. Pure: as-of is a parameter.
 */
export function upcomingRetainerInvoices(retainers: readonly RetainerOutlook[], asOf: string): ForecastInvoice[] {
  const horizonEnd = addDays(asOf, HORIZON_DAYS);
  const tomorrow = addDays(asOf, 1);
  const rows: ForecastInvoice[] = [];
  for (const r of retainers) {
    // Periods whose billing day falls on as-of … as-of+30, from the first one the retainer allows.
    let period = latestPeriod(asOf, r.dayOfMonth);
    const first = firstPeriod(r.startsOn, r.dayOfMonth);
    for (let guard = 0; guard < 3; guard += 1, period = nextPeriod(period)) {
      const billed = billingDate(period, r.dayOfMonth);
      if (billed > horizonEnd) break;
      if (billed < asOf || period < first || r.invoiced.has(period)) continue;
      const issued = billed > asOf ? billed : tomorrow;
      rows.push({
        customer: r.clientName,
        number: `retainer ${r.clientId} ${period}`,
        invoiceDate: issued,
        dueDate: addDays(issued, r.paymentTermsDays),
        amount: r.amount,
        currency: r.currency,
        paidDate: null,
      });
    }
  }
  return rows;
}

function nextPeriod(period: string): string {
  const [year, month] = period.split('-').map(Number) as [number, number];
  return month === 12 ? `${year + 1}-01` : `${year}-${String(month + 1).padStart(2, '0')}`;
}
