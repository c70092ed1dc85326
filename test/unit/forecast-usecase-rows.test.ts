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
  issuedOn: '2026-02-03',
  paidOn: null,
  ...over,
});

describe('stored invoices as forecast rows', () => {
  test('paid → history, sent/partial → open balance, draft/approved → scheduled from tomorrow', () => {
    const rows = toForecastRows(
      [
        row({ number: 'P', status: 'paid', amountPaid: 10000, paidOn: '2026-02-21' }),
        row({ number: 'S', status: 'partially_paid', amountPaid: 4000 }),
        row({ number: 'D', status: 'draft', issuedOn: '2026-02-01', dueDate: '2026-03-01' }),
        row({ number: 'A', status: 'approved', issuedOn: '2026-02-01', dueDate: '2026-03-20' }),
        row({ number: 'X', status: 'paid', paidOn: null }),
      ],
      '2026-03-02',
    );
    expect(rows).toEqual([
      { customer: 'Acme', number: 'P', currency: 'USD', invoiceDate: '2026-02-03', dueDate: '2026-03-10', amount: 10000, paidDate: '2026-02-21' },
      { customer: 'Acme', number: 'S', currency: 'USD', invoiceDate: '2026-02-03', dueDate: '2026-03-10', amount: 6000, paidDate: null },
      // A draft whose due date already passed is not overdue: it has not been sent; due no earlier than tomorrow.
      { customer: 'Acme', number: 'D', currency: 'USD', invoiceDate: '2026-03-03', dueDate: '2026-03-03', amount: 10000, paidDate: null },
      { customer: 'Acme', number: 'A', currency: 'USD', invoiceDate: '2026-03-03', dueDate: '2026-03-20', amount: 10000, paidDate: null },
    ]);
  });
});
