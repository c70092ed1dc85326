import type { Queryable } from './db.js';

/** Per-webhook secrets handed to us by a provider during a handshake (Asana's X-Hook-Secret). */
export async function saveWebhookSecret(db: Queryable, provider: string, scope: string, secret: string, now: Date): Promise<void> {
  await db.query(
    `INSERT INTO webhook_secrets (provider, scope, secret, created_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (provider, scope) DO UPDATE SET secret = $3, created_at = $4`,
    [provider, scope, secret, now],
  );
}

/** All secrets of a provider: one per registered webhook, each delivery is checked against them. */
export async function webhookSecrets(db: Queryable, provider: string): Promise<string[]> {
  const { rows } = await db.query<{ secret: string }>('SELECT secret FROM webhook_secrets WHERE provider = $1 ORDER BY created_at DESC', [provider]);
  return rows.map((r) => r.secret);
}
