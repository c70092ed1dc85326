import type { Queryable } from './db.js';
import type { Logger } from '../log.js';
import type { TokenCipher } from './token-cipher.js';

/**
 * Per-webhook secrets handed to us by a provider while its webhook is set up (FreshBooks' verifier), sealed
 * with ENCRYPTION_KEY like the OAuth tokens: the table never holds a secret in plaintext.
 */
export async function saveWebhookSecret(db: Queryable, cipher: TokenCipher, provider: string, scope: string, secret: string, now: Date): Promise<void> {
  await db.query(
    `INSERT INTO webhook_secrets (provider, scope, secret, created_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (provider, scope) DO UPDATE SET secret = $3, created_at = $4`,
    [provider, scope, cipher.encrypt(secret), now],
  );
}

/** All secrets of a provider, unsealed; a value that does not unseal (another key, tampered) is skipped. */
export async function webhookSecrets(db: Queryable, cipher: TokenCipher | null, provider: string): Promise<string[]> {
  if (!cipher) return [];
  const { rows } = await db.query<{ secret: string }>('SELECT secret FROM webhook_secrets WHERE provider = $1 ORDER BY created_at DESC', [provider]);
  return rows.flatMap((r) => {
    try {
      return [cipher.decrypt(r.secret)];
    } catch {
      return [];
    }
  });
}

const SEALED = /^v1\.[\w-]+\.[\w-]+\.[\w-]*$/;

/**
 * Start-up: rows an older version stored in plaintext. FreshBooks verifiers are sealed in place when
 * ENCRYPTION_KEY is set (left unused with a warning otherwise). Asana secrets planted by the old
 * unauthenticated handshake are deleted: no registration duebot started vouches for them.
 */
export async function sealPlaintextWebhookSecrets(db: Queryable, cipher: TokenCipher | null, log: Logger): Promise<{ sealed: number; deleted: number; unsealed: number }> {
  const { rows } = await db.query<{ provider: string; scope: string; secret: string }>('SELECT provider, scope, secret FROM webhook_secrets');
  const plain = rows.filter((r) => !SEALED.test(r.secret));
  let sealed = 0;
  let deleted = 0;
  for (const row of plain) {
    if (row.provider === 'asana') {
      await db.query('DELETE FROM webhook_secrets WHERE provider = $1 AND scope = $2', [row.provider, row.scope]);
      deleted += 1;
    } else if (cipher) {
      await db.query('UPDATE webhook_secrets SET secret = $3 WHERE provider = $1 AND scope = $2 AND secret = $4', [
        row.provider,
        row.scope,
        cipher.encrypt(row.secret),
        row.secret,
      ]);
      sealed += 1;
    }
  }
  const unsealed = plain.length - sealed - deleted;
  if (deleted)
    log.warn({ deleted }, 'removed Asana webhook secrets stored by hand-made webhooks of an older version: reconnect each project with /invoices connect asana <project gid>');
  if (sealed) log.info({ sealed }, 'sealed webhook secrets stored in plaintext by an older version');
  if (unsealed) log.warn({ unsealed }, 'webhook secrets stored in plaintext are not used until ENCRYPTION_KEY is set');
  return { sealed, deleted, unsealed };
}
