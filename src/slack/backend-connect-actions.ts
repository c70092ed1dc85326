import type { App } from '@slack/bolt';
import { notAllowedMessage } from '../../blocks/help.js';
import { KEEP_CURRENT_BACKEND_ACCOUNT, USE_NEW_BACKEND_ACCOUNT } from '../../blocks/backend-connect.js';
import type { Services } from '../services.js';
import { cancelPendingConnection, confirmPendingConnection } from '../usecases/connect-backend.js';

/** The billing channel's choice when an approver connected another account: approvers only, checked here. */
export function registerBackendConnectActions(app: App, services: Services): void {
  const onButton = (actionId: string, decide: (services: Services, pendingId: string, userId: string) => Promise<string | null>) =>
    app.action(actionId, async ({ ack, body, action, client }) => {
      await ack();
      const user = body.user.id;
      const channel = body.channel?.id ?? services.settings.billingChannelId;
      let note: string | null;
      if (services.access.isApprover(user)) {
        note = await decide(services, 'value' in action && typeof action.value === 'string' ? action.value : '', user);
      } else {
        services.log.info({ user, action: actionId }, 'non-approver refused');
        note = notAllowedMessage('choose which accounting account duebot uses').text;
      }
      if (note) await client.chat.postEphemeral({ channel, user, text: note });
    });
  onButton(USE_NEW_BACKEND_ACCOUNT, confirmPendingConnection);
  onButton(KEEP_CURRENT_BACKEND_ACCOUNT, cancelPendingConnection);
}
