import type { App } from '@slack/bolt';
import { EMAIL_STATEMENT } from '../../blocks/client-summary.js';
import { esc } from '../../blocks/format.js';
import { parseStepValue, previewMessage, TODAYS_PREVIEW, TODAYS_SEND_NOW, TODAYS_SKIP, TODAYS_SNOOZE } from '../../blocks/todays-sends.js';
import type { Services } from '../services.js';
import { onApproverAction, type ApproverPress } from './approver-action.js';
import { emailStatementOnRequest } from '../usecases/statements.js';
import { previewListedStep, sendTodaysListNow, skipListedStep, snoozeListedStep } from '../usecases/todays-sends.js';

/**
 * The buttons of today's sends (Skip, Snooze, Preview, Send now) and the client summary's Email
 * statement. Approvers only: authorize.ts refuses everyone else first, and each listener checks again.
 */
export function registerTodaysSendsActions(app: App, services: Services): void {
  const onAction = (actionId: string, what: string, work: (press: ApproverPress) => Promise<void>) => onApproverAction(app, services, actionId, what, work);

  const refused = (reason: string) => `Nothing changed: ${esc(reason)}.`;

  onAction(TODAYS_SKIP, 'skip reminders', async ({ user, value, tell }) => {
    const ref = parseStepValue(value);
    const answer = ref ? await skipListedStep(services, ref, { slackUserId: user }) : { ok: false as const, reason: 'that is not a step of today’s sends' };
    if (!answer.ok) await tell(refused(answer.reason));
  });

  onAction(TODAYS_SNOOZE, 'snooze reminders', async ({ user, value, tell }) => {
    const ref = parseStepValue(value);
    const answer = ref ? await snoozeListedStep(services, ref, { slackUserId: user }) : { ok: false as const, reason: 'that is not a step of today’s sends' };
    if (!answer.ok) await tell(refused(answer.reason));
  });

  onAction(TODAYS_PREVIEW, 'preview reminders', async ({ value, tell }) => {
    const ref = parseStepValue(value);
    const answer = ref ? await previewListedStep(services, ref) : { ok: false as const, reason: 'that is not a step of today’s sends' };
    await tell(answer.ok ? previewMessage({ number: answer.number, subject: answer.email.subject, text: answer.email.text }).text : refused(answer.reason));
  });

  onAction(TODAYS_SEND_NOW, 'send reminders', async ({ user, value, tell }) => {
    const answer = /^\d{4}-\d{2}-\d{2}$/.test(value)
      ? await sendTodaysListNow(services, value, { slackUserId: user })
      : { ok: false as const, reason: 'that is not a list of today’s sends' };
    await tell(answer.ok ? `Sent now: ${answer.sent} of today's reminder emails went out.` : refused(answer.reason));
  });

  onAction(EMAIL_STATEMENT, 'email statements', async ({ user, value, actionTs, tell }) => {
    // One email per click: the click's own timestamp keys it in the effects ledger.
    if (!/^[\w.-]{1,100}$/.test(value) || !/^\d{1,12}(\.\d{1,9})?$/.test(actionTs)) return void (await tell(refused('that is not a statement request')));
    const answer = await emailStatementOnRequest(services, value, `${user}:${actionTs}`, { slackUserId: user });
    await tell(
      answer.outcome === 'sent'
        ? `Statement of ${answer.count} open invoice${answer.count === 1 ? '' : 's'} emailed to ${esc(answer.to.join(', '))}.`
        : `No statement sent: ${esc(answer.reason)}.`,
    );
  });
}
