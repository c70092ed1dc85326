import { clientSummaryMessage } from '../../blocks/client-summary.js';
import { notAllowedMessage } from '../../blocks/help.js';
import { statusMessage } from '../../blocks/status.js';
import { toneLabel, when } from '../../blocks/invoice-actions.js';
import { esc } from '../../blocks/format.js';
import type { Services } from '../services.js';
import { clientSummary } from '../usecases/client-summary.js';
import { pauseInvoice, resumeInvoice, type PauseAnswer } from '../usecases/pause-invoice.js';
import { integrationStatus } from '../usecases/integration-status.js';
import { remindNow } from '../usecases/remind-now.js';
import type { Subcommand } from './forecast-commands.js';
import { openAddClient } from './client-setup.js';

/** The words after the subcommand: `/invoices pause INV-0042` → "INV-0042". */
export const argumentOf = (text: string) =>
  text
    .trim()
    .replace(/^\S+\s*/, '')
    .trim();

/**
 * `/invoices pause|resume|remind <number>`: approvers only, since each one changes what the client
 * hears about money. `/invoices client <name>` and `/invoices status` only read. Dispatched from the `/invoices` listener.
 */
export function invoiceActionSubcommands(services: Services): Record<string, Subcommand> {
  const isApprover = (userId: string) => services.settings.approverSlackUserIds.includes(userId);
  const tz = services.settings.timezone;

  const pauseOrResume =
    (verb: 'pause' | 'resume'): Subcommand =>
    async ({ text, userId, respond }) => {
      if (!isApprover(userId)) return void (await respond(notAllowedMessage(`${verb} reminders`)));
      const number = argumentOf(text);
      if (!number) return void (await respond({ text: `Which invoice? Try \`/invoices ${verb} INV-0042\`.` }));
      const by = { actor: `slack:${userId}`, by: userId };
      const answer = verb === 'pause' ? await pauseInvoice(services, number, by) : await resumeInvoice(services, number, by);
      await respond({ text: pauseReply(verb, number, answer, tz) });
    };

  return {
    client: async ({ text, userId, respond, client, triggerId }) => {
      const name = argumentOf(text);
      if (!name) return void (await respond({ text: 'Which client? Try `/invoices client acme` (its id or name).' }));
      if (name.toLowerCase() === 'add') return openAddClient(services, { userId, triggerId, client, respond });
      const summary = await clientSummary(services, name);
      await respond(
        summary
          ? clientSummaryMessage(summary.client, summary.stats, { editable: isApprover(userId) })
          : { text: `No client "${esc(name.slice(0, 60))}" in the clients file; use its id or its exact name.` },
      );
    },
    status: async ({ respond }) => {
      await respond(statusMessage(await integrationStatus(services), { timezone: tz }));
    },
    pause: pauseOrResume('pause'),
    resume: pauseOrResume('resume'),
    remind: async ({ text, userId, respond }) => {
      if (!isApprover(userId)) return void (await respond(notAllowedMessage('send reminders')));
      const number = argumentOf(text);
      if (!number) return void (await respond({ text: 'Which invoice? Try `/invoices remind INV-0042`.' }));
      const answer = await remindNow(services, number, { actor: `slack:${userId}` });
      if (answer.outcome === 'sent') {
        await respond({
          text: `:email: Sent ${toneLabel(answer.tone)} (step ${answer.stepNumber}) for ${esc(answer.invoice.number)} to ${esc(answer.invoice.recipients.join(', '))}.`,
        });
      } else {
        const name = answer.invoice ? esc(answer.invoice.number) : `"${esc(number.slice(0, 40))}"`;
        await respond({ text: `No reminder sent for ${name}: ${esc(answer.reason)}.` });
      }
    },
  };
}

function pauseReply(verb: 'pause' | 'resume', typed: string, answer: PauseAnswer, timezone: string): string {
  switch (answer.outcome) {
    case 'not_found':
      return `No invoice numbered "${esc(typed.slice(0, 40))}". \`/invoices list\` shows the open ones.`;
    case 'not_open': {
      const { number, status } = answer.invoice;
      return status === 'draft' || status === 'approved'
        ? `${esc(number)} has not been sent yet, so it has no reminders to ${verb}.`
        : `${esc(number)} is ${status.replace('_', ' ')}; it gets no reminders, nothing to ${verb}.`;
    }
    case 'already':
      return verb === 'pause' ? `Reminders for ${esc(answer.invoice.number)} are already paused.` : `Reminders for ${esc(answer.invoice.number)} are not paused.`;
    case 'paused':
      return `:double_vertical_bar: Reminders for ${esc(answer.invoice.number)} paused (${answer.heldSteps} held). \`/invoices resume ${esc(answer.invoice.number)}\` carries on where they stopped.`;
    case 'resumed':
      if (answer.stillDisputed) return `Reminders for ${esc(answer.invoice.number)} are no longer paused, but the invoice is disputed: they wait until the dispute is resolved.`;
      return `:arrow_forward: Reminders for ${esc(answer.invoice.number)} resumed. ${answer.next ? `Next one: ${when(answer.next, timezone)}.` : 'No reminders are left to send.'}`;
  }
}
