import type { App } from '@slack/bolt';
import { RETRY_DEAD_LETTER } from '../../blocks/dead-letter-ids.js';
import { retryAnswerText } from '../../blocks/dead-letter.js';
import { notAllowedMessage } from '../../blocks/help.js';
import type { Services } from '../services.js';
import { retryDeadLetter } from '../usecases/retry-dead-letter.js';

/**
 * Retry on a dead letter (its billing-channel message, or `/invoices status`): approvers only, checked
 * here whatever the button's origin; everyone else gets an ephemeral refusal and nothing changes.
 */
export function registerDeadLetterActions(app: App, services: Services): void {
  app.action(RETRY_DEAD_LETTER, async ({ ack, body, action, client }) => {
    await ack();
    const user = body.user.id;
    const channel = body.channel?.id ?? services.settings.billingChannelId;
    const tell = (text: string) => client.chat.postEphemeral({ channel, user, text });
    if (!services.settings.approverSlackUserIds.includes(user)) {
      services.log.info({ user, action: RETRY_DEAD_LETTER }, 'non-approver refused');
      return void (await tell(notAllowedMessage('retry dead letters').text));
    }
    const value = action && typeof action === 'object' && 'value' in action ? String(action.value) : '';
    const answer = /^\d{1,15}$/.test(value) ? await retryDeadLetter(services, Number(value), { slackUserId: user }) : ({ outcome: 'not_dead', state: 'missing' } as const);
    await tell(retryAnswerText(answer, { timezone: services.settings.timezone }));
  });
}
