import { shiftSequence } from '../domain/dispute-sequence.js';
import { isSettled } from '../domain/invoice.js';
import { audit } from '../store/audit.js';
import { withTransaction } from '../store/db.js';
import { heldSteps, pausePendingReminders, retimeSteps } from '../store/disputes.js';
import { setPaused } from '../store/invoice-pause.js';
import { findInvoiceByNumber, getInvoice, type InvoiceRecord } from '../store/invoices.js';
import { remindersOf } from '../store/reminders.js';
import { pausedNote, resumedNote } from '../../blocks/invoice-actions.js';
import type { Services } from '../services.js';
import { postInThread, publishInvoiceMessage } from './invoice-messages.js';

export type PauseAnswer =
  | { outcome: 'paused'; invoice: InvoiceRecord; heldSteps: number }
  | { outcome: 'resumed'; invoice: InvoiceRecord; next: Date | null; stillDisputed: boolean }
  | { outcome: 'not_found' }
  | { outcome: 'already'; invoice: InvoiceRecord }
  | { outcome: 'not_open'; invoice: InvoiceRecord };

type By = { actor: string; by: string };

/** Why an invoice cannot be paused or resumed right now, or null when it can. */
function blocked(invoice: InvoiceRecord): PauseAnswer | null {
  if (invoice.status !== 'sent' && invoice.status !== 'partially_paid') return { outcome: 'not_open', invoice };
  return null;
}

/**
 * `/invoices pause <number>`: the invoice's pending reminder steps are held (status `paused`, the
 * same hold a dispute uses: kept, never skipped or cancelled) and the invoice is flagged paused, in
 * one transaction. A step the scheduler claimed meanwhile is held too (decideReminder).
 */
export async function pauseInvoice(services: Services, number: string, by: By): Promise<PauseAnswer> {
  const found = await findInvoiceByNumber(services.db.pool, number);
  if (!found) return { outcome: 'not_found' };
  if (found.paused) return { outcome: 'already', invoice: found };
  const no = blocked(found);
  if (no) return no;
  const now = services.clock.now();
  const held = await withTransaction(services.db.pool, async (tx) => {
    if (!(await setPaused(tx, found.id, true, now))) return null;
    const count = await pausePendingReminders(tx, found.id, 'paused: reminders paused by hand');
    await audit(tx, { invoiceId: found.id, actor: by.actor, action: 'reminders_paused', details: { heldSteps: count } }, now);
    return count;
  });
  const invoice = (await getInvoice(services.db.pool, found.id)) ?? found;
  if (held === null) return invoice.paused ? { outcome: 'already', invoice } : { outcome: 'not_open', invoice };
  await publishInvoiceMessage(services, invoice);
  await postInThread(services, invoice, pausedNote({ by: by.by, heldSteps: held }));
  return { outcome: 'paused', invoice, heldSteps: held };
}

/**
 * `/invoices resume <number>`: clears the flag and re-times the held steps from now with the rule a
 * dispute resolution uses (src/domain/dispute-sequence.ts): the first step not yet sent goes out now
 * (or at its own later time), the rest keep their spacing; none doubled, none skipped. A disputed
 * invoice keeps its steps held until the dispute is resolved.
 */
export async function resumeInvoice(services: Services, number: string, by: By): Promise<PauseAnswer> {
  const found = await findInvoiceByNumber(services.db.pool, number);
  if (!found) return { outcome: 'not_found' };
  if (isSettled(found.status)) return { outcome: 'not_open', invoice: found };
  if (!found.paused) return { outcome: 'already', invoice: found };
  const now = services.clock.now();
  const result = await withTransaction(services.db.pool, async (tx) => {
    if (!(await setPaused(tx, found.id, false, now))) return null;
    const invoice = await getInvoice(tx, found.id);
    if (invoice?.disputed) {
      await audit(tx, { invoiceId: found.id, actor: by.actor, action: 'reminders_resumed', details: { resumedSteps: [], heldBy: 'dispute' } }, now);
      return { retimed: [], stillDisputed: true };
    }
    const retimed = shiftSequence(await heldSteps(tx, found.id), now);
    await retimeSteps(tx, found.id, retimed, 'pending', null);
    await audit(
      tx,
      { invoiceId: found.id, actor: by.actor, action: 'reminders_resumed', details: { resumedSteps: retimed.map((s) => ({ step: s.stepIndex, dueAt: s.dueAt.toISOString() })) } },
      now,
    );
    return { retimed, stillDisputed: false };
  });
  const invoice = (await getInvoice(services.db.pool, found.id)) ?? found;
  if (!result) return invoice.paused ? { outcome: 'not_open', invoice } : { outcome: 'already', invoice };
  await publishInvoiceMessage(services, invoice);
  const first = result.retimed[0];
  const step = first ? (await remindersOf(services.db.pool, found.id)).find((r) => r.stepIndex === first.stepIndex) : undefined;
  await postInThread(
    services,
    invoice,
    resumedNote({ by: by.by, next: first && step ? { at: first.dueAt, tone: step.tone } : null, stillDisputed: result.stillDisputed, timezone: services.settings.timezone }),
  );
  return { outcome: 'resumed', invoice, next: first?.dueAt ?? null, stillDisputed: result.stillDisputed };
}
