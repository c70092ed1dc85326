import { openTestDatabase } from '../support/database.js';
import type { Database } from '../../src/store/db.js';
import { upsertClients } from '../../src/store/clients.js';
import { insertDraft, recordPaymentRow, updateInvoice, type NewInvoice } from '../../src/store/invoices.js';
import { cashBalances, clientCurrencies, invoicesForForecast, paidSurvivalSamples, paymentRunCounts, setCashBalance } from '../../src/store/forecast.js';
import { acmeClient, acmeDraft, NUMBERING } from '../support/store-fixtures.js';

const now = new Date('2026-03-02T10:00:00Z');
const acme = acmeClient();
const numbering = NUMBERING;
const draft = (ref: string, total: number): NewInvoice => acmeDraft(ref, total, { milestone: ref, dueDate: '2026-03-20' });

let db: Database;
beforeAll(async () => {
  db = await openTestDatabase();
  await upsertClients(db.pool, [acme], now);
});
afterAll(async () => db.close());

describe(`forecast storage (${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  test('cash balance per currency: set, replaced, listed', async () => {
    await setCashBalance(db.pool, { currency: 'USD', amount: 100, setAt: now, setBy: 'slack:U1' });
    await setCashBalance(db.pool, { currency: 'EUR', amount: 7, setAt: now, setBy: 'slack:U1' });
    await setCashBalance(db.pool, { currency: 'USD', amount: 1250050, setAt: now, setBy: 'slack:U2' });
    expect(await cashBalances(db.pool)).toEqual([
      { currency: 'EUR', amount: 7, setAt: now, setBy: 'slack:U1' },
      { currency: 'USD', amount: 1250050, setAt: now, setBy: 'slack:U2' },
    ]);
    expect(await clientCurrencies(db.pool)).toEqual(['USD']);
  });

  test('invoices with client names and the paid date from the payments table when the invoice lacks one', async () => {
    const paid = (await insertDraft(db.pool, draft('p', 50000), numbering, now))!;
    const sent = (await insertDraft(db.pool, draft('s', 20000), numbering, now))!;
    const voided = (await insertDraft(db.pool, draft('v', 999), numbering, now))!;
    const sentAt = new Date('2026-02-01T09:00:00Z');
    const paidAt = new Date('2026-02-25T15:00:00Z');
    await updateInvoice(db.pool, paid.id, { status: 'paid', sentAt, amountPaid: 50000 }, now);
    await recordPaymentRow(db.pool, { invoiceId: paid.id, sourceEvent: 'evt_1', amount: 50000, currency: 'USD', amountPaidAfter: 50000, paidAt });
    await updateInvoice(db.pool, sent.id, { status: 'partially_paid', sentAt, amountPaid: 5000 }, now);
    await updateInvoice(db.pool, voided.id, { status: 'void' }, now);

    const rows = (await invoicesForForecast(db.pool, 'UTC')).sort((a, b) => a.number.localeCompare(b.number));
    expect(rows).toEqual([
      expect.objectContaining({ number: paid.number, clientName: 'Acme Ltd', status: 'paid', total: 50000, dueDate: '2026-03-20', issuedOn: '2026-02-01', paidOn: '2026-02-25' }),
      expect.objectContaining({ number: sent.number, status: 'partially_paid', total: 20000, amountPaid: 5000, currency: 'USD', issuedOn: '2026-02-01', paidOn: null }),
    ]);
    // The dates are the business time zone's: 23:30 UTC is the next day in Berlin.
    await updateInvoice(db.pool, sent.id, { sentAt: new Date('2026-02-02T23:30:00Z') }, now);
    const berlin = await invoicesForForecast(db.pool, 'Europe/Berlin', ['partially_paid']);
    expect(berlin).toEqual([expect.objectContaining({ number: sent.number, issuedOn: '2026-02-03' })]);
  });

  test("the survival model's paid observations: per client, entry and exit lateness, counted and recency-weighted; each part of a partly paid invoice counts", async () => {
    const sent = (await invoicesForForecast(db.pool, 'UTC', ['partially_paid']))[0]!;
    const id = (await db.pool.query<{ id: string }>('SELECT id FROM invoices WHERE number = $1', [sent.number])).rows[0]!.id;
    await recordPaymentRow(db.pool, { invoiceId: id, sourceEvent: 'evt_part', amount: 5000, currency: 'USD', amountPaidAfter: 5000, paidAt: new Date('2026-02-10T12:00:00Z') });
    const rows = await paidSurvivalSamples(db.pool, 'UTC', '2026-03-02', 180);
    // Paid: issued 02-01, due 03-20, paid 02-25 -> entry -47, exit -23. The part: issued 02-02, paid 02-10 -> -46, -38.
    // Both due after as-of: full weight.
    expect(rows.sort((a, b) => a.entry - b.entry)).toEqual([
      { customer: 'Acme Ltd', entry: -47, exit: -23, count: 1, weight: 1 },
      { customer: 'Acme Ltd', entry: -46, exit: -38, count: 1, weight: 1 },
    ]);
    // Seen from 2026-09-16 (180 days after the due date) each weighs a half; nothing paid after as-of counts.
    expect((await paidSurvivalSamples(db.pool, 'UTC', '2026-09-16', 180)).map((r) => r.weight)).toEqual([0.5, 0.5]);
    expect(await paidSurvivalSamples(db.pool, 'UTC', '2026-02-09', 180)).toEqual([]);
    // Payment runs: 02-25 is a Wednesday, not near a month end; 02-10 a Tuesday. Only the year before as-of counts.
    const runs = await paymentRunCounts(db.pool, 'UTC', '2026-03-02', 365);
    expect(runs.sort((a, b) => a.weekday - b.weekday)).toEqual([
      { customer: 'Acme Ltd', weekday: 2, monthEnd: false, count: 1 },
      { customer: 'Acme Ltd', weekday: 3, monthEnd: false, count: 1 },
    ]);
    expect(await paymentRunCounts(db.pool, 'UTC', '2027-03-02', 365)).toEqual([]);
  });
});
