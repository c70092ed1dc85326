import { randomBytes } from 'node:crypto';
import { esc } from '../../blocks/format.js';
import type { Services } from '../services.js';
import type { WebhookRegistrar } from '../providers/projects/tool.js';
import {
  activateRegistration,
  countOtherResources,
  deleteRegistration,
  findRegistration,
  insertRegistration,
  purgeStalePending,
  registrationsFor,
  type WebhookRegistration,
} from '../store/webhook-registrations.js';
import { HANDSHAKE_WINDOW_MS } from './registered-webhooks.js';

/**
 * `/invoices connect <tool> <resource> [manual]` and `/invoices disconnect <tool> <resource>` for project
 * tools: duebot registers (or removes) its own webhook through the tool's API. The registration row comes
 * first, with a random token that goes into the target URL (`?hook=`); the tool's handshake is accepted only
 * for that row while it is pending (src/usecases/registered-webhooks.ts). `manual` only opens the row and
 * answers the target URL, for a webhook the approver creates by hand within the same 10 minutes.
 * Returns the text answered to the approver (Slack mrkdwn, outside text escaped).
 */
export interface ProjectToolConnectRequest {
  tool: string;
  /** The tool's resource id: an Asana project gid, a ClickUp list id, a Trello board id, a monday board id. */
  resource: string;
  slackUserId: string;
}

const LABEL: Record<string, string> = { asana: 'Asana', clickup: 'ClickUp', trello: 'Trello', monday: 'monday.com' };
const RESOURCE_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** Tools whose webhook proves itself with a handshake to the target: only those can be registered by hand. */
const HANDSHAKE_TOOLS = new Set(['asana']);

export async function connectProjectTool(services: Services, request: ProjectToolConnectRequest): Promise<string> {
  const checked = check(services, request, 'connect');
  if (typeof checked === 'string') return checked;
  const { label, resource, manual, registrar } = checked;
  const { cipher, publicUrl, maxPerTool } = services.webhooks;
  if (!cipher)
    return `Cannot connect ${label}: \`ENCRYPTION_KEY\` is not set, and duebot stores webhook secrets only sealed with it. Set it (32 bytes, e.g. \`openssl rand -base64 32\`) and restart.`;
  if (!publicUrl) return `Cannot connect ${label}: \`PUBLIC_URL\` is not set, so there is no address for ${label} to deliver to.`;
  if (!manual && !registrar) return `duebot does not register ${label} webhooks itself yet: register one by hand as docs/setup.md describes.`;

  const db = services.db.pool;
  const now = services.clock.now();
  await purgeStalePending(db, new Date(now.getTime() - HANDSHAKE_WINDOW_MS));
  const others = await countOtherResources(db, request.tool, resource);
  if (others >= maxPerTool) {
    return `:no_entry: ${label} already has ${others} webhook registrations (the limit, \`WEBHOOK_REGISTRATIONS_MAX\`). Disconnect one first with \`/invoices disconnect ${request.tool} <id>\`.`;
  }
  const previous = await registrationsFor(db, request.tool, resource);
  const token = randomBytes(24).toString('base64url');
  const targetUrl = `${publicUrl.replace(/\/+$/, '')}/webhooks/${request.tool}?hook=${token}`;
  await insertRegistration(db, { token, tool: request.tool, resource, mode: manual ? 'manual' : 'api', targetUrl, createdBy: request.slackUserId, createdAt: now });
  services.log.info({ tool: request.tool, resource, by: request.slackUserId, mode: manual ? 'manual' : 'api' }, 'webhook registration started');

  if (manual) {
    // The hand-made webhook replaces the current one: the old one stops being accepted now.
    const replaced = await removeAll(services, registrar, previous);
    return [
      `Register the ${label} webhook for ${registrar?.resourceLabel ?? 'resource'} \`${esc(resource)}\` within 10 minutes with this target URL (it is accepted once):`,
      `\`${esc(targetUrl)}\``,
      ...replaced.notes,
    ].join('\n');
  }

  let created: { webhookId: string; secret: string | null };
  try {
    created = await registrar!.create(resource, targetUrl);
  } catch (err) {
    await deleteRegistration(db, token);
    const reason = err instanceof Error ? err.message : String(err);
    services.log.warn({ tool: request.tool, resource, err: reason }, 'webhook registration failed');
    return `:x: ${label} did not create the webhook on ${registrar!.resourceLabel} \`${esc(resource)}\`: ${esc(reason)}`;
  }
  const done = services.clock.now();
  const activated = await activateRegistration(db, token, created.webhookId, created.secret === null ? null : cipher.encrypt(created.secret), done);
  const registration = activated ? await findRegistration(db, request.tool, token) : null;
  if (!registration || (registrar!.perWebhookSecret && !registration.sealedSecret)) {
    // Created at the tool but unusable here (no handshake reached us, or the row went meanwhile): undo it there.
    await registrar!.remove(created.webhookId).catch(() => undefined);
    await deleteRegistration(db, token);
    return `:x: ${label} created the webhook but no signing secret reached duebot, so it was deleted again. Check that \`PUBLIC_URL\` (${esc(publicUrl)}) reaches this bot.`;
  }
  const replaced = await removeAll(services, registrar, previous);
  services.log.info({ tool: request.tool, resource, webhookId: created.webhookId }, 'webhook registered');
  return [
    `:white_check_mark: ${label} webhook registered on ${registrar!.resourceLabel} \`${esc(resource)}\` (webhook ${esc(created.webhookId)}): completed tasks there now reach duebot.`,
    ...replaced.notes,
  ].join('\n');
}

export async function disconnectProjectTool(services: Services, request: ProjectToolConnectRequest): Promise<string> {
  const checked = check(services, request, 'disconnect');
  if (typeof checked === 'string') return checked;
  const { label, resource, registrar } = checked;
  const registrations = await registrationsFor(services.db.pool, request.tool, resource);
  if (registrations.length === 0) return `No duebot webhook is registered on ${label} \`${esc(resource)}\`.`;
  const removed = await removeAll(services, registrar, registrations);
  if (removed.failed) return [`:x: ${label} webhook on \`${esc(resource)}\` is kept: the tool refused to delete it.`, ...removed.notes].join('\n');
  services.log.info({ tool: request.tool, resource, by: request.slackUserId }, 'webhook disconnected');
  return `:white_check_mark: ${label} webhook on \`${esc(resource)}\` deleted; its deliveries are no longer accepted.`;
}

interface Checked {
  label: string;
  resource: string;
  manual: boolean;
  registrar: WebhookRegistrar | undefined;
}

/** Approver, a configured tool and a well-formed id, or the answer saying which is missing. */
function check(services: Services, request: ProjectToolConnectRequest, verb: 'connect' | 'disconnect'): Checked | string {
  if (!services.access.isApprover(request.slackUserId)) return 'Only approvers can connect or disconnect project tools.';
  const label = LABEL[request.tool] ?? request.tool;
  const tool = Object.hasOwn(services.projectTools, request.tool) ? services.projectTools[request.tool] : undefined;
  if (!tool || !(request.tool in LABEL)) return `${esc(label)} is not a configured project tool with webhooks.`;
  const [resource = '', flag, ...extra] = request.resource.trim().split(/\s+/);
  const manual = verb === 'connect' && flag?.toLowerCase() === 'manual' && HANDSHAKE_TOOLS.has(request.tool);
  if (!RESOURCE_ID.test(resource) || extra.length > 0 || (flag !== undefined && !manual)) {
    return `Usage: \`/invoices ${verb} ${request.tool} <${tool.webhookRegistrar?.resourceLabel ?? 'id'}>${verb === 'connect' && HANDSHAKE_TOOLS.has(request.tool) ? ' [manual]' : ''}\``;
  }
  return { label, resource, manual, registrar: tool.webhookRegistrar };
}

/** Deletes each webhook at the tool, then its row; a row whose webhook the tool would not delete is kept. */
async function removeAll(services: Services, registrar: WebhookRegistrar | undefined, registrations: WebhookRegistration[]): Promise<{ failed: boolean; notes: string[] }> {
  const notes: string[] = [];
  let failed = false;
  for (const r of registrations) {
    if (r.webhookId && registrar) {
      try {
        await registrar.remove(r.webhookId);
      } catch (err) {
        failed = true;
        const reason = err instanceof Error ? err.message : String(err);
        services.log.warn({ tool: r.tool, resource: r.resource, webhookId: r.webhookId, err: reason }, 'webhook could not be deleted at the tool');
        notes.push(`:warning: The earlier webhook ${esc(r.webhookId)} could not be deleted: ${esc(reason)}`);
        continue;
      }
    }
    await deleteRegistration(services.db.pool, r.token);
    if (r.webhookId) notes.push(`The earlier webhook ${esc(r.webhookId)} was deleted.`);
  }
  return { failed, notes };
}
