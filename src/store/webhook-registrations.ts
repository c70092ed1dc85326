import type { Queryable } from './db.js';

/**
 * Webhooks duebot registered on a project tool (one per tool and resource), each identified by the random
 * token in its target URL (`?hook=`). The secret column holds the tool's signing secret sealed with
 * ENCRYPTION_KEY; this module never sees it in plaintext.
 */
export type RegistrationMode = 'api' | 'manual';

export interface WebhookRegistration {
  token: string;
  tool: string;
  resource: string;
  mode: RegistrationMode;
  status: 'pending' | 'active';
  sealedSecret: string | null;
  webhookId: string | null;
  targetUrl: string;
  createdBy: string;
  createdAt: Date;
  activatedAt: Date | null;
  lastDeliveryAt: Date | null;
}

interface Row {
  token: string;
  tool: string;
  resource: string;
  mode: RegistrationMode;
  status: 'pending' | 'active';
  secret: string | null;
  webhook_id: string | null;
  target_url: string;
  created_by: string;
  created_at: Date;
  activated_at: Date | null;
  last_delivery_at: Date | null;
}

const toRegistration = (r: Row): WebhookRegistration => ({
  token: r.token,
  tool: r.tool,
  resource: r.resource,
  mode: r.mode,
  status: r.status,
  sealedSecret: r.secret,
  webhookId: r.webhook_id,
  targetUrl: r.target_url,
  createdBy: r.created_by,
  createdAt: new Date(r.created_at),
  activatedAt: r.activated_at ? new Date(r.activated_at) : null,
  lastDeliveryAt: r.last_delivery_at ? new Date(r.last_delivery_at) : null,
});

export async function insertRegistration(
  db: Queryable,
  r: Pick<WebhookRegistration, 'token' | 'tool' | 'resource' | 'mode' | 'targetUrl' | 'createdBy' | 'createdAt'>,
): Promise<void> {
  await db.query(
    `INSERT INTO webhook_registrations (token, tool, resource, mode, status, target_url, created_by, created_at)
     VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7)`,
    [r.token, r.tool, r.resource, r.mode, r.targetUrl, r.createdBy, r.createdAt],
  );
}

export async function findRegistration(db: Queryable, tool: string, token: string): Promise<WebhookRegistration | null> {
  const { rows } = await db.query<Row>('SELECT * FROM webhook_registrations WHERE tool = $1 AND token = $2', [tool, token]);
  return rows[0] ? toRegistration(rows[0]) : null;
}

/** Every registration of a tool for one resource (normally one; two while a reconnect is in flight). */
export async function registrationsFor(db: Queryable, tool: string, resource: string): Promise<WebhookRegistration[]> {
  const { rows } = await db.query<Row>('SELECT * FROM webhook_registrations WHERE tool = $1 AND resource = $2 ORDER BY created_at', [tool, resource]);
  return rows.map(toRegistration);
}

export async function listRegistrations(db: Queryable): Promise<WebhookRegistration[]> {
  const { rows } = await db.query<Row>('SELECT * FROM webhook_registrations ORDER BY tool, resource, created_at');
  return rows.map(toRegistration);
}

/** Resources of a tool holding a registration, other than `except` (what the per-tool bound counts). */
export async function countOtherResources(db: Queryable, tool: string, except: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>('SELECT count(DISTINCT resource) AS n FROM webhook_registrations WHERE tool = $1 AND resource <> $2', [tool, except]);
  return Number(rows[0]?.n ?? 0);
}

/**
 * The handshake: stores the sealed secret on a registration that is pending, has none yet and was created
 * after `notBefore`; a manual one becomes active at once (no API answer will follow). False: refused.
 */
export async function acceptHandshake(db: Queryable, tool: string, token: string, sealedSecret: string, notBefore: Date, now: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE webhook_registrations
        SET secret = $3,
            status = CASE WHEN mode = 'manual' THEN 'active' ELSE status END,
            activated_at = CASE WHEN mode = 'manual' THEN $5::timestamptz ELSE activated_at END
      WHERE tool = $1 AND token = $2 AND status = 'pending' AND secret IS NULL AND created_at >= $4`,
    [tool, token, sealedSecret, notBefore, now],
  );
  return (rowCount ?? 0) === 1;
}

/** The tool answered the create call: the webhook's id, and its secret when the tool hands it over (ClickUp). */
export async function activateRegistration(db: Queryable, token: string, webhookId: string, sealedSecret: string | null, now: Date): Promise<boolean> {
  const { rowCount } = await db.query(`UPDATE webhook_registrations SET status = 'active', webhook_id = $2, secret = COALESCE($3, secret), activated_at = $4 WHERE token = $1`, [
    token,
    webhookId,
    sealedSecret,
    now,
  ]);
  return (rowCount ?? 0) === 1;
}

export async function recordDelivery(db: Queryable, token: string, now: Date): Promise<void> {
  await db.query('UPDATE webhook_registrations SET last_delivery_at = $2 WHERE token = $1', [token, now]);
}

export async function deleteRegistration(db: Queryable, token: string): Promise<void> {
  await db.query('DELETE FROM webhook_registrations WHERE token = $1', [token]);
}

/** Pending registrations older than `before` never completed: nothing may ever use them. */
export async function purgeStalePending(db: Queryable, before: Date): Promise<number> {
  const { rowCount } = await db.query("DELETE FROM webhook_registrations WHERE status = 'pending' AND created_at < $1", [before]);
  return rowCount ?? 0;
}
