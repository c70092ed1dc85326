import { localDate } from '../domain/calendar.js';
import { localeOr } from '../domain/locale.js';
import { buildStatement, type Statement } from '../domain/grouped-reminders.js';
import type { ReminderTone } from '../domain/types.js';
import { renderStatementEmail, type RenderedEmail } from '../email/templates.js';
import { MailError, newMessageId } from '../providers/mail/smtp.js';
import type { RecipientRefusal } from '../providers/mail/mailer.js';
import { audit } from '../store/audit.js';
import { openBounces } from '../store/bounces.js';
import { getClient, type StoredClient } from '../store/clients.js';
import { claimEffect, completeEffect, releaseEffect } from '../store/effects.js';
import { effectiveStoredTemplate } from '../store/email-templates.js';
import { listInvoices, type InvoiceRecord } from '../store/invoices.js';
import { statementSentNote } from '../../blocks/thread.js';
import type { Services } from '../services.js';
import { emailContext } from './approve-and-send.js';
import { recordSendRefusals } from './bounces.js';
import { postInThread } from './invoice-messages.js';
import { isDefiniteMailFailure } from './mail-failures.js';
import { clientPageUrl } from './client-page.js';

/** Open invoices a statement lists: sent or partly paid, not disputed (those wait for a person). */
export async function openInvoicesOf(services: Services, clientId: string): Promise<InvoiceRecord[]> {
  const open = await listInvoices(services.db.pool, { clientId, statuses: ['sent', 'partially_paid'], disputed: false, limit: 200 });
  return open.filter((i) => i.total - i.amountPaid > 0);
}

export function statementOf(invoices: readonly InvoiceRecord[], today: string): Statement {
  return buildStatement(
    invoices.map((i) => ({ number: i.number, milestone: i.milestone, currency: i.currency, balance: i.total - i.amountPaid, dueDate: i.dueDate, paymentUrl: i.paymentUrl })),
    today,
  );
}

/**
 * The statement email from the template in force (the client's, the workspace's, else the shipped
 * one); a stored template that fails to render is logged and the shipped wording goes out.
 */
export async function renderStatementFor(services: Services, client: StoredClient, statement: Statement, tone: ReminderTone | null): Promise<RenderedEmail> {
  const view = { clientName: client.name, statement, tone, finalMode: client.finalMode, clientPageUrl: await clientPageUrl(services, client) };
  const locale = localeOr(client.locale);
  const ctx = { ...emailContext(services), locale };
  const stored = await effectiveStoredTemplate(services.db.pool, client.id, 'statement', locale);
  if (stored) {
    try {
      return renderStatementEmail(view, ctx, stored);
    } catch (err) {
      services.log.error({ client: client.id, err: err instanceof Error ? err.message : String(err) }, 'stored statement template failed to render; sent with the default wording');
    }
  }
  return renderStatementEmail(view, ctx);
}

/** Everyone the listed invoices were sent to, once each. */
export const statementRecipients = (invoices: readonly InvoiceRecord[]): string[] => [...new Set(invoices.flatMap((i) => i.recipients.map((r) => r.toLowerCase())))];

export async function sendStatementEmail(services: Services, to: string[], content: RenderedEmail, messageId: string): Promise<RecipientRefusal[]> {
  const sent = await services.mailer.send({ kind: 'statement', to, ...content, messageId, replyTo: services.settings.emailReplyTo ?? undefined });
  return sent.refused ?? [];
}

export type StatementAnswer = { outcome: 'sent'; count: number; to: string[] } | { outcome: 'not_sent'; reason: string };

/**
 * "Email statement" on `/invoices client <name>`: one email per click (the click's own key is claimed
 * in the effects ledger first, so a repeated delivery sends nothing), audit-logged and noted in each
 * listed invoice's thread. A definite mail failure gives the claim back; an unknown one stays claimed.
 */
export async function emailStatementOnRequest(services: Services, clientId: string, clickKey: string, by: { slackUserId: string }): Promise<StatementAnswer> {
  const pool = services.db.pool;
  const client = await getClient(pool, clientId);
  if (!client) return { outcome: 'not_sent', reason: 'that client is not known (any more)' };
  const invoices = await openInvoicesOf(services, client.id);
  if (!invoices.length) return { outcome: 'not_sent', reason: `${client.name} has no open invoices` };
  if ((await openBounces(pool, { clientId: client.id })).length)
    return { outcome: 'not_sent', reason: "an email to this client bounced: update the client's billing emails first" };
  const now = services.clock.now();
  const key = `statement:${client.id}:${clickKey}`;
  const messageId = newMessageId(services.settings.emailDomain, `statement.${client.id}`);
  if (!(await claimEffect(pool, { key, invoiceId: null, kind: 'statement-email', claimedBy: services.instanceId, details: { messageId } }, now))) {
    return { outcome: 'not_sent', reason: 'this click was handled already' };
  }
  const statement = statementOf(invoices, localDate(now, services.settings.timezone));
  const to = statementRecipients(invoices);
  let refused: RecipientRefusal[];
  try {
    refused = await sendStatementEmail(services, to, await renderStatementFor(services, client, statement, null), messageId);
  } catch (err) {
    if (!isDefiniteMailFailure(err)) throw err;
    await releaseEffect(pool, key);
    if (err instanceof MailError) await recordSendRefusals(services, invoices[0]!, messageId, err.refused);
    return { outcome: 'not_sent', reason: 'the mail server refused it; nothing was sent' };
  }
  const sentAt = services.clock.now();
  await completeEffect(pool, key, { messageId, to, invoices: invoices.map((i) => i.number) }, sentAt);
  await recordSendRefusals(services, invoices[0]!, messageId, refused);
  for (const invoice of invoices) {
    await audit(pool, { invoiceId: invoice.id, actor: `slack:${by.slackUserId}`, action: 'statement_sent', details: { messageId, to, invoices: invoices.length } }, sentAt);
    await postInThread(services, invoice, statementSentNote({ recipients: to, invoices: invoices.length, by: by.slackUserId, steps: [] }));
  }
  return { outcome: 'sent', count: invoices.length, to };
}
