import { localDate } from '../domain/calendar.js';
import { planReminders } from '../domain/schedule.js';
import { BackendError } from '../providers/invoicing/errors.js';
import { newMessageId } from '../providers/mail/smtp.js';
import { audit } from '../store/audit.js';
import { getClient } from '../store/clients.js';
import type { Locale } from '../domain/locale.js';
import { recordCredit } from '../store/credits.js';
import { withTransaction } from '../store/db.js';
import { claimEffect, completeEffect, releaseEffect } from '../store/effects.js';
import { getInvoice, updateInvoice, type InvoiceRecord } from '../store/invoices.js';
import { cancelPendingReminders, insertReminders, remindersOf } from '../store/reminders.js';
import { creditNote } from '../../blocks/credit-note.js';
import type { Services } from '../services.js';
import { renderClientEmail, sendUnderInvoiceEmail } from './email-templates.js';
import { postInThread, publishInvoiceMessage } from './invoice-messages.js';
import { isDefiniteMailFailure } from './mail-failures.js';

export interface Credit {
  /** Minor units, 0 < amount <= the open balance. */
  amount: number;
  reason: string;
  /** The modal submission (its view id): the same submission never credits twice. */
  submissionId: string;
}

export type CreditOutcome = { outcome: 'credited'; invoice: InvoiceRecord; settled: boolean } | { outcome: 'refused'; reason: string };

/**
 * "Adjust amount" as a credit: the back-end lowers what the client owes (Stripe credit note,
 * QuickBooks credit memo applied by a zero payment, FreshBooks credit payment), duebot lowers the
 * invoice's total by a credit line, the client is emailed the corrected balance and the reminder
 * sequence starts again from today. A credit of the whole balance settles the invoice (`credited`,
 * not paid). The back-end's id of the credit is kept, so reading it back later does not count it again.
 *
 * Once per submission: the effects ledger claim comes before the back-end call. Between that call and
 * the recorded credit, payment checks leave the invoice alone (src/store/credits.ts creditInFlight);
 * a crash in that moment leaves the claim, which the sweep flags for a person instead of repeating it.
 */
export async function creditInvoiceBalance(services: Services, invoiceId: string, credit: Credit, by: { slackUserId: string }): Promise<CreditOutcome> {
  const pool = services.db.pool;
  const actor = `slack:${by.slackUserId}`;
  const invoice = await getInvoice(pool, invoiceId);
  if (!invoice || (invoice.status !== 'sent' && invoice.status !== 'partially_paid')) return { outcome: 'refused', reason: 'Only an invoice awaiting payment can be credited.' };
  const balance = invoice.total - invoice.amountPaid;
  if (!Number.isSafeInteger(credit.amount) || credit.amount <= 0 || credit.amount > balance)
    return { outcome: 'refused', reason: `The credit must be above zero and at most the open balance of ${invoice.number}.` };
  const backend = services.backends[invoice.provider];
  if (!backend?.creditInvoice || !invoice.providerInvoiceId) return { outcome: 'refused', reason: `${invoice.number} has no back-end invoice that can be credited.` };

  const key = `credit:${invoice.id}:${credit.submissionId}`;
  if (
    !(await claimEffect(
      pool,
      { key, invoiceId: invoice.id, kind: 'credit', claimedBy: services.instanceId, details: { amount: credit.amount, reason: credit.reason } },
      services.clock.now(),
    ))
  ) {
    return { outcome: 'refused', reason: `This credit on ${invoice.number} was already submitted.` };
  }
  let remaining: number;
  let backendCreditId: string;
  try {
    ({ amountRemaining: remaining, creditId: backendCreditId } = await backend.creditInvoice(invoice.providerInvoiceId, credit.amount, credit.reason));
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    // A refusal (4xx) certainly changed nothing; anything else may have: the claim stays for a person to check.
    if (err instanceof BackendError && !err.retryable) await releaseEffect(pool, key);
    services.log.warn({ invoice: invoice.number, reason }, 'credit at the back-end failed');
    return { outcome: 'refused', reason: `${backend.name} did not apply the credit to ${invoice.number}: ${reason}` };
  }

  const client = await getClient(pool, invoice.clientId);
  const now = services.clock.now();
  const result = await withTransaction(pool, async (tx) => {
    const current = (await getInvoice(tx, invoice.id, { forUpdate: true }))!;
    const total = Math.max(current.amountPaid, current.total - credit.amount);
    const settled = total - current.amountPaid <= 0;
    const lines = [...current.lines, { description: `Credit: ${credit.reason}`, quantity: '1', unitAmount: -credit.amount, amount: -credit.amount }];
    const updated = await updateInvoice(
      tx,
      current.id,
      { lines, total, disputed: false, disputedAt: null, ...(settled ? { status: 'credited' as const, paidAt: null } : {}) },
      now,
    );
    await recordCredit(tx, {
      invoiceId: current.id,
      effectKey: key,
      amount: credit.amount,
      currency: current.currency,
      reason: credit.reason,
      balanceAfter: total - current.amountPaid,
      createdAt: now,
      createdBy: actor,
      backendCreditId,
    });
    const cancelled = await cancelPendingReminders(tx, current.id, settled ? 'settled by a credit' : 'sequence restarted after a credit', now);
    // The corrected invoice's sequence starts from today, under new step numbers (old steps stay as history).
    const offset = (await remindersOf(tx, current.id)).reduce((max, r) => Math.max(max, r.stepIndex + 1), 0);
    const plan =
      settled || !client ? [] : planReminders(client.reminderSchedule, now, current.dueDate, services.settings.timezone).map((p) => ({ ...p, stepIndex: p.stepIndex + offset }));
    await insertReminders(tx, current.id, plan);
    await audit(
      tx,
      {
        invoiceId: current.id,
        actor,
        action: 'credited',
        details: {
          amount: credit.amount,
          reason: credit.reason,
          totalBefore: current.total,
          totalAfter: total,
          backendRemaining: remaining,
          cancelledSteps: cancelled,
          restartedSteps: plan.length,
          settled,
        },
        sourceEvent: key,
      },
      now,
    );
    await completeEffect(tx, key, { totalAfter: total, settled }, now);
    return { updated: updated!, settled, nextReminder: plan[0]?.dueAt ?? null };
  });
  services.log.info({ invoice: invoice.number, amount: credit.amount, settled: result.settled }, 'credit applied');

  const emailedTo = await emailCredit(services, result.updated, { name: client?.name ?? invoice.clientId, clientPage: client?.clientPage, locale: client?.locale }, credit, key);
  await publishInvoiceMessage(services, result.updated);
  await postInThread(
    services,
    result.updated,
    creditNote({
      by: by.slackUserId,
      amount: credit.amount,
      currency: invoice.currency,
      reason: credit.reason,
      backendName: backend.name,
      balance: result.updated.total - result.updated.amountPaid,
      emailedTo,
      nextReminder: result.nextReminder,
      timezone: services.settings.timezone,
    }),
  );
  return { outcome: 'credited', invoice: result.updated, settled: result.settled };
}

/** The corrected balance to the client, at most once (its own ledger key); null when it did not go out. */
async function emailCredit(
  services: Services,
  invoice: InvoiceRecord,
  client: { name: string; clientPage?: boolean; locale?: Locale | null },
  credit: Credit,
  creditKey: string,
): Promise<string[] | null> {
  const pool = services.db.pool;
  const key = `credit-email:${creditKey.slice('credit:'.length)}`;
  const messageId = newMessageId(services.settings.emailDomain, `${invoice.number.toLowerCase()}.credit`);
  if (!(await claimEffect(pool, { key, invoiceId: invoice.id, kind: 'credit-email', claimedBy: services.instanceId, details: { messageId } }, services.clock.now()))) return null;
  const today = localDate(services.clock.now(), services.settings.timezone);
  const content = await renderClientEmail(services, 'credit', invoice, client, { today, credit: { amount: credit.amount, reason: credit.reason } });
  try {
    await sendUnderInvoiceEmail(services, invoice, content, messageId, 'credit');
  } catch (err) {
    if (isDefiniteMailFailure(err)) await releaseEffect(pool, key); // else the claim stays and the sweep flags it
    services.log.warn({ invoice: invoice.number, err: String(err) }, 'credit email not sent');
    return null;
  }
  await completeEffect(pool, key, { messageId }, services.clock.now());
  await audit(pool, { invoiceId: invoice.id, actor: 'system', action: 'credit_emailed', details: { to: invoice.recipients, messageId }, sourceEvent: key }, services.clock.now());
  return invoice.recipients;
}
