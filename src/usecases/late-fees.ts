import { daysBetween, localDate } from '../domain/calendar.js';
import { decideLateFee } from '../domain/late-fees.js';
import type { LateFeeFacts } from '../email/template-fields.js';
import type { IssueInvoiceRequest } from '../providers/invoicing/backend.js';
import { BackendError, isDefiniteFailure } from '../providers/invoicing/errors.js';
import { audit } from '../store/audit.js';
import type { StoredClient } from '../store/clients.js';
import { withTransaction } from '../store/db.js';
import { claimEffect, completeEffect, releaseEffect } from '../store/effects.js';
import { getInvoice, type InvoiceRecord } from '../store/invoices.js';
import {
  appliedFees,
  dropPendingLateFee,
  feeKeyOf,
  getLateFee,
  lateFeesOf,
  markLateFeeIssued,
  markLateFeeWaived,
  recordLateFee,
  rememberLateFeeNote,
  settleLateFee,
  type LateFeeRecord,
} from '../store/late-fees.js';
import { lateFeeNote, lateFeeWaivedNote } from '../../blocks/late-fee.js';
import type { Services } from '../services.js';
import { postInThread } from './invoice-messages.js';

/**
 * Late fees (docs/late-fees.md). A fee is its own invoice at the client's back-end, numbered
 * `<invoice>-F<n>`: every back-end can issue and void an invoice through the port it already has, while
 * Stripe (like most) cannot add a line to a finalized invoice. The original invoice, its payments,
 * reminders, aging and forecast stay exactly as they were; the reminder email shows the fee and the new
 * total, and the thread gets a note with **Waive fee** for approvers.
 *
 * Once per step (or invoice): the fee is recorded under its unique key before the back-end is called,
 * and the call is claimed in the effects ledger with the fee's id as the back-end's idempotency anchor.
 * A crash in between leaves the claim, which the sweep flags for a person; nothing is charged twice.
 */
export async function chargeLateFee(
  services: Services,
  invoice: InvoiceRecord,
  client: StoredClient,
  step: { stepIndex: number; stepNumber: number },
): Promise<LateFeeFacts | undefined> {
  if (!client.lateFee) return undefined; // the default: no query, nothing changes
  const pool = services.db.pool;
  const today = localDate(services.clock.now(), services.settings.timezone);
  const earlier = await refreshedFees(services, invoice);
  const decision = decideLateFee({
    balance: invoice.total - invoice.amountPaid,
    currency: invoice.currency,
    daysOverdue: daysBetween(invoice.dueDate, today),
    stepIndex: step.stepIndex,
    settings: client.lateFee,
    applied: appliedFees(earlier),
  });
  let added: LateFeeRecord | null = null;
  if (decision.add) {
    const { fee, created } = await recordLateFee(
      pool,
      {
        invoiceId: invoice.id,
        invoiceNumber: invoice.number,
        feeKey: feeKeyOf(decision.stepIndex),
        stepIndex: step.stepIndex,
        stepNumber: step.stepNumber,
        amount: decision.amount,
        currency: invoice.currency,
        reason: decision.reason,
        provider: invoice.provider,
      },
      services.clock.now(),
    );
    if (created) added = await issueLateFee(services, invoice, client, fee, step.stepNumber, today);
  } else {
    services.log.debug({ invoice: invoice.number, step: step.stepNumber, reason: decision.reason }, 'no late fee');
  }
  // Read again only when this step recorded a fee (it, or another process's, may be open now).
  const open = (decision.add ? await lateFeesOf(pool, invoice.id) : earlier).filter((f) => f.status === 'open');
  if (!open.length) return undefined;
  return { open: open.reduce((total, f) => total + f.amount, 0), added: added?.amount ?? 0, link: open[open.length - 1]!.paymentUrl };
}

/**
 * The invoice's fees, with each open fee invoice read at the back-end first: one the client paid, or
 * someone voided there, is no longer owed and no longer shown in the email. A failed read keeps it open.
 */
async function refreshedFees(services: Services, invoice: InvoiceRecord): Promise<LateFeeRecord[]> {
  const fees = await lateFeesOf(services.db.pool, invoice.id);
  const backend = services.backends[invoice.provider];
  if (!backend) return fees;
  const refreshed: LateFeeRecord[] = [];
  for (const fee of fees) {
    if (fee.status !== 'open' || !fee.providerInvoiceId) {
      refreshed.push(fee);
      continue;
    }
    try {
      const live = await backend.fetchInvoice(fee.providerInvoiceId);
      const settled = live.status === 'paid' ? 'paid' : live.status === 'void' ? 'voided' : null;
      if (settled) await settleLateFee(services.db.pool, fee.id, settled);
      refreshed.push(settled ? { ...fee, status: settled } : fee);
    } catch (err) {
      services.log.warn({ invoice: invoice.number, fee: fee.number, err: String(err) }, 'late fee invoice not read; counted as open');
      refreshed.push(fee);
    }
  }
  return refreshed;
}

/** The fee invoice at the back-end, claimed first; returns the fee once it is open there, else null. */
async function issueLateFee(
  services: Services,
  invoice: InvoiceRecord,
  client: StoredClient,
  fee: LateFeeRecord,
  stepNumber: number,
  today: string,
): Promise<LateFeeRecord | null> {
  const pool = services.db.pool;
  const backend = services.backends[invoice.provider];
  const key = `late-fee:${fee.id}`;
  if (
    !backend ||
    !(await claimEffect(
      pool,
      { key, invoiceId: invoice.id, kind: 'late-fee', claimedBy: services.instanceId, details: { number: fee.number, amount: fee.amount } },
      services.clock.now(),
    ))
  )
    return null;
  let issued;
  try {
    issued = await backend.issueInvoice(
      lateFeeIssueRequest({
        fee,
        original: { id: invoice.id, number: invoice.number, recipients: invoice.recipients },
        customer: { clientId: client.id, name: client.name, providerCustomerId: client.providerCustomerId },
        stepNumber,
        today,
        timezone: services.settings.timezone,
      }),
    );
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    services.log.warn({ invoice: invoice.number, fee: fee.number, reason }, 'late fee not created at the back-end');
    // Certainly not created: forget it, a later step may charge again. Otherwise the claim stays for a person.
    if (isDefiniteFailure(err)) {
      await dropPendingLateFee(pool, fee.id);
      await releaseEffect(pool, key);
    }
    return null;
  }
  const now = services.clock.now();
  const open = await withTransaction(pool, async (tx) => {
    const marked = await markLateFeeIssued(tx, fee.id, { providerInvoiceId: issued.providerInvoiceId, paymentUrl: issued.paymentUrl });
    await audit(
      tx,
      {
        invoiceId: invoice.id,
        actor: backend.name,
        action: 'late_fee_added',
        details: { fee: fee.number, amount: fee.amount, currency: fee.currency, step: stepNumber, reason: fee.reason, providerInvoiceId: issued.providerInvoiceId },
        sourceEvent: key,
      },
      now,
    );
    await completeEffect(tx, key, { providerInvoiceId: issued.providerInvoiceId }, now);
    return marked;
  });
  if (!open) return null;
  services.log.info({ invoice: invoice.number, fee: open.number, amount: open.amount }, 'late fee added');
  await postFeeNote(services, invoice, open, stepNumber);
  return open;
}

/**
 * The fee invoice as the back-end gets it: one line, the fee's own id as the idempotency anchor (one
 * attempt: a definite failure drops the fee rather than retrying it), the original's customer, due at once.
 */
export function lateFeeIssueRequest(o: {
  fee: Pick<LateFeeRecord, 'id' | 'number' | 'amount' | 'currency'>;
  original: { id: string; number: string; recipients: string[] };
  customer: { clientId: string; name: string; providerCustomerId: string | null };
  stepNumber: number;
  today: string;
  timezone: string;
}): IssueInvoiceRequest {
  const description = `Late fee on invoice ${o.original.number} (reminder ${o.stepNumber})`;
  return {
    invoiceId: o.fee.id,
    number: o.fee.number,
    customer: { ...o.customer, emails: o.original.recipients, freshbooksTax: null },
    currency: o.fee.currency,
    lines: [{ description, quantity: '1', unitAmount: o.fee.amount, amount: o.fee.amount }],
    issueDate: o.today,
    dueDate: o.today,
    timezone: o.timezone,
    attempt: 0,
    memo: description,
    metadata: { duebot_late_fee_of: o.original.id },
  };
}

async function postFeeNote(services: Services, invoice: InvoiceRecord, fee: LateFeeRecord, stepNumber: number): Promise<void> {
  const note = lateFeeNote({ id: fee.id, number: fee.number, amount: fee.amount, currency: fee.currency, stepNumber, paymentUrl: fee.paymentUrl });
  const ts = await postInThread(services, invoice, note);
  if (ts) await rememberLateFeeNote(services.db.pool, fee.id, ts);
}

export type WaiveOutcome = { outcome: 'waived'; fee: LateFeeRecord } | { outcome: 'refused'; reason: string };

/**
 * **Waive fee**: voids the fee invoice at the back-end, then records who waived it (audit) and updates
 * the thread. Once: the void is claimed in the effects ledger; a back-end refusal releases the claim.
 */
export async function waiveLateFee(services: Services, feeId: string, by: { slackUserId: string }): Promise<WaiveOutcome> {
  const pool = services.db.pool;
  const fee = await getLateFee(pool, feeId);
  const invoice = fee ? await getInvoice(pool, fee.invoiceId) : null;
  if (!fee || !invoice) return { outcome: 'refused', reason: 'That late fee no longer exists.' };
  if (fee.status === 'waived') return { outcome: 'refused', reason: `Late fee ${fee.number} was already waived.` };
  const backend = services.backends[fee.provider];
  if (fee.status !== 'open' || !fee.providerInvoiceId || !backend) return { outcome: 'refused', reason: `Late fee ${fee.number} is not open at the back-end; check it there.` };

  const key = `late-fee-waive:${fee.id}`;
  if (!(await claimEffect(pool, { key, invoiceId: invoice.id, kind: 'late-fee-waive', claimedBy: services.instanceId, details: { fee: fee.number } }, services.clock.now())))
    return { outcome: 'refused', reason: `Late fee ${fee.number} is being waived already.` };
  try {
    await backend.voidInvoice(fee.providerInvoiceId);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    if (err instanceof BackendError && !err.retryable) await releaseEffect(pool, key);
    services.log.warn({ invoice: invoice.number, fee: fee.number, reason }, 'late fee not voided at the back-end');
    return { outcome: 'refused', reason: `${backend.name} did not void late fee ${fee.number}: ${reason}` };
  }
  const now = services.clock.now();
  const actor = `slack:${by.slackUserId}`;
  const waived = await withTransaction(pool, async (tx) => {
    const marked = await markLateFeeWaived(tx, fee.id, actor, now);
    await audit(tx, { invoiceId: invoice.id, actor, action: 'late_fee_waived', details: { fee: fee.number, amount: fee.amount, currency: fee.currency }, sourceEvent: key }, now);
    await completeEffect(tx, key, { waived: true }, now);
    return marked;
  });
  if (!waived) return { outcome: 'refused', reason: `Late fee ${fee.number} was already waived.` };
  services.log.info({ invoice: invoice.number, fee: fee.number, by: actor }, 'late fee waived');
  const view = { id: fee.id, number: fee.number, amount: fee.amount, currency: fee.currency, stepNumber: fee.stepNumber, paymentUrl: fee.paymentUrl, waivedBy: by.slackUserId };
  const channel = invoice.slackChannel ?? services.settings.billingChannelId;
  if (fee.slackTs) await services.slack.update(channel, fee.slackTs, lateFeeNote(view));
  await postInThread(services, invoice, lateFeeWaivedNote({ number: fee.number, amount: fee.amount, currency: fee.currency, by: by.slackUserId, backendName: backend.name }));
  return { outcome: 'waived', fee: waived };
}
