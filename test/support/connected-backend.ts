import { randomBytes } from 'node:crypto';
import { createConnectionStore, type ConnectionStore } from '../../src/store/connections.js';
import { createTokenCipher } from '../../src/store/token-cipher.js';
import type { Database } from '../../src/store/db.js';

/** An OAuth back-end connected as the connect flow leaves it: its tokens stored for `provider` (any earlier ones replaced). */
export async function connectedStore(
  db: Database,
  provider: string,
  accountId: string,
  tokens: { accessToken: string; refreshToken: string; expiresAt: Date },
): Promise<ConnectionStore> {
  await db.pool.query('DELETE FROM connections WHERE provider = $1', [provider]);
  const connections = createConnectionStore(db.pool, createTokenCipher(randomBytes(32)));
  await connections.saveTokens(provider, { accountId, ...tokens }, new Date());
  return connections;
}

/** The options an OAuth adapter (QuickBooks, FreshBooks) needs to talk to its stand-in at `url`. */
export const onFake = (fake: { clientId: string; clientSecret: string; url: string }, connections: ConnectionStore) => ({
  clientId: fake.clientId,
  clientSecret: fake.clientSecret,
  redirectUri: 'http://127.0.0.1/cb',
  apiUrl: fake.url,
  connections,
  now: () => new Date(),
});
