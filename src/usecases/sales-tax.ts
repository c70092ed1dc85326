import { localDate } from '../domain/calendar.js';
import { salesTaxName, taxServiceDisplayName } from '../domain/sales-tax.js';
import { afterFailure, type RetryPolicy } from '../domain/retry-backoff.js';
import type { SalesTax } from '../providers/invoicing/backend.js';
import { TaxServiceError, type TaxQuoteRequest } from '../providers/tax/tax-service.js';
import { audit } from '../store/audit.js';
import { getClient, type StoredClient } from '../store/clients.js';
import { withTransaction, type Queryable } from '../store/db.js';
import { getInvoice, type InvoiceRecord } from '../store/invoices.js';
import {
  dueTaxRetries,
  getSalesTax,
  markTaxRecorded,
  markTaxSkipped,
  markTaxVoided,
  saveComputedTax,
  saveUncomputedTax,
  taxFollowUps,
  type SalesTaxRecord,
} from '../store/sales-tax.js';
import type { Services } from '../services.js';
import { publishInvoiceMessage } from './invoice-messages.js';
import { approveInvoice } from './approve-and-send.js';

/**
 * The optional tax step before the draft (TAX_SERVICE: TaxJar or Avalara). A draft's sales tax is
 * computed for the client's billing address when the draft is made or its lines change, stored with it
 * (src/store/sales-tax.ts), shown on its Slack message, and carried to the back-end on send
 * (IssueInvoiceRequest.salesTax). While the service is down the tax is pending: Approve waits, the sweep
 * retries with backoff, and an approver may Recompute tax or choose Send without tax (audit-logged).
 */

const MINUTE = 60_000;
/** Pending tax is retried after about 1, 2, 4 … minutes, at most 30 apart; after a day it is left to a person. */
export const TAX_RETRY: RetryPolicy = { firstMs: MINUTE, maxDelayMs: 30 * MINUTE, giveUpAfterMs: 24 * 60 * MINUTE };

/**
 * Why this draft may not be approved yet because of its tax, or null. With a tax service configured a
 * draft needs its tax computed (or skipped by an approver); without one only a pending or failed tax
 * left from before holds it.
 */
export async function taxHoldReason(db: Queryable, services: Pick<Services, 'tax'>, invoiceId: string): Promise<string | null> {
  const tax = await getSalesTax(db, invoiceId);
  if (!tax) return services.tax ? 'its sales tax has not been computed yet' : null;
  if (tax.status === 'pending') return `its sales tax is pending (${taxServiceDisplayName(tax.service)} did not answer); it is retried automatically`;
  if (tax.status === 'failed') return `its sales tax could not be computed: ${tax.reason ?? 'unknown reason'}`;
  return null;
}

/** The tax to put on the back-end invoice: the computed one, an explicit zero when an approver skipped it, else none. */
export function salesTaxForIssue(tax: SalesTaxRecord | null): SalesTax | null {
  if (!tax) return null;
  if (tax.status === 'skipped') return { amount: 0, ratePercent: '0', name: 'Sales tax', source: 'none' };
  if (tax.status !== 'computed' || tax.amount === null) return null;
  return { amount: tax.amount, ratePercent: tax.ratePercent ?? '0', name: tax.name ?? 'Sales tax', source: tax.service };
}

/** A new draft: its tax, once, before it is posted (a repost after a crash finds it computed). */
export async function ensureSalesTax(services: Services, invoice: InvoiceRecord): Promise<void> {
  if (!services.tax || invoice.status !== 'draft') return;
  if (await getSalesTax(services.db.pool, invoice.id)) return;
  const client = await getClient(services.db.pool, invoice.clientId);
  if (client) await computeSalesTax(services, invoice, client, 'system');
}

/**
 * Asks the tax service for this draft's tax and stores the answer: computed, pending (the service was
 * down: retried with backoff) or failed (it refused, or there is no billing address: a person acts).
 * Stored only while the invoice is still a draft with these very lines. Null without a tax service.
 */
export async function computeSalesTax(services: Services, invoice: InvoiceRecord, client: StoredClient, actor: string): Promise<SalesTaxRecord | null> {
  const service = services.tax;
  if (!service) return null;
  const pool = services.db.pool;
  const previous = await getSalesTax(pool, invoice.id);
  const address = client.billingAddress ?? null;
  let outcome:
    | { computed: Parameters<typeof saveComputedTax>[2] }
    | { status: 'pending' | 'failed'; reason: string; attempts: number; windowStartedAt: Date | null; nextAttemptAt: Date | null };
  if (!address) {
    outcome = {
      status: 'failed',
      reason: `client "${client.name}" has no billing address: add billingAddress in the clients file or the client settings, then Recompute tax`,
      attempts: 0,
      windowStartedAt: null,
      nextAttemptAt: null,
    };
  } else {
    try {
      const quote = await service.quote(quoteRequest(services, invoice, client.id, address));
      outcome = {
        computed: {
          service: service.name,
          amount: quote.amount,
          ratePercent: quote.ratePercent,
          jurisdiction: quote.jurisdiction,
          name: salesTaxName(address.region),
          lineTaxes: quote.lineTaxes,
          shipTo: address,
        },
      };
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      const now = services.clock.now();
      if (err instanceof TaxServiceError && err.kind === 'unavailable') {
        const attempts = (previous?.status === 'pending' ? previous.attempts : 0) + 1;
        const windowStartedAt = previous?.status === 'pending' && previous.windowStartedAt ? previous.windowStartedAt : now;
        const next = afterFailure({ failedAt: now, windowStartedAt, attempt: attempts, random: Math.random() }, TAX_RETRY);
        outcome = next.giveUp
          ? { status: 'failed', reason: `${service.displayName} has not answered for a day: ${reason}`, attempts, windowStartedAt, nextAttemptAt: null }
          : { status: 'pending', reason, attempts, windowStartedAt, nextAttemptAt: next.nextAttemptAt };
      } else {
        // A refusal (bad address, credentials) or an answer duebot cannot read: retrying the same call will not help.
        outcome = { status: 'failed', reason, attempts: 0, windowStartedAt: null, nextAttemptAt: null };
      }
      services.log.warn({ invoice: invoice.number, service: service.name, status: outcome.status, reason }, 'sales tax not computed');
    }
  }
  const now = services.clock.now();
  const stored = await withTransaction(pool, async (tx) => {
    const current = await getInvoice(tx, invoice.id, { forUpdate: true });
    // Edited or approved meanwhile: this answer is for lines that are no longer the draft's.
    if (!current || current.status !== 'draft' || JSON.stringify(current.lines) !== JSON.stringify(invoice.lines)) return null;
    if ('computed' in outcome) {
      const saved = await saveComputedTax(tx, invoice.id, outcome.computed, now);
      const c = outcome.computed;
      await audit(
        tx,
        { invoiceId: invoice.id, actor, action: 'tax_computed', details: { service: c.service, amount: c.amount, rate: c.ratePercent, jurisdiction: c.jurisdiction } },
        now,
      );
      return saved;
    }
    const saved = await saveUncomputedTax(tx, invoice.id, { service: service.name, ...outcome }, now);
    // Said once per change of state, not at every retry.
    if (previous?.status !== outcome.status || previous.reason !== outcome.reason || actor !== 'system')
      await audit(
        tx,
        { invoiceId: invoice.id, actor, action: outcome.status === 'pending' ? 'tax_pending' : 'tax_failed', details: { service: service.name, reason: outcome.reason } },
        now,
      );
    return saved;
  });
  return stored ?? (await getSalesTax(pool, invoice.id));
}

function quoteRequest(services: Services, invoice: InvoiceRecord, customerCode: string, to: NonNullable<StoredClient['billingAddress']>): TaxQuoteRequest {
  return {
    invoiceId: invoice.id,
    number: invoice.number,
    customerCode,
    date: localDate(services.clock.now(), services.settings.timezone),
    currency: invoice.currency,
    lines: invoice.lines,
    to,
  };
}

export type RecomputeOutcome = { outcome: 'computed' | 'pending' | 'failed'; tax: SalesTaxRecord } | { outcome: 'refused'; reason: string };

/** An approver's "Recompute tax" (or the draft's lines changed): computes now and refreshes the message. */
export async function recomputeSalesTax(services: Services, invoiceId: string, actor: string): Promise<RecomputeOutcome> {
  if (!services.tax) return { outcome: 'refused', reason: 'No tax service is configured (TAX_SERVICE).' };
  const invoice = await getInvoice(services.db.pool, invoiceId);
  if (!invoice || invoice.status !== 'draft') return { outcome: 'refused', reason: 'Only a draft’s tax can be recomputed; this invoice has moved on.' };
  const client = await getClient(services.db.pool, invoice.clientId);
  if (!client) return { outcome: 'refused', reason: `Client ${invoice.clientId} is not known (any more).` };
  const tax = await computeSalesTax(services, invoice, client, actor);
  await publishInvoiceMessage(services, (await getInvoice(services.db.pool, invoiceId)) ?? invoice);
  if (!tax || tax.status === 'skipped') return { outcome: 'refused', reason: 'The tax was not recomputed.' };
  return { outcome: tax.status, tax };
}

/**
 * An approver's "Send without tax" on a draft whose tax is pending or failed: recorded (who, and why the
 * tax was missing) before anything else, then approved like any draft. The back-end invoice then carries
 * an explicit zero tax. Null when the tax was not pending or failed (computed meanwhile, or skipped before).
 */
export async function skipSalesTax(services: Services, invoiceId: string, actor: string): Promise<SalesTaxRecord | null> {
  const now = services.clock.now();
  return withTransaction(services.db.pool, async (tx) => {
    const invoice = await getInvoice(tx, invoiceId, { forUpdate: true });
    if (!invoice || invoice.status !== 'draft') return null;
    let before = await getSalesTax(tx, invoiceId);
    // Never computed (a draft older than TAX_SERVICE): recorded as failed, then skipped, so the row says both.
    if (!before && services.tax)
      before = await saveUncomputedTax(
        tx,
        invoiceId,
        { service: services.tax.name, status: 'failed', reason: 'not computed yet', attempts: 0, windowStartedAt: null, nextAttemptAt: null },
        now,
      );
    const skipped = await markTaxSkipped(tx, invoiceId, actor, now);
    if (skipped) await audit(tx, { invoiceId, actor, action: 'tax_skipped', details: { service: skipped.service, was: before?.status, reason: before?.reason ?? null } }, now);
    return skipped;
  });
}

/**
 * The invoice is at the back-end with its tax: the service records the sale (Avalara commits its
 * transaction, TaxJar gets an order). Best effort here; the sweep repeats what failed (runTaxFollowUps).
 */
export async function recordSalesTax(services: Services, invoiceId: string): Promise<void> {
  const tax = await getSalesTax(services.db.pool, invoiceId);
  const service = services.tax;
  if (!service || !tax || tax.status !== 'computed' || tax.recordedAt || tax.voidedAt || tax.service !== service.name || !tax.shipTo) return;
  const invoice = await getInvoice(services.db.pool, invoiceId);
  if (!invoice) return;
  try {
    await service.record(
      { ...quoteRequest(services, invoice, invoice.clientId, tax.shipTo), date: localDate(invoice.sentAt ?? services.clock.now(), services.settings.timezone) },
      { source: service.name, amount: tax.amount ?? 0, lineTaxes: tax.lineTaxes ?? [], ratePercent: tax.ratePercent ?? '0', jurisdiction: tax.jurisdiction ?? '' },
    );
  } catch (err) {
    services.log.warn(
      { invoice: invoice.number, service: service.name, reason: err instanceof Error ? err.message : String(err) },
      'recording the sale at the tax service failed; will retry',
    );
    return;
  }
  const now = services.clock.now();
  await withTransaction(services.db.pool, async (tx) => {
    await markTaxRecorded(tx, invoiceId, now);
    await audit(tx, { invoiceId, actor: service.name, action: 'tax_recorded', details: { service: service.name, amount: tax.amount } }, now);
  });
}

/** duebot voided the invoice: the tax service voids its record too (Avalara DocVoided, TaxJar deletes the order). */
export async function voidSalesTax(services: Services, invoiceId: string): Promise<void> {
  const tax = await getSalesTax(services.db.pool, invoiceId);
  const service = services.tax;
  if (!service || !tax || tax.status !== 'computed' || tax.voidedAt || tax.service !== service.name) return;
  try {
    await service.void(invoiceId);
  } catch (err) {
    services.log.warn({ invoice: invoiceId, service: service.name, reason: err instanceof Error ? err.message : String(err) }, 'voiding at the tax service failed; will retry');
    return;
  }
  const now = services.clock.now();
  await withTransaction(services.db.pool, async (tx) => {
    await markTaxVoided(tx, invoiceId, now);
    await audit(tx, { invoiceId, actor: service.name, action: 'tax_voided', details: { service: service.name } }, now);
  });
}

/**
 * The sweep's part: pending taxes that are due are computed again (a draft of an auto-send client is
 * then sent), and sales recorded or voided at the tax service where an earlier try failed.
 */
export async function runTaxFollowUps(services: Services): Promise<{ retried: number; recorded: number; voided: number }> {
  if (!services.tax) return { retried: 0, recorded: 0, voided: 0 };
  const pool = services.db.pool;
  let retried = 0;
  for (const due of await dueTaxRetries(pool, services.clock.now())) {
    const invoice = await getInvoice(pool, due.invoiceId);
    const client = invoice ? await getClient(pool, invoice.clientId) : null;
    if (!invoice || !client) continue;
    const tax = await computeSalesTax(services, invoice, client, 'system');
    retried += 1;
    const fresh = (await getInvoice(pool, invoice.id)) ?? invoice;
    if (tax?.status === 'computed' && client.autoSend && fresh.status === 'draft') {
      await approveInvoice(services, fresh.id, { actor: 'auto-send', slackUserId: null });
    } else {
      await publishInvoiceMessage(services, fresh);
    }
  }
  const follow = await taxFollowUps(pool);
  for (const t of follow.record) await recordSalesTax(services, t.invoiceId);
  for (const t of follow.void) await voidSalesTax(services, t.invoiceId);
  return { retried, recorded: follow.record.length, voided: follow.void.length };
}
