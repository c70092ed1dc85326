import { randomBytes } from 'node:crypto';
import { createConnectionStore } from '../../src/store/connections.js';
import { createTokenCipher } from '../../src/store/token-cipher.js';
import type { Database } from '../../src/store/db.js';
import { openTestDatabase } from '../support/database.js';

let db: Database;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => db.close());

const t0 = new Date('2026-11-25T10:00:00Z');
const tokens = { accountId: '9130355', accessToken: 'access-1', refreshToken: 'refresh-1', expiresAt: new Date('2026-11-25T11:00:00Z') };

test('tokens are stored sealed and read back in clear; a refresh replaces both', async () => {
  const store = createConnectionStore(db.pool, createTokenCipher(randomBytes(32)));
  await store.saveTokens('quickbooks', tokens, t0);
  const { rows } = await db.pool.query<{ access_token: string; refresh_token: string }>("SELECT access_token, refresh_token FROM connections WHERE provider = 'quickbooks'");
  expect(rows[0]!.access_token).not.toContain('access-1');
  expect(rows[0]!.refresh_token).not.toContain('refresh-1');
  expect(await store.get('quickbooks')).toEqual({ provider: 'quickbooks', status: 'active', lastSuccessAt: t0, lastError: null, ...tokens });

  await store.saveTokens('quickbooks', { ...tokens, accessToken: 'access-2', refreshToken: 'refresh-2' }, t0);
  expect(await store.get('quickbooks')).toMatchObject({ accessToken: 'access-2', refreshToken: 'refresh-2' });
  expect(await store.get('freshbooks')).toBeNull();
});

test('broken is reported once, and saving new tokens makes it active again', async () => {
  const store = createConnectionStore(db.pool, createTokenCipher(randomBytes(32)));
  await store.saveTokens('freshbooks', tokens, t0);
  expect(await store.markBroken('freshbooks', 'refresh failed (401)', t0)).toBe(true);
  expect(await store.markBroken('freshbooks', 'refresh failed (401)', t0)).toBe(false);
  expect(await store.get('freshbooks')).toMatchObject({ status: 'broken', lastError: 'refresh failed (401)' });
  await store.saveTokens('freshbooks', tokens, t0);
  expect(await store.get('freshbooks')).toMatchObject({ status: 'active', lastError: null });
});

test('a different key cannot read the tokens', async () => {
  await createConnectionStore(db.pool, createTokenCipher(randomBytes(32))).saveTokens('other', tokens, t0);
  await expect(createConnectionStore(db.pool, createTokenCipher(randomBytes(32))).get('other')).rejects.toThrow(/could not be decrypted/);
});

test('back-end invoice ids are unique per provider (migration 30)', async () => {
  const { rows } = await db.pool.query<{ def: string }>(
    "SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'invoices'::regclass AND conname = 'invoices_provider_invoice_id_key'",
  );
  expect(rows.map((r) => r.def)).toEqual(['UNIQUE (provider, provider_invoice_id)']);
});
