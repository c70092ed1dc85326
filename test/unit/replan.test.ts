import { shiftSequence } from '../../src/domain/dispute-sequence.js';
import { REMINDER_PRESETS } from '../../src/domain/reminder-presets.js';
import { replanReminders, type ReplanInput } from '../../src/domain/replan.js';

// Sent Monday 2 Nov 2026 14:30 UTC; the standard plan was day 7 (9 Nov), 14 (16 Nov), 30 (2 Dec).
const sentAt = new Date('2026-11-02T14:30:00.000Z');
const base: Omit<ReplanInput, 'schedule' | 'takenAt' | 'now' | 'held'> = { sentAt, dueDate: '2026-11-09', timezone: 'UTC' };
const day7SentAt = new Date('2026-11-09T14:30:00.000Z');
const show = (steps: { day: number; tone: string; dueAt: Date }[]) => steps.map((s) => `${s.day} ${s.tone} ${s.dueAt.toISOString()}`);

describe('re-planning an open invoice after a schedule change', () => {
  test('standard → enterprise after day 7 went out: the new steps from the new schedule, none repeated', () => {
    const plan = replanReminders({ ...base, schedule: REMINDER_PRESETS.enterprise.steps, takenAt: [day7SentAt], now: new Date('2026-11-10T10:00:00Z'), held: false });
    expect(show(plan.steps)).toEqual(['14 friendly 2026-11-16T14:30:00.000Z', '30 friendly 2026-12-02T14:30:00.000Z', '45 firm 2026-12-17T14:30:00.000Z']);
    expect(plan.superseded).toEqual([]);
  });

  test('a new step at or before the last reminder sent counts as done', () => {
    const day14SentAt = new Date('2026-11-16T14:30:00.000Z');
    const plan = replanReminders({ ...base, schedule: REMINDER_PRESETS.enterprise.steps, takenAt: [day7SentAt, day14SentAt], now: new Date('2026-11-17T10:00:00Z'), held: false });
    expect(show(plan.steps)).toEqual(['30 friendly 2026-12-02T14:30:00.000Z', '45 firm 2026-12-17T14:30:00.000Z']);
  });

  test('standard → high-risk on 13 Nov: day 5 was covered by day 7, day 10 has passed and goes now, day 20 keeps its time', () => {
    const now = new Date('2026-11-13T10:00:00Z');
    const plan = replanReminders({ ...base, schedule: REMINDER_PRESETS['high-risk'].steps, takenAt: [day7SentAt], now, held: false });
    expect(show(plan.steps)).toEqual(['10 firm 2026-11-13T10:00:00.000Z', '20 final 2026-11-22T14:30:00.000Z']);
  });

  test('several passed steps: only the latest goes out, once, now; the others are superseded', () => {
    const now = new Date('2026-11-25T10:00:00Z');
    const plan = replanReminders({ ...base, schedule: REMINDER_PRESETS['high-risk'].steps, takenAt: [], now, held: false });
    expect(show(plan.steps)).toEqual(['20 final 2026-11-25T10:00:00.000Z']);
    expect(plan.superseded.map((s) => s.day)).toEqual([5, 10]);
  });

  test('nothing left: a schedule that ends before the last reminder sent plans no step', () => {
    const plan = replanReminders({ ...base, schedule: [{ day: 3, from: 'delivery', tone: 'firm' }], takenAt: [day7SentAt], now: new Date('2026-11-10T10:00:00Z'), held: false });
    expect(plan.steps).toEqual([]);
  });

  test('a paused invoice keeps every remaining step held at its natural time; resuming applies the resume rule', () => {
    const plan = replanReminders({ ...base, schedule: REMINDER_PRESETS.enterprise.steps, takenAt: [day7SentAt], now: new Date('2026-11-20T10:00:00Z'), held: true });
    // Day 14 fell due during the pause: held, not dropped and not collapsed.
    expect(show(plan.steps)).toEqual(['14 friendly 2026-11-16T14:30:00.000Z', '30 friendly 2026-12-02T14:30:00.000Z', '45 firm 2026-12-17T14:30:00.000Z']);
    // Resumed on 25 Nov 10:00: day 14's step then, the others at their 16- and 31-day distances.
    const resumed = shiftSequence(plan.steps, new Date('2026-11-25T10:00:00Z'));
    expect(resumed.map((s) => s.dueAt.toISOString())).toEqual(['2026-11-25T10:00:00.000Z', '2026-12-11T10:00:00.000Z', '2026-12-26T10:00:00.000Z']);
  });

  test('a promise to pay still holds: the steps start at its end, spacing kept', () => {
    const plan = replanReminders({
      ...base,
      schedule: REMINDER_PRESETS['high-risk'].steps,
      takenAt: [day7SentAt],
      now: new Date('2026-11-13T10:00:00Z'),
      held: false,
      resumeAt: new Date('2026-11-20T09:00:00Z'),
    });
    // Shifted by 6 days 23 hours: 13 Nov 10:00 → 20 Nov 09:00, 22 Nov 14:30 → 29 Nov 13:30.
    expect(show(plan.steps)).toEqual(['10 firm 2026-11-20T09:00:00.000Z', '20 final 2026-11-29T13:30:00.000Z']);
  });

  test("quiet hours: each step moves to the client's next allowed time", () => {
    const plan = replanReminders({
      ...base,
      schedule: REMINDER_PRESETS['high-risk'].steps,
      takenAt: [day7SentAt],
      now: new Date('2026-11-13T19:00:00Z'), // Friday 20:00 in Berlin
      held: false,
      businessHours: { start: '09:00', end: '17:00' },
      clientTimezone: 'Europe/Berlin',
    });
    // The passed day-10 step: Monday 16 Nov 09:00 CET; day 20 (Sunday 22 Nov): Monday 23 Nov 09:00 CET.
    expect(show(plan.steps)).toEqual(['10 firm 2026-11-16T08:00:00.000Z', '20 final 2026-11-23T08:00:00.000Z']);
  });
});
