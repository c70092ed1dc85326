import type { App } from '@slack/bolt';
import {
  ADJUST_AMOUNT,
  ADJUST_MODAL,
  MARK_DISPUTED,
  PROMISE_ACTIONS,
  PROMISE_BLOCKS,
  PROMISE_MODAL,
  REPLY_ACTIONS,
  REPLY_BLOCKS,
  REPLY_MARK_DISPUTED,
  REPLY_MODAL,
  REPLY_NOT_DISPUTE,
  REPLY_PROMISE,
  REPLY_TO_CLIENT,
  RESOLVE_DISPUTE,
} from '../../blocks/dispute-ids.js';
import { promiseModal, reclassifiedNote, replyModal } from '../../blocks/dispute.js';
import { adjustAmountModal, parseAdjustChoice } from '../../blocks/adjust-modal.js';
import { EDIT_BLOCKS } from '../../blocks/ids.js';
import { esc } from '../../blocks/format.js';
import { getClient } from '../store/clients.js';
import { adjustAmount } from '../usecases/adjust-amount.js';
import { creditInvoiceBalance } from '../usecases/credit-invoice.js';
import { viewOf } from '../usecases/invoice-messages.js';
import { notAllowedMessage } from '../../blocks/help.js';
import { addDays, assertYmd, localDate } from '../domain/calendar.js';
import type { ReplyClassification } from '../domain/reply-classifier.js';
import { getInboundEmail, reclassifyInboundEmail, type InboundEmailRecord } from '../store/inbound-emails.js';
import { getInvoice } from '../store/invoices.js';
import { audit } from '../store/audit.js';
import type { Services } from '../services.js';
import { applyClassification } from '../usecases/handle-reply.js';
import { postInThread } from '../usecases/invoice-messages.js';
import { markDisputed } from '../usecases/mark-disputed.js';
import { replyToClient } from '../usecases/reply-to-client.js';
import { resolveDispute } from '../usecases/resolve-dispute.js';

/**
 * Dispute controls: Mark disputed / Resolve: amount stands on the invoice message, and on each client
 * reply the classification corrections and Reply to client. Approvers only (ephemeral refusal otherwise).
 */
export function registerDisputeActions(app: App, services: Services): void {
  const isApprover = (userId: string) => services.settings.approverSlackUserIds.includes(userId);
  const ephemeral = async (client: App['client'], channel: string | undefined, user: string, message: { text: string; blocks?: unknown[] }) => {
    await client.chat.postEphemeral({
      channel: channel ?? services.settings.billingChannelId,
      user,
      text: message.text,
      ...(message.blocks ? { blocks: message.blocks as never } : {}),
    });
  };
  const valueOf = (action: unknown) => (action && typeof action === 'object' && 'value' in action ? String((action as { value: unknown }).value) : '');

  /** ack, who may act, what was clicked: the shape every button here shares. */
  const onButton = (
    actionId: string,
    what: string,
    work: (o: { user: string; channel: string | undefined; value: string; triggerId: string; client: App['client'] }) => Promise<void>,
  ) =>
    app.action(actionId, async ({ ack, body, action, client }) => {
      await ack();
      const user = body.user.id;
      const channel = body.channel?.id;
      if (!isApprover(user)) {
        services.log.info({ user, action: actionId }, 'non-approver refused');
        await ephemeral(client, channel, user, notAllowedMessage(what));
        return;
      }
      await work({ user, channel, value: valueOf(action), triggerId: 'trigger_id' in body ? String(body.trigger_id) : '', client });
    });

  onButton(MARK_DISPUTED, 'mark invoices disputed', async ({ user, channel, value, client }) => {
    const result = await markDisputed(services, value, { actor: `slack:${user}`, by: user, reason: 'marked in Slack', excerpt: '' });
    if (result.outcome === 'unchanged')
      await ephemeral(client, channel, user, {
        text: result.invoice
          ? `Invoice ${esc(result.invoice.number)} is ${result.invoice.disputed ? 'already disputed' : result.invoice.status}; nothing changed.`
          : 'That invoice no longer exists.',
      });
  });

  onButton(RESOLVE_DISPUTE, 'resolve disputes', async ({ user, channel, value, client }) => {
    const resolved = await resolveDispute(services, value, { actor: `slack:${user}`, by: user });
    if (!resolved) await ephemeral(client, channel, user, { text: 'This invoice is not disputed (any more); nothing changed.' });
  });

  onButton(ADJUST_AMOUNT, 'adjust invoice amounts', async ({ user, channel, value, triggerId, client }) => {
    const invoice = await getInvoice(services.db.pool, value);
    if (!invoice?.disputed) return ephemeral(client, channel, user, { text: 'Only a disputed invoice can be adjusted here.' });
    const terms = (await getClient(services.db.pool, invoice.clientId))?.paymentTermsDays ?? 0;
    const dueDate = addDays(localDate(services.clock.now(), services.settings.timezone), terms);
    const backendName = services.backends[invoice.provider]?.name ?? invoice.provider;
    await client.views.open({ trigger_id: triggerId, view: adjustAmountModal(await viewOf(services, invoice), { backendName, dueDate }) as never });
  });

  app.view(ADJUST_MODAL, async ({ ack, body, view }) => {
    const user = body.user.id;
    if (!isApprover(user)) return void (await ack({ response_action: 'errors', errors: { [EDIT_BLOCKS.lines]: 'Only approvers can adjust invoices.' } }));
    const invoice = await getInvoice(services.db.pool, view.private_metadata);
    if (!invoice?.disputed) return void (await ack({ response_action: 'errors', errors: { [EDIT_BLOCKS.lines]: 'This invoice is no longer disputed; nothing to adjust.' } }));
    const choice = parseAdjustChoice(view.state.values as never, invoice.currency, invoice.total, invoice.total - invoice.amountPaid);
    if (!choice.submission.ok) return void (await ack({ response_action: 'errors', errors: choice.submission.errors }));
    await ack();
    const result =
      choice.mode === 'credit' && choice.submission.ok
        ? await creditInvoiceBalance(services, invoice.id, { amount: choice.submission.credit, reason: choice.submission.reason, submissionId: view.id }, { slackUserId: user })
        : choice.mode === 'reissue' && choice.submission.ok
          ? await adjustAmount(services, invoice.id, choice.submission, { slackUserId: user })
          : null;
    if (result?.outcome === 'refused') await services.slack.directMessage(user, { text: `Invoice ${esc(invoice.number)} was not adjusted: ${esc(result.reason)}` });
  });

  const reclassify = async (inbound: InboundEmailRecord, classification: ReplyClassification, user: string) => {
    await reclassifyInboundEmail(services.db.pool, inbound.id, classification);
    await audit(
      services.db.pool,
      {
        invoiceId: inbound.invoiceId,
        actor: `slack:${user}`,
        action: 'reply_reclassified',
        details: { from: inbound.kind, to: classification.kind, messageId: inbound.messageId },
      },
      services.clock.now(),
    );
    const invoice = inbound.invoiceId ? await getInvoice(services.db.pool, inbound.invoiceId) : null;
    if (invoice) await postInThread(services, invoice, reclassifiedNote({ by: user, kind: classification.kind }));
    return invoice;
  };

  onButton(REPLY_MARK_DISPUTED, 'mark invoices disputed', async ({ user, channel, value, client }) => {
    const inbound = await getInboundEmail(services.db.pool, Number(value));
    if (!inbound?.invoiceId) return ephemeral(client, channel, user, { text: 'That reply is not linked to an invoice.' });
    // A dispute reading that was not acted on keeps its reason; any other reading becomes a general dispute.
    const reason = inbound.kind === 'dispute' ? (inbound.classification.reason ?? 'other') : 'other';
    const invoice = await reclassify(inbound, { kind: 'dispute', reason, promisedDate: null, explanation: `Dispute: marked by <@${user}>` }, user);
    if (invoice) await markDisputed(services, invoice.id, { actor: `slack:${user}`, by: user, reason: 'client reply, marked in Slack', excerpt: inbound.strippedText });
  });

  onButton(REPLY_NOT_DISPUTE, 'correct reply classifications', async ({ user, channel, value, client }) => {
    const inbound = await getInboundEmail(services.db.pool, Number(value));
    if (!inbound?.invoiceId) return ephemeral(client, channel, user, { text: 'That reply is not linked to an invoice.' });
    const invoice = await reclassify(inbound, { kind: 'other', reason: null, promisedDate: null, explanation: `Not a dispute: corrected by <@${user}>` }, user);
    // The reading caused the dispute, so undoing it resumes the sequence exactly like a resolution.
    if (invoice?.disputed) await resolveDispute(services, invoice.id, { actor: `slack:${user}`, by: user });
  });

  onButton(REPLY_PROMISE, 'correct reply classifications', async ({ user, channel, value, triggerId, client }) => {
    const inbound = await getInboundEmail(services.db.pool, Number(value));
    if (!inbound?.invoiceId) return ephemeral(client, channel, user, { text: 'That reply is not linked to an invoice.' });
    const today = localDate(services.clock.now(), services.settings.timezone);
    // The date the reply promised (even one too far out to act on by itself), else a week from today.
    const promised = inbound.classification.promisedDate;
    const initialDate = promised && promised >= today ? promised : addDays(today, 7);
    await client.views.open({ trigger_id: triggerId, view: promiseModal({ inboundId: inbound.id, initialDate }) as never });
  });

  onButton(REPLY_TO_CLIENT, 'reply to clients', async ({ user, channel, value, triggerId, client }) => {
    const inbound = await getInboundEmail(services.db.pool, Number(value));
    if (!inbound) return ephemeral(client, channel, user, { text: 'That reply no longer exists.' });
    if (!inbound.replyAddress) return ephemeral(client, channel, user, { text: "That reply's From line has no valid address to answer." });
    await client.views.open({ trigger_id: triggerId, view: replyModal({ inboundId: inbound.id, to: inbound.replyAddress, subject: inbound.subject }) as never });
  });

  app.view(PROMISE_MODAL, async ({ ack, body, view }) => {
    const user = body.user.id;
    if (!isApprover(user)) return void (await ack({ response_action: 'errors', errors: { [PROMISE_BLOCKS.date]: 'Only approvers can change reminders.' } }));
    const date = view.state.values[PROMISE_BLOCKS.date]?.[PROMISE_ACTIONS.date]?.selected_date ?? '';
    const today = localDate(services.clock.now(), services.settings.timezone);
    let valid = false;
    try {
      valid = assertYmd(date) >= today;
    } catch {
      valid = false;
    }
    if (!valid) return void (await ack({ response_action: 'errors', errors: { [PROMISE_BLOCKS.date]: 'Pick today or a later date.' } }));
    await ack();
    const inbound = await getInboundEmail(services.db.pool, Number(view.private_metadata));
    if (!inbound?.invoiceId) return;
    const classification: ReplyClassification = { kind: 'promise', reason: null, promisedDate: date, explanation: `Promise to pay by ${date}: set by <@${user}>` };
    const invoice = await reclassify(inbound, classification, user);
    if (invoice) await applyClassification(services, invoice, inbound, classification, { actor: `slack:${user}`, by: user });
  });

  app.view(REPLY_MODAL, async ({ ack, body, view }) => {
    const user = body.user.id;
    if (!isApprover(user)) return void (await ack({ response_action: 'errors', errors: { [REPLY_BLOCKS.text]: 'Only approvers can email clients.' } }));
    const text = view.state.values[REPLY_BLOCKS.text]?.[REPLY_ACTIONS.text]?.value?.trim() ?? '';
    if (!text) return void (await ack({ response_action: 'errors', errors: { [REPLY_BLOCKS.text]: 'Write a message first.' } }));
    await ack();
    const outcome = await replyToClient(services, Number(view.private_metadata), { text, slackUserId: user, submissionId: view.id });
    if (outcome === 'failed') {
      await services.slack.directMessage(user, { text: 'Your reply to the client could not be sent (mail server problem). Please try again.' });
    } else if (outcome === 'no_address') {
      await services.slack.directMessage(user, { text: "Your reply was not sent: the client's email has no valid From address to answer." });
    }
  });
}
