import { buildForecast, type ForecastInvoice } from '../../src/domain/forecast.js';
import { upcomingRetainerInvoices, type RetainerOutlook } from '../../src/domain/forecast-retainers.js';

const retainer = (r: Partial<RetainerOutlook> & Pick<RetainerOutlook, 'clientId' | 'dayOfMonth'>): RetainerOutlook => ({
  clientName: r.clientId,
  currency: 'USD',
  amount: 100000,
  paymentTermsDays: 15,
  startsOn: '2026-01-01',
  invoiced: new Set(),
  ...r,
});

describe('retainer invoices in the 30-day forecast (hand-computed)', () => {
  const asOf = '2026-03-02';
  const retainers = [
    retainer({ clientId: 'Acme', dayOfMonth: 10, amount: 150000, paymentTermsDays: 15, invoiced: new Set(['2026-02']) }),
    retainer({ clientId: 'Bolt', dayOfMonth: 2, amount: 50000, paymentTermsDays: 7 }), // billing day today, not invoiced yet
    retainer({ clientId: 'Cafe', dayOfMonth: 1, startsOn: '2026-04-15' }), // 04-01 is in the window but before startsOn
    retainer({ clientId: 'Dyno', dayOfMonth: 2, invoiced: new Set(['2026-03']) }), // today's invoice exists: it is a stored invoice
  ];

  test('issued on the billing day (tomorrow when that is today), due after the terms; nothing before startsOn or already invoiced', () => {
    expect(upcomingRetainerInvoices(retainers, asOf)).toEqual([
      { customer: 'Acme', number: 'retainer Acme 2026-03', invoiceDate: '2026-03-10', dueDate: '2026-03-25', amount: 150000, currency: 'USD', paidDate: null },
      { customer: 'Bolt', number: 'retainer Bolt 2026-03', invoiceDate: '2026-03-03', dueDate: '2026-03-10', amount: 50000, currency: 'USD', paidDate: null },
    ]);
  });

  test('two billing days inside one window (31 January: 1 February and 1 March)', () => {
    const rows = upcomingRetainerInvoices([retainer({ clientId: 'Acme', dayOfMonth: 1, paymentTermsDays: 0 })], '2026-01-31');
    expect(rows.map((r) => r.invoiceDate)).toEqual(['2026-02-01', '2026-03-01']);
  });

  test("paid after the client's expected lateness: Acme pays 4 days late (median of 2, 4, 9); Bolt has no history, so the pooled 4 days", () => {
    const paid = (number: string, due: string, paidDate: string): ForecastInvoice => ({
      customer: 'Acme',
      number,
      invoiceDate: '2025-12-01',
      dueDate: due,
      amount: 1,
      currency: 'USD',
      paidDate,
    });
    const history = [paid('A-1', '2025-12-10', '2025-12-12'), paid('A-2', '2026-01-10', '2026-01-14'), paid('A-3', '2026-02-10', '2026-02-19')];
    const forecast = buildForecast([...history, ...upcomingRetainerInvoices(retainers, asOf)], asOf, 'median');
    const usd = forecast.currencies[0]!;
    // Bolt: due 03-10 + 4 = 03-14 (week 2, 03-10..03-16); Acme: due 03-25 + 4 = 03-29 (week 4, 03-24..03-30).
    expect(usd.weeks.map((w) => w.expected)).toEqual([0, 50000, 0, 150000, 0]);
    expect(forecast.payments.map((p) => [p.number, p.expectedDate, p.basis])).toEqual([
      ['retainer Bolt 2026-03', '2026-03-14', 'pooled'],
      ['retainer Acme 2026-03', '2026-03-29', 'customer'],
    ]);
  });
});
