import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc.js';
import isoWeek from 'dayjs/plugin/isoWeek.js';
import { addDays, localDate, localTime } from './calendar.js';

dayjs.extend(utc);
dayjs.extend(isoWeek);

/**
 * The weekly forecast slot: Monday 08:00 in the business time zone. Pure: `now` is a parameter.
 * The key names the ISO week of that Monday (`2026-W49`), so every process derives the same key.
 */
export interface WeeklySlot {
  /** ISO week of the slot's Monday, e.g. `2026-W49`: the idempotency key of the weekly post. */
  key: string;
  /** The Monday as a business date (`YYYY-MM-DD`). */
  monday: string;
  /** Monday 08:00 local time as an instant (DST-aware). */
  at: Date;
}

export const WEEKLY_SLOT_HOUR = 8;

/** The most recent Monday 08:00 in `tz` at or before `now`. */
export function weeklySlot(now: Date, tz: string): WeeklySlot {
  const today = localDate(now, tz);
  const monday = addDays(today, -((isoWeekday(today) + 6) % 7));
  const at = localTime(monday, WEEKLY_SLOT_HOUR, tz);
  if (at.getTime() <= now.getTime()) return { key: isoWeekKey(monday), monday, at };
  const previous = addDays(monday, -7);
  return { key: isoWeekKey(previous), monday: previous, at: localTime(previous, WEEKLY_SLOT_HOUR, tz) };
}

/** 0 = Sunday … 6 = Saturday, for a calendar date (no time zone involved). */
function isoWeekday(ymd: string): number {
  return new Date(`${ymd}T00:00:00Z`).getUTCDay();
}

/** ISO 8601 week key of a date, e.g. `2026-W01` (the week belongs to the year of its Thursday). */
export function isoWeekKey(ymd: string): string {
  const d = dayjs.utc(ymd);
  return `${d.isoWeekYear()}-W${String(d.isoWeek()).padStart(2, '0')}`;
}
