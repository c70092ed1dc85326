import { addDays, localDate } from '../domain/calendar.js';
import { changedFields, settingsOf, type ClientSettings, type SettingField } from '../domain/client-settings.js';
import { snoozeEnd } from '../domain/dispute-sequence.js';
import { nextAllowedTime } from '../domain/quiet-hours.js';
import { replanReminders } from '../domain/replan.js';
import { audit } from '../store/audit.js';
import { findClientByIdOrName, getClient, getClientForUpdate, listClients, updateClientSettings, type StoredClient } from '../store/clients.js';
import { rememberSlackSettings, slackOverrideOf } from '../store/client-settings.js';
import { withTransaction } from '../store/db.js';
import { getInvoice, listInvoices, updateInvoice, type InvoiceRecord } from '../store/invoices.js';
import { lockSteps, moveOpenStep, replaceOpenSteps } from '../store/reminder-replan.js';
import { scheduleChangedNote } from '../../blocks/client-settings-modal.js';
import type { Services } from '../services.js';
import { postInThread, publishInvoiceMessage } from './invoice-messages.js';
import { releaseBouncesOnEmailChange } from './bounces.js';
import { recomputeSalesTax } from './sales-tax.js';

/** What the settings modal shows: the client's current settings and which of them were set in Slack. */
export interface ClientSettingsView {
  client: StoredClient;
  settings: ClientSettings;
  slackFields: SettingField[];
  /** The business time zone, used when the client has none. */
  businessTimezone: string;
}

export async function clientSettingsView(services: Services, idOrName: string, byId = false): Promise<ClientSettingsView | null> {
  const pool = services.db.pool;
  const client = byId ? await getClient(pool, idOrName) : await findClientByIdOrName(pool, idOrName);
  if (!client) return null;
  const override = await slackOverrideOf(pool, client.id);
  return {
    client,
    settings: settingsOf(client),
    slackFields: override ? (Object.keys(override.settings) as SettingField[]) : [],
    businessTimezone: services.settings.timezone,
  };
}

/** Clients for the picker of `/invoices settings` without a name. */
export async function clientChoices(services: Services): Promise<{ id: string; name: string }[]> {
  return (await listClients(services.db.pool)).map((c) => ({ id: c.id, name: c.name }));
}

export type SaveSettingsAnswer =
  { outcome: 'not_found' } | { outcome: 'unchanged' } | { outcome: 'saved'; changed: SettingField[]; replanned: number; redated: number; readdressed: number };

type By = { actor: string; slackUserId: string };

/**
 * Saves a client's settings from Slack: the changed fields are stored as Slack overrides (they win
 * over the clients file from now on), the change is audited with who made it, and open invoices
 * follow at once (see applyToInvoices).
 */
export async function saveClientSettings(services: Services, clientId: string, submitted: ClientSettings, by: By, opened?: ClientSettings | null): Promise<SaveSettingsAnswer> {
  const now = services.clock.now();
  const saved = await withTransaction(services.db.pool, async (tx) => {
    const client = await getClientForUpdate(tx, clientId);
    if (!client) return null;
    const before = settingsOf(client);
    // Only what this person changed in the modal counts: a modal opened before someone else's save
    // must not put that other change back.
    const changed = changedFields(opened ?? before, submitted).filter((f) => changedFields(before, { ...before, [f]: submitted[f] }).length > 0);
    const next: ClientSettings = { ...before, ...Object.fromEntries(changed.map((f) => [f, submitted[f]])) };
    if (!changed.length) return { before, next, changed };
    const pick = (s: ClientSettings) => Object.fromEntries(changed.map((f) => [f, s[f]]));
    await rememberSlackSettings(tx, clientId, pick(next), by.actor, now);
    await updateClientSettings(tx, clientId, next, now);
    await audit(tx, { invoiceId: null, actor: by.actor, action: 'client_settings_changed', details: { client: clientId, changed, before: pick(before), after: pick(next) } }, now);
    return { before, next, changed };
  });
  if (!saved) return { outcome: 'not_found' };
  if (!saved.changed.length) return { outcome: 'unchanged' };
  services.log.info({ client: clientId, changed: saved.changed, by: by.actor }, 'client settings changed in Slack');
  const counts = await applyToInvoices(services, clientId, saved.before, saved.next, saved.changed, by);
  // New billing emails fix the client's bounces: its held reminders resume (src/usecases/bounces.ts).
  if (saved.changed.includes('emails')) await releaseBouncesOnEmailChange(services, clientId, saved.next.emails, by);
  // A new billing address, a new sales tax: the client's drafts are taxed again (src/usecases/sales-tax.ts).
  if (saved.changed.includes('billingAddress') && services.tax)
    for (const draft of await listInvoices(services.db.pool, { clientId, statuses: ['draft'], limit: 1000 })) await recomputeSalesTax(services, draft.id, by.actor);
  return { outcome: 'saved', changed: saved.changed, ...counts };
}

const OPEN = ['sent', 'partially_paid'] as const;

/**
 * What a change does to the client's invoices:
 * - contacts: drafts and open invoices still addressed to the old contacts get the new ones
 *   (recipients edited by hand on an invoice are left alone);
 * - payment terms: drafts get the due date their creation day + the new terms give, unless their due
 *   date was edited by hand; invoices already sent keep theirs (the client has it in writing);
 * - reminder schedule: open invoices' remaining steps are re-planned (src/domain/replan.ts);
 * - time zone or quiet hours alone: remaining steps move to the next allowed time;
 * - final mode and auto-send are read when used, so they apply from the next step / the next draft
 *   (a draft already waiting for approval stays for a person to approve).
 */
async function applyToInvoices(services: Services, clientId: string, before: ClientSettings, next: ClientSettings, changed: SettingField[], by: By) {
  const pool = services.db.pool;
  const tz = services.settings.timezone;
  const has = (f: SettingField) => changed.includes(f);
  const invoices = await listInvoices(pool, { clientId, statuses: ['draft', 'approved', ...OPEN], limit: 1000 });
  let replanned = 0;
  let redated = 0;
  let readdressed = 0;
  for (const found of invoices) {
    const now = services.clock.now();
    const patch: { recipients?: string[]; dueDate?: string } = {};
    if (has('emails') && sameSet(found.recipients, before.emails)) patch.recipients = next.emails;
    if (has('paymentTermsDays') && found.status === 'draft') {
      const created = localDate(found.createdAt, tz);
      if (found.dueDate === addDays(created, before.paymentTermsDays)) patch.dueDate = addDays(created, next.paymentTermsDays);
    }
    let invoice: InvoiceRecord = found;
    if (patch.recipients || patch.dueDate) {
      const updated = await withTransaction(pool, async (tx) => {
        const u = await updateInvoice(tx, found.id, patch, now, [found.status]);
        if (u)
          await audit(
            tx,
            {
              invoiceId: found.id,
              actor: by.actor,
              action: 'client_settings_applied',
              details: { before: { recipients: found.recipients, dueDate: found.dueDate }, after: patch },
            },
            now,
          );
        return u;
      });
      if (updated) {
        invoice = updated;
        if (patch.recipients) readdressed += 1;
        if (patch.dueDate) redated += 1;
        await publishInvoiceMessage(services, invoice);
      }
    }
    if (!OPEN.includes(invoice.status as (typeof OPEN)[number]) || !invoice.sentAt) continue;
    if (has('reminderSchedule')) {
      if (await replanInvoice(services, invoice, next, by)) replanned += 1;
    } else if (has('timezone') || has('businessHours')) {
      await moveIntoBusinessHours(services, invoice.id, next);
    }
  }
  return { replanned, redated, readdressed };
}

/** Re-plans one open invoice's remaining steps from the new schedule, in one transaction with its steps locked. */
async function replanInvoice(services: Services, invoice: InvoiceRecord, next: ClientSettings, by: By): Promise<boolean> {
  const pool = services.db.pool;
  const tz = services.settings.timezone;
  const result = await withTransaction(pool, async (tx) => {
    const fresh = await getInvoice(tx, invoice.id, { forUpdate: true });
    if (!fresh?.sentAt || !OPEN.includes(fresh.status as (typeof OPEN)[number])) return null;
    const now = services.clock.now();
    const steps = await lockSteps(tx, fresh.id);
    const held = fresh.disputed || fresh.paused;
    const snoozedTill = fresh.snoozedUntil ? snoozeEnd(fresh.snoozedUntil, tz) : null;
    const plan = replanReminders({
      schedule: next.reminderSchedule,
      sentAt: fresh.sentAt,
      dueDate: fresh.dueDate,
      timezone: tz,
      takenAt: steps.takenAt,
      now,
      held,
      resumeAt: snoozedTill,
      businessHours: next.businessHours,
      clientTimezone: next.timezone ?? tz,
    });
    const status = held ? 'paused' : 'pending';
    await replaceOpenSteps(tx, fresh.id, plan.steps, status, held ? `paused: ${fresh.disputed ? 'invoice disputed' : 'reminders paused by hand'}` : null, steps.maxStepIndex);
    await audit(
      tx,
      {
        invoiceId: fresh.id,
        actor: by.actor,
        action: 'reminders_replanned',
        details: {
          before: steps.open.map((s) => ({ step: s.stepIndex, dueAt: s.dueAt.toISOString(), status: s.status })),
          after: plan.steps.map((s) => ({ day: s.day, from: s.from, tone: s.tone, dueAt: s.dueAt.toISOString(), status })),
          superseded: plan.superseded.map((s) => ({ day: s.day, from: s.from, tone: s.tone })),
        },
      },
      now,
    );
    return { invoice: fresh, first: plan.steps[0] ?? null, held };
  });
  if (!result) return false;
  await postInThread(services, result.invoice, scheduleChangedNote({ by: by.slackUserId, next: result.first, held: result.held, timezone: tz }));
  return true;
}

async function moveIntoBusinessHours(services: Services, invoiceId: string, next: ClientSettings): Promise<void> {
  const tz = next.timezone ?? services.settings.timezone;
  await withTransaction(services.db.pool, async (tx) => {
    for (const step of (await lockSteps(tx, invoiceId)).open) {
      const allowed = nextAllowedTime(step.dueAt, next.businessHours, tz);
      if (allowed.getTime() !== step.dueAt.getTime()) await moveOpenStep(tx, invoiceId, step.stepIndex, allowed);
    }
  });
}

const sameSet = (a: readonly string[], b: readonly string[]) => {
  const norm = (x: readonly string[]) => [...new Set(x.map((e) => e.toLowerCase()))].sort().join(',');
  return norm(a) === norm(b);
};
