import { assertYmd, localDate } from './calendar.js';

/**
 * Which monthly retainer period is due. A period is a calendar month, keyed "YYYY-MM"; its billing
 * day is `dayOfMonth` of that month in the business time zone.
 *
 * Catching up after an outage: only the most recent due period is invoiced automatically. Older
 * periods that were never invoiced are returned as `missed` for a human to look at, not sent.
 * Why: a small business whose bot was down for months is better served by one correct invoice and
 * a note in Slack than by a client receiving a pile of invoices at once (possibly for months that
 * were already billed by hand while the bot was down, or that the client paused). The usual case,
 * the bot down over the 1st for a few hours or days, is simply invoiced late, once.
 */
export interface RetainerSchedule {
  dayOfMonth: number;
  /** YYYY-MM-DD: no billing day before this date is ever billed. */
  startsOn: string;
}

export interface RetainerDue {
  /** The period to invoice now, or null when nothing is due (or it was already invoiced). */
  invoice: string | null;
  /** Earlier periods since `startsOn` that were never invoiced, oldest first. */
  missed: string[];
}

const PERIOD = /^(\d{4})-(\d{2})$/;

/** "2026-12" for the month of a YYYY-MM-DD date. */
function periodOf(ymd: string): string {
  return assertYmd(ymd).slice(0, 7);
}

function shiftPeriod(period: string, months: number): string {
  const m = PERIOD.exec(period);
  if (!m) throw new RangeError(`"${period}" is not a YYYY-MM period`);
  const index = Number(m[1]) * 12 + (Number(m[2]) - 1) + months;
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** The billing day of a period, YYYY-MM-DD. */
export function billingDate(period: string, dayOfMonth: number): string {
  if (!Number.isInteger(dayOfMonth) || dayOfMonth < 1 || dayOfMonth > 28) throw new RangeError('dayOfMonth must be 1..28');
  return assertYmd(`${period}-${String(dayOfMonth).padStart(2, '0')}`);
}

/** The most recent period whose billing day is on or before `today`. */
export function latestPeriod(today: string, dayOfMonth: number): string {
  const current = periodOf(today);
  return billingDate(current, dayOfMonth) <= today ? current : shiftPeriod(current, -1);
}

/** The first period whose billing day is on or after `startsOn`. */
export function firstPeriod(startsOn: string, dayOfMonth: number): string {
  const month = periodOf(startsOn);
  return billingDate(month, dayOfMonth) >= startsOn ? month : shiftPeriod(month, 1);
}

/** "December 2026" (English month names, as on the rest of the invoice). */
export function periodLabel(period: string): string {
  const m = PERIOD.exec(period);
  if (!m) throw new RangeError(`"${period}" is not a YYYY-MM period`);
  return `${MONTHS[Number(m[2]) - 1]} ${m[1]}`;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/**
 * What is due at `now` for one retainer, given the periods already invoiced (in any state: a
 * discarded draft counts, since a human chose not to send it).
 */
export function retainerDue(schedule: RetainerSchedule, timezone: string, now: Date, invoiced: ReadonlySet<string>): RetainerDue {
  const today = localDate(now, timezone);
  const latest = latestPeriod(today, schedule.dayOfMonth);
  const first = firstPeriod(schedule.startsOn, schedule.dayOfMonth);
  if (latest < first) return { invoice: null, missed: [] };
  const missed: string[] = [];
  for (let p = first; p < latest; p = shiftPeriod(p, 1)) if (!invoiced.has(p)) missed.push(p);
  return { invoice: invoiced.has(latest) ? null : latest, missed };
}

/** The invoice's source_ref: one invoice per client and period, ever (unique in the store). */
export function retainerSourceRef(clientId: string, period: string): string {
  return `${clientId}:${period}`;
}
