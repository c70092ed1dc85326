import type { App } from '@slack/bolt';
import { APPROVE_INVOICE, DISCARD_INVOICE, EDIT_INVOICE, EDIT_INVOICE_MODAL } from '../../blocks/ids.js';
import { editInvoiceModal, parseEditSubmission } from '../../blocks/edit-modal.js';
import { agingMessage } from '../../blocks/aging.js';
import { esc } from '../../blocks/format.js';
import { helpMessage, notAllowedMessage, unknownCommandMessage } from '../../blocks/help.js';
import { getInvoice } from '../store/invoices.js';
import { forecastSubcommands } from './forecast-commands.js';
import { invoiceActionSubcommands } from './invoice-actions-commands.js';
import { clientSettingsSubcommands } from './client-settings.js';
import { clientPageSubcommands } from './client-page-commands.js';
import { templateSubcommands } from './template-commands.js';
import { importSubcommands } from './import-commands.js';
import { connectSubcommands } from './connect-commands.js';
import { newInvoiceSubcommands } from './new-invoice.js';
import { recordsSubcommands } from './records-commands.js';
import { splitShare, subcommandOf } from './share.js';
import type { Services } from '../services.js';
import { agingNow } from '../usecases/aging.js';
import { approveInvoice, discardInvoice, editInvoice } from '../usecases/approve-and-send.js';
import { viewOf } from '../usecases/invoice-messages.js';
import { detailsForCommand, listForCommand } from '../usecases/invoice-queries.js';
import { invoiceListMessage } from '../../blocks/invoice-list.js';
import { invoiceDetailMessage } from '../../blocks/invoice-detail.js';

/** The subcommands the `/invoices` listener answers itself; the others come from the *-commands modules. */
const OWN_SUBCOMMANDS = ['list', 'show', 'aging', 'help'];

/**
 * Slack listeners stay thin: acknowledge within Slack's 3 seconds, call a use case, render blocks.
 * Who may ask is decided before they run (authorize.ts); the money buttons check for approvers again.
 * Returns the `/invoices` subcommands, which authorize.ts must each give a role.
 */
export function registerListeners(app: App, services: Services): { subcommands: string[] } {
  const isApprover = (userId: string) => services.settings.approverSlackUserIds.includes(userId);

  const refuse = async (client: App['client'], channel: string | undefined, user: string, action: string) => {
    services.log.info({ user, action }, 'non-approver refused');
    await client.chat.postEphemeral({ channel: channel ?? services.settings.billingChannelId, user, ...notAllowedMessage(action) });
  };
  const tell = async (client: App['client'], channel: string | undefined, user: string, text: string) => {
    await client.chat.postEphemeral({ channel: channel ?? services.settings.billingChannelId, user, text });
  };

  const moreSubcommands = {
    ...forecastSubcommands(services),
    ...invoiceActionSubcommands(services),
    ...clientSettingsSubcommands(services),
    ...templateSubcommands(services),
    ...importSubcommands(services),
    ...connectSubcommands(services),
    ...clientPageSubcommands(services),
    ...newInvoiceSubcommands(services),
    ...recordsSubcommands(services),
  };
  app.command('/invoices', async ({ command, ack, respond, client }) => {
    await ack();
    const { text, share: asked } = splitShare(command.text);
    const sub = subcommandOf(text);
    const argument = text.split(' ').slice(1).join(' ');
    // Shared answers go only to the billing channel: anywhere else (another channel, a DM) they could reach outsiders.
    const share = asked && command.channel_id === services.settings.billingChannelId;
    const display = { timezone: services.settings.timezone, now: services.clock.now() };
    const answer = (message: object) => respond({ response_type: share ? 'in_channel' : 'ephemeral', ...message } as never);
    const privately = (message: object) => respond({ response_type: 'ephemeral', ...message } as never);
    if (sub === 'list') {
      const list = await listForCommand(services, argument);
      await (list.ok ? answer(invoiceListMessage(list.list, display)) : privately({ text: esc(list.message) }));
    } else if (sub === 'show') {
      const details = argument ? await detailsForCommand(services, argument) : null;
      await (details
        ? answer(invoiceDetailMessage(details.view, details.reminders, details.history, display))
        : privately({
            text: argument ? `No invoice numbered "${esc(argument.slice(0, 40))}". \`/invoices list\` shows the open ones.` : 'Which invoice? Try `/invoices show INV-0042`.',
          }));
    } else if (sub === 'aging') {
      const report = await agingNow(services);
      await answer(agingMessage(report, { timezone: services.settings.timezone }));
    } else if (Object.hasOwn(moreSubcommands, sub)) {
      await moreSubcommands[sub]!({ text, userId: command.user_id, client, triggerId: command.trigger_id, respond: answer });
    } else if (sub === 'help') {
      await respond({ response_type: 'ephemeral', ...helpMessage() } as never);
    } else {
      await respond({ response_type: 'ephemeral', ...unknownCommandMessage(sub) } as never);
    }
  });

  app.action(APPROVE_INVOICE, async ({ ack, body, action, client }) => {
    const user = body.user.id;
    const channel = body.channel?.id;
    if (!isApprover(user)) {
      await ack();
      return refuse(client, channel, user, 'approve and send invoices');
    }
    // "<id>" or, on a draft over its ceiling, "<id>:<total confirmed in the dialog>" (see approveButtonValue).
    const [invoiceId = '', confirmed] = ('value' in action ? String(action.value) : '').split(':');
    const confirmedTotal = confirmed && /^\d{1,15}$/.test(confirmed) ? Number(confirmed) : undefined;
    // Acknowledged only once the approval is stored (one short transaction, well inside Slack's 3 s):
    // a crash before that shows the approver an error instead of losing an acknowledged click.
    const result = await approveInvoice(services, invoiceId, { actor: `slack:${user}`, slackUserId: user }, { confirmedTotal, onRecorded: () => ack() });
    if (result.outcome === 'held') {
      await tell(client, channel, user, `Invoice ${esc(result.invoice.number)} was not sent: ${result.reason}. Its message shows the current amount; approve it there to confirm.`);
    } else if (result.outcome === 'tax_pending') {
      await tell(client, channel, user, `Invoice ${esc(result.invoice.number)} was not approved: ${esc(result.reason)}. Recompute tax or Send without tax on its message.`);
    } else if (result.outcome === 'not_draft') {
      await tell(
        client,
        channel,
        user,
        result.invoice ? `Invoice ${esc(result.invoice.number)} is already ${result.invoice.status}; nothing to approve.` : 'That invoice no longer exists.',
      );
    }
  });

  app.action(DISCARD_INVOICE, async ({ ack, body, action, client }) => {
    await ack();
    const user = body.user.id;
    const channel = body.channel?.id;
    if (!isApprover(user)) return refuse(client, channel, user, 'discard invoices');
    const invoiceId = 'value' in action ? String(action.value) : '';
    const discarded = await discardInvoice(services, invoiceId, { actor: `slack:${user}`, slackUserId: user });
    if (!discarded) await tell(client, channel, user, 'Only drafts can be discarded; this invoice has moved on.');
  });

  app.action(EDIT_INVOICE, async ({ ack, body, action, client }) => {
    await ack();
    const user = body.user.id;
    const channel = body.channel?.id;
    if (!isApprover(user)) return refuse(client, channel, user, 'edit invoices');
    const invoice = await getInvoice(services.db.pool, 'value' in action ? String(action.value) : '');
    if (!invoice || invoice.status !== 'draft') return tell(client, channel, user, 'Only drafts can be edited; this invoice has moved on.');
    const triggerId = 'trigger_id' in body ? String(body.trigger_id) : '';
    await client.views.open({ trigger_id: triggerId, view: editInvoiceModal(await viewOf(services, invoice)) as never });
  });

  app.view(EDIT_INVOICE_MODAL, async ({ ack, body, view }) => {
    const user = body.user.id;
    if (!isApprover(user)) {
      await ack({ response_action: 'errors', errors: { [Object.keys(view.state.values)[0] ?? 'lines']: 'Only approvers can edit invoices.' } });
      return;
    }
    const invoice = await getInvoice(services.db.pool, view.private_metadata);
    if (!invoice) {
      await ack();
      return;
    }
    const parsed = parseEditSubmission(view.state.values as never, invoice.currency);
    if (!parsed.ok) {
      await ack({ response_action: 'errors', errors: parsed.errors });
      return;
    }
    await ack();
    await editInvoice(services, invoice.id, { lines: parsed.lines, dueDate: parsed.dueDate, recipients: parsed.recipients }, { actor: `slack:${user}`, slackUserId: user });
  });

  app.error(async (error) => {
    services.log.error({ err: error.message, code: (error as { code?: string }).code }, 'slack listener failed');
  });

  return { subcommands: [...OWN_SUBCOMMANDS, ...Object.keys(moreSubcommands)] };
}
