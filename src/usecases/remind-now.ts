import { decideReminder } from '../domain/schedule.js';
import type { ReminderTone } from '../domain/types.js';
import { audit } from '../store/audit.js';
import { findInvoiceByNumber, getInvoice, type InvoiceRecord } from '../store/invoices.js';
import { IMPORT_SOURCE } from '../store/imported-invoices.js';
import { claimReminderNow } from '../store/reminder-claim-now.js';
import { remindersOf } from '../store/reminders.js';
import { openBounces } from '../store/bounces.js';
import type { Services } from '../services.js';
import { runReminderStep } from './run-reminders.js';

export type RemindAnswer =
  { outcome: 'sent'; invoice: InvoiceRecord; stepNumber: number; tone: ReminderTone } | { outcome: 'not_sent'; invoice: InvoiceRecord | null; reason: string };

/**
 * `/invoices remind <number>`: the next step not yet sent becomes due now and is claimed in the same
 * statement (at most once, the scheduler cannot take it meanwhile), then goes through the scheduler's
 * own `runReminderStep`, so the live back-end check and `decideReminder` apply. Later steps keep their times.
 */
export async function remindNow(services: Services, number: string, by: { actor: string }): Promise<RemindAnswer> {
  const pool = services.db.pool;
  const invoice = await findInvoiceByNumber(pool, number);
  if (!invoice) return { outcome: 'not_sent', invoice: null, reason: `there is no invoice numbered "${number}"` };
  if (invoice.status === 'draft' || invoice.status === 'approved') return { outcome: 'not_sent', invoice, reason: 'the invoice has not been sent to the client yet' };
  if (invoice.source === IMPORT_SOURCE) return { outcome: 'not_sent', invoice, reason: 'it is imported history: duebot sends no reminders for it (chase it from the back-end)' };
  // Answer from the database first; the live check inside runReminderStep catches what it missed.
  const decision = decideReminder({ status: invoice.status, disputed: invoice.disputed, paused: invoice.paused, balance: invoice.total - invoice.amountPaid });
  if (!decision.send) return { outcome: 'not_sent', invoice, reason: decision.reason };

  if ((await openBounces(pool, { clientId: invoice.clientId })).length)
    return { outcome: 'not_sent', invoice, reason: "an email to this client bounced: update the client's billing emails first" };
  const steps = await remindersOf(pool, invoice.id);
  const next = steps.find((s) => s.status === 'pending');
  if (!next) return { outcome: 'not_sent', invoice, reason: steps.some((s) => s.status === 'claimed') ? 'a reminder is being sent right now' : 'no reminder step is left to send' };
  const now = services.clock.now();
  if (!(await claimReminderNow(pool, invoice.id, next.stepIndex, services.instanceId, now))) {
    return { outcome: 'not_sent', invoice, reason: 'the scheduler is sending that step right now' };
  }
  await audit(pool, { invoiceId: invoice.id, actor: by.actor, action: 'reminder_requested', details: { step: next.stepIndex, wasDueAt: next.dueAt.toISOString() } }, now);
  const outcome = await runReminderStep(services, { ...next, dueAt: now, status: 'claimed' }, { claimed: true });
  const stepNumber = steps.findIndex((s) => s.stepIndex === next.stepIndex) + 1;
  const fresh = (await getInvoice(pool, invoice.id)) ?? invoice;
  if (outcome === 'sent') return { outcome: 'sent', invoice: fresh, stepNumber, tone: next.tone };
  if (outcome === 'not_claimed') return { outcome: 'not_sent', invoice: fresh, reason: 'the scheduler is sending that step right now' };
  const after = (await remindersOf(pool, invoice.id)).find((s) => s.stepIndex === next.stepIndex);
  const fallback = outcome === 'deferred' ? 'the back-end or the mail server could not be reached; the scheduler retries it' : 'it was skipped';
  return { outcome: 'not_sent', invoice: fresh, reason: after?.note ?? fallback };
}
