import { shiftSequence } from './dispute-sequence.js';
import { nextAllowedTime } from './quiet-hours.js';
import { planReminders, type PlannedReminder } from './schedule.js';
import type { BusinessHours, ReminderStep } from './types.js';

/**
 * A client's reminder schedule changed: the steps an open invoice still has to go through under the
 * new schedule. The rule (docs/slack.md, "Client settings in Slack"):
 *
 * 1. Nothing already taken is repeated: a new step planned at or before the last reminder already
 *    sent (or claimed, or skipped) counts as done.
 * 2. Of the new steps whose time has already passed, only the latest goes out, once, now; the
 *    earlier ones are superseded (the client hears where the sequence stands, not a burst of mail).
 *    Later steps keep their own times from the new schedule.
 * 3. A paused or disputed invoice keeps all its remaining steps held at their natural times: resuming
 *    re-times them with the resume rule (src/domain/dispute-sequence.ts), none skipped.
 * 4. A promise to pay still holds: the steps start no earlier than `resumeAt` (same shift as a snooze).
 * 5. Quiet hours: each step moves to the client's next allowed time (src/domain/quiet-hours.ts).
 */
export interface ReplanInput {
  schedule: readonly ReminderStep[];
  sentAt: Date;
  dueDate: string;
  /** Business time zone: due-relative steps go out in its morning (as planReminders does). */
  timezone: string;
  /** When each step already taken went out (or was claimed or skipped). */
  takenAt: readonly Date[];
  now: Date;
  held: boolean;
  /** End of a promise-to-pay snooze, when it is still ahead. */
  resumeAt?: Date | null;
  businessHours?: BusinessHours | null;
  clientTimezone?: string;
}

export interface Replan {
  steps: PlannedReminder[];
  /** Passed steps not sent because a later passed step stands for them (rule 2). */
  superseded: PlannedReminder[];
}

export function replanReminders(input: ReplanInput): Replan {
  const plan = planReminders(input.schedule, input.sentAt, input.dueDate, input.timezone);
  const lastTaken = input.takenAt.reduce<number | null>((max, at) => (max === null || at.getTime() > max ? at.getTime() : max), null);
  const remaining = plan.filter((p) => lastTaken === null || p.dueAt.getTime() > lastTaken);
  if (input.held) return { steps: remaining, superseded: [] };

  const now = input.now.getTime();
  const passed = remaining.filter((p) => p.dueAt.getTime() <= now);
  const future = remaining.filter((p) => p.dueAt.getTime() > now);
  const latest = passed.at(-1);
  let steps = latest ? [{ ...latest, dueAt: input.now }, ...future] : future;
  if (input.resumeAt && input.resumeAt.getTime() > now) steps = shiftSequence(steps, input.resumeAt);
  const tz = input.clientTimezone ?? input.timezone;
  steps = steps.map((s) => ({ ...s, dueAt: nextAllowedTime(s.dueAt, input.businessHours, tz) }));
  return { steps, superseded: passed.slice(0, -1) };
}
