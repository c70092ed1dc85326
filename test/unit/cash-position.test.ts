import { outflowsByWeek, projectCashPosition } from '../../src/domain/cash-position.js';
import { forecastWindows } from '../../src/domain/forecast.js';

const windows = forecastWindows('2026-12-04'); // Dec 5-11, 12-18, 19-25, Dec 26-Jan 1, Jan 2-3

describe('outflowsByWeek', () => {
  test('each bill in the bucket of its due date, per currency; due today in the first; past the horizon left out', () => {
    const weeks = outflowsByWeek(
      [
        { currency: 'USD', amount: 100, dueDate: '2026-12-04' },
        { currency: 'USD', amount: 250, dueDate: '2026-12-11' },
        { currency: 'USD', amount: 1000, dueDate: '2026-12-12' },
        { currency: 'USD', amount: 7, dueDate: '2027-01-03' },
        { currency: 'USD', amount: 999, dueDate: '2027-01-04' },
        { currency: 'EUR', amount: 500, dueDate: '2026-12-25' },
        { currency: 'EUR', amount: 0, dueDate: '2026-12-05' },
      ],
      windows,
    );
    expect(Object.fromEntries(weeks)).toEqual({ USD: [350, 1000, 0, 0, 7], EUR: [0, 0, 500, 0, 0] });
  });

  test('no bills, no currencies', () => {
    expect(outflowsByWeek([], windows).size).toBe(0);
  });
});

describe('projectCashPosition', () => {
  const inflows = [{ expected: 500 }, { expected: 0 }, { expected: 300 }];
  test('balance + inflows - outflows, week by week, and it may go below zero', () => {
    expect(projectCashPosition(inflows, 1000, [200, 2000, 0])).toEqual([1300, -700, -400]);
  });
  test('without outflows: inflows only', () => {
    expect(projectCashPosition(inflows, 1000)).toEqual([1500, 1500, 1800]);
  });
});
