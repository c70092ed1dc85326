import type { ClientSettings } from '../domain/client-settings.js';
import type { ClientSetup } from '../domain/client-setup.js';
import type { Queryable } from './db.js';

/** The client fields changed in Slack, by client id: laid over the clients file (src/store/clients.ts). */
export async function slackOverrides(db: Queryable): Promise<Map<string, Partial<ClientSettings>>> {
  const { rows } = await db.query<{ client_id: string; settings: Partial<ClientSettings> }>('SELECT client_id, settings FROM client_settings_overrides');
  return new Map(rows.map((r) => [r.client_id, r.settings]));
}

export interface SlackOverride {
  settings: Partial<ClientSettings>;
  updatedAt: Date;
  updatedBy: string;
}

export async function slackOverrideOf(db: Queryable, clientId: string): Promise<SlackOverride | null> {
  const { rows } = await db.query<{ settings: Partial<ClientSettings>; updated_at: Date; updated_by: string }>(
    'SELECT settings, updated_at, updated_by FROM client_settings_overrides WHERE client_id = $1',
    [clientId],
  );
  const r = rows[0];
  return r ? { settings: r.settings, updatedAt: r.updated_at, updatedBy: r.updated_by } : null;
}

/** Adds the fields just changed in Slack (settings or setup) to the client's overrides (earlier Slack changes stay). */
export async function rememberSlackSettings(db: Queryable, clientId: string, changed: Partial<ClientSettings & ClientSetup>, by: string, now: Date): Promise<void> {
  await db.query(
    `INSERT INTO client_settings_overrides (client_id, settings, updated_at, updated_by) VALUES ($1, $2, $3, $4)
     ON CONFLICT (client_id) DO UPDATE SET settings = client_settings_overrides.settings || $2::jsonb, updated_at = $3, updated_by = $4`,
    [clientId, JSON.stringify(changed), now, by],
  );
}
