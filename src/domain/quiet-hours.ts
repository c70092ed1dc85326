import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc.js';
import timezone from 'dayjs/plugin/timezone.js';
import type { BusinessHours } from './types.js';

dayjs.extend(utc);
dayjs.extend(timezone);

/**
 * Quiet hours: a client with business hours hears from us only on business days (Monday to Friday)
 * between `start` and `end`, local time in its time zone. Pure: the instant is passed in.
 */
const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** "9", "9:00", "09:30" → "09:00" / "09:30"; null when it is not a time of day. */
export function normalizeTimeOfDay(text: string): string | null {
  const m = /^(\d{1,2})(?::(\d{2}))?$/.exec(text.trim());
  if (!m) return null;
  const value = `${m[1]!.padStart(2, '0')}:${m[2] ?? '00'}`;
  return HHMM.test(value) ? value : null;
}

/** True for a name the runtime's time-zone database knows ("Europe/Berlin", "UTC"). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** Why these hours are unusable, or null when they are fine. */
export function businessHoursProblem(hours: BusinessHours): string | null {
  if (!HHMM.test(hours.start)) return `start "${hours.start}" is not a time HH:mm`;
  if (!HHMM.test(hours.end)) return `end "${hours.end}" is not a time HH:mm`;
  if (hours.start >= hours.end) return `start ${hours.start} must be before end ${hours.end}`;
  return null;
}

const BUSINESS_DAYS = new Set([1, 2, 3, 4, 5]);

/**
 * The earliest instant at or after `at` when a reminder may go out. Without business hours that is
 * `at` itself (today's behaviour). Local wall-clock times are resolved per day, so a window keeps
 * its local hours across a DST change.
 */
export function nextAllowedTime(at: Date, hours: BusinessHours | null | undefined, tz: string): Date {
  if (!hours) return at;
  const problem = businessHoursProblem(hours);
  if (problem) throw new RangeError(`business hours: ${problem}`);
  const firstDay = dayjs(at).tz(tz).format('YYYY-MM-DD');
  // A week always contains a business day, so 7 days ahead is enough.
  for (let offset = 0; offset <= 7; offset += 1) {
    const day = dayjs.utc(firstDay).add(offset, 'day');
    if (!BUSINESS_DAYS.has(day.day())) continue;
    const ymd = day.format('YYYY-MM-DD');
    const opens = dayjs.tz(`${ymd} ${hours.start}`, tz).toDate();
    const closes = dayjs.tz(`${ymd} ${hours.end}`, tz).toDate();
    if (at.getTime() < closes.getTime()) return at.getTime() >= opens.getTime() ? at : opens;
  }
  throw new Error('unreachable: no business day within a week');
}

export function isAllowedTime(at: Date, hours: BusinessHours | null | undefined, tz: string): boolean {
  return nextAllowedTime(at, hours, tz).getTime() === at.getTime();
}
