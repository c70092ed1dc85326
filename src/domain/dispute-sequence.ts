import { addDays, localTime } from './calendar.js';
import { DUE_RELATIVE_SEND_HOUR } from './schedule.js';

/**
 * What disputes, resolutions and promises to pay do to the reminder steps not yet taken.
 *
 * - A dispute **pauses** the pending steps (status `paused`): they are kept, never cancelled or skipped.
 * - Resolving the dispute (amount stands) **resumes** them from the resume moment, and a promise to
 *   pay **snoozes** them until the day after the promised date. Both use one rule, `shiftSequence`:
 *
 *   The first step not yet sent goes out at `start` (or at its own time, if that is later); every
 *   later step keeps its original distance to that first step. So the sequence carries on where it
 *   left off, one step at a time and at the client's spacing: a step that fell due while the invoice
 *   was disputed is neither skipped nor sent together with the next one.
 *
 *   Example, default sequence sent on day 0 (steps on days 7, 14, 30), disputed on day 8, resolved on
 *   day 20: day 14's step goes out on day 20, day 30's on day 36.
 */
export interface SequenceStep {
  stepIndex: number;
  dueAt: Date;
}

export function shiftSequence<T extends SequenceStep>(steps: readonly T[], start: Date): T[] {
  const ordered = [...steps].sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.stepIndex - b.stepIndex);
  const first = ordered[0];
  if (!first) return [];
  const delay = Math.max(0, start.getTime() - first.dueAt.getTime());
  return ordered.map((step) => ({ ...step, dueAt: new Date(step.dueAt.getTime() + delay) }));
}

/** A promise to pay on `promisedDate` keeps every reminder until the business morning of the next day. */
export function snoozeEnd(promisedDate: string, timezone: string): Date {
  return localTime(addDays(promisedDate, 1), DUE_RELATIVE_SEND_HOUR, timezone);
}
