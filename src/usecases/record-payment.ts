import { elapsedDays } from '../domain/calendar.js';
import { nextStatus, isSettled } from '../domain/invoice.js';
import type { BackendInvoice, BackendWebhookEvent } from '../providers/invoicing/backend.js';
import { audit } from '../store/audit.js';
import { creditInFlight } from '../store/credits.js';
import { withTransaction } from '../store/db.js';
import { findInvoiceByProviderId, getInvoice, recordPaymentRow, updateInvoice, type InvoiceRecord } from '../store/invoices.js';
import { cancelPendingReminders } from '../store/reminders.js';
import { paymentNote, statusChangeNote } from '../../blocks/thread.js';
import { backendCreditNote } from '../../blocks/credit-note.js';
import { recordBackendCredits } from './backend-credits.js';
import { sourceName } from '../../blocks/source-labels.js';
import { formatMoney, money } from '../domain/money.js';
import type { Services } from '../services.js';
import { postInThread, publishInvoiceMessage } from './invoice-messages.js';

export type BackendEventOutcome = 'applied' | 'unchanged' | 'unknown_invoice' | 'ignored';

function creditGoneNote(backend: string, missing: number, currency: string): string {
  return `${backend} now shows ${formatMoney(money(missing, currency))} less credit than duebot recorded (a credit note or memo voided there?). duebot left the balance as it was: check the invoice and correct it by hand.`;
}

/** A payment-provider webhook: re-read the invoice from the back-end and apply what it says now. */
export async function handleBackendEvent(services: Services, provider: string, event: BackendWebhookEvent, sourceEvent: string): Promise<BackendEventOutcome> {
  if (event.kind === 'ignored') return 'ignored';
  const backend = services.backends[provider];
  // Payment events of the accounting back-ends name the payment; the back-end says which invoice.
  const providerInvoiceId = event.providerInvoiceId ?? (event.subject && backend?.resolveInvoiceId ? await backend.resolveInvoiceId(event) : null);
  if (!providerInvoiceId) return 'ignored';
  const pool = services.db.pool;
  const invoice = (await findInvoiceByProviderId(pool, providerInvoiceId, provider)) ?? (event.duebotInvoiceId ? await getInvoice(pool, event.duebotInvoiceId) : null);
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
 * Moves the invoice to what the back-end reports (credit, payment, partial payment, void,
 * uncollectible). Amounts are absolute and credits keyed by the back-end's id, so applying the same
 * state twice changes nothing. Credits come first: each lowers the total (src/usecases/backend-credits.ts);
 * money then counts against what is left. An invoice whose balance a credit brings to zero is
 * `credited`, not paid. Returns the updated invoice, or null when nothing changed.
 */
export async function applyBackendState(
  services: Services,
  invoice: InvoiceRecord,
  live: BackendInvoice,
  origin: { sourceEvent: string; actor: string; occurredAt: Date },
): Promise<InvoiceRecord | null> {
  const now = services.clock.now();
  const backendName = services.backends[invoice.provider]?.name ?? invoice.provider;
  const result = await withTransaction(services.db.pool, async (tx) => {
    const current = await getInvoice(tx, invoice.id, { forUpdate: true });
    if (!current || current.status === 'draft' || current.status === 'discarded') return null;

    if (live.status === 'void' || live.status === 'uncollectible') {
      const target = live.status === 'void' ? 'void' : 'uncollectible';
      if (current.status === target || current.status === 'paid' || current.status === 'credited') return null;
      const updated = await updateInvoice(tx, current.id, { status: nextStatus(current.status, { type: target === 'void' ? 'void' : 'markUncollectible' }) }, now);
      const cancelled = await cancelPendingReminders(tx, current.id, `invoice ${target}`, now);
      await audit(tx, { invoiceId: current.id, actor: origin.actor, action: target, details: { cancelledReminders: cancelled }, sourceEvent: origin.sourceEvent }, now);
      return { updated: updated!, kind: target } as const;
    }

    if (isSettled(current.status)) return null;
    if (await creditInFlight(tx, current.id)) return null; // the credit use case records it; the next check reads the rest
    const { invoice: credited, credits, recordedTotal } = await recordBackendCredits(tx, current, live, { actor: origin.actor, backendName, sourceEvent: origin.sourceEvent }, now);

    // Money only (credits are not payments). A back-end that calls the invoice settled while money came
    // in settles it in full (its rounding may differ by a unit); without any credit that is its word alone.
    const moneyPaid = Math.min(live.amountPaid, credited.total);
    const settledThere = live.status === 'paid' || live.amountRemaining <= 0;
    const fullyPaid = moneyPaid >= credited.total || (settledThere && (live.amountCredited === 0 || moneyPaid > credited.amountPaid));
    const paidNow = fullyPaid ? credited.total : moneyPaid;
    const delta = paidNow - credited.amountPaid;
    if (delta <= 0 && credits.length === 0) {
      // Less credit at the back-end than recorded (a credit note voided there): duebot never raises a
      // balance by itself; a person checks. Said once, on the invoice's message.
      const attention = recordedTotal > live.amountCredited ? creditGoneNote(sourceName(backendName), recordedTotal - live.amountCredited, current.currency) : null;
      if (!attention || current.attention === attention) return null;
      const updated = (await updateInvoice(tx, current.id, { attention }, now))!;
      await audit(
        tx,
        {
          invoiceId: current.id,
          actor: origin.actor,
          action: 'credit_missing_at_backend',
          details: { recorded: recordedTotal, atBackend: live.amountCredited },
          sourceEvent: origin.sourceEvent,
        },
        now,
      );
      return { updated, kind: 'attention' } as const;
    }

    if (delta > 0) {
      const status = nextStatus(credited.status, { type: 'recordPayment', amountPaid: paidNow, total: credited.total });
      await recordPaymentRow(tx, {
        invoiceId: current.id,
        sourceEvent: origin.sourceEvent,
        amount: delta,
        currency: current.currency,
        amountPaidAfter: paidNow,
        paidAt: origin.occurredAt,
      });
      const updated = await updateInvoice(tx, current.id, { amountPaid: paidNow, status, paidAt: status === 'paid' ? origin.occurredAt : null, attention: null }, now);
      const cancelled = status === 'paid' ? await cancelPendingReminders(tx, current.id, 'paid', now) : 0;
      await audit(
        tx,
        {
          invoiceId: current.id,
          actor: origin.actor,
          action: status === 'paid' ? 'paid' : 'partially_paid',
          details: { amount: delta, amountPaid: paidNow, cancelledReminders: cancelled },
          sourceEvent: origin.sourceEvent,
        },
        now,
      );
      return { updated: updated!, kind: 'payment', delta, credits } as const;
    }
    // Only credits: settled by them once nothing is left, with no paid date (no money came in).
    const settled = credited.total - credited.amountPaid <= 0;
    const updated = settled ? (await updateInvoice(tx, current.id, { status: 'credited', paidAt: null, attention: null }, now))! : credited;
    const cancelled = settled ? await cancelPendingReminders(tx, current.id, 'settled by a credit', now) : 0;
    if (settled)
      await audit(
        tx,
        { invoiceId: current.id, actor: origin.actor, action: 'settled_by_credit', details: { cancelledReminders: cancelled }, sourceEvent: origin.sourceEvent },
        now,
      );
    return { updated, kind: 'credit', credits } as const;
  });
  if (!result) return null;

  const { updated } = result;
  await publishInvoiceMessage(services, updated);
  if (result.kind === 'payment' || result.kind === 'credit') {
    for (const [i, credit] of result.credits.entries()) {
      const last = i === result.credits.length - 1;
      services.log.info({ invoice: updated.number, amount: credit.amount, backendCreditId: credit.backendCreditId }, 'credit from the back-end recorded');
      // The balance after this credit: the money of this same read is told apart below.
      const balance = last && result.kind === 'credit' ? updated.total - updated.amountPaid : null;
      await postInThread(services, updated, backendCreditNote({ amount: credit.amount, currency: updated.currency, backendName, balance }));
    }
  }
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
  } else if (result.kind !== 'credit' && result.kind !== 'attention') {
    await postInThread(services, updated, statusChangeNote({ status: result.kind, by: null }));
  }
  return updated;
}
