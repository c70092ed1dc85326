import { randomBytes } from 'node:crypto';
import { storedOAuth } from './contract-oauth.js';
import { createWaveBackend, WAVE } from '../../src/providers/invoicing/wave.js';
import { createConnectionStore } from '../../src/store/connections.js';
import type { Database } from '../../src/store/db.js';
import { createTokenCipher } from '../../src/store/token-cipher.js';
import { startFakeWave } from './fake-wave.js';

/**
 * The Wave back-end as a subject of the back-end contract suite (test/integration/backend-contract.test.ts),
 * talking to the local Wave stand-in with a connection stored as the connect flow would store it.
 * What Wave's public API cannot do is declared in `lacks` (with why), so the suite asserts the honest
 * refusal instead of skipping.
 */
export async function waveSubject(db: Database) {
  const fake = await startFakeWave();
  await db.pool.query('DELETE FROM connections WHERE provider = $1', [WAVE]);
  const connections = createConnectionStore(db.pool, createTokenCipher(randomBytes(32)));
  await connections.saveTokens(WAVE, { accountId: fake.businessId, ...fake.issueTokens() }, new Date());
  const backend = createWaveBackend({
    clientId: fake.clientId,
    clientSecret: fake.clientSecret,
    redirectUri: 'http://127.0.0.1/oauth/wave/callback',
    apiUrl: fake.graphqlUrl,
    tokenUrl: fake.tokenUrl,
    connections,
    now: () => new Date(),
    // The suite makes many calls in a row; Wave's real pace is kept by the default.
    limits: { concurrency: 4, perMinute: 10_000 },
  });
  return {
    backend,
    pay: (id: string, amount?: number) => fake.pay(id, amount),
    void: (id: string) => fake.void(id),
    rateLimitNext: () => fake.failNext(1, 429, { 'retry-after': '30' }),
    held(id: string) {
      const create = fake.requests.filter((r) => r.operation === 'InvoiceCreate').at(-1)!;
      const items = (create.variables.input as { items: { unitPrice: string }[] }).items;
      const shown = fake.shown(id);
      return { total: shown.total, remaining: shown.due, sentLines: items.map((i) => i.unitPrice) };
    },
    counts: () => ({ customers: fake.customers.size, invoices: fake.invoices.size }),
    lacks: {
      void: 'deletes only drafts',
      credits: "Wave's public API has no credit notes",
      customerTax: 'Wave keeps sales taxes on products and items, not on customers',
      narrowCurrency: 'Wave keeps ISO 4217 decimals (Currency.exponent), so every amount duebot sends fits',
    },
    oauth: storedOAuth(connections, WAVE, fake),
    close: fake.close,
  };
}
