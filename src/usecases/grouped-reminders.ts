import { addDays, localDate, localTime } from '../domain/calendar.js';
import { groupDueSteps, mostUrgentTone, type StepGrouping } from '../domain/grouped-reminders.js';
import { escalates } from '../domain/schedule.js';
import { MailError, newMessageId } from '../providers/mail/smtp.js';
import type { RecipientRefusal } from '../providers/mail/mailer.js';
import { audit } from '../store/audit.js';
import { clientsGroupingReminders } from '../store/clients.js';
import { claimReminders, finishReminder, pendingStepsOfClientsDueBefore, type ClientStep } from '../store/reminders.js';
import { claimEffect, completeEffect, getEffect, releaseEffect } from '../store/effects.js';
import { statementSentNote } from '../../blocks/thread.js';
import type { Services } from '../services.js';
import { recordSendRefusals } from './bounces.js';
import { escalate } from './escalate.js';
import { postInThread } from './invoice-messages.js';
import { isDefiniteMailFailure } from './mail-failures.js';
import { checkClaimedStep, type StepOutcome } from './run-reminders.js';
import { openInvoicesOf, renderStatementFor, sendStatementEmail, statementOf, statementRecipients } from './statements.js';

/**
 * Due steps sorted for sending: a client that groups its reminders and has steps of two or more
 * invoices due today gets one group, its later steps of the same business day included (they would
 * otherwise follow the statement hours later). Every other due step stays single.
 */
export async function groupWithSameDaySteps(services: Services, due: readonly ClientStep[]): Promise<StepGrouping<ClientStep>> {
  const pool = services.db.pool;
  const grouping = await clientsGroupingReminders(pool, [...new Set(due.map((s) => s.clientId))]);
  if (!grouping.size) return { singles: [...due], groups: [] };
  const tz = services.settings.timezone;
  const endOfDay = localTime(addDays(localDate(services.clock.now(), tz), 1), 0, tz);
  const later = (await pendingStepsOfClientsDueBefore(pool, [...grouping], endOfDay)).filter((s) => !due.some((d) => d.invoiceId === s.invoiceId && d.stepIndex === s.stepIndex));
  const { singles, groups } = groupDueSteps([...due, ...later], grouping);
  // A later step whose client has no group after all waits for its own time.
  return { singles: singles.filter((s) => due.includes(s)), groups };
}

/**
 * One client's due steps as one statement email, at most once: every step is claimed in one
 * transaction before the email, then each goes through the usual checks (live back-end state,
 * policy, quiet hours); the email lists every open invoice in the tone of the most urgent step left.
 * Each sent step records the same message id, and each invoice's thread gets a note. A crash after
 * the claim leaves the steps claimed; the sweep flags them like any other.
 */
export async function runGroupedSteps(services: Services, clientId: string, steps: readonly ClientStep[], options: { claimed?: boolean } = {}): Promise<StepOutcome[]> {
  const pool = services.db.pool;
  const claimed = options.claimed ? [...steps] : await claimReminders(pool, steps, services.instanceId, services.clock.now());
  const outcomes: StepOutcome[] = steps.filter((s) => !claimed.includes(s)).map(() => 'not_claimed');
  const ready = [];
  for (const step of claimed) {
    const checked = await checkClaimedStep(services, step, options);
    if ('outcome' in checked) outcomes.push(checked.outcome);
    else ready.push({ step, ...checked });
  }
  const client = ready[0]?.client;
  if (!client) return outcomes;

  const now = services.clock.now();
  const tone = mostUrgentTone(ready.map((r) => r.step.tone));
  // An invoice whose reminders an approver paused is not chased through its neighbours' statement either.
  const invoices = (await openInvoicesOf(services, clientId)).filter((i) => !i.paused);
  const statement = statementOf(invoices, localDate(now, services.settings.timezone));
  const to = statementRecipients(invoices.length ? invoices : ready.map((r) => r.invoice));
  const messageId = newMessageId(services.settings.emailDomain, `statement.${clientId}`);
  // One statement per client and business day, whichever process gets there first: two processes can
  // each hold some of the day's steps (claimed a moment apart), and each would otherwise list every open
  // invoice again. Steps of a day whose statement went out are covered by it.
  const slot = `grouped-statement:${clientId}:${localDate(now, services.settings.timezone)}`;
  if (!(await claimEffect(pool, { key: slot, invoiceId: null, kind: 'grouped-statement', claimedBy: services.instanceId, details: { messageId } }, now))) {
    return [...outcomes, ...(await coveredByTodaysStatement(services, slot, ready))];
  }
  let refused: RecipientRefusal[] = [];
  try {
    refused = await sendStatementEmail(services, to, await renderStatementFor(services, client, statement, tone), messageId);
  } catch (err) {
    if (!isDefiniteMailFailure(err)) throw err;
    await releaseEffect(pool, slot);
    for (const r of ready) await finishReminder(pool, r.step.invoiceId, r.step.stepIndex, { status: 'pending' }, services.clock.now());
    if (err instanceof MailError) await recordSendRefusals(services, ready[0]!.invoice, messageId, err.refused);
    services.log.warn({ client: clientId, steps: ready.length, err: String(err) }, 'statement email failed; will retry');
    return [...outcomes, ...ready.map((): StepOutcome => 'deferred')];
  }
  const sentAt = services.clock.now();
  const numbers = statement.lines.map((l) => l.number);
  await completeEffect(pool, slot, { messageId, to, invoices: numbers }, sentAt);
  for (const { step, invoice } of ready) {
    services.metrics.reminderSent(step.tone, step.dueAt, sentAt);
    await finishReminder(pool, step.invoiceId, step.stepIndex, { status: 'sent', messageId }, sentAt);
    await audit(
      pool,
      { invoiceId: invoice.id, actor: 'scheduler', action: 'reminder_sent', details: { step: step.stepIndex, tone: step.tone, messageId, to, grouped: numbers } },
      sentAt,
    );
  }
  await recordSendRefusals(services, ready[0]!.invoice, messageId, refused);
  services.log.info({ client: clientId, steps: ready.length, invoices: numbers.length, tone }, 'grouped reminder sent');
  for (const { step, invoice, stepNumber } of ready) {
    await postInThread(services, invoice, statementSentNote({ recipients: to, invoices: numbers.length, steps: [{ stepNumber, tone: step.tone }] }));
    if (escalates(step.tone, client.finalMode)) await escalate(services, invoice, client);
  }
  return [...outcomes, ...ready.map((): StepOutcome => 'sent')];
}

/**
 * Steps claimed after another process sent (or began sending) the client's statement for the day: a sent
 * statement listed every open invoice, so they are recorded as sent with its Message-ID; one still in
 * flight (or with an unknown outcome) leaves them pending for the next sweep.
 */
async function coveredByTodaysStatement(services: Services, slot: string, ready: readonly { step: ClientStep; invoice: { id: string } }[]): Promise<StepOutcome[]> {
  const pool = services.db.pool;
  const sent = await getEffect(pool, slot);
  const messageId = sent?.status === 'done' && typeof sent.result?.messageId === 'string' ? sent.result.messageId : null;
  const now = services.clock.now();
  for (const { step, invoice } of ready) {
    if (!messageId) {
      await finishReminder(pool, step.invoiceId, step.stepIndex, { status: 'pending' }, now);
      continue;
    }
    await finishReminder(pool, step.invoiceId, step.stepIndex, { status: 'sent', messageId, note: "in the day's statement" }, now);
    await audit(pool, { invoiceId: invoice.id, actor: 'scheduler', action: 'reminder_sent', details: { step: step.stepIndex, tone: step.tone, messageId, coveredBy: slot } }, now);
  }
  return ready.map((): StepOutcome => (messageId ? 'sent' : 'deferred'));
}
