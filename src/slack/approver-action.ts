import type { App } from '@slack/bolt';
import { notAllowedMessage } from '../../blocks/help.js';
import type { Services } from '../services.js';

export interface ApproverPress {
  user: string;
  /** The button's value, or the selected option's. */
  value: string;
  actionTs: string;
  /** An ephemeral answer to the presser, in the channel of the press (the billing channel when none). */
  tell: (text: string) => Promise<unknown>;
}

/**
 * A button only approvers may press: acked at once, then checked here whatever the button's origin (a
 * forged click can name any id; authorize.ts refuses non-approvers first, this is the second check).
 * Anyone else gets an ephemeral "not allowed to <what>" and nothing runs.
 */
export function onApproverAction(app: App, services: Services, actionId: string, what: string, work: (press: ApproverPress) => Promise<void>): void {
  app.action(actionId, async ({ ack, body, action, client }) => {
    await ack();
    const user = body.user.id;
    const channel = body.channel?.id ?? services.settings.billingChannelId;
    const tell = (text: string) => client.chat.postEphemeral({ channel, user, text });
    if (!services.settings.approverSlackUserIds.includes(user)) {
      services.log.info({ user, action: actionId }, 'non-approver refused');
      return void (await tell(notAllowedMessage(what).text));
    }
    const a = action as { value?: unknown; selected_option?: { value?: unknown }; action_ts?: unknown };
    await work({ user, value: String(a.selected_option?.value ?? a.value ?? ''), actionTs: String(a.action_ts ?? ''), tell });
  });
}
