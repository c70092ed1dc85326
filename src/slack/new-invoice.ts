import { randomUUID } from 'node:crypto';
import type { App } from '@slack/bolt';
import { NEW_INVOICE_BLOCKS, NEW_INVOICE_MODAL, chosenClient, newInvoiceModal, parseNewInvoice } from '../../blocks/new-invoice-modal.js';
import { esc } from '../../blocks/format.js';
import { notAllowedMessage } from '../../blocks/help.js';
import { localDate } from '../domain/calendar.js';
import type { Services } from '../services.js';
import { getClient } from '../store/clients.js';
import { draftOneOff, oneOffClients } from '../usecases/one-off-invoice.js';
import type { Subcommand } from './forecast-commands.js';

/** `/invoices new`: opens the one-off invoice form (approvers only, authorize.ts; checked again here as for every money action). */
export function newInvoiceSubcommands(services: Services): Record<string, Subcommand> {
  return {
    new: async ({ userId, respond, client, triggerId }) => {
      if (!services.access.isApprover(userId)) return void (await respond(notAllowedMessage('create invoices')));
      if (!triggerId) return void (await respond({ text: 'Slack sent no trigger to open the form with; try again.' }));
      await client.views.open({ trigger_id: triggerId, view: newInvoiceModal(await oneOffClients(services), randomUUID()) as never });
    },
  };
}

export function registerNewInvoice(app: App, services: Services): void {
  app.view(NEW_INVOICE_MODAL, async ({ ack, body, view, client }) => {
    const user = body.user.id;
    const values = view.state.values as never;
    const chosen = chosenClient(values);
    const found = chosen ? await getClient(services.db.pool, chosen) : null;
    if (!found?.emails.length) return void (await ack({ response_action: 'errors', errors: { [NEW_INVOICE_BLOCKS.client]: 'Choose a client.' } }));
    const parsed = parseNewInvoice(values, found.currency, localDate(services.clock.now(), services.settings.timezone));
    if (!parsed.ok) return void (await ack({ response_action: 'errors', errors: parsed.errors }));
    await ack();
    const answer = await draftOneOff(
      services,
      { clientId: found.id, lines: parsed.lines, dueDate: parsed.dueDate, termsDays: parsed.termsDays, ref: view.private_metadata },
      { actor: `slack:${user}` },
    );
    const text =
      answer.outcome === 'drafted'
        ? `:memo: Draft ${esc(answer.invoice.number)} for ${esc(found.name)} is in the billing channel, waiting for Approve & send.`
        : answer.outcome === 'duplicate'
          ? 'This form already made its draft; nothing new was created.'
          : 'That client is not known (any more); no draft was made.';
    await client.chat.postEphemeral({ channel: services.settings.billingChannelId, user, text });
  });
}
