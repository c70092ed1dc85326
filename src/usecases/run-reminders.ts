import { localDate } from '../domain/calendar.js';
import { decideReminder, escalates } from '../domain/schedule.js';
import { nextAllowedTime } from '../domain/quiet-hours.js';
import { sendTimeOf } from '../domain/todays-sends.js';
import { reminderKind } from '../email/templates.js';
import { MailError, newMessageId } from '../providers/mail/smtp.js';
import type { RecipientRefusal } from '../providers/mail/mailer.js';
import { recordSendRefusals } from './bounces.js';
import { audit } from '../store/audit.js';
import { getClient, type StoredClient } from '../store/clients.js';
import { openBounces } from '../store/bounces.js';
import { getInvoice, type InvoiceRecord } from '../store/invoices.js';
import { retimeSteps } from '../store/disputes.js';
import { claimReminder, dueReminders, finishReminder, remindersOf, type ReminderRecord } from '../store/reminders.js';
import { deferClaimedStep } from '../store/reminder-replan.js';
import { reminderSentNote, reminderSkippedNote } from '../../blocks/thread.js';
import type { Services } from '../services.js';
import { reminderEmailKind, renderClientEmail, sendUnderInvoiceEmail } from './email-templates.js';
import { escalate } from './escalate.js';
import { groupWithSameDaySteps, runGroupedSteps } from './grouped-reminders.js';
import { chargeLateFee } from './late-fees.js';
import { postInThread } from './invoice-messages.js';
import { isDefiniteMailFailure } from './mail-failures.js';
import { applyBackendState } from './record-payment.js';

export type StepOutcome = 'sent' | 'skipped' | 'not_claimed' | 'deferred';

/**
 * Sends every reminder step that is due now. Returns what happened to each. A client that groups its
 * reminders and has steps of two or more invoices due today gets them as one statement email
 * (src/usecases/grouped-reminders.ts).
 */
export async function runDueReminders(services: Services, limit = 100): Promise<StepOutcome[]> {
  const due = await dueReminders(services.db.pool, services.clock.now(), limit);
  const { singles, groups } = await groupWithSameDaySteps(services, due);
  const outcomes: StepOutcome[] = [];
  for (const group of groups) outcomes.push(...(await runGroupedSteps(services, group.clientId, group.steps)));
  for (const step of singles) outcomes.push(await runReminderStep(services, step));
  return outcomes;
}

/**
 * One step, at most once: claim it durably, re-read the invoice (database and live back-end state),
 * decide, send, record. A crash after the claim leaves it "claimed"; the sweep flags it for a human.
 */
export async function runReminderStep(services: Services, step: ReminderRecord, options: { claimed?: boolean } = {}): Promise<StepOutcome> {
  const pool = services.db.pool;
  // `claimed`: the caller already holds the durable claim (`/invoices remind`, src/store/reminder-claim-now.ts).
  if (!options.claimed && !(await claimReminder(pool, step.invoiceId, step.stepIndex, services.instanceId, services.clock.now()))) return 'not_claimed';

  const checked = await checkClaimedStep(services, step, options);
  if ('outcome' in checked) return checked.outcome;
  const { invoice, client, stepNumber } = checked;

  const messageId = newMessageId(services.settings.emailDomain, `${invoice.number.toLowerCase()}.r${step.stepIndex + 1}`);
  const today = localDate(services.clock.now(), services.settings.timezone);
  // Off unless the client has one (src/usecases/late-fees.ts): a fee goes with this step, recorded once.
  const lateFees = await chargeLateFee(services, invoice, client, { stepIndex: step.stepIndex, stepNumber });
  // The template in force now: one edited between two steps applies from the next step on.
  const content = await renderClientEmail(services, reminderKind(step.tone), invoice, client, { today, finalMode: client.finalMode, stepNumber, lateFees });
  let refused: RecipientRefusal[] = [];
  try {
    refused = await sendUnderInvoiceEmail(services, invoice, content, messageId, reminderEmailKind(step.tone));
  } catch (err) {
    if (!isDefiniteMailFailure(err)) throw err;
    await finishReminder(pool, step.invoiceId, step.stepIndex, { status: 'pending' }, services.clock.now());
    // Refused for good: a bounce, which holds the client's reminders (this step too) until its emails are fixed.
    if (err instanceof MailError) await recordSendRefusals(services, invoice, messageId, err.refused);
    services.log.warn({ invoice: invoice.number, step: step.stepIndex, err: String(err) }, 'reminder email failed; will retry');
    return 'deferred';
  }
  const now = services.clock.now();
  services.metrics.reminderSent(step.tone, step.dueAt, now);
  await finishReminder(pool, step.invoiceId, step.stepIndex, { status: 'sent', messageId }, now);
  await recordSendRefusals(services, invoice, messageId, refused);
  await audit(
    pool,
    { invoiceId: invoice.id, actor: 'scheduler', action: 'reminder_sent', details: { step: step.stepIndex, tone: step.tone, messageId, to: invoice.recipients } },
    now,
  );
  services.log.info({ invoice: invoice.number, step: stepNumber, tone: step.tone }, 'reminder sent');
  await postInThread(
    services,
    invoice,
    reminderSentNote({ stepNumber, tone: step.tone, recipients: invoice.recipients, balance: invoice.total - invoice.amountPaid, currency: invoice.currency }),
  );
  if (escalates(step.tone, client.finalMode)) await escalate(services, invoice, client);
  return 'sent';
}

export type CheckedStep = { outcome: StepOutcome } | { invoice: InvoiceRecord; client: StoredClient; stepNumber: number };

/**
 * A claimed step's checks before its email: invoice and client still there, no bounce, quiet hours
 * and the send time, the live back-end state, the reminder policy. Anything but "go" finishes the claim.
 */
export async function checkClaimedStep(services: Services, step: ReminderRecord, options: { claimed?: boolean } = {}): Promise<CheckedStep> {
  const pool = services.db.pool;
  let invoice = await getInvoice(pool, step.invoiceId);
  const client = invoice ? await getClient(pool, invoice.clientId) : null;
  if (!invoice || !client) {
    await finishReminder(pool, step.invoiceId, step.stepIndex, { status: 'skipped', note: 'invoice or client missing' }, services.clock.now());
    return { outcome: 'skipped' };
  }

  // A bounce recorded since the step was read (another step of this client refused a moment ago) holds it too.
  if (!options.claimed && (await openBounces(pool, { clientId: client.id })).length) {
    await finishReminder(pool, step.invoiceId, step.stepIndex, { status: 'pending' }, services.clock.now());
    return { outcome: 'deferred' };
  }

  // Quiet hours: outside the client's business hours the step waits for the next allowed time, never
  // dropped. With today's sends on, a client's send time holds the day's step until then (the list comes
  // first). A reminder an approver asks for by hand (`claimed`) goes out when asked.
  const tz = client.timezone ?? services.settings.timezone;
  // A step due later today that joins a grouped statement now waits only for the send time, not its own.
  const sendTime = services.settings.todaysSendsAt ? sendTimeOf(step.dueAt, client.sendAt, tz) : null;
  const waitsForSendTime = sendTime !== null && sendTime.getTime() > services.clock.now().getTime();
  const allowedAt = nextAllowedTime(waitsForSendTime ? sendTime : services.clock.now(), client.businessHours, tz);
  if (!options.claimed && allowedAt.getTime() > services.clock.now().getTime()) {
    const reason = waitsForSendTime ? "waiting for the client's send time" : "waiting for the client's business hours";
    await deferClaimedStep(pool, step.invoiceId, step.stepIndex, allowedAt, reason);
    await audit(
      pool,
      {
        invoiceId: invoice.id,
        actor: 'scheduler',
        action: 'reminder_deferred',
        details: { step: step.stepIndex, until: allowedAt.toISOString(), reason: waitsForSendTime ? 'send time' : 'quiet hours' },
      },
      services.clock.now(),
    );
    return { outcome: 'deferred' };
  }

  // A lost webhook must never cause a reminder after payment: ask the back-end right now.
  const backend = services.backends[invoice.provider];
  if (backend && invoice.providerInvoiceId) {
    try {
      const live = await backend.fetchInvoice(invoice.providerInvoiceId);
      invoice =
        (await applyBackendState(services, invoice, live, { sourceEvent: `live-check:${invoice.id}:${step.stepIndex}`, actor: backend.name, occurredAt: services.clock.now() })) ??
        invoice;
      invoice = (await getInvoice(pool, invoice.id)) ?? invoice;
    } catch (err) {
      // Unknown payment state: try again on the next sweep rather than risk chasing a paid invoice.
      await finishReminder(pool, step.invoiceId, step.stepIndex, { status: 'pending' }, services.clock.now());
      services.log.warn({ invoice: invoice.number, err: String(err) }, 'live status check failed; reminder deferred');
      return { outcome: 'deferred' };
    }
  }

  const decision = decideReminder({ status: invoice.status, disputed: invoice.disputed, paused: invoice.paused, balance: invoice.total - invoice.amountPaid });
  const stepNumber = await stepNumberOf(services, step);
  if (!decision.send && decision.hold) {
    // Claimed just as a dispute or a pause began: the step waits with the others instead of being lost.
    await finishReminder(pool, step.invoiceId, step.stepIndex, { status: 'paused', note: decision.reason }, services.clock.now());
    await audit(pool, { invoiceId: invoice.id, actor: 'scheduler', action: 'reminder_held', details: { step: step.stepIndex, reason: decision.reason } }, services.clock.now());
    // Resolved or resumed between our read and now: that did not see this step, so it goes back to pending.
    const fresh = await getInvoice(pool, invoice.id);
    if (fresh && !fresh.disputed && !fresh.paused) await retimeSteps(pool, invoice.id, [{ stepIndex: step.stepIndex, dueAt: services.clock.now() }], 'pending', null);
    return { outcome: 'deferred' };
  }
  if (!decision.send) {
    await finishReminder(pool, step.invoiceId, step.stepIndex, { status: 'skipped', note: decision.reason }, services.clock.now());
    await audit(pool, { invoiceId: invoice.id, actor: 'scheduler', action: 'reminder_skipped', details: { step: step.stepIndex, reason: decision.reason } }, services.clock.now());
    // Paid and void invoices had their steps cancelled already; a note matters for the paused/disputed ones.
    if (invoice.disputed || invoice.paused) await postInThread(services, invoice, reminderSkippedNote({ stepNumber, reason: decision.reason }));
    return { outcome: 'skipped' };
  }

  return { invoice, client, stepNumber };
}

/** 1-based position of the step in the invoice's planned sequence, as people count them. */
export async function stepNumberOf(services: Services, step: { invoiceId: string; stepIndex: number }): Promise<number> {
  // Cancelled steps do not count: after a credit the restarted sequence counts from 1 again.
  const all = (await remindersOf(services.db.pool, step.invoiceId)).filter((r) => r.status !== 'cancelled');
  const index = all.findIndex((r) => r.stepIndex === step.stepIndex);
  return index >= 0 ? index + 1 : step.stepIndex + 1;
}

export type { InvoiceRecord };
