import { line } from './invoice.js';
import type { InvoiceLine, TimeBilling } from './types.js';

/**
 * Invoice lines from tracked time: hours × hourly rate, one line per task or per person. Pure.
 *
 * Rounding, stated once: a line's hours are the exact sum of its entries' milliseconds, rounded half up to
 * the hundredth of an hour (36 seconds), written as a decimal string ("2.5", "0.33"); its amount is
 * hours × rate rounded half away from zero to the minor unit (`line`). Entries are never rounded one by
 * one, so ten 1-minute entries make 0.17 h, not 0.
 */
export interface TrackedTime {
  /** The milestone itself or one of its subtasks. */
  taskId: string;
  taskName: string;
  person: { id: string | null; name: string | null; email: string | null };
  /** Whole milliseconds. */
  durationMs: number;
}

const MS_PER_HUNDREDTH_HOUR = 36_000;

/** Milliseconds as hours with two decimals at most, rounded half up: 5_400_000 → "1.5". */
export function hoursText(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0) throw new RangeError(`duration ${ms} ms is not a whole, non-negative number`);
  const hundredths = Math.floor((ms + MS_PER_HUNDREDTH_HOUR / 2) / MS_PER_HUNDREDTH_HOUR);
  const whole = Math.floor(hundredths / 100);
  const fraction = String(hundredths % 100)
    .padStart(2, '0')
    .replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : String(whole);
}

/** The person's own rate (matched by id, name or email, case-insensitively) or the client's. */
export function rateFor(billing: TimeBilling, person: TrackedTime['person']): number {
  for (const key of [person.id, person.name, person.email]) {
    const rate = key ? billing.personRates[key.trim().toLowerCase()] : undefined;
    if (rate !== undefined) return rate;
  }
  return billing.rate;
}

const personLabel = (p: TrackedTime['person']) => p.name ?? p.email ?? p.id ?? 'Unattributed';

/**
 * Lines in the order the entries first mention each group. Per task, a task whose people bill at different
 * rates gets one line per rate (naming the people), so every line is hours × one rate. Groups that round
 * to 0 hours are left out.
 */
export function linesFromTime(entries: readonly TrackedTime[], billing: TimeBilling, currency: string, milestone: string): InvoiceLine[] {
  const groups = new Map<string, { label: string; taskId: string; rate: number; ms: number; people: Set<string> }>();
  for (const e of entries) {
    const rate = rateFor(billing, e.person);
    const person = personLabel(e.person);
    const key = billing.groupBy === 'person' ? `p:${(e.person.id ?? e.person.email ?? e.person.name ?? '').toLowerCase()}` : `t:${e.taskId}:${rate}`;
    const group = groups.get(key) ?? { label: billing.groupBy === 'person' ? `${milestone}: ${person}` : e.taskName, taskId: e.taskId, rate, ms: 0, people: new Set<string>() };
    group.ms += e.durationMs;
    group.people.add(person);
    groups.set(key, group);
  }
  const ratesPerTask = new Map<string, number>();
  for (const g of groups.values()) ratesPerTask.set(g.taskId, (ratesPerTask.get(g.taskId) ?? 0) + 1);
  return [...groups.values()]
    .filter((g) => hoursText(g.ms) !== '0')
    .map((g) => {
      const split = billing.groupBy === 'task' && (ratesPerTask.get(g.taskId) ?? 0) > 1;
      return line(split ? `${g.label} (${[...g.people].join(', ')})` : g.label, hoursText(g.ms), g.rate, currency);
    });
}
