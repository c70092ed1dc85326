import { shiftSequence } from '../domain/dispute-sequence.js';
import { audit } from '../store/audit.js';
import type { RecipientRefusal } from '../providers/mail/mailer.js';
import type { DeliveryReportPayload } from '../email/dsn.js';
import { findSentEmail, openBounces, recordBounce, resolveClientBounces, unannouncedBounces, type BounceKind, type BounceRecord } from '../store/bounces.js';
import { getClient } from '../store/clients.js';
import { withTransaction } from '../store/db.js';
import { claimEffect, completeEffect } from '../store/effects.js';
import { getInvoice, listInvoices } from '../store/invoices.js';
import { heldSteps, retimeSteps } from '../store/disputes.js';
import { bounceAlert, bounceResolvedNote } from '../../blocks/bounce.js';
import type { Services } from '../services.js';
import { postInThread } from './invoice-messages.js';

/** One bounce as any source reports it, before it is matched to the email duebot sent. */
export interface BounceReport {
  kind: BounceKind;
  /** smtp, mailgun, postmark, sendgrid (the DSN's inbound service for a DSN). */
  provider: string;
  /** The provider's own id of this report, or a key built from what identifies it. */
  dedupeKey: string;
  /** Our Message-ID of the email that bounced, `<…>`; null when the report names none. */
  messageId: string | null;
  recipient: string;
  reason: string;
}

/**
 * Stores a bounce, matched by Message-ID to the invoice or reminder email duebot sent (or, at send,
 * to the invoice given). A report naming no email of ours is stored unmatched and acts on nothing.
 * Returns the stored bounce, or null when it was stored before.
 */
export async function recordBounceReport(services: Services, report: BounceReport, sentFor?: { invoiceId: string; clientId: string }): Promise<BounceRecord | null> {
  const pool = services.db.pool;
  const match = sentFor ?? (report.messageId ? await findSentEmail(pool, report.messageId) : null);
  const now = services.clock.now();
  return withTransaction(pool, async (tx) => {
    // One bounce per email and recipient, whichever sources report it (refusal, DSN, webhook).
    const dedupeKey = report.messageId ? `msg:${report.messageId}:${report.recipient.toLowerCase()}` : report.dedupeKey;
    const bounce = await recordBounce(tx, { ...report, dedupeKey, invoiceId: match?.invoiceId ?? null, clientId: match?.clientId ?? null }, now);
    if (bounce) {
      await audit(
        tx,
        {
          invoiceId: bounce.invoiceId,
          actor: report.provider,
          action: 'email_bounced',
          details: { kind: report.kind, recipient: report.recipient, reason: report.reason, messageId: report.messageId, matched: Boolean(match) },
          sourceEvent: `bounce:${report.dedupeKey}`,
        },
        now,
      );
    }
    if (bounce && !match)
      services.log.warn({ provider: report.provider, kind: report.kind, messageId: report.messageId }, 'bounce for an email duebot did not send: stored, not acted on');
    return bounce;
  });
}

/**
 * Posts each matched, open bounce not yet announced in its invoice's thread, once (claimed in the
 * effects ledger, so two processes or a retry never post it twice). Run by the sweep and right after a
 * bounce is stored.
 */
export async function announceBounces(services: Services): Promise<number> {
  const pool = services.db.pool;
  let posted = 0;
  for (const bounce of await unannouncedBounces(pool)) {
    const invoice = bounce.invoiceId ? await getInvoice(pool, bounce.invoiceId) : null;
    if (!invoice) continue;
    const key = `bounce-alert:${bounce.id}`;
    if (!(await claimEffect(pool, { key, invoiceId: invoice.id, kind: 'bounce-alert', claimedBy: services.instanceId }, services.clock.now()))) continue;
    const client = await getClient(pool, invoice.clientId);
    // The invoice email itself (still "approved" while its refusal at send is recorded), or a reminder about it.
    const invoiceEmail = bounce.messageId === invoice.emailMessageId || invoice.status === 'approved';
    const what = invoiceEmail ? `invoice email (${invoice.number})` : `email about ${invoice.number}`;
    await postInThread(
      services,
      invoice,
      bounceAlert({
        recipient: bounce.recipient,
        reason: bounce.reason,
        kind: bounce.kind,
        provider: bounce.provider,
        clientId: invoice.clientId,
        clientName: client?.name ?? invoice.clientId,
        what,
      }),
    );
    await completeEffect(pool, key, {}, services.clock.now());
    posted += 1;
  }
  return posted;
}

/**
 * The client's billing emails changed: its open bounces are resolved and the reminders held for them
 * resume, re-timed like a resumed pause (src/domain/dispute-sequence.ts): a step that fell due during
 * the hold goes out now, the rest keep their spacing; none doubled, none skipped.
 */
export async function releaseBouncesOnEmailChange(services: Services, clientId: string, emails: string[], by: { actor: string; slackUserId: string }): Promise<number> {
  const pool = services.db.pool;
  const now = services.clock.now();
  const resolved = await resolveClientBounces(pool, clientId, by.actor, now);
  const held = resolved.filter((b) => b.invoiceId);
  if (!held.length) return 0;
  const invoiceIds = new Set(held.map((b) => b.invoiceId!));
  for (const invoice of await listInvoices(pool, { clientId, statuses: ['sent', 'partially_paid'], limit: 1000 })) {
    await withTransaction(pool, async (tx) => {
      // Only steps held by the bounce: paused ones wait for their dispute or pause to end.
      const steps = (await heldSteps(tx, invoice.id)).filter((s) => s.status === 'pending');
      const overdue = steps.some((s) => s.dueAt.getTime() < now.getTime());
      if (overdue) await retimeSteps(tx, invoice.id, shiftSequence(steps, now), 'pending', null);
    });
  }
  for (const invoiceId of invoiceIds) {
    const invoice = await getInvoice(pool, invoiceId);
    await audit(
      pool,
      { invoiceId, actor: by.actor, action: 'bounces_resolved', details: { bounces: held.filter((b) => b.invoiceId === invoiceId).map((b) => b.id), emails } },
      now,
    );
    if (invoice) await postInThread(services, invoice, bounceResolvedNote({ by: by.slackUserId, emails, bounces: held.filter((b) => b.invoiceId === invoiceId).length }));
  }
  services.log.info({ client: clientId, bounces: held.length }, 'billing emails updated: bounces resolved, reminders resume');
  return held.length;
}

/**
 * The SMTP server refused recipients of an email about this invoice for good (5yz at RCPT TO): each is
 * a bounce of that email, alerted at once (the sweep would otherwise post it on its next run).
 */
export async function recordSendRefusals(services: Services, invoice: { id: string; clientId: string }, messageId: string, refused: readonly RecipientRefusal[]): Promise<void> {
  if (!refused.length) return;
  for (const r of refused) {
    await recordBounceReport(
      services,
      { kind: 'smtp-reject', provider: 'smtp', dedupeKey: `smtp:${messageId}:${r.address.toLowerCase()}`, messageId, recipient: r.address, reason: r.reason },
      { invoiceId: invoice.id, clientId: invoice.clientId },
    );
  }
  await announceBounces(services);
}

/** Recipients of this invoice with an open bounce: its email is not sent to them again until fixed. */
export async function bouncedRecipients(services: Services, invoice: { id: string; recipients: string[] }): Promise<string[]> {
  const open = await openBounces(services.db.pool, { invoiceId: invoice.id });
  const bounced = new Set(open.map((b) => b.recipient.toLowerCase()));
  return invoice.recipients.filter((r) => bounced.has(r.toLowerCase()));
}

/**
 * A delivery status notification that reached the inbound address: each permanently failed recipient
 * is a bounce of the email it returns (matched by that email's Message-ID; a report naming no email of
 * ours, e.g. a forged one, is stored unmatched and acts on nothing). Never handled as a client reply.
 */
export async function recordDeliveryReport(services: Services, dsn: DeliveryReportPayload): Promise<void> {
  const { originalMessageId, failures } = dsn.report;
  if (!failures.length) services.log.info({ dsn: dsn.messageId }, 'delivery report without a permanent failure: nothing to do');
  for (const f of failures) {
    await recordBounceReport(services, {
      kind: 'dsn',
      provider: dsn.provider,
      dedupeKey: `dsn:${dsn.messageId}:${f.recipient.toLowerCase()}`,
      messageId: originalMessageId,
      recipient: f.recipient,
      reason: [f.status, f.diagnostic].filter(Boolean).join(' '),
    });
  }
  await announceBounces(services);
}
