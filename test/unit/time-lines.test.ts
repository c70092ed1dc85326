import { hoursText, linesFromTime, type TrackedTime } from '../../src/domain/time-lines.js';
import type { TimeBilling } from '../../src/domain/types.js';

const dana = { id: '11', name: 'Dana', email: 'dana@agency.example' };
const sam = { id: '12', name: 'Sam', email: null };
const entry = (taskId: string, taskName: string, person: TrackedTime['person'], minutes: number): TrackedTime => ({ taskId, taskName, person, durationMs: minutes * 60_000 });
const billing = (over: Partial<TimeBilling> = {}): TimeBilling => ({ groupBy: 'task', rate: 12_000, personRates: {}, ...over });

describe('hours from milliseconds', () => {
  test.each([
    [0, '0'],
    [5_400_000, '1.5'],
    [3_600_000, '1'],
    [20 * 60_000, '0.33'],
    [40 * 60_000, '0.67'],
    // 36 s is one hundredth of an hour: 18 s rounds up, 17.999 s down.
    [18_000, '0.01'],
    [17_999, '0'],
    [10 * 60_000 + 30_000, '0.18'],
    [123 * 3_600_000 + 45 * 60_000, '123.75'],
  ])('%d ms → %s h', (ms, text) => expect(hoursText(ms)).toBe(text));

  test('refuses fractions and negatives', () => {
    expect(() => hoursText(1.5)).toThrow(RangeError);
    expect(() => hoursText(-1)).toThrow(RangeError);
  });
});

describe('lines from time entries', () => {
  test('per task: the milestone and each subtask, hours summed before rounding, × the client rate', () => {
    const lines = linesFromTime(
      [entry('m', 'Website', dana, 90), entry('s1', 'Wireframes', sam, 20), entry('m', 'Website', sam, 30), ...Array.from({ length: 10 }, () => entry('s2', 'Copy', dana, 1))],
      billing(),
      'USD',
      'Website',
    );
    expect(lines).toEqual([
      { description: 'Website', quantity: '2', unitAmount: 12_000, amount: 24_000 },
      { description: 'Wireframes', quantity: '0.33', unitAmount: 12_000, amount: 3_960 },
      // Ten 1-minute entries: 600 s = 0.1666.. h → 0.17 h, not ten times 0.02.
      { description: 'Copy', quantity: '0.17', unitAmount: 12_000, amount: 2_040 },
    ]);
  });

  test('per task with a person at another rate: one line per rate, naming the people', () => {
    const lines = linesFromTime([entry('m', 'Website', dana, 60), entry('m', 'Website', sam, 30)], billing({ personRates: { 'dana@agency.example': 15_000 } }), 'USD', 'Website');
    expect(lines).toEqual([
      { description: 'Website (Dana)', quantity: '1', unitAmount: 15_000, amount: 15_000 },
      { description: 'Website (Sam)', quantity: '0.5', unitAmount: 12_000, amount: 6_000 },
    ]);
  });

  test('per person across tasks; rates matched by id, name or email case-insensitively; unknown people grouped', () => {
    const nobody = { id: null, name: null, email: null };
    const lines = linesFromTime(
      [entry('m', 'Website', dana, 45), entry('s1', 'Wireframes', dana, 45), entry('s1', 'Wireframes', sam, 15), entry('m', 'Website', nobody, 6)],
      billing({ groupBy: 'person', personRates: { sam: 9_000 } }),
      'EUR',
      'Website',
    );
    expect(lines).toEqual([
      { description: 'Website: Dana', quantity: '1.5', unitAmount: 12_000, amount: 18_000 },
      { description: 'Website: Sam', quantity: '0.25', unitAmount: 9_000, amount: 2_250 },
      { description: 'Website: Unattributed', quantity: '0.1', unitAmount: 12_000, amount: 1_200 },
    ]);
  });

  test('amounts round half away from zero to the minor unit; groups that round to 0 h are left out', () => {
    // 0.33 h × 100.05 = 33.0165 → 33.02
    expect(linesFromTime([entry('m', 'M', dana, 20), { ...entry('x', 'Blip', sam, 0), durationMs: 10_000 }], billing({ rate: 10_005 }), 'USD', 'M')).toEqual([
      { description: 'M', quantity: '0.33', unitAmount: 10_005, amount: 3_302 },
    ]);
    expect(linesFromTime([], billing(), 'USD', 'M')).toEqual([]);
  });
});
