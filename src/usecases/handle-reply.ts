import { classifyReply, REASON_LABEL, stripQuotedReply, type ReplyClassification } from '../domain/reply-classifier.js';
import { decideReplyAction, DEFAULT_PROMISE_MAX_DAYS, type ReplyVerdict } from '../domain/reply-trust.js';
import { localDate } from '../domain/calendar.js';
import { localeOr, type Locale } from '../domain/locale.js';
import { parseFrom, type Mailbox } from '../email/from-header.js';
import type { InboundEmail } from '../email/inbound-formats.js';
import { getClient } from '../store/clients.js';
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
 * is only logged. Only a reply that is provably the client's acts by itself (src/domain/reply-trust.ts);
 * any other is posted for a person with the reason. Safe to run again for the same reply (the sweep
 * retries a failed event).
 */
export async function handleReply(services: Services, email: InboundEmail, inboxEventId: number | null, sourceEvent: string): Promise<InboundEmailRecord> {
  const pool = services.db.pool;
  const now = services.clock.now();
  const stripped = (email.strippedText?.trim() || stripQuotedReply(email.text) || email.text).trim();
  const match = await matchReply(pool, { inReplyTo: email.inReplyTo, references: email.references, subject: email.subject });
  const classification = classifyReply({ text: stripped, subject: email.subject, headers: email.headers }, now, services.settings.timezone, await clientLocale(services, match));
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
  const invoice = record.invoiceId ? await getInvoice(pool, record.invoiceId) : null;
  // Stored before the From header was parsed at ingest: read it now.
  const from = email.fromEntries === undefined ? parseFrom(email.from) : email;
  const verdict = invoice ? await replyVerdict(services, invoice, record, from) : null;
  if (created) {
    const trust = verdict ? (verdict.act ? { actedOn: verdict.basis } : { notActedOn: verdict.reason }) : {};
    await audit(
      pool,
      {
        invoiceId: record.invoiceId,
        actor: 'email',
        action: 'reply_received',
        details: {
          from: email.from,
          sender: from.sender?.address ?? null,
          messageId: email.messageId,
          matchedBy: record.matchedBy,
          kind: classification.kind,
          explanation: classification.explanation,
          ...trust,
        },
        sourceEvent,
      },
      now,
    );
  }
  if (record.kind === 'auto_reply') {
    services.log.info({ messageId: email.messageId, invoiceId: record.invoiceId, why: record.classification.explanation }, 'auto-reply ignored');
    return record;
  }

  // A reply that is not provably the client's (or promises a date out of bounds) changes nothing by itself.
  const notActedOn = invoice && verdict && !verdict.act && AWAITING_MONEY.has(invoice.status) ? verdict.reason : null;
  if (notActedOn) services.log.info({ messageId: email.messageId, invoice: invoice?.number, why: notActedOn }, 'reply not acted on; posted for a person');
  const effect =
    invoice && !notActedOn
      ? await applyClassification(services, invoice, record, record.classification, { actor: 'email', by: from.sender?.address ?? email.from, sourceEvent })
      : null;

  // Posted once per reply, even when the event is processed again after a crash.
  const key = `reply-post:${record.id}`;
  if (await claimEffect(pool, { key, invoiceId: record.invoiceId, kind: 'reply-post', claimedBy: services.instanceId }, services.clock.now())) {
    const message = replyPost({
      inboundId: record.id,
      from: record.fromAddress,
      sender: record.sender,
      subject: record.subject,
      text: record.strippedText,
      kind: record.kind,
      explanation: record.classification.explanation,
      invoiceNumber: invoice?.number ?? null,
      effect,
      notActedOn,
    });
    if (invoice) await postInThread(services, invoice, message);
    else await services.slack.post(services.settings.billingChannelId, message);
    await completeEffect(pool, key, {}, services.clock.now());
  }
  return record;
}

/** The language of the client the reply is about (its dates are read that way first); English when unmatched. */
async function clientLocale(services: Services, match: { invoiceId: string } | null): Promise<Locale> {
  const invoice = match ? await getInvoice(services.db.pool, match.invoiceId) : null;
  return localeOr(invoice ? (await getClient(services.db.pool, invoice.clientId))?.locale : null);
}

/** Whether this reply's dispute or promise may act by itself (src/domain/reply-trust.ts); null for other kinds. */
async function replyVerdict(
  services: Services,
  invoice: InvoiceRecord,
  record: InboundEmailRecord,
  from: { sender: Mailbox | null; fromEntries: number },
): Promise<ReplyVerdict | null> {
  const { kind, promisedDate } = record.classification;
  if (kind !== 'dispute' && kind !== 'promise') return null;
  const client = await getClient(services.db.pool, invoice.clientId);
  return decideReplyAction({
    kind,
    promisedDate,
    answersOurEmail: record.matchedBy === 'in-reply-to' || record.matchedBy === 'references',
    sender: { address: from.sender?.address ?? null, entries: from.fromEntries },
    billingContacts: [...(client?.emails ?? []), ...invoice.recipients],
    clientName: client?.name ?? invoice.clientId,
    today: localDate(services.clock.now(), services.settings.timezone),
    promiseMaxDays: services.settings.promiseMaxDays ?? DEFAULT_PROMISE_MAX_DAYS,
  });
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
