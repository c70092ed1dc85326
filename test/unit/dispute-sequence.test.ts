import { shiftSequence, snoozeEnd } from '../../src/domain/dispute-sequence.js';
import { DAY_MS } from '../../src/domain/calendar.js';

const day0 = new Date('2026-11-02T14:30:00Z');
const at = (day: number) => new Date(day0.getTime() + day * DAY_MS);
const days = (steps: { dueAt: Date }[]) => steps.map((s) => (s.dueAt.getTime() - day0.getTime()) / DAY_MS);

describe('shiftSequence (resume and snooze)', () => {
  const pending = [
    { stepIndex: 2, dueAt: at(30) },
    { stepIndex: 1, dueAt: at(14) },
  ];

  test.each<[string, number, number[]]>([
    ['resolved before the next step is due: nothing moves', 10, [14, 30]],
    ['resolved exactly when the step is due: nothing moves', 14, [14, 30]],
    ['the day-14 step fell due while disputed: it goes out at the resume moment, the final keeps its 16-day gap', 20, [20, 36]],
    ['both steps fell due while disputed: one now, the next 16 days later (never two at once)', 40, [40, 56]],
  ])('%s', (_name, resumeDay, expected) => {
    const shifted = shiftSequence(pending, at(resumeDay));
    expect(shifted.map((s) => s.stepIndex)).toEqual([1, 2]);
    expect(days(shifted)).toEqual(expected);
  });

  test('keeps the other fields of each step and never drops or adds one', () => {
    const steps = [
      { stepIndex: 0, dueAt: at(7), tone: 'friendly' },
      { stepIndex: 1, dueAt: at(14), tone: 'firm' },
      { stepIndex: 2, dueAt: at(30), tone: 'final' },
    ];
    const shifted = shiftSequence(steps, at(9));
    expect(shifted.map((s) => [s.stepIndex, s.tone])).toEqual([
      [0, 'friendly'],
      [1, 'firm'],
      [2, 'final'],
    ]);
    expect(days(shifted)).toEqual([9, 16, 32]);
  });

  test('no steps, nothing to shift', () => {
    expect(shiftSequence([], at(3))).toEqual([]);
  });
});

describe('snoozeEnd', () => {
  test('the business morning after the promised date', () => {
    expect(snoozeEnd('2026-12-15', 'UTC').toISOString()).toBe('2026-12-16T09:00:00.000Z');
    expect(snoozeEnd('2026-12-15', 'America/New_York').toISOString()).toBe('2026-12-16T14:00:00.000Z');
  });
});
