import { randomBytes } from 'node:crypto';
import { esc } from '../../blocks/format.js';
import { SECRET_HEADER, webhookSubscriptionsOf, type WebhookSubscriptions } from '../providers/invoicing/backend-webhooks.js';
import type { Services } from '../services.js';
import { audit } from '../store/audit.js';
import { activateRegistration, deleteRegistration, insertRegistration, listRegistrations, type WebhookRegistration } from '../store/webhook-registrations.js';

/**
 * `/invoices connect <back-end>` for back-ends whose webhooks duebot creates through their API with a
 * secret header of its own (Invoice Ninja signs nothing). Per event: a registration row first (random
 * `?hook=` token in the target URL), then the webhook at the back-end carrying a fresh random secret,
 * which is stored sealed on that row. Deliveries are accepted only for an active row with its secret
 * (src/http/invoiceninja-webhook.ts). Success replaces the webhooks of an earlier connect. Approvers only.
 */
export function backendWebhooks(services: Services, provider: string): WebhookSubscriptions | null {
  return Object.hasOwn(services.backends, provider) ? webhookSubscriptionsOf(services.backends[provider]) : null;
}

export async function connectBackendWebhooks(services: Services, provider: string, userId: string): Promise<string> {
  if (!services.access.isApprover(userId)) return 'Only approvers can connect back-ends.';
  const subscriptions = backendWebhooks(services, provider);
  if (!subscriptions) return `${esc(provider)} is not configured here.`;
  const { label } = subscriptions;
  const { cipher, publicUrl } = services.webhooks;
  if (!cipher)
    return `Cannot register ${label} webhooks: \`ENCRYPTION_KEY\` is not set, and duebot stores webhook secrets only sealed with it. Payments are still found by polling.`;
  if (!publicUrl) return `Cannot register ${label} webhooks: \`PUBLIC_URL\` is not set, so there is no address to deliver to. Payments are still found by polling.`;

  const db = services.db.pool;
  const previous = (await listRegistrations(db)).filter((r) => r.tool === provider);
  const made: { token: string; webhookId: string | null }[] = [];
  try {
    for (const event of subscriptions.events) {
      const token = randomBytes(24).toString('base64url');
      const secret = randomBytes(32).toString('base64url');
      const targetUrl = `${publicUrl.replace(/\/+$/, '')}/webhooks/${provider}?hook=${token}`;
      await insertRegistration(db, { token, tool: provider, resource: event, mode: 'api', targetUrl, createdBy: userId, createdAt: services.clock.now() });
      const entry: { token: string; webhookId: string | null } = { token, webhookId: null };
      made.push(entry);
      entry.webhookId = await subscriptions.create(event, targetUrl, { [SECRET_HEADER]: secret });
      await activateRegistration(db, token, entry.webhookId, cipher.encrypt(secret), services.clock.now());
    }
  } catch (err) {
    // All or nothing: what this attempt made is taken back, the earlier webhooks stay.
    for (const entry of made) {
      if (entry.webhookId) await subscriptions.remove(entry.webhookId).catch(() => undefined);
      await deleteRegistration(db, entry.token);
    }
    const reason = err instanceof Error ? err.message : String(err);
    services.log.warn({ provider, err: reason }, 'backend webhook registration failed');
    return `:x: ${label} did not create the webhooks: ${esc(reason)}. Payments are still found by polling.`;
  }
  const notes = await removeAll(services, subscriptions, previous);
  await audit(db, { invoiceId: null, actor: `slack:${userId}`, action: 'backend_webhooks_registered', details: { provider, events: subscriptions.events } }, services.clock.now());
  services.log.info({ provider, by: userId }, 'backend webhooks registered');
  return [
    `:white_check_mark: ${label} webhooks registered (${subscriptions.events.map((e) => `\`${e}\``).join(', ')}), each with its own secret header: payments there now reach duebot at once (polling continues as a safety net).`,
    ...notes,
  ].join('\n');
}

export async function disconnectBackendWebhooks(services: Services, provider: string, userId: string): Promise<string> {
  if (!services.access.isApprover(userId)) return 'Only approvers can disconnect back-ends.';
  const subscriptions = backendWebhooks(services, provider);
  if (!subscriptions) return `${esc(provider)} is not configured here.`;
  const registrations = (await listRegistrations(services.db.pool)).filter((r) => r.tool === provider);
  if (registrations.length === 0) return `No duebot webhook is registered on ${subscriptions.label}.`;
  const notes = await removeAll(services, subscriptions, registrations);
  await audit(services.db.pool, { invoiceId: null, actor: `slack:${userId}`, action: 'backend_webhooks_removed', details: { provider } }, services.clock.now());
  return [`:white_check_mark: ${subscriptions.label} webhooks deleted; their deliveries are no longer accepted (polling continues).`, ...notes].join('\n');
}

/** Deletes each webhook at the back-end, then its row; a row whose webhook would not go is kept. */
async function removeAll(services: Services, subscriptions: WebhookSubscriptions, registrations: WebhookRegistration[]): Promise<string[]> {
  const notes: string[] = [];
  for (const r of registrations) {
    if (r.webhookId) {
      try {
        await subscriptions.remove(r.webhookId);
      } catch (err) {
        notes.push(`:warning: The earlier webhook ${esc(r.webhookId)} could not be deleted: ${esc(err instanceof Error ? err.message : String(err))}`);
        continue;
      }
    }
    await deleteRegistration(services.db.pool, r.token);
  }
  return notes;
}
