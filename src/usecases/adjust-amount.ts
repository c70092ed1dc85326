import { formatInvoiceNumber } from '../domain/invoice.js';
import type { InvoiceLine } from '../domain/types.js';
import { audit } from '../store/audit.js';
import { withTransaction } from '../store/db.js';
import { claimEffect, completeEffect, releaseEffect } from '../store/effects.js';
import { getInvoice, insertDraft, updateInvoice, type InvoiceRecord } from '../store/invoices.js';
import { cancelPendingReminders } from '../store/reminders.js';
import { reissuedNote, replacesNote } from '../../blocks/dispute.js';
import type { Services } from '../services.js';
import { approveInvoice } from './approve-and-send.js';
import { postInThread, publishInvoiceMessage } from './invoice-messages.js';
import { ensureSalesTax, voidSalesTax } from './sales-tax.js';

export interface Adjustment {
  lines: InvoiceLine[];
  total: number;
  dueDate: string;
  recipients: string[];
}

export type AdjustOutcome = { outcome: 'reissued'; voided: InvoiceRecord; replacement: InvoiceRecord } | { outcome: 'refused'; reason: string };

/**
 * "Adjust amount" → void and reissue on a disputed invoice (the other way, a credit on the same
 * invoice, is src/usecases/credit-invoice.ts): void it at the back-end, then reissue the corrected
 * invoice under the next number. The new invoice is approved by the person who adjusted it, so it is emailed and starts its own reminder sequence; the old one's are cancelled.
 * At most once per invoice (claimed in the effects ledger before the back-end call).
 */
export async function adjustAmount(services: Services, invoiceId: string, adjustment: Adjustment, by: { slackUserId: string }): Promise<AdjustOutcome> {
  const pool = services.db.pool;
  const actor = `slack:${by.slackUserId}`;
  const invoice = await getInvoice(pool, invoiceId);
  if (!invoice || !invoice.disputed || (invoice.status !== 'sent' && invoice.status !== 'partially_paid'))
    return { outcome: 'refused', reason: 'Only a disputed invoice awaiting payment can be adjusted.' };
  if (invoice.amountPaid > 0) return { outcome: 'refused', reason: `Invoice ${invoice.number} is partly paid, so it cannot be voided; choose "Credit" in Adjust amount instead.` };
  const backend = services.backends[invoice.provider];
  if (!backend || !invoice.providerInvoiceId) return { outcome: 'refused', reason: `No invoicing back-end invoice to void for ${invoice.number}.` };

  const key = `adjust:${invoice.id}`;
  if (!(await claimEffect(pool, { key, invoiceId: invoice.id, kind: 'adjust', claimedBy: services.instanceId }, services.clock.now()))) {
    return { outcome: 'refused', reason: `Invoice ${invoice.number} is already being adjusted.` };
  }
  try {
    await backend.voidInvoice(invoice.providerInvoiceId);
  } catch (err) {
    await releaseEffect(pool, key); // nothing changed at the back-end
    const reason = err instanceof Error ? err.message : String(err);
    services.log.warn({ invoice: invoice.number, reason }, 'void for adjustment failed');
    return { outcome: 'refused', reason: `${backend.name} refused to void ${invoice.number}: ${reason}` };
  }

  const now = services.clock.now();
  const result = await withTransaction(pool, async (tx) => {
    const voided = await updateInvoice(tx, invoice.id, { status: 'void', disputed: false, disputedAt: null }, now, ['sent', 'partially_paid']);
    if (!voided) return null;
    const cancelled = await cancelPendingReminders(tx, invoice.id, 'invoice voided and reissued', now);
    const replacement = await insertDraft(
      tx,
      {
        clientId: invoice.clientId,
        source: 'adjustment',
        sourceRef: invoice.id,
        sourceUrl: invoice.sourceUrl,
        milestone: invoice.milestone,
        currency: invoice.currency,
        lines: adjustment.lines,
        total: adjustment.total,
        dueDate: adjustment.dueDate,
        recipients: adjustment.recipients,
        provider: invoice.provider,
      },
      { scope: 'default', format: (seq) => formatInvoiceNumber(services.settings.invoiceNumberPrefix, seq) },
      now,
    );
    if (!replacement) throw new Error(`invoice ${invoice.number} was reissued before`);
    await audit(
      tx,
      {
        invoiceId: invoice.id,
        actor,
        action: 'voided_for_adjustment',
        details: { replacedBy: replacement.number, cancelledSteps: cancelled, before: invoice.total, after: adjustment.total },
      },
      now,
    );
    await audit(tx, { invoiceId: replacement.id, actor, action: 'drafted', details: { replaces: invoice.number, total: adjustment.total, currency: invoice.currency } }, now);
    return { voided, replacement };
  });
  if (!result) return { outcome: 'refused', reason: `Invoice ${invoice.number} changed meanwhile (paid or voided); nothing reissued.` };
  await completeEffect(pool, key, { replacement: result.replacement.id }, services.clock.now());
  // The tax service follows the void (Avalara DocVoided, TaxJar order deleted); the replacement gets its own tax.
  await voidSalesTax(services, invoice.id);
  await ensureSalesTax(services, result.replacement);

  await publishInvoiceMessage(services, result.voided);
  await postInThread(
    services,
    result.voided,
    reissuedNote({
      by: by.slackUserId,
      oldNumber: invoice.number,
      newNumber: result.replacement.number,
      oldTotal: invoice.total,
      newTotal: adjustment.total,
      currency: invoice.currency,
      backendName: backend.name,
    }),
  );
  const posted = await publishInvoiceMessage(services, result.replacement);
  await postInThread(services, posted, replacesNote({ oldNumber: invoice.number }));
  const approved = await approveInvoice(services, posted.id, { actor, slackUserId: by.slackUserId });
  return { outcome: 'reissued', voided: result.voided, replacement: approved.invoice ?? posted };
}
