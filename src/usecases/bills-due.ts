import { addDays } from '../domain/calendar.js';
import { HORIZON_DAYS } from '../domain/forecast.js';
import type { BillDue } from '../providers/invoicing/backend.js';
import type { Services } from '../services.js';
import { displayName, readEachBackend } from './backend-reads.js';

export const BILLS_TIMEOUT_MS = 2000;

export interface BackendBills {
  /** Bills still owed, due from as-of to the end of the forecast's horizon, from every back-end that answered. */
  bills: BillDue[];
  /** Back-ends whose bills were read ("QuickBooks"); empty: outflows are unknown. */
  readFrom: string[];
  /** Back-ends whose bills could not be read this time (failed or too slow), and what that means. */
  notes: string[];
  /** The configured back-ends, when none of them keeps bills ("Stripe"): outflows are not available at all. */
  unavailableFrom: string[];
}

/**
 * The forecast's outflows: bills due within the 30 days, read from the back-ends that keep payables
 * (QuickBooks, Xero, FreshBooks), within one time budget like the bank balances.
 */
export async function backendBillsDue(services: Services, asOf: string, timeoutMs = BILLS_TIMEOUT_MS): Promise<BackendBills> {
  const reads = await readEachBackend(services, 'bills', timeoutMs, (b) => b.billsDue?.(asOf, addDays(asOf, HORIZON_DAYS)) ?? null);
  const answered = reads.flatMap((r) => (r.ok ? [r] : []));
  const notes = reads.flatMap((r) => (r.ok ? [] : [`${displayName(r.backend)} bills ${r.why}; outflows from it are left out.`]));
  const unavailableFrom = reads.length === 0 ? Object.values(services.backends).map(displayName) : [];
  return { bills: answered.flatMap((r) => r.value), readFrom: answered.map((r) => displayName(r.backend)), notes, unavailableFrom };
}
