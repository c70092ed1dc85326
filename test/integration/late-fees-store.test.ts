import { openTestDatabase } from '../support/database.js';
import { withTransaction, type Database } from '../../src/store/db.js';
import { upsertClients, getClient } from '../../src/store/clients.js';
import { insertDraft, type InvoiceRecord } from '../../src/store/invoices.js';
import { appliedFees, feeKeyOf, lateFeesOf, markLateFeeIssued, markLateFeeWaived, recordLateFee, settleLateFee } from '../../src/store/late-fees.js';
import { acmeClient, acmeDraft, NUMBERING } from '../support/store-fixtures.js';

/** The late_fees table on a real database: one fee per key however many callers race, numbered without gaps. */

const now = new Date('2026-11-02T10:00:00Z');
const acme = acmeClient({ lateFee: { kind: 'percent', basisPoints: 500, graceDays: 7, per: 'step', cap: 20_000 } });

let db: Database;
let invoice: InvoiceRecord;
beforeAll(async () => {
  db = await openTestDatabase();
  await upsertClients(db.pool, [acme], now);
  invoice = (await withTransaction(db.pool, (tx) => insertDraft(tx, acmeDraft('lf-1', 100_000), NUMBERING, now)))!;
});
afterAll(async () => db.close());

const fee = (stepIndex: number, feeKey = feeKeyOf(stepIndex)) => ({
  invoiceId: invoice.id,
  invoiceNumber: invoice.number,
  feeKey,
  stepIndex,
  stepNumber: stepIndex + 1,
  amount: 5000,
  currency: 'USD',
  reason: '5% of 1,000.00 USD',
  provider: 'stripe',
});

test("the client's late fee is stored with the client and read back", async () => {
  expect((await getClient(db.pool, 'acme'))!.lateFee).toEqual(acme.lateFee);
  await upsertClients(db.pool, [{ ...acme, lateFee: null }], now);
  expect((await getClient(db.pool, 'acme'))!.lateFee).toBeUndefined();
});

test('racing callers of one step record one fee; fees of other steps race for numbers and each gets its own', async () => {
  const same = await Promise.all([0, 1, 2, 3].map(() => recordLateFee(db.pool, fee(1), now)));
  expect(same.filter((r) => r.created)).toHaveLength(1);
  expect(new Set(same.map((r) => r.fee.id)).size).toBe(1);

  await Promise.all([2, 3, 4].map((step) => recordLateFee(db.pool, fee(step), now)));
  const all = await lateFeesOf(db.pool, invoice.id);
  expect(all.map((f) => [f.feeKey, f.seq, f.number.replace(invoice.number, '')])).toEqual([
    ['step:1', 1, '-F1'],
    ...[2, 3, 4].map((_, i) => [expect.stringMatching(/^step:[234]$/), i + 2, `-F${i + 2}`]),
  ]);
  expect(new Set(all.map((f) => f.feeKey)).size).toBe(4);
});

test('only an issued fee can be waived, once; paid and voided-elsewhere fees leave the open set', async () => {
  const [first, second, third] = await lateFeesOf(db.pool, invoice.id);
  expect(await markLateFeeWaived(db.pool, first!.id, 'slack:U1', now)).toBeNull(); // still pending
  await markLateFeeIssued(db.pool, first!.id, { providerInvoiceId: 'in_f1', paymentUrl: 'https://pay.example/f1' });
  expect(await markLateFeeIssued(db.pool, first!.id, { providerInvoiceId: 'in_other', paymentUrl: null })).toBeNull();
  const [a, b] = await Promise.all([markLateFeeWaived(db.pool, first!.id, 'slack:U1', now), markLateFeeWaived(db.pool, first!.id, 'slack:U2', now)]);
  expect([a, b].filter(Boolean)).toHaveLength(1);

  await markLateFeeIssued(db.pool, second!.id, { providerInvoiceId: 'in_f2', paymentUrl: null });
  await markLateFeeIssued(db.pool, third!.id, { providerInvoiceId: 'in_f3', paymentUrl: null });
  await settleLateFee(db.pool, second!.id, 'paid');
  await settleLateFee(db.pool, third!.id, 'voided');
  const applied = appliedFees(await lateFeesOf(db.pool, invoice.id));
  expect(applied.slice(0, 3)).toEqual([
    { stepIndex: 1, amount: 5000, waived: true },
    { stepIndex: second!.stepIndex, amount: 5000, waived: false },
    { stepIndex: third!.stepIndex, amount: 5000, waived: true },
  ]);
});
