import { openTestDatabase } from '../support/database.js';
import type { Database } from '../../src/store/db.js';
import { upsertClients } from '../../src/store/clients.js';
import { insertDraft, recordPaymentRow, updateInvoice, type NewInvoice } from '../../src/store/invoices.js';
import { cashBalances, clientCurrencies, invoicesForForecast, setCashBalance } from '../../src/store/forecast.js';
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

    const rows = (await invoicesForForecast(db.pool)).sort((a, b) => a.number.localeCompare(b.number));
    expect(rows).toEqual([
      expect.objectContaining({ number: paid.number, clientName: 'Acme Ltd', status: 'paid', total: 50000, dueDate: '2026-03-20', sentAt, paidAt }),
      expect.objectContaining({ number: sent.number, status: 'partially_paid', total: 20000, amountPaid: 5000, currency: 'USD', paidAt: null }),
    ]);
  });
});
