import { openTestDatabase } from '../support/database.js';
import { withTransaction, type Database } from '../../src/store/db.js';
import { getClient, listRetainerClients, markRetainerSeen, upsertClients } from '../../src/store/clients.js';
import { insertDraft, type NewInvoice } from '../../src/store/invoices.js';
import { formatInvoiceNumber } from '../../src/domain/invoice.js';
import { testClient } from '../support/store-fixtures.js';

const now = new Date('2026-11-25T10:00:00Z');
const retainer = { amount: 150000, description: 'Monthly retainer', dayOfMonth: 1, startsOn: null };
const client = (id: string, withRetainer: boolean) => testClient(id, { emails: [`${id}@example.com`], autoSend: true, ...(withRetainer ? { retainer } : {}) });
const draft = (ref: string): NewInvoice => ({
  clientId: 'retco',
  source: 'retainer',
  sourceRef: ref,
  sourceUrl: null,
  milestone: 'Retainer — December 2026',
  currency: 'USD',
  lines: [{ description: 'Monthly retainer — December 2026', quantity: '1', unitAmount: 150000, amount: 150000 }],
  total: 150000,
  dueDate: '2026-12-31',
  recipients: ['retco@example.com'],
  provider: 'stripe',
});

let db: Database;
beforeEach(async () => {
  db = await openTestDatabase();
});
afterEach(async () => db.close());

test('the retainer round-trips; only retainer clients are listed', async () => {
  await upsertClients(db.pool, [client('retco', true), client('plain', false)], now);
  expect((await getClient(db.pool, 'retco'))!.retainer).toEqual(retainer);
  expect((await getClient(db.pool, 'plain'))!.retainer).toBeUndefined();
  expect((await listRetainerClients(db.pool)).map((c) => [c.id, c.retainerSince])).toEqual([['retco', null]]);
});

test('first seen is kept once; removing the retainer forgets it, so adding it again starts afresh', async () => {
  await upsertClients(db.pool, [client('retco', true)], now);
  expect(await markRetainerSeen(db.pool, 'retco', '2026-11-25')).toBe('2026-11-25');
  expect(await markRetainerSeen(db.pool, 'retco', '2026-11-26')).toBe('2026-11-25');
  await upsertClients(db.pool, [client('retco', true)], now); // a restart keeps it
  expect((await listRetainerClients(db.pool))[0]!.retainerSince).toBe('2026-11-25');
  await upsertClients(db.pool, [client('retco', false)], now);
  expect(await listRetainerClients(db.pool)).toEqual([]);
  await upsertClients(db.pool, [client('retco', true)], now);
  expect((await listRetainerClients(db.pool))[0]!.retainerSince).toBeNull();
});

test('one invoice per client and period, even when two runs race', async () => {
  await upsertClients(db.pool, [client('retco', true)], now);
  const numbering = { scope: 'default', format: (n: number) => formatInvoiceNumber('INV-', n) };
  const results = await Promise.allSettled([1, 2].map(() => withTransaction(db.pool, (tx) => insertDraft(tx, draft('retco:2026-12'), numbering, now))));
  const created = results.filter((r) => r.status === 'fulfilled' && r.value);
  expect(created).toHaveLength(1);
  const { rows } = await db.pool.query("SELECT number FROM invoices WHERE source = 'retainer'");
  expect(rows).toEqual([{ number: 'INV-0001' }]);
});
