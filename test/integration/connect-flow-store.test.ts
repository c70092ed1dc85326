import { randomBytes } from 'node:crypto';
import { createConnectionStore } from '../../src/store/connections.js';
import { createLink, createState, LINK_TTL_MS, PENDING_TTL_MS, purgeExpiredConnectFlows, spendLink, spendState, STATE_TTL_MS } from '../../src/store/oauth-flow.js';
import { createTokenCipher } from '../../src/store/token-cipher.js';
import type { Database } from '../../src/store/db.js';
import { openTestDatabase } from '../support/database.js';

let db: Database;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => db.close());

const t0 = new Date('2026-11-25T10:00:00Z');
const later = (ms: number) => new Date(t0.getTime() + ms);
const tokens = (accountId: string, n: number) => ({ accountId, accessToken: `access-${n}`, refreshToken: `refresh-${n}`, expiresAt: later(3600_000) });
const rows = async (table: string) => (await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n;

test('a link is spent once, only for its provider and within 10 minutes', async () => {
  await createLink(db.pool, { tokenHash: 'h1', provider: 'quickbooks', slackUserId: 'UA' }, t0);
  await createLink(db.pool, { tokenHash: 'h2', provider: 'quickbooks', slackUserId: 'UA' }, t0);
  expect(await spendLink(db.pool, 'h1', 'freshbooks', t0)).toBeNull();
  expect(await spendLink(db.pool, 'h1', 'quickbooks', later(LINK_TTL_MS - 1))).toBe('UA');
  expect(await spendLink(db.pool, 'h1', 'quickbooks', t0)).toBeNull();
  expect(await spendLink(db.pool, 'h2', 'quickbooks', later(LINK_TTL_MS))).toBeNull();
  await purgeExpiredConnectFlows(db.pool, later(LINK_TTL_MS));
  expect(await rows('oauth_links')).toBe(0);
});

test('a state is spent only by the browser that started it; another browser leaves it for the right one', async () => {
  await createState(db.pool, { state: 's1', provider: 'quickbooks', slackUserId: 'UA', browserHash: 'b1' }, t0);
  expect(await spendState(db.pool, 's1', 'quickbooks', 'other', t0)).toEqual({ outcome: 'other_browser' });
  expect(await spendState(db.pool, 's1', 'freshbooks', 'b1', t0)).toEqual({ outcome: 'unknown' });
  expect(await spendState(db.pool, 's1', 'quickbooks', 'b1', t0)).toEqual({ outcome: 'spent', slackUserId: 'UA' });
  expect(await spendState(db.pool, 's1', 'quickbooks', 'b1', t0)).toEqual({ outcome: 'unknown' });
  await createState(db.pool, { state: 's2', provider: 'quickbooks', slackUserId: 'UA', browserHash: 'b2' }, t0);
  expect(await spendState(db.pool, 's2', 'quickbooks', 'b2', later(STATE_TTL_MS))).toEqual({ outcome: 'unknown' });
  await purgeExpiredConnectFlows(db.pool, later(STATE_TTL_MS));
  expect(await rows('oauth_states')).toBe(0);
});

test('a pending connection stays sealed and unused until activated once; a refresh keeps the account name', async () => {
  const store = createConnectionStore(db.pool, createTokenCipher(randomBytes(32)));
  await store.saveTokens('xero', tokens('old', 1), t0, 'Old Co');
  await store.savePending({ id: 'p1', provider: 'xero', requestedBy: 'UA', accountName: 'New Co' }, tokens('new', 2), t0);
  const sealed = await db.pool.query<{ access_token: string }>("SELECT access_token FROM pending_connections WHERE id = 'p1'");
  expect(sealed.rows[0]!.access_token).not.toContain('access-2');
  expect(await store.get('xero')).toMatchObject({ accountId: 'old', accessToken: 'access-1' });
  expect(await store.pending('p1', t0)).toBeNull(); // created at t0, not after it
  expect(await store.pending('p1', later(-1))).toMatchObject({ provider: 'xero', accountId: 'new', accountName: 'New Co', requestedBy: 'UA', messageTs: null });

  expect(await store.activatePending('p1', later(-1), later(1000))).toBe(true);
  expect(await store.activatePending('p1', later(-1), later(1000))).toBe(false);
  expect(await store.get('xero')).toMatchObject({ accountId: 'new', accessToken: 'access-2', refreshToken: 'refresh-2', status: 'active' });
  expect(await store.account('xero')).toEqual({ accountId: 'new', accountName: 'New Co' });
  await store.saveTokens('xero', tokens('new', 3), later(2000));
  expect(await store.account('xero')).toEqual({ accountId: 'new', accountName: 'New Co' });
  // A refresh of the old account's tokens that finishes after the switch is not saved.
  expect(await store.saveRefreshed('xero', tokens('old', 9), later(3000))).toBe(false);
  expect(await store.saveRefreshed('xero', tokens('new', 10), later(3000))).toBe(true);
  expect(await store.get('xero')).toMatchObject({ accountId: 'new', accessToken: 'access-10' });

  // A newer pending connection replaces the earlier one; an expired one cannot be activated and is purged.
  await store.savePending({ id: 'p2', provider: 'xero', requestedBy: 'UA', accountName: null }, tokens('third', 4), t0);
  await store.savePending({ id: 'p3', provider: 'xero', requestedBy: 'UB', accountName: null }, tokens('fourth', 5), t0);
  expect(await store.pending('p2', new Date(0))).toBeNull();
  const notBefore = new Date(later(PENDING_TTL_MS).getTime() - PENDING_TTL_MS);
  expect(await store.activatePending('p3', notBefore, later(PENDING_TTL_MS))).toBe(false);
  await purgeExpiredConnectFlows(db.pool, later(PENDING_TTL_MS));
  expect(await rows('pending_connections')).toBe(0);
  expect(await store.remove('xero')).toEqual({ accountId: 'new', accountName: 'New Co' });
  expect(await store.remove('xero')).toBeNull();
  expect(await store.saveRefreshed('xero', tokens('new', 11), later(4000))).toBe(false);
  expect(await store.get('xero')).toBeNull();
});
