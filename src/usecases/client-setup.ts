import { containerKeys, slugify } from '../clients-file.js';
import { settingsOf } from '../domain/client-settings.js';
import { fieldsToSave, keepRetainerStart, setupOf, withSetup, type ClientSetup, type SetupField } from '../domain/client-setup.js';
import type { Client } from '../domain/types.js';
import { audit } from '../store/audit.js';
import { findClientByIdOrName, getClientForUpdate, insertClient, listClients, mappedDoneStatuses, updateClientSetup } from '../store/clients.js';
import { rememberSlackSettings } from '../store/client-settings.js';
import { withTransaction, type Queryable } from '../store/db.js';
import type { Services } from '../services.js';
import { saveClientSettings } from './client-settings.js';

export type SetupAnswer =
  | { outcome: 'added'; client: Client }
  | { outcome: 'saved'; changed: SetupField[] }
  | { outcome: 'unchanged' }
  | { outcome: 'not_found' }
  /** Another client already has this name or one of these containers: said on the field. */
  | { outcome: 'taken'; field: 'name' | 'asanaProjects' | 'clickupLists' | 'trelloBoards' | 'mondayBoards'; message: string };

type By = { actor: string; slackUserId: string };

/** How many "-2", "-3"… an id made from a new client's name may try before giving up. */
const ID_ATTEMPTS = 20;

/**
 * `/invoices client add`: a client as the clients file would define it (src/clients-file.ts
 * parseClientEntry), stored at once. Every field Slack can set (setup and settings) is recorded as set
 * in Slack, so a clients file that later names the same id changes none of them.
 */
export async function addClient(services: Services, client: Client, by: By): Promise<SetupAnswer> {
  const now = services.clock.now();
  const answer = await withTransaction(services.db.pool, async (tx): Promise<SetupAnswer> => {
    const taken = await clashOf(tx, null, client);
    if (taken) return taken;
    const base = slugify(client.name);
    for (let n = 1; n <= ID_ATTEMPTS; n++) {
      const candidate = { ...client, id: n === 1 ? base : `${base}-${n}` };
      if (!(await insertClient(tx, candidate, now))) continue;
      await rememberSlackSettings(tx, candidate.id, { ...settingsOf(candidate), ...setupOf(candidate) }, by.actor, now);
      await audit(tx, { invoiceId: null, actor: by.actor, action: 'client_added', details: { client: candidate.id, setup: setupOf(candidate) } }, now);
      return { outcome: 'added', client: candidate };
    }
    return { outcome: 'taken', field: 'name', message: `Clients with ids ${base} to ${base}-${ID_ATTEMPTS} exist already; choose another name.` };
  });
  if (answer.outcome === 'added') {
    services.log.info({ client: answer.client.id, by: by.actor }, 'client added in Slack');
    await refreshDoneStatuses(services);
  }
  return answer;
}

/**
 * **Edit client**: the fields this person changed are stored as Slack overrides and written to the
 * client at once. Contacts and terms go through the settings use case, which also brings the client's
 * open invoices along (src/usecases/client-settings.ts).
 */
export async function editClient(services: Services, clientId: string, submitted: ClientSetup, by: By, opened: ClientSetup | null): Promise<SetupAnswer> {
  const now = services.clock.now();
  const saved = await withTransaction(services.db.pool, async (tx) => {
    const client = await getClientForUpdate(tx, clientId);
    if (!client) return { answer: { outcome: 'not_found' } as SetupAnswer };
    const current = setupOf(client);
    const changed = fieldsToSave(current, submitted, opened);
    if (!changed.length) return { answer: { outcome: 'unchanged' } as SetupAnswer };
    const own = changed.filter((f) => f !== 'emails' && f !== 'paymentTermsDays');
    const next: ClientSetup = { ...current, ...Object.fromEntries(own.map((f) => [f, submitted[f]])) };
    next.retainer = keepRetainerStart(next.retainer, current.retainer);
    const taken = await clashOf(tx, client.id, withSetup(client, next));
    if (taken) return { answer: taken };
    if (own.length) {
      const pick = (s: ClientSetup) => Object.fromEntries(own.map((f) => [f, s[f]]));
      await rememberSlackSettings(tx, clientId, pick(next), by.actor, now);
      await updateClientSetup(tx, clientId, next, now);
      await audit(tx, { invoiceId: null, actor: by.actor, action: 'client_edited', details: { client: clientId, changed: own, before: pick(current), after: pick(next) } }, now);
    }
    return { answer: { outcome: 'saved', changed } as SetupAnswer, client };
  });
  if (saved.answer.outcome !== 'saved' || !saved.client) return saved.answer;
  if (saved.answer.changed.includes('emails') || saved.answer.changed.includes('paymentTermsDays')) {
    const before = settingsOf(saved.client);
    await saveClientSettings(services, clientId, { ...before, emails: submitted.emails, paymentTermsDays: submitted.paymentTermsDays }, by, before);
  }
  services.log.info({ client: clientId, changed: saved.answer.changed, by: by.actor }, 'client edited in Slack');
  await refreshDoneStatuses(services);
  return saved.answer;
}

/** Before saving (the modal's answer): a name or container another client has, on its field; null: none. */
export async function setupClash(services: Services, selfId: string | null, client: Client): Promise<Extract<SetupAnswer, { outcome: 'taken' }> | null> {
  return clashOf(services.db.pool, selfId, client);
}

/** A name or a project-tool container another client already has (the first one found). */
async function clashOf(db: Queryable, selfId: string | null, client: Client): Promise<Extract<SetupAnswer, { outcome: 'taken' }> | null> {
  const named = await findClientByIdOrName(db, client.name, { includeImported: false });
  if (named && named.id !== selfId) return { outcome: 'taken', field: 'name', message: `Client "${named.name}" (${named.id}) has this name already.` };
  const others = (await listClients(db)).filter((c) => c.id !== selfId);
  const owners = new Map(others.flatMap((c) => containerKeys(c).map((k) => [k.key, c] as const)));
  for (const mine of containerKeys(client)) {
    const owner = owners.get(mine.key);
    if (owner) return { outcome: 'taken', field: mine.field as 'asanaProjects', message: `${mine.id} already belongs to client "${owner.name}".` };
  }
  return null;
}

/**
 * The project tools' webhooks read `services.doneStatuses` (one array, shared with the tools): refreshed
 * in place from the database after a save here and with each authentic delivery (src/http/project-webhooks.ts),
 * so a done status saved in Slack counts at once, in this process and in any other on the same database.
 * True when the list changed.
 */
export async function refreshDoneStatuses(services: Services): Promise<boolean> {
  if (!services.doneStatuses) return false;
  const statuses = await mappedDoneStatuses(services.db.pool);
  if (statuses.length === services.doneStatuses.length && statuses.every((s, i) => s === services.doneStatuses![i])) return false;
  services.doneStatuses.splice(0, services.doneStatuses.length, ...statuses);
  return true;
}
