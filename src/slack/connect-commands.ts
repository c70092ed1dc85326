import { esc } from '../../blocks/format.js';
import { notAllowedMessage } from '../../blocks/help.js';
import type { Services } from '../services.js';
import { connectProjectTool, disconnectProjectTool } from '../usecases/connect-project-tool.js';
import { disconnectBackend, sendConnectLink } from '../usecases/connect-backend.js';
import { backendWebhooks, connectBackendWebhooks, disconnectBackendWebhooks } from '../usecases/connect-backend-webhooks.js';
import type { Subcommand } from './forecast-commands.js';

/**
 * `/invoices connect <name> [resource]` and `/invoices disconnect <name> [resource]` (approvers only).
 * A project tool name (asana, clickup, trello, monday) with a resource registers or removes duebot's webhook on
 * that resource; `asana` alone (with ASANA_CLIENT_ID set) connects Asana by OAuth like a back-end; an invoicing back-end name (quickbooks, freshbooks, any configured OAuth connector) DMs
 * the approver a one-time connect link, or deletes the stored connection (src/usecases/connect-backend.ts);
 * a back-end whose webhooks duebot creates itself (invoiceninja) gets them registered or deleted
 * (src/usecases/connect-backend-webhooks.ts).
 */
export function connectSubcommands(services: Services): Record<string, Subcommand> {
  const handle =
    (verb: 'connect' | 'disconnect'): Subcommand =>
    async ({ text, userId, respond }) => {
      if (!services.access.isApprover(userId)) return void (await respond(notAllowedMessage(`${verb} accounts`)));
      const [name = '', ...rest] = text.trim().split(/\s+/).slice(1);
      const target = name.toLowerCase();
      const resource = rest.join(' ');
      // `asana` alone is its OAuth connection (when configured); `asana <project gid>` its webhook on that project.
      const oauth = Object.hasOwn(services.oauth.connectors, target);
      if (Object.hasOwn(services.projectTools, target) && (resource !== '' || !oauth)) {
        const request = { tool: target, resource, slackUserId: userId };
        await respond({ text: verb === 'connect' ? await connectProjectTool(services, request) : await disconnectProjectTool(services, request) });
        return;
      }
      if (oauth) {
        await respond({ text: verb === 'connect' ? await sendConnectLink(services, target, userId) : await disconnectBackend(services, target, userId) });
        return;
      }
      if (backendWebhooks(services, target)) {
        await respond({ text: verb === 'connect' ? await connectBackendWebhooks(services, target, userId) : await disconnectBackendWebhooks(services, target, userId) });
        return;
      }
      const names = [
        ...new Set([
          ...Object.keys(services.oauth.connectors),
          ...Object.keys(services.backends).filter((b) => backendWebhooks(services, b)),
          ...Object.keys(services.projectTools).filter((tool) => services.projectTools[tool]!.webhookRegistrar),
        ]),
      ];
      const known = names.length ? ` Configured here: ${names.join(', ')}.` : ' Nothing here can be connected from Slack yet: configure a back-end or project tool first.';
      await respond({ text: esc(`Usage: \`/invoices ${verb} <back-end>\` or \`/invoices ${verb} <project tool> <project/list/board id>\`.${known}`) });
    };
  return { connect: handle('connect'), disconnect: handle('disconnect') };
}
