import type { App } from '@slack/bolt';
import { esc } from '../../blocks/format.js';
import { notAllowedMessage } from '../../blocks/help.js';
import { RECOMPUTE_TAX, SEND_WITHOUT_TAX } from '../../blocks/sales-tax.js';
import type { Services } from '../services.js';
import { approveInvoice } from '../usecases/approve-and-send.js';
import { recomputeSalesTax, skipSalesTax } from '../usecases/sales-tax.js';

/**
 * "Recompute tax" and "Send without tax" on a draft whose sales tax is pending or failed: approvers only
 * (checked here as well as in authorize.ts); everyone else gets an ephemeral refusal and nothing changes.
 */
export function registerSalesTaxActions(app: App, services: Services): void {
  const isApprover = (user: string) => services.settings.approverSlackUserIds.includes(user);

  app.action(RECOMPUTE_TAX, async ({ ack, body, action, client }) => {
    await ack();
    const user = body.user.id;
    const channel = body.channel?.id ?? services.settings.billingChannelId;
    const tell = (text: string) => client.chat.postEphemeral({ channel, user, text });
    if (!isApprover(user)) return void (await tell(notAllowedMessage('recompute sales tax').text));
    const invoiceId = 'value' in action ? String(action.value) : '';
    const answer = await recomputeSalesTax(services, invoiceId, `slack:${user}`);
    if (answer.outcome === 'refused') return void (await tell(esc(answer.reason)));
    if (answer.outcome !== 'computed') await tell(`Sales tax is still ${answer.outcome === 'pending' ? 'pending' : 'not computed'}: ${esc(answer.tax.reason ?? 'no answer')}`);
  });

  app.action(SEND_WITHOUT_TAX, async ({ ack, body, action, client }) => {
    const user = body.user.id;
    const channel = body.channel?.id ?? services.settings.billingChannelId;
    const tell = (text: string) => client.chat.postEphemeral({ channel, user, text });
    if (!isApprover(user)) {
      await ack();
      return void (await tell(notAllowedMessage('send invoices without tax').text));
    }
    const invoiceId = 'value' in action ? String(action.value) : '';
    const skipped = await skipSalesTax(services, invoiceId, `slack:${user}`);
    await ack();
    if (!skipped) return void (await tell('The tax is no longer pending (computed meanwhile, or the draft has moved on); nothing was skipped.'));
    const result = await approveInvoice(services, invoiceId, { actor: `slack:${user}`, slackUserId: user });
    if (result.outcome === 'held') await tell(`Invoice ${esc(result.invoice.number)} was not sent: ${esc(result.reason)}. Approve it on its message to confirm.`);
    else if (result.outcome === 'not_draft') await tell('That invoice has moved on; nothing was sent.');
  });
}
