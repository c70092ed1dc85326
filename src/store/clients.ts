import type { BillingAddress } from '../domain/billing-address.js';
import type { LateFeeSettings } from '../domain/late-fees.js';
import type { BusinessHours, Client, MilestoneMapping, ReminderStep, Retainer, TimeBilling } from '../domain/types.js';
import { withSlackSettings, type ClientSettings } from '../domain/client-settings.js';
import { withSetup, type ClientSetup } from '../domain/client-setup.js';
import { slackOverrides } from './client-settings.js';
import { isLocale } from '../domain/locale.js';
import type { Queryable } from './db.js';

interface ClientRow {
  id: string;
  name: string;
  emails: string[];
  currency: string;
  payment_terms_days: number;
  provider: Client['provider'];
  asana_project_gids: string[];
  tool_containers: Record<string, string[]> | null;
  reminder_schedule: ReminderStep[];
  final_mode: Client['finalMode'];
  auto_send: boolean;
  provider_customer_id: string | null;
  retainer: Retainer | null;
  timezone: string | null;
  business_hours: BusinessHours | null;
  milestone_mapping: MilestoneMapping | null;
  time_billing: TimeBilling | null;
  freshbooks_tax?: string | null;
  pay_instructions?: string | null;
  max_invoice_amount?: number | null;
  billing_address?: BillingAddress | null;
  client_page?: boolean;
  locale?: string | null;
  group_reminders?: boolean;
  send_at?: string | null;
  late_fee?: LateFeeSettings | null;
}

export interface StoredClient extends Client {
  providerCustomerId: string | null;
}

function toClient(r: ClientRow): StoredClient {
  return {
    id: r.id,
    name: r.name,
    emails: r.emails,
    currency: r.currency,
    paymentTermsDays: r.payment_terms_days,
    provider: r.provider,
    asanaProjectGids: r.asana_project_gids,
    ...(r.tool_containers && Object.keys(r.tool_containers).length ? { toolContainers: r.tool_containers } : {}),
    reminderSchedule: r.reminder_schedule,
    finalMode: r.final_mode,
    autoSend: r.auto_send,
    ...(r.retainer ? { retainer: r.retainer } : {}),
    ...(r.timezone ? { timezone: r.timezone } : {}),
    ...(r.business_hours ? { businessHours: r.business_hours } : {}),
    ...(r.milestone_mapping ? { mapping: r.milestone_mapping } : {}),
    ...(r.time_billing ? { timeBilling: r.time_billing } : {}),
    ...(r.freshbooks_tax ? { freshbooksTax: r.freshbooks_tax } : {}),
    ...(r.pay_instructions ? { payInstructions: r.pay_instructions } : {}),
    ...(r.max_invoice_amount != null ? { maxInvoiceAmount: r.max_invoice_amount } : {}),
    ...(r.billing_address ? { billingAddress: r.billing_address } : {}),
    ...(r.client_page ? { clientPage: true } : {}),
    ...(isLocale(r.locale) ? { locale: r.locale } : {}),
    ...(r.group_reminders ? { groupReminders: true } : {}),
    ...(r.send_at ? { sendAt: r.send_at } : {}),
    ...(r.late_fee ? { lateFee: r.late_fee } : {}),
    providerCustomerId: r.provider_customer_id,
  };
}

const CLIENT_INSERT = `INSERT INTO clients (id, name, emails, currency, payment_terms_days, provider, asana_project_gids, reminder_schedule, final_mode, auto_send, updated_at, tool_containers, retainer,
         timezone, business_hours, milestone_mapping, time_billing, freshbooks_tax, pay_instructions, max_invoice_amount, billing_address, client_page, locale, late_fee, group_reminders, send_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26)`;

function clientParams(c: Client, now: Date): unknown[] {
  return [
    c.id,
    c.name,
    c.emails,
    c.currency,
    c.paymentTermsDays,
    c.provider,
    c.asanaProjectGids,
    JSON.stringify(c.reminderSchedule),
    c.finalMode,
    c.autoSend,
    now,
    JSON.stringify(c.toolContainers ?? {}),
    c.retainer ? JSON.stringify(c.retainer) : null,
    c.timezone ?? null,
    c.businessHours ? JSON.stringify(c.businessHours) : null,
    c.mapping ? JSON.stringify(c.mapping) : null,
    c.timeBilling ? JSON.stringify(c.timeBilling) : null,
    c.freshbooksTax ?? null,
    c.payInstructions ?? null,
    c.maxInvoiceAmount ?? null,
    c.billingAddress ? JSON.stringify(c.billingAddress) : null,
    c.clientPage ?? false,
    c.locale ?? null,
    c.lateFee ? JSON.stringify(c.lateFee) : null,
    c.groupReminders ?? false,
    c.sendAt ?? null,
  ];
}

/**
 * Inserts or updates clients from the clients file; the remembered back-end customer id is kept, and
 * the fields changed in Slack (src/store/client-settings.ts: settings and setup) win over the file's values.
 */
export async function upsertClients(db: Queryable, clients: readonly Client[], now: Date): Promise<void> {
  const overrides = await slackOverrides(db);
  for (const fileClient of clients) {
    const slack = overrides.get(fileClient.id) ?? {};
    const c = withSetup(withSlackSettings(fileClient, slack), slack as Partial<ClientSetup>);
    await db.query(
      `${CLIENT_INSERT}
       ON CONFLICT (id) DO UPDATE SET name = $2, emails = $3, currency = $4, payment_terms_days = $5, provider = $6,
         asana_project_gids = $7, reminder_schedule = $8, final_mode = $9, auto_send = $10, updated_at = $11, tool_containers = $12,
         retainer = $13, retainer_since = CASE WHEN $13::jsonb IS NULL THEN NULL ELSE clients.retainer_since END,
         timezone = $14, business_hours = $15, milestone_mapping = $16, time_billing = $17, freshbooks_tax = $18, pay_instructions = $19,
         max_invoice_amount = $20, billing_address = $21, client_page = $22, locale = $23, late_fee = $24, group_reminders = $25, send_at = $26`,
      clientParams(c, now),
    );
  }
}

/** A client added in Slack; false when its id is taken (the caller picks another). */
export async function insertClient(db: Queryable, client: Client, now: Date): Promise<boolean> {
  const { rowCount } = await db.query(`${CLIENT_INSERT} ON CONFLICT (id) DO NOTHING`, clientParams(client, now));
  return rowCount === 1;
}

/**
 * Writes a client's setup from the Slack client modal. A new back-end forgets the customer id of the
 * old one; a removed retainer forgets when it was first seen.
 */
export async function updateClientSetup(db: Queryable, clientId: string, s: ClientSetup, now: Date): Promise<void> {
  await db.query(
    `UPDATE clients SET name = $2, emails = $3, currency = $4, payment_terms_days = $5,
       provider_customer_id = CASE WHEN provider = $6 THEN provider_customer_id ELSE NULL END, provider = $6,
       asana_project_gids = $7, tool_containers = $8, retainer = $9, retainer_since = CASE WHEN $9::jsonb IS NULL THEN NULL ELSE retainer_since END,
       milestone_mapping = $10, updated_at = $11 WHERE id = $1`,
    [
      clientId,
      s.name,
      s.emails,
      s.currency,
      s.paymentTermsDays,
      s.provider,
      s.asanaProjectGids,
      JSON.stringify(s.toolContainers),
      s.retainer ? JSON.stringify(s.retainer) : null,
      s.mapping ? JSON.stringify(s.mapping) : null,
      now,
    ],
  );
}

/** Writes a client's editable settings (the effective values, after a change in Slack). */
export async function updateClientSettings(db: Queryable, clientId: string, s: ClientSettings, now: Date): Promise<void> {
  await db.query(
    `UPDATE clients SET emails = $2, payment_terms_days = $3, reminder_schedule = $4, final_mode = $5, auto_send = $6, timezone = $7, business_hours = $8, updated_at = $9,
       billing_address = $10, client_page = COALESCE($11, client_page), locale = COALESCE($12, locale), late_fee = $13,
       group_reminders = $14, send_at = $15 WHERE id = $1`,
    [
      clientId,
      s.emails,
      s.paymentTermsDays,
      JSON.stringify(s.reminderSchedule),
      s.finalMode,
      s.autoSend,
      s.timezone,
      s.businessHours ? JSON.stringify(s.businessHours) : null,
      now,
      s.billingAddress ? JSON.stringify(s.billingAddress) : null,
      s.clientPage ?? null,
      s.locale ?? null,
      s.lateFee ? JSON.stringify(s.lateFee) : null,
      s.groupReminders ?? false,
      s.sendAt ?? null,
    ],
  );
}

/** Locks the client row for a settings change, so two saves apply one after the other. */
export async function getClientForUpdate(db: Queryable, id: string): Promise<StoredClient | null> {
  const { rows } = await db.query<ClientRow>('SELECT * FROM clients WHERE id = $1 FOR UPDATE', [id]);
  return rows[0] ? toClient(rows[0]) : null;
}

/** Of these clients, the ones that group their reminders into statements (one query for a sweep's due steps). */
export async function clientsGroupingReminders(db: Queryable, ids: readonly string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const { rows } = await db.query<{ id: string }>('SELECT id FROM clients WHERE id = ANY($1::text[]) AND group_reminders', [ids]);
  return new Set(rows.map((r) => r.id));
}

export async function getClient(db: Queryable, id: string): Promise<StoredClient | null> {
  const { rows } = await db.query<ClientRow>('SELECT * FROM clients WHERE id = $1', [id]);
  return rows[0] ? toClient(rows[0]) : null;
}

export async function listClients(db: Queryable): Promise<StoredClient[]> {
  const { rows } = await db.query<ClientRow>('SELECT * FROM clients ORDER BY name');
  return rows.map(toClient);
}

/**
 * Finds the client a project-tool task belongs to: by the tool's container (Asana project, ClickUp list,
 * Trello board, monday board) first, then by the task's "Client" field.
 */
export async function findClientForTask(db: Queryable, projectIds: readonly string[], clientField: string | null, tool = 'asana'): Promise<StoredClient | null> {
  if (projectIds.length > 0) {
    const { rows } =
      tool === 'asana'
        ? await db.query<ClientRow>('SELECT * FROM clients WHERE asana_project_gids && $1::text[] ORDER BY id LIMIT 1', [projectIds])
        : await db.query<ClientRow>(
            `SELECT * FROM clients WHERE EXISTS (SELECT 1 FROM jsonb_array_elements_text(COALESCE(tool_containers -> $2::text, '[]'::jsonb)) AS c(id) WHERE c.id = ANY($1::text[]))
             ORDER BY id LIMIT 1`,
            [projectIds, tool],
          );
    if (rows[0]) return toClient(rows[0]);
  }
  // A client an import created (no emails, no reminders) never receives milestones.
  return clientField && clientField.trim() ? findClientByIdOrName(db, clientField, { includeImported: false }) : null;
}

/** The done statuses the clients' mappings name (src/providers/projects/mapping.ts), each once. */
export async function mappedDoneStatuses(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ status: string }>(
    "SELECT DISTINCT milestone_mapping->>'doneStatus' AS status FROM clients WHERE milestone_mapping->>'doneStatus' IS NOT NULL ORDER BY 1",
  );
  return rows.map((r) => r.status);
}

export async function rememberProviderCustomer(db: Queryable, clientId: string, providerCustomerId: string): Promise<void> {
  await db.query('UPDATE clients SET provider_customer_id = $2 WHERE id = $1 AND provider_customer_id IS DISTINCT FROM $2', [clientId, providerCustomerId]);
}

/** A client by its id or its name, as people type them in Slack (case-insensitive); a clients-file client before an imported one. */
export async function findClientByIdOrName(db: Queryable, text: string, options: { includeImported?: boolean } = {}): Promise<StoredClient | null> {
  const { rows } = await db.query<ClientRow>(
    'SELECT * FROM clients WHERE (lower(id) = lower($1) OR lower(name) = lower($1)) AND (NOT imported OR $2::boolean) ORDER BY imported, id LIMIT 1',
    [text.trim(), options.includeImported ?? true],
  );
  return rows[0] ? toClient(rows[0]) : null;
}

/** Clients with a retainer, each with the business date its retainer was first seen (null: not yet). */
export async function listRetainerClients(db: Queryable): Promise<(StoredClient & { retainer: Retainer; retainerSince: string | null })[]> {
  const { rows } = await db.query<ClientRow & { retainer_since_text: string | null }>(
    "SELECT *, to_char(retainer_since, 'YYYY-MM-DD') AS retainer_since_text FROM clients WHERE retainer IS NOT NULL ORDER BY id",
  );
  return rows.map((r) => ({ ...toClient(r), retainer: r.retainer!, retainerSince: r.retainer_since_text }));
}

/** Records the first-seen date once (the earliest writer wins when two processes race); returns the stored date. */
export async function markRetainerSeen(db: Queryable, clientId: string, today: string): Promise<string> {
  await db.query('UPDATE clients SET retainer_since = $2::date WHERE id = $1 AND retainer_since IS NULL', [clientId, today]);
  const { rows } = await db.query<{ since: string }>("SELECT to_char(retainer_since, 'YYYY-MM-DD') AS since FROM clients WHERE id = $1", [clientId]);
  return rows[0]?.since ?? today;
}
