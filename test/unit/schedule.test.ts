import { decideReminder, escalates, planReminders } from '../../src/domain/schedule.js';
import { DEFAULT_REMINDER_SCHEDULE } from '../../src/domain/types.js';
import { DAY_MS } from '../../src/domain/calendar.js';

const sentAt = new Date('2026-11-02T14:30:00Z');

describe('reminder schedule', () => {
  test('default steps fall 7, 14 and 30 days after delivery at the sending time of day', () => {
    const plan = planReminders(DEFAULT_REMINDER_SCHEDULE, sentAt, '2026-12-02', 'UTC');
    expect(plan.map((p) => [p.stepIndex, p.tone, p.dueAt.toISOString()])).toEqual([
      [0, 'friendly', '2026-11-09T14:30:00.000Z'],
      [1, 'firm', '2026-11-16T14:30:00.000Z'],
      [2, 'final', '2026-12-02T14:30:00.000Z'],
    ]);
  });

  test('due-relative steps go out at 09:00 business time and are ordered among the others', () => {
    const plan = planReminders(
      [
        { day: 14, from: 'delivery', tone: 'firm' },
        { day: -3, from: 'due', tone: 'friendly' },
      ],
      sentAt,
      '2026-11-12',
      'America/New_York',
    );
    expect(plan.map((p) => p.stepIndex)).toEqual([1, 0]);
    expect(plan[0]!.dueAt.toISOString()).toBe('2026-11-09T14:00:00.000Z'); // 09:00 EST
  });

  test('a nudge that would already be in the past when sending is dropped, not fired at once', () => {
    const plan = planReminders(
      [
        { day: -3, from: 'due', tone: 'friendly' },
        { day: 7, from: 'delivery', tone: 'firm' },
      ],
      sentAt,
      '2026-11-03',
      'UTC',
    );
    expect(plan.map((p) => p.stepIndex)).toEqual([1]);
  });

  test('the schedule survives DST: delivery steps are whole 24-hour days', () => {
    const plan = planReminders([{ day: 7, from: 'delivery', tone: 'friendly' }], new Date('2026-10-30T12:00:00Z'), '2026-11-29', 'Europe/Berlin');
    expect(plan[0]!.dueAt.getTime() - new Date('2026-10-30T12:00:00Z').getTime()).toBe(7 * DAY_MS);
  });

  test('settled, disputed and paused invoices get nothing', () => {
    const open = { status: 'sent' as const, disputed: false, paused: false, balance: 100 };
    expect(decideReminder(open)).toEqual({ send: true });
    expect(decideReminder({ ...open, status: 'partially_paid' })).toEqual({ send: true });
    expect(decideReminder({ ...open, status: 'paid', balance: 0 })).toEqual({ send: false, reason: 'the invoice is paid' });
    expect(decideReminder({ ...open, status: 'credited', balance: 0 })).toEqual({ send: false, reason: 'the invoice was settled by a credit' });
    expect(decideReminder({ ...open, balance: 0 })).toMatchObject({ send: false });
    expect(decideReminder({ ...open, status: 'void' })).toEqual({ send: false, reason: 'the invoice was voided' });
    expect(decideReminder({ ...open, status: 'uncollectible' })).toMatchObject({ send: false });
    expect(decideReminder({ ...open, disputed: true })).toEqual({ send: false, reason: 'the invoice is disputed', hold: true }); // held as paused, not skipped
    expect(decideReminder({ ...open, paused: true })).toMatchObject({ send: false, reason: expect.stringMatching(/paused/), hold: true });
    expect(decideReminder({ ...open, status: 'draft' })).toMatchObject({ send: false });
  });

  test('only a final step in pause mode escalates', () => {
    expect(escalates('final', 'pause')).toBe(true);
    expect(escalates('final', 'notice-only')).toBe(false);
    expect(escalates('firm', 'pause')).toBe(false);
  });
});
