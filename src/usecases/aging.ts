import { buildAgingReport } from '../domain/aging.js';
import type { AgingReport } from '../domain/types.js';
import { openInvoicesForAging } from '../store/invoices.js';
import type { Services } from '../services.js';

export async function agingNow(services: Services): Promise<AgingReport> {
  return buildAgingReport(await openInvoicesForAging(services.db.pool), services.clock.now(), services.settings.timezone);
}
