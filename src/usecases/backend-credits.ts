import { unrecordedCredits, type NewCredit } from '../domain/backend-credits.js';
import type { BackendInvoice } from '../providers/invoicing/backend.js';
import { audit } from '../store/audit.js';
import { creditedTotal, recordCredit, recordedBackendCreditIds } from '../store/credits.js';
import type { Queryable } from '../store/db.js';
import { updateInvoice, type InvoiceRecord } from '../store/invoices.js';
import { sourceName } from '../../blocks/source-labels.js';

/**
 * Credits made in the back-end's own UI (a Stripe credit note, a QuickBooks credit memo, a FreshBooks
 * credit payment), read back with the invoice: each is recorded as duebot records its own (a credit
 * line lowering the total, a row in invoice_credits, with source 'backend'), once per back-end id.
 * Runs inside the caller's transaction, on the locked invoice row. Returns the invoice after them.
 */
export async function recordBackendCredits(
  tx: Queryable,
  current: InvoiceRecord,
  live: BackendInvoice,
  origin: { actor: string; backendName: string; sourceEvent: string },
  now: Date,
): Promise<{ invoice: InvoiceRecord; credits: NewCredit[]; recordedTotal: number }> {
  const recorded = { total: await creditedTotal(tx, current.id), ids: await recordedBackendCreditIds(tx, current.id) };
  const found = unrecordedCredits(live, recorded, current.total - current.amountPaid);
  if (found.length === 0) return { invoice: current, credits: [], recordedTotal: recorded.total };

  let { total, lines } = current;
  const credits: NewCredit[] = [];
  const reason = `Credit applied in ${sourceName(origin.backendName)}`;
  for (const credit of found) {
    const after = Math.max(current.amountPaid, total - credit.amount);
    const written = await recordCredit(tx, {
      invoiceId: current.id,
      effectKey: `backend-credit:${current.id}:${credit.backendCreditId}`,
      amount: credit.amount,
      currency: current.currency,
      reason,
      balanceAfter: after - current.amountPaid,
      createdAt: now,
      createdBy: origin.actor,
      source: 'backend',
      backendCreditId: credit.backendCreditId,
    });
    if (!written) continue;
    recorded.total += credit.amount;
    total = after;
    lines = [...lines, { description: reason, quantity: '1', unitAmount: -credit.amount, amount: -credit.amount }];
    credits.push(credit);
    await audit(
      tx,
      {
        invoiceId: current.id,
        actor: origin.actor,
        action: 'credited',
        details: { source: 'backend', backendCreditId: credit.backendCreditId, amount: credit.amount, totalAfter: total },
        sourceEvent: origin.sourceEvent,
      },
      now,
    );
  }
  if (credits.length === 0) return { invoice: current, credits, recordedTotal: recorded.total };
  const invoice = (await updateInvoice(tx, current.id, { lines, total }, now))!;
  return { invoice, credits, recordedTotal: recorded.total };
}
