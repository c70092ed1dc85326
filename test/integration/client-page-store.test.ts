import { openTestDatabase } from '../support/database.js';
import type { Database } from '../../src/store/db.js';
import { getClient, upsertClients } from '../../src/store/clients.js';
import { insertFirstLink, liveLinkByHash, liveLinkOf, revokeLiveLink } from '../../src/store/client-page-links.js';
import { testClient } from '../support/store-fixtures.js';

const now = new Date('2026-12-01T10:00:00Z');
const client = (id: string, clientPage?: boolean) => testClient(id, clientPage === undefined ? {} : { clientPage });
const link = (clientId: string, n: number) => ({ clientId, salt: `salt-${clientId}-${n}`, tokenHash: `hash-${clientId}-${n}` });

let db: Database;
beforeAll(async () => {
  db = await openTestDatabase();
  await upsertClients(db.pool, [client('paged', true), client('plain'), client('racy', true)], now);
});
afterAll(async () => db.close());

test('the clients file turns the page on and off; absent is off', async () => {
  expect((await getClient(db.pool, 'paged'))!.clientPage).toBe(true);
  expect((await getClient(db.pool, 'plain'))!.clientPage).toBeUndefined();
  await upsertClients(db.pool, [client('paged', false)], now);
  expect((await getClient(db.pool, 'paged'))!.clientPage).toBeUndefined();
});

test('processes racing to make the first link leave one, and all of them read that one', async () => {
  const made = await Promise.all([1, 2, 3, 4, 5].map((n) => insertFirstLink(db.pool, link('racy', n), now)));
  expect(new Set(made.map((l) => l!.tokenHash)).size).toBe(1);
  expect((await db.pool.query("SELECT count(*)::int AS n FROM client_page_links WHERE client_id = 'racy'")).rows[0].n).toBe(1);
  expect(await liveLinkByHash(db.pool, made[0]!.tokenHash)).toEqual(made[0]);
});

test('a revoked link opens nothing, and no first link is made again until an approver makes a new one', async () => {
  const first = (await insertFirstLink(db.pool, link('plain', 1), now))!;
  expect(await revokeLiveLink(db.pool, 'plain', 'slack:U1', now)).toBe(true);
  expect(await revokeLiveLink(db.pool, 'plain', 'slack:U1', now)).toBe(false);
  expect(await liveLinkByHash(db.pool, first.tokenHash)).toBeNull();
  expect(await insertFirstLink(db.pool, link('plain', 2), now)).toBeNull();
  expect(await liveLinkOf(db.pool, 'plain')).toBeNull();
});
