import type { App } from '@slack/bolt';
import {
  CLIENT_PICKER_MODAL,
  CLIENT_SETTINGS_MODAL,
  OPEN_CLIENT_SETTINGS,
  SETTINGS_BLOCKS,
  clientPickerModal,
  clientSettingsModal,
  parseClientSettings,
  pickedClient,
  readSettingsMetadata,
  settingsSavedMessage,
} from '../../blocks/client-settings-modal.js';
import { esc } from '../../blocks/format.js';
import { UPDATE_BOUNCED_EMAIL } from '../../blocks/bounce.js';
import { getClient } from '../store/clients.js';
import type { Services } from '../services.js';
import { clientChoices, clientSettingsView, saveClientSettings, type ClientSettingsView } from '../usecases/client-settings.js';
import type { Subcommand } from './forecast-commands.js';

/**
 * The per-client settings modal: `/invoices settings [client]`, the App Home's per-client button
 * (`open_client_settings`, value = client id), and the modal's submission. Billing-channel members may
 * look (read-only); only approvers may save. Who may ask is decided in authorize.ts.
 */
export function clientSettingsSubcommands(services: Services): Record<string, Subcommand> {
  return {
    settings: async ({ text, userId, client, respond, triggerId }) => {
      const name = text
        .trim()
        .replace(/^\S+\s*/, '')
        .trim();
      if (!triggerId) return void (await respond({ text: 'Slack sent no trigger to open the settings with; try again.' }));
      if (!name) {
        await client.views.open({ trigger_id: triggerId, view: clientPickerModal(await clientChoices(services)) as never });
        return;
      }
      const view = await clientSettingsView(services, name);
      if (!view) return void (await respond({ text: `No client "${esc(name.slice(0, 60))}" in the clients file; use its id or its exact name.` }));
      await client.views.open({ trigger_id: triggerId, view: modalFor(services, view, userId) as never });
    },
  };
}

function modalFor(services: Services, view: ClientSettingsView, userId: string) {
  return clientSettingsModal({
    clientId: view.client.id,
    clientName: view.client.name,
    settings: view.settings,
    slackFields: view.slackFields,
    businessTimezone: view.businessTimezone,
    currency: view.client.currency,
    readOnly: !services.settings.approverSlackUserIds.includes(userId),
  });
}

export function registerClientSettings(app: App, services: Services): void {
  const isApprover = (userId: string) => services.settings.approverSlackUserIds.includes(userId);

  // Home tab's per-client button, and a bounce alert's Update email (approvers only, authorize.ts): the same modal.
  const openSettings: Parameters<typeof app.action>[1] = async ({ ack, body, action, client }) => {
    await ack();
    const clientId = 'value' in action ? String(action.value) : '';
    const view = await clientSettingsView(services, clientId, true);
    const triggerId = 'trigger_id' in body ? String(body.trigger_id) : '';
    if (!view) {
      await client.chat.postEphemeral({
        channel: body.channel?.id ?? services.settings.billingChannelId,
        user: body.user.id,
        text: `Client "${esc(clientId.slice(0, 60))}" is not known (any more).`,
      });
      return;
    }
    await client.views.open({ trigger_id: triggerId, view: modalFor(services, view, body.user.id) as never });
  };
  app.action(OPEN_CLIENT_SETTINGS, openSettings);
  app.action(UPDATE_BOUNCED_EMAIL, openSettings);

  app.view(CLIENT_PICKER_MODAL, async ({ ack, body, view }) => {
    const picked = pickedClient(view.state.values as never);
    const settings = picked ? await clientSettingsView(services, picked, true) : null;
    if (!settings) return void (await ack({ response_action: 'errors', errors: { [SETTINGS_BLOCKS.client]: 'Choose a client.' } }));
    await ack({ response_action: 'update', view: modalFor(services, settings, body.user.id) as never });
  });

  app.view(CLIENT_SETTINGS_MODAL, async ({ ack, body, view, client }) => {
    const user = body.user.id;
    if (!isApprover(user)) {
      services.log.info({ user }, 'non-approver refused: client settings');
      return void (await ack({ response_action: 'errors', errors: { [SETTINGS_BLOCKS.emails]: 'Only invoice approvers can change client settings; nothing was saved.' } }));
    }
    const meta = readSettingsMetadata(view.private_metadata);
    if (!meta)
      return void (await ack({ response_action: 'errors', errors: { [SETTINGS_BLOCKS.emails]: 'This form lost track of its client; close it and open the settings again.' } }));
    const parsed = parseClientSettings(view.state.values as never, (await getClient(services.db.pool, meta.clientId))?.currency);
    if (!parsed.ok) return void (await ack({ response_action: 'errors', errors: parsed.errors }));
    await ack();
    const answer = await saveClientSettings(services, meta.clientId, parsed.settings, { actor: `slack:${user}`, slackUserId: user }, meta.opened);
    const text =
      answer.outcome === 'saved'
        ? settingsSavedMessage({ clientName: (await clientSettingsView(services, meta.clientId, true))?.client.name ?? meta.clientId, ...answer }).text
        : answer.outcome === 'unchanged'
          ? 'Nothing changed; the client settings stay as they were.'
          : `Client "${esc(meta.clientId)}" is not known (any more); nothing was saved.`;
    await client.chat.postEphemeral({ channel: services.settings.billingChannelId, user, text });
  });
}
