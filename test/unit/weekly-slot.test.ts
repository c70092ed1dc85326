import { isoWeekKey, weeklySlot } from '../../src/domain/weekly-slot.js';
import { forecastAccuracy } from '../../src/domain/forecast-accuracy.js';

describe('weeklySlot: the latest Monday 08:00 in the business time zone', () => {
  test('exactly at Monday 08:00 the slot is that Monday; a minute before it is the previous one', () => {
    expect(weeklySlot(new Date('2026-11-30T08:00:00Z'), 'UTC')).toEqual({ key: '2026-W49', monday: '2026-11-30', at: new Date('2026-11-30T08:00:00Z') });
    expect(weeklySlot(new Date('2026-11-30T07:59:00Z'), 'UTC')).toMatchObject({ key: '2026-W48', monday: '2026-11-23' });
  });

  test('mid-week and Sunday night belong to the Monday before', () => {
    expect(weeklySlot(new Date('2026-11-25T10:36:00Z'), 'UTC').key).toBe('2026-W48');
    expect(weeklySlot(new Date('2026-11-29T23:59:59Z'), 'UTC').key).toBe('2026-W48');
  });

  test('the local date decides, not UTC: Monday 08:00 in Tokyo is Sunday 23:00 UTC', () => {
    const slot = weeklySlot(new Date('2026-11-29T23:00:00Z'), 'Asia/Tokyo');
    expect(slot).toEqual({ key: '2026-W49', monday: '2026-11-30', at: new Date('2026-11-29T23:00:00Z') });
    // Monday 07:00 UTC is still Sunday night in Los Angeles.
    expect(weeklySlot(new Date('2026-11-30T07:00:00Z'), 'America/Los_Angeles').monday).toBe('2026-11-23');
    expect(weeklySlot(new Date('2026-11-30T16:00:00Z'), 'America/Los_Angeles').at).toEqual(new Date('2026-11-30T16:00:00Z'));
  });

  test('across DST changes the slot stays at 08:00 local time', () => {
    // New York: DST ends Sun 2026-11-01, so 08:00 EST on Mon 11-02 is 13:00 UTC (it was 12:00 UTC the Monday before).
    expect(weeklySlot(new Date('2026-11-02T13:00:00Z'), 'America/New_York').at).toEqual(new Date('2026-11-02T13:00:00Z'));
    expect(weeklySlot(new Date('2026-11-02T12:30:00Z'), 'America/New_York').monday).toBe('2026-10-26');
    expect(weeklySlot(new Date('2026-10-30T00:00:00Z'), 'America/New_York').at).toEqual(new Date('2026-10-26T12:00:00Z'));
    // Berlin: DST starts Sun 2026-03-29; Monday 03-30 08:00 CEST is 06:00 UTC.
    expect(weeklySlot(new Date('2026-03-30T06:00:00Z'), 'Europe/Berlin')).toMatchObject({ monday: '2026-03-30', at: new Date('2026-03-30T06:00:00Z') });
    expect(weeklySlot(new Date('2026-03-30T05:59:00Z'), 'Europe/Berlin').monday).toBe('2026-03-23');
    // Sydney (southern hemisphere): DST starts Sun 2026-10-04; Monday 10-05 08:00 AEDT is Sun 21:00 UTC.
    expect(weeklySlot(new Date('2026-10-04T21:00:00Z'), 'Australia/Sydney')).toMatchObject({ monday: '2026-10-05', at: new Date('2026-10-04T21:00:00Z') });
  });

  test('ISO week keys across the year boundary', () => {
    expect(isoWeekKey('2026-12-28')).toBe('2026-W53');
    expect(isoWeekKey('2027-01-04')).toBe('2027-W01');
    expect(isoWeekKey('2024-12-30')).toBe('2025-W01');
    expect(weeklySlot(new Date('2027-01-01T12:00:00Z'), 'UTC').key).toBe('2026-W53');
  });
});

describe('forecastAccuracy', () => {
  test('weighted absolute error per currency over the latest 8 weeks', () => {
    const weeks = Array.from({ length: 10 }, (_, i) => ({ slotKey: `2026-W${String(30 + i).padStart(2, '0')}`, currency: 'USD', expected: 1000, actual: i < 2 ? 0 : 900 }));
    // The two oldest weeks (nothing collected) fall out of the window: 8 × 100 / 8 × 900.
    expect(forecastAccuracy(weeks)).toEqual([{ currency: 'USD', weeks: 8, withinPercent: 11 }]);
  });

  test('currencies are judged separately; nothing collected against an expectation has no percentage', () => {
    expect(
      forecastAccuracy([
        { slotKey: '2026-W40', currency: 'EUR', expected: 500, actual: 0 },
        { slotKey: '2026-W40', currency: 'USD', expected: 0, actual: 0 },
        { slotKey: '2026-W41', currency: 'USD', expected: 1200, actual: 1000 },
      ]),
    ).toEqual([
      { currency: 'EUR', weeks: 1, withinPercent: null },
      { currency: 'USD', weeks: 2, withinPercent: 20 },
    ]);
    expect(forecastAccuracy([])).toEqual([]);
  });
});
