import { HistoryCsvError, parseHistoryCsv } from '../../src/forecast/history-csv.js';

const HEADER = 'customer,invoice_number,invoice_date,due_date,amount,currency,paid_date';

describe('history CSV', () => {
  test('parses rows into minor units, empty dates as null, any column order', () => {
    const rows = parseHistoryCsv(`${HEADER}\nAcme,A-1,2026-01-01,2026-01-31,"1,250.50",usd,2026-02-03\n\n"Bolt, Inc.",B-1,2026-02-01,,99,JPY,\n`);
    expect(rows).toEqual([
      { customer: 'Acme', number: 'A-1', invoiceDate: '2026-01-01', dueDate: '2026-01-31', amount: 125050, currency: 'USD', paidDate: '2026-02-03' },
      { customer: 'Bolt, Inc.', number: 'B-1', invoiceDate: '2026-02-01', dueDate: null, amount: 99, currency: 'JPY', paidDate: null },
    ]);
    const reordered = parseHistoryCsv('currency,amount,customer,invoice_number,invoice_date,due_date,paid_date,note\nEUR,5,C,C-1,2026-01-01,2026-01-15,,x\n');
    expect(reordered[0]).toMatchObject({ currency: 'EUR', amount: 500, customer: 'C' });
  });

  test.each([
    ['A,1,2026-01-01,2026-01-31,abc,USD,', 'row 2, column amount'],
    ['A,1,2026-01-01,2026-01-31,10,US,', 'row 2, column currency: "US" is not an ISO 4217 currency code'],
    ['A,1,01/02/2026,2026-01-31,10,USD,', 'row 2, column invoice_date: "01/02/2026" is not a YYYY-MM-DD date'],
    [',1,2026-01-01,2026-01-31,10,USD,', 'row 2, column customer: is empty'],
    ['A,1,2026-01-01,2026-01-31,10,USD,2025-12-01', 'row 2, column paid_date: 2025-12-01 is before the invoice date 2026-01-01'],
    ['A,1,2026-01-01,2026-01-31,-10,USD,', 'row 2, column amount: is negative'],
  ])('bad row %s', (row, message) => {
    expect(() => parseHistoryCsv(`${HEADER}\n${row}\n`)).toThrow(message);
  });

  test('missing columns and broken CSV are reported', () => {
    expect(() => parseHistoryCsv('customer,amount\nA,1\n')).toThrow(
      new HistoryCsvError('the header lacks the column(s) invoice_number, invoice_date, due_date, currency, paid_date'),
    );
    expect(() => parseHistoryCsv(`${HEADER}\nA,1,2026-01-01\n`)).toThrow(HistoryCsvError);
  });
});
