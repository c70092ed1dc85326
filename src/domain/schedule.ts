import type { FinalMode, InvoiceStatus, ReminderStep, ReminderTone } from './types.js';
import { DAY_MS, addDays, localTime } from './calendar.js';
import { isOpen } from './invoice.js';

/** The reminder policy: when each step of a client's sequence is due, and whether it may go out. */
export interface PlannedReminder {
  /** Index of the step in the client's schedule: the stable identity of the step. */
  stepIndex: number;
  tone: ReminderTone;
  day: number;
  from: ReminderStep['from'];
  dueAt: Date;
}

/** Pre-due nudges go out in the business morning; delivery-relative steps keep the sending time of day. */
export const DUE_RELATIVE_SEND_HOUR = 9;

/**
 * Plans every step of a schedule for an invoice sent at `sentAt` and due on `dueDate`.
 * A step whose time has already passed when the invoice goes out (a 3-days-before-due nudge on an
 * invoice with 2-day terms) is dropped rather than fired immediately.
 */
export function planReminders(schedule: readonly ReminderStep[], sentAt: Date, dueDate: string, timezone: string): PlannedReminder[] {
  return schedule
    .map((step, stepIndex) => ({
      stepIndex,
      tone: step.tone,
      day: step.day,
      from: step.from,
      dueAt: step.from === 'delivery' ? new Date(sentAt.getTime() + step.day * DAY_MS) : localTime(addDays(dueDate, step.day), DUE_RELATIVE_SEND_HOUR, timezone),
    }))
    .filter((planned) => planned.dueAt.getTime() > sentAt.getTime())
    .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.stepIndex - b.stepIndex);
}

export interface ReminderSubject {
  status: InvoiceStatus;
  disputed: boolean;
  paused: boolean;
  /** Minor units still owed. */
  balance: number;
}

/** `hold`: the step is not lost but waits (paused) until the dispute is resolved or reminders are resumed. */
export type ReminderDecision = { send: true } | { send: false; reason: string; hold?: boolean };

/** Decided right before a send, on freshly read state: anything settled, paused or disputed gets nothing. */
export function decideReminder(subject: ReminderSubject): ReminderDecision {
  if (subject.status === 'credited') return { send: false, reason: 'the invoice was settled by a credit' };
  if (subject.status === 'paid' || subject.balance <= 0) return { send: false, reason: 'the invoice is paid' };
  if (subject.status === 'void') return { send: false, reason: 'the invoice was voided' };
  if (subject.status === 'uncollectible') return { send: false, reason: 'the invoice was marked uncollectible' };
  if (subject.disputed) return { send: false, reason: 'the invoice is disputed', hold: true };
  if (subject.paused) return { send: false, reason: 'reminders are paused for this invoice', hold: true };
  if (!isOpen(subject.status)) return { send: false, reason: `the invoice is ${subject.status}` };
  return { send: true };
}

/** What the final notice does besides the email. */
export function escalates(tone: ReminderTone, finalMode: FinalMode): boolean {
  return tone === 'final' && finalMode === 'pause';
}
