import { localDate } from '../domain/calendar.js';
import { planReminders } from '../domain/schedule.js';
import { nextAllowedTime } from '../domain/quiet-hours.js';
import { httpUrl, urlScheme } from '../domain/web-url.js';
import type { InvoiceLine } from '../domain/types.js';
import { MailError, newMessageId } from '../providers/mail/smtp.js';
import { audit } from '../store/audit.js';
import { getClient, rememberProviderCustomer, type StoredClient } from '../store/clients.js';
import { withTransaction } from '../store/db.js';
import { claimEffect, completeEffect, getEffect, releaseEffect } from '../store/effects.js';
import { getInvoice, updateInvoice, type InvoiceRecord } from '../store/invoices.js';
import { insertReminders } from '../store/reminders.js';
import { editedNote, invoiceSentNote, statusChangeNote } from '../../blocks/thread.js';
import type { Services } from '../services.js';
import { renderClientEmail } from './email-templates.js';
import { postInThread, publishInvoiceMessage } from './invoice-messages.js';
import type { BackendInvoice, BackendTax, SalesTax } from '../providers/invoicing/backend.js';
import { getSalesTax } from '../store/sales-tax.js';
import { computeSalesTax, recordSalesTax, salesTaxForIssue, taxHoldReason } from './sales-tax.js';
import { BackendError, isDefiniteFailure } from '../providers/invoicing/errors.js';
import { currentIssueAttempt, moveToNextIssueAttempt } from '../store/issue-attempts.js';
import type { EmailAttachment, RecipientRefusal } from '../providers/mail/mailer.js';
import { bouncedRecipients, recordSendRefusals } from './bounces.js';
import { isDefiniteMailFailure } from './mail-failures.js';
import { ceilingReason } from './invoice-ceiling.js';

export interface Actor {
  /** "slack:U123", "auto-send", "scheduler"... */
  actor: string;
  slackUserId: string | null;
}

export type ApproveOutcome =
  | { outcome: 'approved'; invoice: InvoiceRecord }
  | { outcome: 'not_draft'; invoice: InvoiceRecord | null }
  | { outcome: 'held'; invoice: InvoiceRecord; reason: string }
  /** The draft's sales tax is pending or failed (src/usecases/sales-tax.ts): nobody may approve it until it is computed or skipped. */
  | { outcome: 'tax_pending'; invoice: InvoiceRecord; reason: string };

/**
 * Approve & send: the draft moves to "approved" exactly once (compare-and-set), then goes out.
 *
 * A draft over its ceiling (src/domain/amount-ceiling.ts) is held: only a person approves it, and only
 * by confirming that very total (`confirmedTotal`, carried by the Approve button whose confirm dialog
 * names the ceiling). Auto-send, the scheduler, or a confirmation of a total edited since, are refused
 * and the message is refreshed so the person sees the current amount and reason.
 *
 * `onRecorded` runs once the decision is committed and before anything goes out: the Slack listener
 * acknowledges the click there, so a click Slack saw acknowledged is never lost to a crash.
 */
export async function approveInvoice(
  services: Services,
  invoiceId: string,
  by: Actor,
  options: { confirmedTotal?: number; onRecorded?: () => Promise<void> } = {},
): Promise<ApproveOutcome> {
  const now = services.clock.now();
  const result = await withTransaction(services.db.pool, async (tx) => {
    const current = await getInvoice(tx, invoiceId, { forUpdate: true });
    if (!current || current.status !== 'draft') return null;
    const taxHold = await taxHoldReason(tx, services, invoiceId);
    if (taxHold) return { held: null, taxHold, invoice: current };
    const held = ceilingReason(services, current, await getClient(tx, current.clientId));
    if (held && !(by.slackUserId && options.confirmedTotal === current.total)) return { held, taxHold: null, invoice: current };
    const updated = await updateInvoice(tx, invoiceId, { status: 'approved', approvedAt: now, approvedBy: by.actor }, now, ['draft']);
    if (updated) await audit(tx, { invoiceId, actor: by.actor, action: 'approved', ...(held ? { details: { overCeiling: held, confirmedTotal: current.total } } : {}) }, now);
    return updated ? { held: null, taxHold: null, invoice: updated } : null;
  });
  await options.onRecorded?.();
  if (!result) return { outcome: 'not_draft', invoice: await getInvoice(services.db.pool, invoiceId) };
  if (result.taxHold) {
    services.log.info({ invoice: result.invoice.number, actor: by.actor, reason: result.taxHold }, 'approval refused: sales tax not computed');
    return { outcome: 'tax_pending', invoice: await publishInvoiceMessage(services, result.invoice), reason: result.taxHold };
  }
  if (result.held) {
    services.log.warn({ invoice: result.invoice.number, actor: by.actor, reason: result.held }, 'draft held for a human: over its ceiling');
    return { outcome: 'held', invoice: await publishInvoiceMessage(services, result.invoice), reason: result.held };
  }
  const approved = result.invoice;
  await publishInvoiceMessage(services, approved);
  const sent = await deliverInvoice(services, invoiceId);
  return { outcome: 'approved', invoice: sent ?? approved };
}

/**
 * Creates the invoice at the back-end and emails it. Safe to call again at any point (the sweep does
 * after a crash): back-end calls carry idempotency keys and the email is claimed in the effects
 * ledger before it is sent, so it goes out at most once.
 */
export async function deliverInvoice(services: Services, invoiceId: string): Promise<InvoiceRecord | null> {
  const pool = services.db.pool;
  let invoice = await getInvoice(pool, invoiceId);
  if (!invoice || invoice.status !== 'approved') return invoice;
  const client = await getClient(pool, invoice.clientId);
  if (!client) throw new Error(`client ${invoice.clientId} of invoice ${invoice.number} is gone`);

  if (!invoice.providerInvoiceId) {
    try {
      invoice = await issueAtBackend(services, invoice, client);
    } catch (err) {
      if (err instanceof BackendError && err.code === 'invalid' && !err.retryable) await flagRefusedByBackend(services, invoice, err);
      throw err;
    }
  }

  const emailKey = `invoice-email:${invoice.id}`;
  const previous = await getEffect(pool, emailKey);
  if (previous?.status === 'done') return markSent(services, invoice, client, String(previous.result?.messageId ?? ''), emailKey);
  if (previous) return invoice; // being sent by another process, or outcome unknown (flagged by the sweep)
  // Refused for good before: sent again only once the client's billing emails are updated (src/usecases/bounces.ts).
  if ((await bouncedRecipients(services, invoice)).length) return invoice;

  // Without a payment link the client gets the back-end's own invoice as a PDF; read before the claim,
  // so a failed download leaves nothing claimed and the sweep simply tries again.
  const attachments = await invoicePdfAttachment(services, invoice);
  const messageId = newMessageId(services.settings.emailDomain, `${invoice.number.toLowerCase()}.invoice`);
  const claimed = await claimEffect(
    pool,
    { key: emailKey, invoiceId: invoice.id, kind: 'invoice-email', claimedBy: services.instanceId, details: { messageId } },
    services.clock.now(),
  );
  if (!claimed) return invoice;

  const content = await renderClientEmail(services, 'invoice', invoice, client, { today: localDate(services.clock.now(), services.settings.timezone) });
  let refused: RecipientRefusal[] = [];
  try {
    refused =
      (await services.mailer.send({ kind: 'invoice', to: invoice.recipients, ...content, messageId, replyTo: services.settings.emailReplyTo ?? undefined, attachments })).refused ??
      [];
  } catch (err) {
    if (!isDefiniteMailFailure(err)) throw err; // leave the claim: the sweep turns it into "unknown" for a human
    await releaseEffect(pool, emailKey);
    const reason = err instanceof Error ? err.message : String(err);
    const bounced = err instanceof MailError ? err.refused : [];
    await recordSendRefusals(services, invoice, messageId, bounced);
    const attention = bounced.length
      ? `Email bounced (${reason}); it goes out once the client's billing emails are updated.`
      : `Email not sent yet (${reason}); retrying automatically.`;
    const flagged = await updateInvoice(pool, invoice.id, { attention }, services.clock.now());
    await audit(pool, { invoiceId: invoice.id, actor: 'system', action: 'email_failed', details: { reason } }, services.clock.now());
    services.log.warn({ invoice: invoice.number, reason }, 'invoice email failed; will retry');
    if (flagged && invoice.attention !== attention) await publishInvoiceMessage(services, flagged);
    return flagged;
  }
  await completeEffect(pool, emailKey, { messageId }, services.clock.now());
  // Some recipients refused, others took it: the invoice is sent, the refused ones bounced.
  await recordSendRefusals(services, invoice, messageId, refused);
  return markSent(services, invoice, client, messageId, emailKey);
}

/**
 * The back-end refused the invoice for good (e.g. an amount it cannot hold in that currency): the reason
 * goes on the invoice message for the approver, once per distinct reason; the sweep keeps retrying, so a
 * fix at the back-end (or an Adjust amount) lets it through.
 */
async function flagRefusedByBackend(services: Services, invoice: InvoiceRecord, err: BackendError): Promise<void> {
  const attention = `Not created at ${invoice.provider}: ${err.message}`;
  if (invoice.attention === attention) return;
  const flagged = await updateInvoice(services.db.pool, invoice.id, { attention }, services.clock.now());
  if (flagged) await publishInvoiceMessage(services, flagged);
}

async function issueAtBackend(services: Services, invoice: InvoiceRecord, client: StoredClient): Promise<InvoiceRecord> {
  const backend = services.backends[invoice.provider];
  if (!backend) throw new Error(`no invoicing back-end "${invoice.provider}" is configured`);
  const timezone = services.settings.timezone;
  const today = localDate(services.clock.now(), timezone);
  const { attempt, dueDate } = await currentIssueAttempt(services.db.pool, invoice.id, today);
  const salesTax = salesTaxForIssue(await getSalesTax(services.db.pool, invoice.id));
  let issued: BackendInvoice;
  try {
    issued = await backend.issueInvoice({
      invoiceId: invoice.id,
      number: invoice.number,
      customer: { clientId: client.id, name: client.name, emails: invoice.recipients, providerCustomerId: client.providerCustomerId, freshbooksTax: client.freshbooksTax ?? null },
      currency: invoice.currency,
      lines: invoice.lines,
      issueDate: today,
      dueDate,
      timezone,
      attempt,
      memo: invoice.milestone,
      ...(salesTax ? { salesTax } : {}),
      metadata: { duebot_source: `${invoice.source}:${invoice.sourceRef}` },
    });
  } catch (err) {
    // The back-end may have stored this failure under the attempt's keys: the next try uses fresh ones.
    if (isDefiniteFailure(err) && (await moveToNextIssueAttempt(services.db.pool, invoice.id, attempt, localDate(services.clock.now(), timezone)))) {
      services.log.info(
        { invoice: invoice.number, failedAttempt: attempt, reason: err instanceof Error ? err.message : String(err) },
        'issue failed for good at the back-end; the next try is a new attempt',
      );
    }
    throw err;
  }
  const paymentUrl = paymentLinkOf(services, invoice, backend.name, issued.paymentUrl);
  const now = services.clock.now();
  const updated = await withTransaction(services.db.pool, async (tx) => {
    await rememberProviderCustomer(tx, client.id, issued.providerCustomerId);
    const tax = salesTax ? salesTaxPatch(services, invoice, salesTax, issued) : taxPatch(issued.tax);
    const updated = await updateInvoice(tx, invoice.id, { providerInvoiceId: issued.providerInvoiceId, paymentUrl, attention: null, ...tax }, now);
    await audit(
      tx,
      {
        invoiceId: invoice.id,
        actor: backend.name,
        action: 'issued',
        details: { providerInvoiceId: issued.providerInvoiceId, paymentUrl, ...(salesTax ? { salesTax } : issued.tax ? { tax: issued.tax } : {}) },
      },
      now,
    );
    return updated!;
  });
  // The tax service records the sale (Avalara commit, TaxJar order); the sweep retries what fails.
  if (salesTax) await recordSalesTax(services, invoice.id);
  return updated;
}

/**
 * Tax duebot computed (or an approver's explicit zero) went to the back-end as an amount of its own: the
 * subtotal is the lines, the tax that amount, and the total what the back-end holds (the lines plus the
 * tax; a back-end that added a tax of its own anyway is logged, and its figure is what the client owes).
 */
function salesTaxPatch(services: Services, invoice: InvoiceRecord, tax: SalesTax, issued: BackendInvoice) {
  const subtotal = invoice.lines.reduce((sum, l) => sum + l.amount, 0);
  if (issued.amountDue !== subtotal + tax.amount) {
    services.log.error(
      { invoice: invoice.number, backend: invoice.provider, held: issued.amountDue, lines: subtotal, salesTax: tax.amount },
      'the back-end holds another amount than the lines plus the computed sales tax',
    );
  }
  const skipped = tax.source === 'none';
  return { subtotal, taxAmount: tax.amount, taxName: skipped ? null : tax.name, taxRate: skipped ? null : tax.ratePercent, total: issued.amountDue };
}

/**
 * Only an absolute http(s) URL is a payment link: it is put in the client's email and linked in Slack.
 * Anything else (a `javascript:` or relative URL from a misbehaving back-end) is dropped and logged; the
 * email then goes out as for a back-end without links: the invoice PDF attached, the pay instructions.
 */
function paymentLinkOf(services: Services, invoice: InvoiceRecord, backendName: string, raw: string | null): string | null {
  if (raw === null) return null;
  const url = httpUrl(raw);
  if (!url)
    services.log.warn(
      { invoice: invoice.number, backend: backendName, scheme: urlScheme(raw) },
      'payment link from the back-end is not an http(s) URL; not stored, the email goes without it',
    );
  return url;
}

/**
 * The back-end computed the tax from the customer's settings: from now on the invoice's total (what
 * payments, reminders, aging and the forecast count against) includes it. Without a tax reading the
 * total stays the sum of the lines.
 */
function taxPatch(tax: BackendTax | undefined) {
  if (!tax) return {};
  return { subtotal: tax.subtotal, taxAmount: tax.amount, taxName: tax.name, taxRate: tax.ratePercent, total: tax.subtotal + tax.amount };
}

async function invoicePdfAttachment(services: Services, invoice: InvoiceRecord): Promise<EmailAttachment[] | undefined> {
  const backend = services.backends[invoice.provider];
  if (invoice.paymentUrl || !invoice.providerInvoiceId || !backend?.invoicePdf) return undefined;
  const content = await backend.invoicePdf(invoice.providerInvoiceId);
  return [{ filename: `Invoice-${invoice.number}.pdf`, content, contentType: 'application/pdf' }];
}

/** Bookkeeping after the email left: status, send time, the reminder plan. Idempotent. */
async function markSent(services: Services, invoice: InvoiceRecord, client: StoredClient, messageId: string, emailKey: string): Promise<InvoiceRecord> {
  const now = services.clock.now();
  const sent = await withTransaction(services.db.pool, async (tx) => {
    const updated = await updateInvoice(tx, invoice.id, { status: 'sent', sentAt: now, emailMessageId: messageId, attention: null }, now, ['approved']);
    if (!updated) return null;
    const plan = planReminders(client.reminderSchedule, now, invoice.dueDate, services.settings.timezone);
    // Quiet hours: each step at the client's next allowed time (the runner also defers, this keeps the plan shown honest).
    const tz = client.timezone ?? services.settings.timezone;
    await insertReminders(
      tx,
      invoice.id,
      plan.map((p) => ({ ...p, dueAt: nextAllowedTime(p.dueAt, client.businessHours, tz) })),
    );
    await audit(tx, { invoiceId: invoice.id, actor: 'system', action: 'sent', details: { to: invoice.recipients, messageId }, sourceEvent: emailKey }, now);
    return updated;
  });
  if (!sent) return (await getInvoice(services.db.pool, invoice.id)) ?? invoice;
  services.log.info({ invoice: sent.number, to: sent.recipients }, 'invoice sent');
  const approver = sent.approvedBy?.startsWith('slack:') ? sent.approvedBy.slice('slack:'.length) : null;
  await publishInvoiceMessage(services, sent);
  await postInThread(services, sent, invoiceSentNote({ number: sent.number, recipients: sent.recipients, paymentUrl: sent.paymentUrl, approvedBy: approver }));
  return sent;
}

export async function discardInvoice(services: Services, invoiceId: string, by: Actor): Promise<InvoiceRecord | null> {
  const now = services.clock.now();
  const discarded = await withTransaction(services.db.pool, async (tx) => {
    const updated = await updateInvoice(tx, invoiceId, { status: 'discarded' }, now, ['draft']);
    if (updated) await audit(tx, { invoiceId, actor: by.actor, action: 'discarded' }, now);
    return updated;
  });
  if (!discarded) return null;
  await publishInvoiceMessage(services, discarded);
  await postInThread(services, discarded, statusChangeNote({ status: 'discarded', by: by.slackUserId }));
  return discarded;
}

export interface InvoiceEdit {
  lines: InvoiceLine[];
  dueDate: string;
  recipients: string[];
}

export async function editInvoice(services: Services, invoiceId: string, edit: InvoiceEdit, by: Actor): Promise<InvoiceRecord | null> {
  const now = services.clock.now();
  const total = edit.lines.reduce((acc, l) => acc + l.amount, 0);
  const edited = await withTransaction(services.db.pool, async (tx) => {
    const before = await getInvoice(tx, invoiceId, { forUpdate: true });
    const updated = await updateInvoice(tx, invoiceId, { lines: edit.lines, total, subtotal: total, dueDate: edit.dueDate, recipients: edit.recipients }, now, ['draft']);
    if (updated && before) {
      await audit(
        tx,
        {
          invoiceId,
          actor: by.actor,
          action: 'edited',
          details: { before: { lines: before.lines, total: before.total, dueDate: before.dueDate, recipients: before.recipients }, after: edit },
        },
        now,
      );
    }
    return updated;
  });
  if (!edited) return null;
  // New lines, new tax: computed again (or pending) before the message shows the edit.
  const client = services.tax ? await getClient(services.db.pool, edited.clientId) : null;
  if (client) await computeSalesTax(services, edited, client, by.actor);
  await publishInvoiceMessage(services, edited);
  await postInThread(services, edited, editedNote({ by: by.slackUserId ?? by.actor }));
  return edited;
}

export function emailContext(services: Services) {
  return { businessName: services.settings.businessName, timezone: services.settings.timezone, replyTo: services.settings.emailReplyTo };
}
