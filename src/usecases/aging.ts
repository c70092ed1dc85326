import { agingReportFromGroups } from '../domain/aging.js';
import { localDate } from '../domain/calendar.js';
import type { AgingReport } from '../domain/types.js';
import { agingGroups, largestOverdue } from '../store/receivables.js';
import type { Services } from '../services.js';

/** Grouped in SQL (src/store/receivables.ts): the same figures as `buildAgingReport`, at any volume. */
export async function agingNow(services: Services, largest = 5): Promise<AgingReport> {
  const now = services.clock.now();
  const today = localDate(now, services.settings.timezone);
  const pool = services.db.pool;
  return agingReportFromGroups(await agingGroups(pool, now), await largestOverdue(pool, today, largest), now, largest);
}
