import { addDays, daysBetween, weekdayOf } from './calendar.js';

/**
 * Payment runs: many clients pay in batches, on the last working day of the month or on one fixed
 * weekday. The lateness curve cannot see that (a client that pays at month end pays 5 days late on one
 * invoice and 25 on the next), so a client whose recent payments mostly fall on run days gets each
 * day's chance moved to the nearest run day. The nearest, not the next: the curve was learned from
 * the run days themselves, so its chance on day x already stands for "in the run around x"; moving
 * it to the next run would count the delay twice (tried: the 30-day total then came out 12-16 % low).
 * A client that pays on working days only (bank transfers) is a run too: a weekend chance moves to the
 * nearest working day (Saturday's to Friday, Sunday's to Monday).
 * Pure; dates are `YYYY-MM-DD`.
 */
export type PaymentRun = { kind: 'month-end' } | { kind: 'weekday'; weekday: number } | { kind: 'business-days' };

/** Payments needed before a pattern is believed, and the share of them that must fit it. */
const MIN_PAYMENTS = 5;
const MIN_SHARE = 0.7;
/** Working-day payers: at least this many payments, at most this share on a weekend (0 of 10 by chance: 3.5 %). */
const MIN_BUSINESS_DAY_PAYMENTS = 10;
const MAX_WEEKEND_SHARE = 0.05;

/** Within the last 3 days of its month or the first 2 of the next (a run on a weekend is paid on Monday). */
export function nearMonthEnd(ymd: string): boolean {
  const day = Number(ymd.slice(8, 10));
  return day <= 2 || Number(addDays(ymd, 3).slice(8, 10)) <= 3;
}

/** Counts of a client's recent payments: all, near a month end, per weekday. */
export interface RunCounts {
  payments: number;
  monthEnd: number;
  byWeekday: number[];
}

export const emptyRunCounts = (): RunCounts => ({ payments: 0, monthEnd: 0, byWeekday: [0, 0, 0, 0, 0, 0, 0] });

export function countPayment(counts: RunCounts, paid: string): void {
  countPayments(counts, weekdayOf(paid), nearMonthEnd(paid), 1);
}

/** `times` payments on one weekday, near a month end or not (the database counts them grouped). */
export function countPayments(counts: RunCounts, weekday: number, monthEnd: boolean, times: number): void {
  counts.payments += times;
  if (monthEnd) counts.monthEnd += times;
  counts.byWeekday[weekday]! += times;
}

/** The run a client's payments show, if any (a month-end habit wins over a weekday one). */
export function detectRun(counts: RunCounts): PaymentRun | null {
  if (counts.payments < MIN_PAYMENTS) return null;
  // By chance about 5 days in 30 are near a month end, and Monday takes the weekend's payments too.
  if (counts.monthEnd / counts.payments >= MIN_SHARE) return { kind: 'month-end' };
  const top = counts.byWeekday.indexOf(Math.max(...counts.byWeekday));
  if (counts.byWeekday[top]! / counts.payments >= MIN_SHARE) return { kind: 'weekday', weekday: top };
  // Bank transfers land on working days only; card payments any day. By chance 2 days in 7 are a weekend.
  const weekend = counts.byWeekday[0]! + counts.byWeekday[6]!;
  return counts.payments >= MIN_BUSINESS_DAY_PAYMENTS && weekend / counts.payments <= MAX_WEEKEND_SHARE ? { kind: 'business-days' } : null;
}

/** The first run day on or after `ymd`. */
export function nextRunDay(ymd: string, run: PaymentRun): string {
  if (run.kind === 'business-days') return addDays(ymd, [1, 0, 0, 0, 0, 0, 2][weekdayOf(ymd)]!);
  if (run.kind === 'weekday') return addDays(ymd, (run.weekday - weekdayOf(ymd) + 7) % 7);
  if (nearMonthEnd(ymd)) return ymd;
  // The last day of this month, or the Monday after when it is a weekend.
  const last = addDays(`${ymd.slice(0, 8)}01`, 40).slice(0, 8) + '01';
  const end = addDays(last, -1);
  const weekday = weekdayOf(end);
  return weekday === 6 ? addDays(end, 2) : weekday === 0 ? addDays(end, 1) : end;
}

/** The last run day before `ymd`. */
function previousRunDay(ymd: string, run: PaymentRun): string {
  if (run.kind === 'business-days') return addDays(ymd, -[2, 3, 1, 1, 1, 1, 1][weekdayOf(ymd)]!);
  if (run.kind === 'weekday') return addDays(ymd, -((weekdayOf(ymd) - run.weekday + 7) % 7 || 7));
  // The run of the month before: its last day (or the Monday after), found from a day safely inside it.
  const monthBefore = addDays(`${ymd.slice(0, 8)}01`, -10);
  const run1 = nextRunDay(monthBefore, run);
  return run1 < ymd ? run1 : previousRunDay(addDays(monthBefore, -25), run);
}

/** The run day nearest to `ymd` and not before `earliest` (ties go to the later one). */
export function nearestRunDay(ymd: string, run: PaymentRun, earliest: string): string {
  const next = nextRunDay(ymd, run);
  if (next === ymd) return ymd;
  const previous = previousRunDay(ymd, run);
  return previous >= earliest && daysBetween(previous, ymd) < daysBetween(ymd, next) ? previous : next;
}

const targetCache = new Map<string, Int32Array>();

/**
 * For each day k from `first`, the offset of its nearest run day (the forecast moves day k's chance
 * there; an offset past the horizon takes it out of the 30 days). Remembered: every open invoice starts
 * on the same day (as-of + 1), and working out a month-end run day takes several date calculations, so
 * 12,000 invoices of month-end payers would otherwise spend a tenth of a second here.
 */
export function runTargets(first: string, run: PaymentRun, days: number): Int32Array {
  const key = `${first}|${run.kind}|${run.kind === 'weekday' ? run.weekday : ''}|${days}`;
  let targets = targetCache.get(key);
  if (!targets) {
    targets = new Int32Array(days);
    for (let k = 0; k < days; k++) targets[k] = daysBetween(first, nearestRunDay(addDays(first, k), run, first));
    if (targetCache.size >= 10_000) targetCache.clear();
    targetCache.set(key, targets);
  }
  return targets;
}
