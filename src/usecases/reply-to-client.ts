import { createHash } from 'node:crypto';
import { renderClientReply } from '../email/client-reply.js';
import { newMessageId } from '../providers/mail/smtp.js';
import { audit } from '../store/audit.js';
import { claimEffect, completeEffect, releaseEffect } from '../store/effects.js';
import { getInboundEmail } from '../store/inbound-emails.js';
import { getInvoice } from '../store/invoices.js';
import { clientReplySentNote, replySubject } from '../../blocks/dispute.js';
import type { Services } from '../services.js';
import { postInThread } from './invoice-messages.js';
import { isDefiniteMailFailure } from './mail-failures.js';

export type ClientReplyOutcome = 'sent' | 'duplicate' | 'not_found' | 'no_address' | 'failed';

/**
 * Emails a person's answer to the client, threaded under the client's message (In-Reply-To and
 * References), at most once per submission, and records it in the invoice thread. It goes to exactly
 * one address: the one the From header parsed to (shown in the modal), never the raw header.
 */
export async function replyToClient(services: Services, inboundId: number, request: { text: string; slackUserId: string; submissionId: string }): Promise<ClientReplyOutcome> {
  const pool = services.db.pool;
  const inbound = await getInboundEmail(pool, inboundId);
  if (!inbound) return 'not_found';
  const to = inbound.replyAddress;
  if (!to) return 'no_address';
  const key = `client-reply:${inboundId}:${createHash('sha256').update(request.submissionId).digest('hex').slice(0, 16)}`;
  if (!(await claimEffect(pool, { key, invoiceId: inbound.invoiceId, kind: 'client-reply', claimedBy: services.instanceId }, services.clock.now()))) return 'duplicate';

  const invoice = inbound.invoiceId ? await getInvoice(pool, inbound.invoiceId) : null;
  const messageId = newMessageId(services.settings.emailDomain, invoice ? `${invoice.number.toLowerCase()}.reply` : 'reply');
  const content = renderClientReply({ text: request.text, businessName: services.settings.businessName });
  try {
    await services.mailer.send({
      kind: 'reply',
      to: [to],
      subject: replySubject(inbound.subject),
      ...content,
      messageId,
      replyTo: services.settings.emailReplyTo ?? undefined,
      inReplyTo: inbound.messageId,
      references: [...inbound.referencesIds.filter((id) => id !== inbound.messageId), inbound.messageId],
    });
  } catch (err) {
    if (isDefiniteMailFailure(err)) await releaseEffect(pool, key);
    services.log.warn({ inboundId, err: err instanceof Error ? err.message : String(err) }, 'reply to client failed');
    return 'failed';
  }
  const now = services.clock.now();
  await completeEffect(pool, key, { messageId }, now);
  await audit(
    pool,
    { invoiceId: inbound.invoiceId, actor: `slack:${request.slackUserId}`, action: 'client_replied', details: { to, messageId, inReplyTo: inbound.messageId } },
    now,
  );
  const note = clientReplySentNote({ by: request.slackUserId, to, text: request.text });
  if (invoice) await postInThread(services, invoice, note);
  else await services.slack.post(services.settings.billingChannelId, note);
  return 'sent';
}
