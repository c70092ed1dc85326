import { daysSalesOutstanding, DSO_WINDOW_DAYS } from '../../src/domain/dso.js';

describe('daysSalesOutstanding', () => {
  test('open receivables ÷ invoiced in the window × window days, whole days rounded half up', () => {
    expect(DSO_WINDOW_DAYS).toBe(90);
    expect(daysSalesOutstanding(130000, 190000)).toBe(62); // 61.58
    expect(daysSalesOutstanding(80000, 80000)).toBe(90);
    expect(daysSalesOutstanding(1, 180)).toBe(1); // 0.5 rounds up
    expect(daysSalesOutstanding(1, 181)).toBe(0); // 0.497
    expect(daysSalesOutstanding(0, 5000)).toBe(0);
    expect(daysSalesOutstanding(300, 100, 30)).toBe(90); // more open than invoiced lately: older invoices still unpaid
  });

  test('null when nothing was invoiced in the window; exact for balances far beyond 2^53 ÷ 90', () => {
    expect(daysSalesOutstanding(5000, 0)).toBeNull();
    expect(daysSalesOutstanding(9_000_000_000_000_000, 9_000_000_000_000_000)).toBe(90);
  });

  test('refuses amounts that are not integer minor units', () => {
    expect(() => daysSalesOutstanding(10.5, 100)).toThrow(RangeError);
    expect(() => daysSalesOutstanding(10, Number.NaN)).toThrow(RangeError);
  });
});
