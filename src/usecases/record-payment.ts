import { elapsedDays } from '../domain/calendar.js';
import { nextStatus, isSettled } from '../domain/invoice.js';
import type { BackendInvoice, BackendWebhookEvent } from '../providers/invoicing/backend.js';
import { audit } from '../store/audit.js';
import { creditedTotal, creditInFlight } from '../store/credits.js';
import { withTransaction } from '../store/db.js';
import { findInvoiceByProviderId, getInvoice, recordPaymentRow, updateInvoice, type InvoiceRecord } from '../store/invoices.js';
import { cancelPendingReminders } from '../store/reminders.js';
import { paymentNote, statusChangeNote } from '../../blocks/thread.js';
import type { Services } from '../services.js';
import { postInThread, publishInvoiceMessage } from './invoice-messages.js';

export type BackendEventOutcome = 'applied' | 'unchanged' | 'unknown_invoice' | 'ignored';

/** A payment-provider webhook: re-read the invoice from the back-end and apply what it says now. */
export async function handleBackendEvent(services: Services, provider: string, event: BackendWebhookEvent, sourceEvent: string): Promise<BackendEventOutcome> {
  if (event.kind === 'ignored') return 'ignored';
  const backend = services.backends[provider];
  // Payment events of the accounting back-ends name the payment; the back-end says which invoice.
  const providerInvoiceId = event.providerInvoiceId ?? (event.subject && backend?.resolveInvoiceId ? await backend.resolveInvoiceId(event) : null);
  if (!providerInvoiceId) return 'ignored';
  const pool = services.db.pool;
  const invoice =
    (await findInvoiceByProviderId(pool, providerInvoiceId, provider)) ?? (event.duebotInvoiceId ? await getInvoice(pool, event.duebotInvoiceId) : null);
  if (!invoice) {
    services.log.info({ providerInvoiceId, type: event.type }, 'event for an invoice duebot did not issue; ignored');
    return 'unknown_invoice';
  }
  if (!backend) throw new Error(`no invoicing back-end "${provider}" is configured`);
  // Events arrive out of order and twice: the live state, not the event body, is the truth.
  const live = await backend.fetchInvoice(providerInvoiceId);
  return (await applyBackendState(services, invoice, live, { sourceEvent, actor: provider, occurredAt: event.occurredAt })) ? 'applied' : 'unchanged';
}

/**
 * Moves the invoice to what the back-end reports (payment, partial payment, void, uncollectible).
 * Amounts are absolute, so applying the same state twice changes nothing. Returns the updated
 * invoice, or null when nothing changed.
 */
export async function applyBackendState(
  services: Services,
  invoice: InvoiceRecord,
  live: BackendInvoice,
  origin: { sourceEvent: string; actor: string; occurredAt: Date },
): Promise<InvoiceRecord | null> {
  const now = services.clock.now();
  const result = await withTransaction(services.db.pool, async (tx) => {
    const current = await getInvoice(tx, invoice.id, { forUpdate: true });
    if (!current || current.status === 'draft' || current.status === 'discarded') return null;

    if (live.status === 'void' || live.status === 'uncollectible') {
      const target = live.status === 'void' ? 'void' : 'uncollectible';
      if (current.status === target || current.status === 'paid') return null;
      const updated = await updateInvoice(tx, current.id, { status: nextStatus(current.status, { type: target === 'void' ? 'void' : 'markUncollectible' }) }, now);
      const cancelled = await cancelPendingReminders(tx, current.id, `invoice ${target}`, now);
      await audit(tx, { invoiceId: current.id, actor: origin.actor, action: target, details: { cancelledReminders: cancelled }, sourceEvent: origin.sourceEvent }, now);
      return { updated: updated!, kind: target } as const;
    }

    // A credit lowers the balance without money coming in, and QuickBooks and FreshBooks count it as
    // paid: once credited, what was paid is what the (lowered) total leaves open at the back-end.
    if (await creditInFlight(tx, current.id)) return null; // the credit use case records it; the next check reads the rest
    const credited = await creditedTotal(tx, current.id);
    const amountPaid = credited > 0 ? Math.min(current.total, Math.max(0, current.total - live.amountRemaining)) : Math.min(live.amountPaid, current.total);
    const fullyPaid = live.status === 'paid' || live.amountRemaining <= 0 || amountPaid >= current.total;
    const paidNow = fullyPaid ? current.total : amountPaid;
    if (paidNow <= current.amountPaid || isSettled(current.status)) return null;

    const delta = paidNow - current.amountPaid;
    const status = nextStatus(current.status, { type: 'recordPayment', amountPaid: paidNow, total: current.total });
    await recordPaymentRow(tx, { invoiceId: current.id, sourceEvent: origin.sourceEvent, amount: delta, currency: current.currency, amountPaidAfter: paidNow, paidAt: origin.occurredAt });
    const updated = await updateInvoice(tx, current.id, { amountPaid: paidNow, status, paidAt: status === 'paid' ? origin.occurredAt : null, attention: null }, now);
    const cancelled = status === 'paid' ? await cancelPendingReminders(tx, current.id, 'paid', now) : 0;
    await audit(
      tx,
      { invoiceId: current.id, actor: origin.actor, action: status === 'paid' ? 'paid' : 'partially_paid', details: { amount: delta, amountPaid: paidNow, cancelledReminders: cancelled }, sourceEvent: origin.sourceEvent },
      now,
    );
    return { updated: updated!, kind: 'payment', delta } as const;
  });
  if (!result) return null;

  const { updated } = result;
  await publishInvoiceMessage(services, updated);
  if (result.kind === 'payment') {
    const fullyPaid = updated.status === 'paid';
    services.log.info({ invoice: updated.number, amount: result.delta, fullyPaid }, 'payment recorded');
    await postInThread(
      services,
      updated,
      paymentNote({
        amount: fullyPaid ? updated.total : result.delta,
        currency: updated.currency,
        paidAt: origin.occurredAt,
        daysAfterSending: updated.sentAt ? Math.max(0, elapsedDays(updated.sentAt, origin.occurredAt)) : 0,
        fullyPaid,
        balance: updated.total - updated.amountPaid,
        timezone: services.settings.timezone,
      }),
    );
  } else {
    await postInThread(services, updated, statusChangeNote({ status: result.kind, by: null }));
  }
  return updated;
}
