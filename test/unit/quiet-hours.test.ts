import { isAllowedTime, isTimeZone, nextAllowedTime, normalizeTimeOfDay } from '../../src/domain/quiet-hours.js';

const OFFICE = { start: '09:00', end: '17:00' };
const at = (iso: string) => new Date(iso);
const next = (iso: string, tz: string, hours: { start: string; end: string } | null = OFFICE) => nextAllowedTime(at(iso), hours, tz).toISOString();

describe('quiet hours: the next allowed send time', () => {
  test("without business hours every instant is allowed (today's behaviour)", () => {
    expect(next('2026-11-28T03:00:00.000Z', 'Europe/Berlin', null)).toBe('2026-11-28T03:00:00.000Z');
  });

  test('inside the window on a weekday: unchanged', () => {
    // Wed 11:00 CET
    expect(next('2026-11-25T10:00:00.000Z', 'Europe/Berlin')).toBe('2026-11-25T10:00:00.000Z');
    expect(isAllowedTime(at('2026-11-25T10:00:00.000Z'), OFFICE, 'Europe/Berlin')).toBe(true);
  });

  test('before opening: the same day at opening; after closing: the next business morning', () => {
    expect(next('2026-11-25T06:00:00.000Z', 'Europe/Berlin')).toBe('2026-11-25T08:00:00.000Z'); // 07:00 → 09:00 CET
    expect(next('2026-11-25T16:30:00.000Z', 'Europe/Berlin')).toBe('2026-11-26T08:00:00.000Z'); // Wed 17:30 → Thu 09:00
  });

  test('the end is exclusive, and Friday evening and the weekend wait for Monday', () => {
    expect(next('2026-11-27T16:00:00.000Z', 'Europe/Berlin')).toBe('2026-11-30T08:00:00.000Z'); // Fri 17:00 CET
    expect(next('2026-11-28T12:00:00.000Z', 'Europe/Berlin')).toBe('2026-11-30T08:00:00.000Z'); // Sat
    expect(isAllowedTime(at('2026-11-27T16:00:00.000Z'), OFFICE, 'Europe/Berlin')).toBe(false);
  });

  test("the weekday is the client's, not UTC's", () => {
    // Sunday 23:30 UTC is Monday 08:30 in Tokyo: Monday 09:00 JST.
    expect(next('2026-11-29T23:30:00.000Z', 'Asia/Tokyo')).toBe('2026-11-30T00:00:00.000Z');
    // Friday 23:00 UTC is already Saturday in Tokyo: Monday.
    expect(next('2026-11-27T23:00:00.000Z', 'Asia/Tokyo')).toBe('2026-11-30T00:00:00.000Z');
  });

  test('across the spring DST change the window keeps its local hours (Berlin, 29 Mar 2026)', () => {
    // Fri 27 Mar 18:00 CET (UTC+1) → Mon 30 Mar 09:00 CEST (UTC+2) = 07:00 UTC.
    expect(next('2026-03-27T17:00:00.000Z', 'Europe/Berlin')).toBe('2026-03-30T07:00:00.000Z');
  });

  test('across the autumn DST change (Berlin 25 Oct, New York 1 Nov 2026)', () => {
    // Fri 23 Oct 18:00 CEST → Mon 26 Oct 09:00 CET = 08:00 UTC.
    expect(next('2026-10-23T16:00:00.000Z', 'Europe/Berlin')).toBe('2026-10-26T08:00:00.000Z');
    // Sat 31 Oct (EDT) → Mon 2 Nov 09:00 EST = 14:00 UTC.
    expect(next('2026-10-31T15:00:00.000Z', 'America/New_York')).toBe('2026-11-02T14:00:00.000Z');
  });

  test('minutes count: 09:30-16:45', () => {
    const hours = { start: '09:30', end: '16:45' };
    expect(next('2026-11-25T09:00:00.000Z', 'UTC', hours)).toBe('2026-11-25T09:30:00.000Z');
    expect(next('2026-11-25T16:44:59.000Z', 'UTC', hours)).toBe('2026-11-25T16:44:59.000Z');
    expect(next('2026-11-25T16:45:00.000Z', 'UTC', hours)).toBe('2026-11-26T09:30:00.000Z');
  });

  test('unusable hours are refused with the reason', () => {
    expect(() => nextAllowedTime(at('2026-11-25T10:00:00Z'), { start: '17:00', end: '09:00' }, 'UTC')).toThrow('start 17:00 must be before end 09:00');
  });

  test('times of day and time zones as people type them', () => {
    expect(normalizeTimeOfDay('9')).toBe('09:00');
    expect(normalizeTimeOfDay('9:30')).toBe('09:30');
    expect(normalizeTimeOfDay('24:00')).toBeNull();
    expect(normalizeTimeOfDay('9am')).toBeNull();
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(isTimeZone('')).toBe(false);
  });
});
