import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc.js';
import timezone from 'dayjs/plugin/timezone.js';

dayjs.extend(utc);
dayjs.extend(timezone);

/** Calendar arithmetic in the business time zone. Dates are `YYYY-MM-DD` strings; instants are Dates. */
export const DAY_MS = 24 * 60 * 60 * 1000;

const YMD = /^\d{4}-\d{2}-\d{2}$/;

export function assertYmd(value: string): string {
  // The round trip refuses dates dayjs would roll over ("2026-13-01", "2026-02-30").
  if (!YMD.test(value) || dayjs.utc(value).format('YYYY-MM-DD') !== value) throw new RangeError(`"${value}" is not a YYYY-MM-DD date`);
  return value;
}

/** The calendar date of an instant in a time zone. */
export function localDate(instant: Date, tz: string): string {
  return dayjs(instant).tz(tz).format('YYYY-MM-DD');
}

export function addDays(ymd: string, days: number): string {
  return dayjs.utc(assertYmd(ymd)).add(days, 'day').format('YYYY-MM-DD');
}

/** Whole calendar days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return dayjs.utc(assertYmd(to)).diff(dayjs.utc(assertYmd(from)), 'day');
}

/** The instant of `hour`:00 local time on a date in a time zone (DST-aware). */
export function localTime(ymd: string, hour: number, tz: string): Date {
  return dayjs.tz(`${assertYmd(ymd)} ${String(hour).padStart(2, '0')}:00`, tz).toDate();
}

/** Whole days elapsed between two instants (floor). */
export function elapsedDays(since: Date, now: Date): number {
  return Math.floor((now.getTime() - since.getTime()) / DAY_MS);
}
