import type { App } from '@slack/bolt';
import { EMAIL_STATEMENT } from '../../blocks/client-summary.js';
import { esc } from '../../blocks/format.js';
import { notAllowedMessage } from '../../blocks/help.js';
import { parseStepValue, previewMessage, TODAYS_PREVIEW, TODAYS_SEND_NOW, TODAYS_SKIP, TODAYS_SNOOZE } from '../../blocks/todays-sends.js';
import type { Services } from '../services.js';
import { emailStatementOnRequest } from '../usecases/statements.js';
import { previewListedStep, sendTodaysListNow, skipListedStep, snoozeListedStep } from '../usecases/todays-sends.js';

/**
 * The buttons of today's sends (Skip, Snooze, Preview, Send now) and the client summary's Email
 * statement. Approvers only: authorize.ts refuses everyone else first, and each listener checks again.
 */
export function registerTodaysSendsActions(app: App, services: Services): void {
  const onAction = (actionId: string, what: string, work: (o: { user: string; value: string; actionTs: string; tell: (text: string) => Promise<unknown> }) => Promise<void>) =>
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
      const value = String(a.selected_option?.value ?? a.value ?? '');
      await work({ user, value, actionTs: String(a.action_ts ?? ''), tell });
    });

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
