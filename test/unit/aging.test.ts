import { agingBucket, buildAgingReport, type AgingInput } from '../../src/domain/aging.js';

const now = new Date('2026-12-01T12:00:00Z');
const daysAgo = (n: number) => new Date(now.getTime() - n * 86400000);
const inv = (over: Partial<AgingInput>): AgingInput => ({
  number: 'INV-0001',
  clientName: 'Acme',
  currency: 'USD',
  total: 100000,
  amountPaid: 0,
  status: 'sent',
  sentAt: daysAgo(1),
  dueDate: '2026-12-31',
  ...over,
});

describe('aging', () => {
  test('bucket edges', () => {
    expect([0, 7, 8, 14, 15, 30, 31, 400].map(agingBucket)).toEqual(['0-7', '0-7', '8-14', '8-14', '15-30', '15-30', '30+', '30+']);
  });

  test('open balances are bucketed by age since sending, per currency', () => {
    const report = buildAgingReport(
      [
        inv({ number: 'INV-0001', sentAt: daysAgo(3) }),
        inv({ number: 'INV-0002', sentAt: daysAgo(10), amountPaid: 40000, status: 'partially_paid' }),
        inv({ number: 'INV-0003', sentAt: daysAgo(10), currency: 'EUR', total: 5000 }),
        inv({ number: 'INV-0004', sentAt: daysAgo(45), dueDate: '2026-11-01', total: 250000 }),
        inv({ number: 'INV-0005', sentAt: daysAgo(20), status: 'paid', amountPaid: 100000 }),
        inv({ number: 'INV-0006', status: 'draft', sentAt: null }),
        inv({ number: 'INV-0007', status: 'void', sentAt: daysAgo(40) }),
      ],
      now,
      'UTC',
    );
    expect(report.openCount).toBe(4);
    expect(report.buckets).toEqual([
      { label: '0-7', count: 1, totals: [{ currency: 'USD', amount: 100000 }] },
      {
        label: '8-14',
        count: 2,
        totals: [
          { currency: 'EUR', amount: 5000 },
          { currency: 'USD', amount: 60000 },
        ],
      },
      { label: '15-30', count: 0, totals: [] },
      { label: '30+', count: 1, totals: [{ currency: 'USD', amount: 250000 }] },
    ]);
    expect(report.largestOverdue).toEqual([{ number: 'INV-0004', clientName: 'Acme', currency: 'USD', balance: 250000, daysOverdue: 30 }]);
  });

  test('largest overdue first, capped', () => {
    const many = Array.from({ length: 8 }, (_, i) => inv({ number: `INV-${i}`, total: (i + 1) * 1000, dueDate: '2026-11-20', sentAt: daysAgo(12) }));
    const report = buildAgingReport(many, now, 'UTC');
    expect(report.largestOverdue.map((o) => o.number)).toEqual(['INV-7', 'INV-6', 'INV-5', 'INV-4', 'INV-3']);
  });

  test('nothing open', () => {
    const report = buildAgingReport([], now, 'UTC');
    expect(report.openCount).toBe(0);
    expect(report.buckets.every((b) => b.count === 0)).toBe(true);
  });
});
