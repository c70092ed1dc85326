import type { ForecastSourceRow } from '../../src/store/forecast.js';
import { toForecastRows } from '../../src/usecases/forecast.js';

const row = (over: Partial<ForecastSourceRow>): ForecastSourceRow => ({
  number: 'INV-1',
  clientName: 'Acme',
  currency: 'USD',
  total: 10000,
  amountPaid: 0,
  status: 'sent',
  dueDate: '2026-03-10',
  createdAt: new Date('2026-02-01T10:00:00Z'),
  sentAt: new Date('2026-02-02T23:30:00Z'),
  paidAt: null,
  ...over,
});

describe('stored invoices as forecast rows', () => {
  test('paid → history, sent/partial → open balance, draft/approved → scheduled from tomorrow (business time zone)', () => {
    const rows = toForecastRows(
      [
        row({ number: 'P', status: 'paid', amountPaid: 10000, paidAt: new Date('2026-02-20T23:30:00Z') }),
        row({ number: 'S', status: 'partially_paid', amountPaid: 4000 }),
        row({ number: 'D', status: 'draft', sentAt: null, dueDate: '2026-03-01' }),
        row({ number: 'A', status: 'approved', sentAt: null, dueDate: '2026-03-20' }),
        row({ number: 'X', status: 'paid', paidAt: null }),
      ],
      '2026-03-02',
      'Europe/Berlin',
    );
    expect(rows).toEqual([
      // 23:30 UTC is the next day in Berlin.
      { customer: 'Acme', number: 'P', currency: 'USD', invoiceDate: '2026-02-03', dueDate: '2026-03-10', amount: 10000, paidDate: '2026-02-21' },
      { customer: 'Acme', number: 'S', currency: 'USD', invoiceDate: '2026-02-03', dueDate: '2026-03-10', amount: 6000, paidDate: null },
      // A draft whose due date already passed is not overdue: it has not been sent; due no earlier than tomorrow.
      { customer: 'Acme', number: 'D', currency: 'USD', invoiceDate: '2026-03-03', dueDate: '2026-03-03', amount: 10000, paidDate: null },
      { customer: 'Acme', number: 'A', currency: 'USD', invoiceDate: '2026-03-03', dueDate: '2026-03-20', amount: 10000, paidDate: null },
    ]);
  });
});
