import type { App } from '@slack/bolt';
import { WAIVE_LATE_FEE } from '../../blocks/late-fee.js';
import { esc } from '../../blocks/format.js';
import { notAllowedMessage } from '../../blocks/help.js';
import type { Services } from '../services.js';
import { waiveLateFee } from '../usecases/late-fees.js';

/**
 * **Waive fee** on a late fee's thread note: approvers only, checked here as well as in authorize.ts,
 * whatever the button's origin (a forged click names any fee id); everyone else gets an ephemeral refusal.
 */
export function registerLateFeeActions(app: App, services: Services): void {
  app.action(WAIVE_LATE_FEE, async ({ ack, body, action, client }) => {
    await ack();
    const user = body.user.id;
    const channel = body.channel?.id ?? services.settings.billingChannelId;
    const tell = (text: string) => client.chat.postEphemeral({ channel, user, text });
    if (!services.settings.approverSlackUserIds.includes(user)) {
      services.log.info({ user, action: WAIVE_LATE_FEE }, 'non-approver refused');
      return void (await tell(notAllowedMessage('waive late fees').text));
    }
    const feeId = action && typeof action === 'object' && 'value' in action ? String(action.value) : '';
    const result = await waiveLateFee(services, feeId, { slackUserId: user });
    if (result.outcome === 'refused') await tell(esc(result.reason));
  });
}
