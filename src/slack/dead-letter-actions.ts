import type { App } from '@slack/bolt';
import { RETRY_DEAD_LETTER } from '../../blocks/dead-letter-ids.js';
import { retryAnswerText } from '../../blocks/dead-letter.js';
import type { Services } from '../services.js';
import { onApproverAction } from './approver-action.js';
import { retryDeadLetter } from '../usecases/retry-dead-letter.js';

/**
 * Retry on a dead letter (its billing-channel message, or `/invoices status`): approvers only, checked
 * here whatever the button's origin; everyone else gets an ephemeral refusal and nothing changes.
 */
export function registerDeadLetterActions(app: App, services: Services): void {
  onApproverAction(app, services, RETRY_DEAD_LETTER, 'retry dead letters', async ({ user, value, tell }) => {
    const answer = /^\d{1,15}$/.test(value) ? await retryDeadLetter(services, Number(value), { slackUserId: user }) : ({ outcome: 'not_dead', state: 'missing' } as const);
    await tell(retryAnswerText(answer, { timezone: services.settings.timezone }));
  });
}
