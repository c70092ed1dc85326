import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc.js';
import timezone from 'dayjs/plugin/timezone.js';
import { addDays, DAY_MS, localDate } from './calendar.js';

dayjs.extend(utc);
dayjs.extend(timezone);

/**
 * Today's sends: each business morning at TODAYS_SENDS_AT the billing channel gets the list of
 * reminder emails due that day. Pure: the instant and the time zones are passed in.
 */
export interface DailySlot {
  /** The business date (`YYYY-MM-DD`): the idempotency key of that day's list. */
  key: string;
  /** The list's time that day, as an instant (DST-aware). */
  at: Date;
  /** The start of the next business day: the list covers steps due before it. */
  endsAt: Date;
}

/** Local wall-clock "HH:mm" on a date in a time zone, as an instant. */
export function atLocalTime(ymd: string, hhmm: string, tz: string): Date {
  return dayjs.tz(`${ymd} ${hhmm}`, tz).toDate();
}

/** Today's slot once its time has come, else null (the list is not due yet). */
export function todaysSlot(now: Date, tz: string, at: string): DailySlot | null {
  const today = localDate(now, tz);
  const slotAt = atLocalTime(today, at, tz);
  if (slotAt.getTime() > now.getTime()) return null;
  return { key: today, at: slotAt, endsAt: atLocalTime(addDays(today, 1), '00:00', tz) };
}

/**
 * When a step goes out with today's sends on: a client's `sendAt` holds a step due on a day until
 * that time of its day (in the client's zone), so approvers see the list first. Without `sendAt` a
 * step goes when due, as before.
 */
export function plannedSendTime(dueAt: Date, sendAt: string | null | undefined, tz: string): Date {
  const gate = sendTimeOf(dueAt, sendAt, tz);
  return gate && gate.getTime() > dueAt.getTime() ? gate : dueAt;
}

/** The send time on the day a step is due (before it, the step waits); null without a send time. */
export function sendTimeOf(dueAt: Date, sendAt: string | null | undefined, tz: string): Date | null {
  return sendAt ? atLocalTime(localDate(dueAt, tz), sendAt, tz) : null;
}

/** Snooze choices offered per step (days). */
export const SNOOZE_DAYS = [1, 3, 7] as const;
export type SnoozeDays = (typeof SNOOZE_DAYS)[number];

export const isSnoozeDays = (n: number): n is SnoozeDays => (SNOOZE_DAYS as readonly number[]).includes(n);

/** A snoozed step moves by whole days from its time, or from now when it was due earlier (held). */
export function snoozedUntil(dueAt: Date, now: Date, days: SnoozeDays): Date {
  return new Date(Math.max(dueAt.getTime(), now.getTime()) + days * DAY_MS);
}
