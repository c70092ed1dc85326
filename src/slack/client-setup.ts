import type { App } from '@slack/bolt';
import { CLIENT_SETUP_MODAL, EDIT_CLIENT, SETUP_BLOCKS, clientSetupModal, parseClientSetup, readSetupMetadata } from '../../blocks/client-setup-modal.js';
import { esc } from '../../blocks/format.js';
import { notAllowedMessage } from '../../blocks/help.js';
import { setupOf, withSetup } from '../domain/client-setup.js';
import type { Services } from '../services.js';
import { getClient } from '../store/clients.js';
import { addClient, editClient, setupClash, type SetupAnswer } from '../usecases/client-setup.js';

/** `/invoices client add`: approvers only (the `client` subcommand itself is a read). */
export async function openAddClient(services: Services, o: { userId: string; triggerId?: string; client: App['client']; respond: (m: { text: string }) => Promise<unknown> }) {
  if (!services.access.isApprover(o.userId)) return void (await o.respond(notAllowedMessage('add clients')));
  if (!o.triggerId) return void (await o.respond({ text: 'Slack sent no trigger to open the form with; try again.' }));
  await o.client.views.open({ trigger_id: o.triggerId, view: clientSetupModal({ clientId: null, setup: null }) as never });
}

/**
 * The client setup modal: **Edit client** on `/invoices client <name>` and its submission (both for
 * approvers only, authorize.ts). A name or project another client has is refused on its field.
 */
export function registerClientSetup(app: App, services: Services): void {
  app.action(EDIT_CLIENT, async ({ ack, body, action, client }) => {
    await ack();
    const found = await getClient(services.db.pool, 'value' in action ? String(action.value) : '');
    const triggerId = 'trigger_id' in body ? String(body.trigger_id) : '';
    if (!found) return void (await services.slack.directMessage(body.user.id, { text: 'That client is not known (any more).' }));
    await client.views.open({ trigger_id: triggerId, view: clientSetupModal({ clientId: found.id, setup: setupOf(found) }) as never });
  });

  app.view(CLIENT_SETUP_MODAL, async ({ ack, body, view, client }) => {
    const user = body.user.id;
    const meta = readSetupMetadata(view.private_metadata);
    if (!meta) return void (await ack({ response_action: 'errors', errors: { [SETUP_BLOCKS.name]: 'This form lost track of its client; close it and open it again.' } }));
    const parsed = parseClientSetup(view.state.values as never);
    if (!parsed.ok) return void (await ack({ response_action: 'errors', errors: parsed.errors }));
    // Checked before answering, so a clash shows on its field; the save checks again in its transaction.
    const existing = meta.clientId ? await getClient(services.db.pool, meta.clientId) : null;
    const clash = await setupClash(services, meta.clientId, existing ? withSetup(existing, setupOf(parsed.client)) : parsed.client);
    if (clash) return void (await ack({ response_action: 'errors', errors: { [SETUP_BLOCKS[clash.field]]: clash.message } }));
    await ack();
    const by = { actor: `slack:${user}`, slackUserId: user };
    const answer = meta.clientId ? await editClient(services, meta.clientId, setupOf(parsed.client), by, meta.opened) : await addClient(services, parsed.client, by);
    await client.chat.postEphemeral({ channel: services.settings.billingChannelId, user, text: savedText(answer, parsed.client.name) });
  });
}

function savedText(answer: SetupAnswer, name: string): string {
  switch (answer.outcome) {
    case 'added':
      return `:white_check_mark: Client *${esc(answer.client.name)}* added (id \`${esc(answer.client.id)}\`). Its milestones are invoiced from now on; \`/invoices settings ${esc(answer.client.id)}\` sets its reminders.`;
    case 'saved':
      return `:white_check_mark: Client *${esc(name)}* saved (${answer.changed.length} field${answer.changed.length === 1 ? '' : 's'} changed); it applies at once.`;
    case 'unchanged':
      return 'Nothing changed; the client stays as it was.';
    case 'not_found':
      return 'That client is not known (any more); nothing was saved.';
    case 'taken':
      return `Nothing was saved: ${esc(answer.message)}`;
  }
}
