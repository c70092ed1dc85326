import { DEFAULT_LOCALE, localeOr, type Locale } from '../domain/locale.js';
import type { EmailTemplate } from '../email/default-templates.js';
import type { Queryable } from './db.js';

/** The workspace-wide template's scope; a client's own override uses the client id. */
export const WORKSPACE_SCOPE = '*';

/** One edited template: per scope, kind and language (an edit made before languages existed is English). */
export interface StoredTemplate extends EmailTemplate {
  scope: string;
  kind: string;
  locale: Locale;
  updatedAt: Date;
  updatedBy: string;
}

interface Row {
  scope: string;
  kind: string;
  locale: string;
  subject: string;
  body: string;
  updated_at: Date;
  updated_by: string;
}

const toStored = (r: Row): StoredTemplate => ({
  scope: r.scope,
  kind: r.kind,
  locale: localeOr(r.locale),
  subject: r.subject,
  body: r.body,
  updatedAt: r.updated_at,
  updatedBy: r.updated_by,
});

export async function getStoredTemplate(db: Queryable, scope: string, kind: string, locale: Locale = DEFAULT_LOCALE): Promise<StoredTemplate | null> {
  const { rows } = await db.query<Row>('SELECT * FROM email_templates WHERE scope = $1 AND kind = $2 AND locale = $3', [scope, kind, locale]);
  return rows[0] ? toStored(rows[0]) : null;
}

/** In the client's language: the client's own template if it has one, else the workspace's; null: the shipped default. */
export async function effectiveStoredTemplate(db: Queryable, clientId: string, kind: string, locale: Locale = DEFAULT_LOCALE): Promise<StoredTemplate | null> {
  const { rows } = await db.query<Row>(`SELECT * FROM email_templates WHERE kind = $2 AND locale = $4 AND scope IN ($1, $3) ORDER BY (scope = $3) LIMIT 1`, [
    clientId,
    kind,
    WORKSPACE_SCOPE,
    locale,
  ]);
  return rows[0] ? toStored(rows[0]) : null;
}

export async function listStoredTemplates(db: Queryable): Promise<StoredTemplate[]> {
  const { rows } = await db.query<Row>('SELECT * FROM email_templates ORDER BY scope, kind, locale');
  return rows.map(toStored);
}

export async function saveTemplate(db: Queryable, t: { scope: string; kind: string; locale?: Locale; subject: string; body: string; by: string }, now: Date): Promise<void> {
  await db.query(
    `INSERT INTO email_templates (scope, kind, subject, body, updated_at, updated_by, locale) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (scope, kind, locale) DO UPDATE SET subject = EXCLUDED.subject, body = EXCLUDED.body, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by`,
    [t.scope, t.kind, t.subject, t.body, now, t.by, t.locale ?? DEFAULT_LOCALE],
  );
}

/** Back to the shipped wording (or, for a client, to the workspace template). True when a row went. */
export async function deleteTemplate(db: Queryable, scope: string, kind: string, locale: Locale = DEFAULT_LOCALE): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM email_templates WHERE scope = $1 AND kind = $2 AND locale = $3', [scope, kind, locale]);
  return (rowCount ?? 0) > 0;
}
