import { buildStatement, groupDueSteps, mostUrgentTone, type DueStepRef } from '../../src/domain/grouped-reminders.js';
import { atLocalTime, isSnoozeDays, plannedSendTime, sendTimeOf, snoozedUntil, todaysSlot } from '../../src/domain/todays-sends.js';
import type { ReminderTone } from '../../src/domain/types.js';

const step = (clientId: string, invoiceId: string, tone: ReminderTone = 'friendly', stepIndex = 0): DueStepRef => ({ clientId, invoiceId, tone, stepIndex });

describe('grouped reminders: which due steps share one statement', () => {
  test('the most urgent tone wins: final over firm over friendly, whatever the order', () => {
    expect(mostUrgentTone(['friendly'])).toBe('friendly');
    expect(mostUrgentTone(['friendly', 'firm', 'friendly'])).toBe('firm');
    expect(mostUrgentTone(['final', 'friendly', 'firm'])).toBe('final');
    expect(mostUrgentTone(['firm', 'final'])).toBe('final');
    expect(() => mostUrgentTone([])).toThrow(RangeError);
  });

  test('a grouping client with steps of two or more invoices gets one group; everything else stays single', () => {
    const steps = [step('acme', 'a1'), step('acme', 'a2', 'firm'), step('acme', 'a3'), step('globex', 'g1'), step('globex', 'g2'), step('initech', 'i1')];
    const { singles, groups } = groupDueSteps(steps, new Set(['acme', 'initech']));
    expect(groups).toEqual([{ clientId: 'acme', steps: steps.slice(0, 3) }]);
    // Globex does not group; Initech has only one invoice with a step due.
    expect(singles.map((s) => s.invoiceId).sort()).toEqual(['g1', 'g2', 'i1']);
  });

  test('two steps of one invoice are no group (one invoice keeps its usual reminder)', () => {
    const steps = [step('acme', 'a1', 'friendly', 0), step('acme', 'a1', 'firm', 1)];
    expect(groupDueSteps(steps, new Set(['acme']))).toEqual({ singles: steps, groups: [] });
  });

  test('no grouping client: nothing changes', () => {
    const steps = [step('acme', 'a1'), step('acme', 'a2')];
    expect(groupDueSteps(steps, new Set())).toEqual({ singles: steps, groups: [] });
  });
});

describe('buildStatement: the open invoices a statement lists', () => {
  const inv = (number: string, balance: number, dueDate: string, currency = 'USD') => ({ number, milestone: `M ${number}`, currency, balance, dueDate, paymentUrl: null });

  test('oldest due first, days overdue as of today (0 when not yet due), settled invoices left out', () => {
    const s = buildStatement([inv('INV-3', 5000, '2026-12-20'), inv('INV-1', 150000, '2026-12-01'), inv('INV-2', 0, '2026-12-05'), inv('INV-0', 2500, '2026-12-01')], '2026-12-08');
    expect(s.lines.map((l) => [l.number, l.daysOverdue])).toEqual([
      ['INV-0', 7],
      ['INV-1', 7],
      ['INV-3', 0],
    ]);
    expect(s.totals).toEqual([{ currency: 'USD', amount: 157500 }]);
  });

  test('totals per currency in integer minor units, never summed across currencies', () => {
    const s = buildStatement([inv('A', 10001, '2026-12-01', 'USD'), inv('B', 20002, '2026-12-02', 'EUR'), inv('C', 1, '2026-12-03', 'USD')], '2026-12-01');
    expect(s.totals).toEqual([
      { currency: 'USD', amount: 10002 },
      { currency: 'EUR', amount: 20002 },
    ]);
  });
});

describe("today's sends: the daily slot and each step's send time", () => {
  test('the slot exists from its time on, keyed by the business date; it ends at the next midnight', () => {
    expect(todaysSlot(new Date('2026-12-07T08:29:59Z'), 'UTC', '08:30')).toBeNull();
    expect(todaysSlot(new Date('2026-12-07T08:30:00Z'), 'UTC', '08:30')).toEqual({
      key: '2026-12-07',
      at: new Date('2026-12-07T08:30:00Z'),
      endsAt: new Date('2026-12-08T00:00:00Z'),
    });
    expect(todaysSlot(new Date('2026-12-07T23:59:00Z'), 'UTC', '08:30')?.key).toBe('2026-12-07');
  });

  test('local time decides, across a DST change too', () => {
    // Berlin: 08:30 CET is 07:30 UTC in December; 06:30 UTC on the Monday after DST began (2026-03-30).
    expect(todaysSlot(new Date('2026-12-07T07:30:00Z'), 'Europe/Berlin', '08:30')?.at).toEqual(new Date('2026-12-07T07:30:00Z'));
    expect(todaysSlot(new Date('2026-03-30T06:30:00Z'), 'Europe/Berlin', '08:30')?.at).toEqual(new Date('2026-03-30T06:30:00Z'));
    // 00:30 UTC Tuesday is still Monday in New York: Monday's list.
    expect(todaysSlot(new Date('2026-12-08T00:30:00Z'), 'America/New_York', '08:30')?.key).toBe('2026-12-07');
  });

  test("a client's send time holds an earlier step of that day; a later step and no send time keep the due time", () => {
    const tz = 'Europe/Berlin';
    expect(plannedSendTime(new Date('2026-12-07T06:00:00Z'), '10:00', tz)).toEqual(atLocalTime('2026-12-07', '10:00', tz));
    expect(plannedSendTime(new Date('2026-12-07T13:00:00Z'), '10:00', tz)).toEqual(new Date('2026-12-07T13:00:00Z'));
    expect(plannedSendTime(new Date('2026-12-07T06:00:00Z'), null, tz)).toEqual(new Date('2026-12-07T06:00:00Z'));
    // 23:30 UTC on the 6th is already the 7th in Berlin: that day's 10:00.
    expect(plannedSendTime(new Date('2026-12-06T23:30:00Z'), '10:00', tz)).toEqual(new Date('2026-12-07T09:00:00Z'));
    // The gate itself: a step due at 15:00 that joins a statement at 10:00 waits for nothing later.
    expect(sendTimeOf(new Date('2026-12-07T14:00:00Z'), '10:00', tz)).toEqual(new Date('2026-12-07T09:00:00Z'));
    expect(sendTimeOf(new Date('2026-12-07T14:00:00Z'), undefined, tz)).toBeNull();
  });

  test('snooze moves by whole days from the due time, or from now for a step already overdue; only 1, 3 or 7', () => {
    const due = new Date('2026-12-07T10:00:00Z');
    expect(snoozedUntil(due, new Date('2026-12-07T08:30:00Z'), 1)).toEqual(new Date('2026-12-08T10:00:00Z'));
    expect(snoozedUntil(due, new Date('2026-12-09T09:00:00Z'), 3)).toEqual(new Date('2026-12-12T09:00:00Z'));
    expect([0, 1, 2, 3, 7, 8].filter(isSnoozeDays)).toEqual([1, 3, 7]);
  });
});
