import { classifyReply, REASON_LABEL, stripQuotedReply, type ReplyClassification } from '../domain/reply-classifier.js';
import type { InboundEmail } from '../email/inbound-formats.js';
import { audit } from '../store/audit.js';
import { claimEffect, completeEffect } from '../store/effects.js';
import { matchReply, saveInboundEmail, type InboundEmailRecord } from '../store/inbound-emails.js';
import { getInvoice, type InvoiceRecord } from '../store/invoices.js';
import { replyPost } from '../../blocks/dispute.js';
import type { Services } from '../services.js';
import { postInThread } from './invoice-messages.js';
import { markDisputed } from './mark-disputed.js';
import { snoozeReminders } from './resolve-dispute.js';

const AWAITING_MONEY = new Set(['sent', 'partially_paid']);

/**
 * One stored client reply: strip the quoted history, match it to an invoice, classify it, record it,
 * show it in the invoice's thread (or the billing channel when unmatched) with the explanation and
 * one-click corrections, and act: a dispute pauses the sequence, a promise snoozes it, an auto-reply
 * is only logged. Safe to run again for the same reply (the sweep retries a failed event).
 */
export async function handleReply(services: Services, email: InboundEmail, inboxEventId: number | null, sourceEvent: string): Promise<InboundEmailRecord> {
  const pool = services.db.pool;
  const now = services.clock.now();
  const stripped = (email.strippedText?.trim() || stripQuotedReply(email.text) || email.text).trim();
  const classification = classifyReply({ text: stripped, subject: email.subject, headers: email.headers }, now, services.settings.timezone);
  const match = await matchReply(pool, { inReplyTo: email.inReplyTo, references: email.references, subject: email.subject });
  const { record, created } = await saveInboundEmail(pool, {
    messageId: email.messageId,
    inboxEventId,
    invoiceId: match?.invoiceId ?? null,
    matchedBy: match?.matchedBy ?? 'none',
    fromAddress: email.from,
    subject: email.subject,
    referencesIds: [...email.references, ...(email.inReplyTo && !email.references.includes(email.inReplyTo) ? [email.inReplyTo] : [])],
    strippedText: stripped,
    classification,
    receivedAt: now,
  });
  if (created) {
    await audit(pool, { invoiceId: record.invoiceId, actor: 'email', action: 'reply_received', details: { from: email.from, messageId: email.messageId, matchedBy: record.matchedBy, kind: classification.kind, explanation: classification.explanation }, sourceEvent }, now);
  }
  if (record.kind === 'auto_reply') {
    services.log.info({ messageId: email.messageId, invoiceId: record.invoiceId, why: record.classification.explanation }, 'auto-reply ignored');
    return record;
  }

  const invoice = record.invoiceId ? await getInvoice(pool, record.invoiceId) : null;
  const effect = invoice ? await applyClassification(services, invoice, record, record.classification, { actor: 'email', by: email.from, sourceEvent }) : null;

  // Posted once per reply, even when the event is processed again after a crash.
  const key = `reply-post:${record.id}`;
  if (await claimEffect(pool, { key, invoiceId: record.invoiceId, kind: 'reply-post', claimedBy: services.instanceId }, services.clock.now())) {
    const message = replyPost({
      inboundId: record.id,
      from: record.fromAddress,
      subject: record.subject,
      text: record.strippedText,
      kind: record.kind,
      explanation: record.classification.explanation,
      invoiceNumber: invoice?.number ?? null,
      effect,
    });
    if (invoice) await postInThread(services, invoice, message);
    else await services.slack.post(services.settings.billingChannelId, message);
    await completeEffect(pool, key, {}, services.clock.now());
  }
  return record;
}

/** What a (possibly corrected) reading does to the invoice; returns a few words for the thread. */
export async function applyClassification(
  services: Services,
  invoice: InvoiceRecord,
  record: InboundEmailRecord,
  classification: ReplyClassification,
  by: { actor: string; by: string; sourceEvent?: string | null },
): Promise<string | null> {
  if (!AWAITING_MONEY.has(invoice.status)) return classification.kind === 'dispute' || classification.kind === 'promise' ? `nothing to do: the invoice is ${invoice.status}` : null;
  if (classification.kind === 'dispute') {
    const reason = REASON_LABEL[classification.reason ?? 'other'];
    const result = await markDisputed(services, invoice.id, { actor: by.actor, by: by.by, reason, excerpt: record.strippedText, sourceEvent: by.sourceEvent ?? null });
    return result.outcome === 'disputed' ? 'reminders paused, invoice marked disputed' : 'already disputed';
  }
  if (classification.kind === 'promise' && classification.promisedDate) {
    await snoozeReminders(services, invoice, classification.promisedDate, by);
    return `reminders snoozed until after ${classification.promisedDate}`;
  }
  return null;
}
