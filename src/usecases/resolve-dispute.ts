import { shiftSequence, snoozeEnd } from '../domain/dispute-sequence.js';
import { audit } from '../store/audit.js';
import { withTransaction } from '../store/db.js';
import { TONE_NAMES } from '../domain/types.js';
import { heldSteps, retimeSteps, setDisputed, setSnoozedUntil } from '../store/disputes.js';
import { getInvoice, type InvoiceRecord } from '../store/invoices.js';
import { remindersOf } from '../store/reminders.js';
import { resolvedNote, snoozedNote } from '../../blocks/dispute.js';
import type { Services } from '../services.js';
import { postInThread, publishInvoiceMessage } from './invoice-messages.js';

/**
 * "Resolve: amount stands": clears the dispute and resumes the held steps from now, one at a time at
 * the client's spacing (rule in src/domain/dispute-sequence.ts): none skipped, none sent twice.
 */
export async function resolveDispute(services: Services, invoiceId: string, by: { actor: string; by: string }): Promise<InvoiceRecord | null> {
  const now = services.clock.now();
  const resumed = await withTransaction(services.db.pool, async (tx) => {
    if (!(await setDisputed(tx, invoiceId, false, now))) return null;
    // Reminders paused by hand (`/invoices pause`) stay held until someone resumes them.
    if ((await getInvoice(tx, invoiceId))?.paused) {
      await audit(tx, { invoiceId, actor: by.actor, action: 'dispute_resolved', details: { outcome: 'amount stands', resumedSteps: [], heldBy: 'pause' } }, now);
      return 'still_paused' as const;
    }
    const held = await heldSteps(tx, invoiceId);
    const retimed = shiftSequence(held, now);
    await retimeSteps(tx, invoiceId, retimed, 'pending', null);
    await audit(
      tx,
      {
        invoiceId,
        actor: by.actor,
        action: 'dispute_resolved',
        details: { outcome: 'amount stands', resumedSteps: retimed.map((s) => ({ step: s.stepIndex, dueAt: s.dueAt.toISOString() })) },
      },
      now,
    );
    return retimed;
  });
  const invoice = await getInvoice(services.db.pool, invoiceId);
  if (!resumed || !invoice) return null;
  await publishInvoiceMessage(services, invoice);
  if (resumed === 'still_paused') {
    await postInThread(services, invoice, resolvedNote({ by: by.by, next: null, stillPaused: true, timezone: services.settings.timezone }));
    return invoice;
  }
  const first = resumed[0];
  const step = first ? (await remindersOf(services.db.pool, invoiceId)).find((r) => r.stepIndex === first.stepIndex) : undefined;
  await postInThread(
    services,
    invoice,
    resolvedNote({ by: by.by, next: first && step ? { at: first.dueAt, label: `the ${TONE_NAMES[step.tone]}` } : null, timezone: services.settings.timezone }),
  );
  return invoice;
}

/**
 * A promise to pay by `promisedDate`: no reminder before the business morning after it. The held
 * steps (pending, or paused by a dispute) move together so the sequence keeps its spacing.
 */
export async function snoozeReminders(
  services: Services,
  invoice: InvoiceRecord,
  promisedDate: string,
  by: { actor: string; by: string; sourceEvent?: string | null },
): Promise<Date | null> {
  const now = services.clock.now();
  const until = snoozeEnd(promisedDate, services.settings.timezone);
  const first = await withTransaction(services.db.pool, async (tx) => {
    await setSnoozedUntil(tx, invoice.id, promisedDate, now);
    const held = await heldSteps(tx, invoice.id);
    const shifted = shiftSequence(held, until);
    for (const status of ['pending', 'paused'] as const) {
      const ids = new Set(held.filter((s) => s.status === status).map((s) => s.stepIndex));
      await retimeSteps(
        tx,
        invoice.id,
        shifted.filter((s) => ids.has(s.stepIndex)),
        status,
        status === 'pending' ? `snoozed: promise to pay by ${promisedDate}` : 'paused: invoice disputed',
      );
    }
    await audit(
      tx,
      {
        invoiceId: invoice.id,
        actor: by.actor,
        action: 'snoozed',
        details: { promisedDate, until: until.toISOString(), steps: shifted.length },
        sourceEvent: by.sourceEvent ?? null,
      },
      now,
    );
    return shifted[0]?.dueAt ?? null;
  });
  const fresh = (await getInvoice(services.db.pool, invoice.id)) ?? invoice;
  await postInThread(services, fresh, snoozedNote({ by: by.by, promisedDate, resumesAt: first, timezone: services.settings.timezone }));
  return first;
}
