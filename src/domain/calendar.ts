import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc.js';
import timezone from 'dayjs/plugin/timezone.js';

dayjs.extend(utc);
dayjs.extend(timezone);

/** Calendar arithmetic in the business time zone. Dates are `YYYY-MM-DD` strings; instants are Dates. */
export const DAY_MS = 24 * 60 * 60 * 1000;

const YMD = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Plain Date.UTC arithmetic and cached Intl formatters rather than dayjs parsing: these run once or
 * twice per invoice when the forecast reads 100,000 of them (dayjs' time-zone plugin costs ~0.4 ms a call).
 */
const dayNumbers = new Map<string, number>();

/** Days since 1970-01-01; remembered, since a forecast asks about the same few hundred dates thousands of times. */
function dayNumber(ymd: string): number {
  const known = dayNumbers.get(ymd);
  if (known !== undefined) return known;
  const m = YMD.exec(ymd);
  const [year, month, day] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [NaN, NaN, NaN];
  const at = new Date(Date.UTC(year, month - 1, day));
  // Refuses dates that would roll over ("2026-13-01", "2026-02-30"), and years below 100 that Date.UTC would move.
  if (!m || year < 100 || at.getUTCMonth() !== month - 1 || at.getUTCDate() !== day) throw new RangeError(`"${ymd}" is not a YYYY-MM-DD date`);
  if (dayNumbers.size >= 100_000) dayNumbers.clear();
  dayNumbers.set(ymd, at.getTime() / DAY_MS);
  return at.getTime() / DAY_MS;
}

const ymdByDay = new Map<number, string>();

/** The reverse of dayNumber, remembered too (formatting a Date is the slow part of addDays). */
function fromDayNumber(day: number): string {
  const known = ymdByDay.get(day);
  if (known !== undefined) return known;
  const ymd = new Date(day * DAY_MS).toISOString().slice(0, 10);
  if (ymdByDay.size >= 100_000) ymdByDay.clear();
  ymdByDay.set(day, ymd);
  return ymd;
}

export function assertYmd(value: string): string {
  dayNumber(value);
  return value;
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

const dayOffsets = new Map<string, Map<number, number | null>>();

/**
 * The calendar date of an instant in a time zone. Formatting with Intl costs several microseconds,
 * which adds up over 12,000 open invoices, so the zone's offset is remembered per UTC day: when it is
 * the same at the start and the end of that day (every day but a DST switch), the date is plain
 * arithmetic; on a switch day, Intl decides.
 */
export function localDate(instant: Date, tz: string): string {
  const ms = instant.getTime();
  const day = Math.floor(ms / DAY_MS);
  let offsets = dayOffsets.get(tz);
  if (!offsets) dayOffsets.set(tz, (offsets = new Map()));
  let offset = offsets.get(day);
  if (offset === undefined) {
    const start = offsetAt(day * DAY_MS, tz);
    offset = start === offsetAt((day + 1) * DAY_MS - 1, tz) ? start : null;
    if (offsets.size >= 100_000) offsets.clear();
    offsets.set(day, offset);
  }
  if (offset === null || Number.isNaN(ms)) return formattedDate(instant, tz);
  return fromDayNumber(Math.floor((ms + offset) / DAY_MS));
}

/** The zone's offset from UTC at an instant, in ms (local wall time minus UTC). */
function offsetAt(ms: number, tz: string): number {
  const local = formattedDate(new Date(ms), tz);
  // The local date differs from the UTC one by at most a day; the time of day comes from a second formatter.
  const time = timeFormat(tz).format(new Date(ms));
  const [h, m, sec] = time.split(':').map(Number) as [number, number, number];
  const localMs = dayNumber(local) * DAY_MS + ((h % 24) * 3600 + m * 60 + sec) * 1000;
  return localMs - (ms - (ms % 1000));
}

const timeFormats = new Map<string, Intl.DateTimeFormat>();
function timeFormat(tz: string): Intl.DateTimeFormat {
  let format = timeFormats.get(tz);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    timeFormats.set(tz, format);
  }
  return format;
}

function formattedDate(instant: Date, tz: string): string {
  let format = dateFormats.get(tz);
  if (!format) {
    // en-CA formats dates as YYYY-MM-DD; checked below all the same, in case the ICU data differs.
    format = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' });
    dateFormats.set(tz, format);
  }
  const text = format.format(instant);
  if (YMD.test(text)) return text;
  const parts: Record<string, string> = {};
  for (const p of format.formatToParts(instant)) parts[p.type] = p.value;
  return `${parts.year}-${parts.month}-${parts.day}`;
}

export function addDays(ymd: string, days: number): string {
  return fromDayNumber(dayNumber(ymd) + days);
}

/** Whole calendar days from `from` to `to` (negative when `to` is earlier). */
/** 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday); from the remembered day number, no Date parsing. */
export function weekdayOf(ymd: string): number {
  return (((dayNumber(ymd) + 4) % 7) + 7) % 7;
}

export function daysBetween(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from);
}

/** The instant of `hour`:00 local time on a date in a time zone (DST-aware). */
export function localTime(ymd: string, hour: number, tz: string): Date {
  return dayjs.tz(`${assertYmd(ymd)} ${String(hour).padStart(2, '0')}:00`, tz).toDate();
}

/** Whole days elapsed between two instants (floor). */
export function elapsedDays(since: Date, now: Date): number {
  return Math.floor((now.getTime() - since.getTime()) / DAY_MS);
}
