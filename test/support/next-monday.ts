import { DAY_MS } from '../../src/domain/calendar.js';

/** The first Monday at `hour`:00 UTC at least a day ahead: a business clock start (BUSINESS_TIMEZONE is UTC in the harness). */
export function nextMondayAt(hour: number): Date {
  const d = new Date(Date.now() + DAY_MS);
  d.setUTCHours(hour, 0, 0, 0);
  while (d.getUTCDay() !== 1) d.setUTCDate(d.getUTCDate() + 1);
  return d;
}
