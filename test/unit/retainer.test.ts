import { billingDate, firstPeriod, latestPeriod, periodLabel, retainerDue, retainerSourceRef } from '../../src/domain/retainer.js';

const NY = 'America/New_York';
const none = new Set<string>();
const at = (iso: string) => new Date(iso);

describe('billing days and periods', () => {
  test('billingDate pads and refuses days that not every month has', () => {
    expect(billingDate('2026-12', 1)).toBe('2026-12-01');
    expect(billingDate('2026-02', 28)).toBe('2026-02-28');
    expect(() => billingDate('2026-02', 29)).toThrow(RangeError);
    expect(() => billingDate('2026-02', 0)).toThrow(RangeError);
  });

  test('latestPeriod: on or after the billing day it is this month, before it last month (across the year)', () => {
    expect(latestPeriod('2026-12-01', 1)).toBe('2026-12');
    expect(latestPeriod('2026-12-31', 1)).toBe('2026-12');
    expect(latestPeriod('2026-12-14', 15)).toBe('2026-11');
    expect(latestPeriod('2027-01-14', 15)).toBe('2026-12');
  });

  test('firstPeriod: the first billing day on or after startsOn', () => {
    expect(firstPeriod('2026-12-01', 1)).toBe('2026-12');
    expect(firstPeriod('2026-12-02', 1)).toBe('2027-01');
    expect(firstPeriod('2026-11-10', 15)).toBe('2026-11');
  });

  test('labels and source refs', () => {
    expect(periodLabel('2026-12')).toBe('December 2026');
    expect(periodLabel('2027-01')).toBe('January 2027');
    expect(retainerSourceRef('acme', '2026-12')).toBe('acme:2026-12');
  });
});

describe('retainerDue', () => {
  const monthly = { dayOfMonth: 1, startsOn: '2026-11-01' };

  test('due on the billing day, once', () => {
    expect(retainerDue(monthly, 'UTC', at('2026-12-01T00:00:00Z'), new Set(['2026-11']))).toEqual({ invoice: '2026-12', missed: [] });
    expect(retainerDue(monthly, 'UTC', at('2026-12-01T00:00:00Z'), new Set(['2026-11', '2026-12']))).toEqual({ invoice: null, missed: [] });
    expect(retainerDue(monthly, 'UTC', at('2026-12-20T12:00:00Z'), new Set(['2026-11', '2026-12']))).toEqual({ invoice: null, missed: [] });
  });

  test('the business time zone decides the day: the evening of Nov 30 in New York is already Dec 1 in UTC', () => {
    // 2026-12-01 00:30 in New York (EST, UTC-5) is 05:30 UTC on the 1st; 23:30 on Nov 30 in New York is 04:30 UTC on Dec 1.
    const invoiced = new Set(['2026-11']);
    expect(retainerDue(monthly, NY, at('2026-12-01T04:30:00Z'), invoiced)).toEqual({ invoice: null, missed: [] });
    expect(retainerDue(monthly, NY, at('2026-12-01T05:30:00Z'), invoiced)).toEqual({ invoice: '2026-12', missed: [] });
  });

  test('the 1st at 00:30 in Tokyo is still the 31st in UTC, and already due there', () => {
    const invoiced = new Set(['2026-11']);
    const instant = at('2026-11-30T15:30:00Z'); // 2026-12-01 00:30 JST
    expect(retainerDue(monthly, 'Asia/Tokyo', instant, invoiced).invoice).toBe('2026-12');
    expect(retainerDue(monthly, 'UTC', instant, invoiced).invoice).toBeNull();
  });

  test('across a DST change the billing day is still the local date', () => {
    const schedule = { dayOfMonth: 8, startsOn: '2026-03-01' };
    // US DST starts 2026-03-08 at 02:00: 00:30 local is 05:30 UTC (still EST).
    expect(retainerDue(schedule, NY, at('2026-03-08T05:30:00Z'), none).invoice).toBe('2026-03');
    expect(retainerDue(schedule, NY, at('2026-03-08T04:59:00Z'), none).invoice).toBeNull();
  });

  test('nothing before startsOn: a client configured after its day waits for the next billing day', () => {
    const schedule = { dayOfMonth: 1, startsOn: '2026-11-25' };
    expect(retainerDue(schedule, 'UTC', at('2026-11-25T10:00:00Z'), none)).toEqual({ invoice: null, missed: [] });
    expect(retainerDue(schedule, 'UTC', at('2026-11-30T23:59:00Z'), none)).toEqual({ invoice: null, missed: [] });
    expect(retainerDue(schedule, 'UTC', at('2026-12-01T00:00:00Z'), none)).toEqual({ invoice: '2026-12', missed: [] });
  });

  test('startsOn on the billing day bills that day; earlier months are never back-billed', () => {
    const schedule = { dayOfMonth: 1, startsOn: '2026-11-01' };
    expect(retainerDue(schedule, 'UTC', at('2026-11-25T10:00:00Z'), none)).toEqual({ invoice: '2026-11', missed: [] });
  });

  test('a bot down over the 1st catches up once, late', () => {
    const invoiced = new Set(['2026-11']);
    const late = retainerDue(monthly, 'UTC', at('2026-12-09T08:00:00Z'), invoiced);
    expect(late).toEqual({ invoice: '2026-12', missed: [] });
    invoiced.add(late.invoice!);
    expect(retainerDue(monthly, 'UTC', at('2026-12-10T08:00:00Z'), invoiced)).toEqual({ invoice: null, missed: [] });
  });

  test('several missed months: only the latest is invoiced, the older ones are reported as missed', () => {
    const invoiced = new Set(['2026-11']);
    expect(retainerDue(monthly, 'UTC', at('2027-02-03T08:00:00Z'), invoiced)).toEqual({ invoice: '2027-02', missed: ['2026-12', '2027-01'] });
    // Once the latest is invoiced the older gaps are still reported (the caller says so once).
    expect(retainerDue(monthly, 'UTC', at('2027-02-04T08:00:00Z'), new Set(['2026-11', '2027-02']))).toEqual({ invoice: null, missed: ['2026-12', '2027-01'] });
  });

  test('a mid-month billing day across the year boundary', () => {
    const schedule = { dayOfMonth: 15, startsOn: '2026-12-01' };
    expect(retainerDue(schedule, 'UTC', at('2027-01-14T23:00:00Z'), none)).toEqual({ invoice: '2026-12', missed: [] });
    expect(retainerDue(schedule, 'UTC', at('2027-01-15T00:00:00Z'), new Set(['2026-12']))).toEqual({ invoice: '2027-01', missed: [] });
  });
});
